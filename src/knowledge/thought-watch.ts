/**
 * WatchThoughts: follows the event log's thought changes after a cursor,
 * woken by each commit, and sends each change with the thought as it is
 * when sent. Durable: a client that resumes with after_sequence misses
 * nothing still in the log.
 */
import { create } from "@bufbuild/protobuf";
import { ThoughtChangeKind, WatchThoughtsResponseSchema, type WatchThoughtsResponse } from "../../gen/sum/v1/knowledge_pb.js";
import type { EventLog } from "../platform/events/event-log.js";
import { THOUGHT_CAPTURED, THOUGHT_CHANGES, THOUGHT_UPDATED } from "./knowledge-events.js";
import { thoughtMessage } from "./thought-messages.js";
import type { ThoughtRepository } from "./thought-repository.js";

const BATCH = 100;
const KINDS: Readonly<Record<string, ThoughtChangeKind>> = {
  [THOUGHT_CAPTURED]: ThoughtChangeKind.CAPTURED,
  [THOUGHT_UPDATED]: ThoughtChangeKind.UPDATED,
};

export async function* watchThoughts(
  events: EventLog,
  thoughts: ThoughtRepository,
  afterSequence: number,
  signal: AbortSignal,
): AsyncGenerator<WatchThoughtsResponse> {
  let wake: (() => void) | undefined;
  let woken = false;
  const unsubscribe = events.onCommit(() => {
    woken = true;
    wake?.();
  });
  const aborted = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  try {
    let cursor = afterSequence > 0 ? afterSequence : await events.latestSequence();
    while (!signal.aborted) {
      woken = false;
      const batch = await events.readAfter(cursor, BATCH, THOUGHT_CHANGES);
      for (const event of batch) {
        cursor = event.sequence;
        const thoughtId = String(event.data["thoughtId"] ?? "");
        const row = KINDS[event.type] === undefined ? undefined : await thoughts.byId(thoughtId);
        yield create(WatchThoughtsResponseSchema, {
          kind: KINDS[event.type] ?? ThoughtChangeKind.DELETED,
          thoughtId,
          thought: row === undefined ? undefined : thoughtMessage(row, await thoughts.connectionsOf(row.seq, 20)),
          sequence: BigInt(event.sequence),
        });
      }
      if (batch.length === BATCH || woken) continue;
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
}
