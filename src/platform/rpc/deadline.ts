/**
 * Middleware step 2: the caller's deadline and cancellation bound the work.
 * Adapters abort `context.signal` when the caller cancels or its deadline
 * passes; this step makes the call end at that moment even if the handler
 * does not watch the signal, and refuses work whose deadline already passed.
 */
import type { Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { returnsStream, type Middleware, type RpcOutcome } from "./rpc-call.js";

export function deadline(): Middleware {
  return (next, method) => {
    const streaming = returnsStream(method);
    return (call) => {
      const { signal } = call.context;
      if (signal.aborted) return failed(streaming, abortError(signal));
      return streaming ? untilAbortedStream(next(call) as AsyncIterable<Message>, signal) : untilAborted(next(call) as Promise<Message>, signal);
    };
  };
}

/** The error a call ends with once its signal is aborted. */
export function abortError(signal: AbortSignal): ConnectError {
  const reason: unknown = signal.reason;
  if (reason instanceof ConnectError) return reason;
  return new ConnectError("call cancelled", Code.Canceled);
}

function failed(streaming: boolean, error: ConnectError): RpcOutcome {
  if (!streaming) return Promise.reject(error);
  return (async function* () {
    throw error;
  })();
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

async function* untilAbortedStream(stream: AsyncIterable<Message>, signal: AbortSignal): AsyncGenerator<Message> {
  const iterator = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      const step = await untilAborted(iterator.next(), signal);
      if (step.done) return;
      yield step.value;
    }
  } finally {
    // Lets the handler's generator run its own clean-up (finally blocks).
    void iterator.return?.()?.catch(() => {});
  }
}
