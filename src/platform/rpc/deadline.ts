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
import { SweepEntry, type DeadlineSweeper } from "./deadline-sweeper.js";
import { methodPath, returnsStream, type Middleware, type RpcCall, type RpcOutcome } from "./rpc-call.js";

export interface DeadlineOptions {
  readonly table: PolicyTable;
  readonly sweeper: DeadlineSweeper;
}

/** What a method's calls share: its time limit and how to say it was exceeded. */
interface MethodLimits {
  readonly limitMs: number | undefined;
  readonly path: string;
  readonly sweeper: DeadlineSweeper;
}

export function deadline(options: DeadlineOptions): Middleware {
  return (next, method) => {
    const limits: MethodLimits = {
      limitMs: resolvePolicy(options.table, method).timeoutMs,
      path: methodPath(method),
      sweeper: options.sweeper,
    };
    if (returnsStream(method)) {
      return (call) => {
        const bound = BoundCall.start(call, limits);
        if (bound === undefined) return failedStream(call.abort.abortReason!);
        return bound.stream(next(call) as AsyncIterable<Message>);
      };
    }
    return (call) => {
      const bound = BoundCall.start(call, limits);
      if (bound === undefined) return Promise.reject(call.abort.abortReason);
      return bound.settle(next(call) as Promise<Message>);
    };
  };
}

/**
 * One running call under its deadline: listed with the sweeper until it ends.
 * A class rather than closures, because this runs on every call.
 */
class BoundCall extends SweepEntry {
  private byCaller = false;

  private constructor(
    private readonly abort: CallAbort,
    private readonly limits: MethodLimits,
  ) {
    super();
  }

  /** Lists the call with the sweeper; undefined when it must not start at all. */
  static start(call: RpcCall, limits: MethodLimits): BoundCall | undefined {
    const { abort } = call;
    const callerDeadline = call.context.deadline;
    const now = Date.now();
    if (abort.abortReason === undefined && callerDeadline !== undefined && callerDeadline <= now) {
      abort.abort(new ConnectError("deadline exceeded", Code.DeadlineExceeded));
    }
    if (abort.abortReason !== undefined) return undefined;
    const bound = new BoundCall(abort, limits);
    const limitAt = limits.limitMs === undefined ? Infinity : now + limits.limitMs;
    bound.byCaller = callerDeadline !== undefined && callerDeadline <= limitAt;
    bound.expiresAt = bound.byCaller ? callerDeadline! : limitAt;
    if (bound.expiresAt !== Infinity) limits.sweeper.add(bound);
    return bound;
  }

  expire(): void {
    this.abort.abort(
      this.byCaller
        ? new ConnectError("deadline exceeded", Code.DeadlineExceeded)
        : new ConnectError(`${this.limits.path} exceeded its time limit of ${this.limits.limitMs}ms`, Code.DeadlineExceeded),
    );
  }

  /** The handler's result; rejects as soon as the call is aborted. Ends the call either way. */
  settle<T>(work: Promise<T>): Promise<T> {
    return this.race(work, true);
  }

  async *stream(source: AsyncIterable<Message>): AsyncGenerator<Message> {
    const iterator = source[Symbol.asyncIterator]();
    try {
      for (;;) {
        if (this.abort.abortReason !== undefined) throw this.abort.abortReason;
        const step = await this.race(iterator.next(), false);
        if (step.done) return;
        yield step.value;
      }
    } finally {
      this.end();
      // Lets the handler's generator run its own clean-up (finally blocks).
      void iterator.return?.()?.catch(() => {});
    }
  }

  /** Settles like `work`, or rejects with the abort reason as soon as the call is aborted. */
  private race<T>(work: Promise<T>, endsCall: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.abort.onAbort = (reason) => {
        if (endsCall) this.end();
        reject(reason);
      };
      work.then(
        (value) => {
          if (endsCall) this.end();
          else this.abort.onAbort = undefined;
          resolve(value);
        },
        (error: unknown) => {
          if (endsCall) this.end();
          else this.abort.onAbort = undefined;
          reject(this.abort.abortReason ?? error);
        },
      );
    });
  }

  private end(): void {
    this.abort.onAbort = undefined;
    this.limits.sweeper.remove(this);
  }
}

function failedStream(error: ConnectError): RpcOutcome {
  return (async function* () {
    throw error;
  })();
}
