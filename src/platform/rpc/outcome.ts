/**
 * Helpers for middleware that must treat unary and streaming outcomes alike:
 * observe completion or failure without caring which shape the outcome has.
 */
import type { Message } from "@bufbuild/protobuf";
import type { RpcOutcome } from "./rpc-call.js";

export interface OutcomeObserver {
  /** Maps a failure before it reaches the caller; may return a different error. */
  mapError(error: unknown): unknown;
  /** Called once when the call ends, with the error that ended it, if any. */
  settled(error: unknown | undefined): void;
}

/** Runs `start`, routing synchronous throws, rejections and stream errors through `observer`. */
export function observeOutcome(streaming: boolean, start: () => RpcOutcome, observer: OutcomeObserver): RpcOutcome {
  if (!streaming) {
    let promise: Promise<Message>;
    try {
      promise = start() as Promise<Message>;
    } catch (error) {
      promise = Promise.reject(error);
    }
    return promise.then(
      (message) => {
        observer.settled(undefined);
        return message;
      },
      (error: unknown) => {
        const mapped = observer.mapError(error);
        observer.settled(mapped);
        throw mapped;
      },
    );
  }
  return observeStream(start, observer);
}

async function* observeStream(start: () => RpcOutcome, observer: OutcomeObserver): AsyncGenerator<Message> {
  let failure: unknown;
  try {
    yield* start() as AsyncIterable<Message>;
  } catch (error) {
    failure = observer.mapError(error);
    throw failure;
  } finally {
    observer.settled(failure);
  }
}
