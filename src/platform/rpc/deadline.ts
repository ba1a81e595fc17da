/**
 * Middleware step 2: the caller's deadline and the method's time limit from
 * the policy table bound the work. Whichever comes first aborts the handler's
 * signal and ends the call with DEADLINE_EXCEEDED at once, even if the handler
 * ignores its signal; a caller's cancellation ends it the same way with
 * CANCELLED. Work whose deadline already passed is refused.
 */
import type { Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { resolvePolicy, type PolicyTable } from "../policies/policy-table.js";
import type { CallAbort } from "./call-context.js";
import type { DeadlineSweeper } from "./deadline-sweeper.js";
import { methodPath, returnsStream, type Middleware, type RpcOutcome } from "./rpc-call.js";

export interface DeadlineOptions {
  readonly table: PolicyTable;
  readonly sweeper: DeadlineSweeper;
}

export function deadline(options: DeadlineOptions): Middleware {
  return (next, method) => {
    const streaming = returnsStream(method);
    const limitMs = resolvePolicy(options.table, method).timeoutMs;
    const limitError = () =>
      new ConnectError(`${methodPath(method)} exceeded its time limit of ${limitMs}ms`, Code.DeadlineExceeded);
    const deadlineError = () => new ConnectError("deadline exceeded", Code.DeadlineExceeded);

    return (call) => {
      const { abort } = call;
      const callerDeadline = call.context.deadline;
      const now = Date.now();
      if (abort.abortReason === undefined && callerDeadline !== undefined && callerDeadline <= now) abort.abort(deadlineError());
      if (abort.abortReason !== undefined) return failed(streaming, abort.abortReason);

      const limitAt = limitMs === undefined ? Infinity : now + limitMs;
      const byCaller = callerDeadline !== undefined && callerDeadline <= limitAt;
      const expiresAt = byCaller ? callerDeadline : limitAt;
      const entry =
        expiresAt === Infinity ? undefined : options.sweeper.add(expiresAt, () => abort.abort(byCaller ? deadlineError() : limitError()));
      const release = () => entry && options.sweeper.remove(entry);
      if (streaming) return untilAbortedStream(next(call) as AsyncIterable<Message>, abort, release);
      return untilAborted(next(call) as Promise<Message>, abort, release);
    };
  };
}

function failed(streaming: boolean, error: ConnectError): RpcOutcome {
  if (!streaming) return Promise.reject(error);
  return (async function* () {
    throw error;
  })();
}

function untilAborted<T>(work: Promise<T>, abort: CallAbort, release: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    abort.onAbort = (reason) => {
      release();
      reject(reason);
    };
    work.then(
      (value) => {
        abort.onAbort = undefined;
        release();
        resolve(value);
      },
      (error: unknown) => {
        abort.onAbort = undefined;
        release();
        reject(abort.abortReason ?? error);
      },
    );
  });
}

async function* untilAbortedStream(stream: AsyncIterable<Message>, abort: CallAbort, release: () => void): AsyncGenerator<Message> {
  const iterator = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (abort.abortReason !== undefined) throw abort.abortReason;
      const step = await untilAborted(iterator.next(), abort, () => {});
      if (step.done) return;
      yield step.value;
    }
  } finally {
    release();
    // Lets the handler's generator run its own clean-up (finally blocks).
    void iterator.return?.()?.catch(() => {});
  }
}
