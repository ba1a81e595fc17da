/**
 * `flag.changed`: published in the same transaction as every flag write;
 * the snapshot, watch streams and webhooks follow it.
 */
import type { EventTypeSpec } from "../platform/events/event-catalogue.js";
import type { EventInput } from "../platform/events/event-log.js";

export const FLAG_CHANGED = "flag.changed";

export const flagEventTypes: readonly EventTypeSpec[] = [
  {
    type: FLAG_CHANGED,
    description: "A feature flag was created, updated (including by ImportFlags) or deleted.",
    example: { flagKey: "summarization_algorithm", kind: "updated", version: 4, actor: "ops@example.com" },
  },
];

export function flagChanged(flagKey: string, kind: string, version: bigint, actor: string): EventInput {
  return { type: FLAG_CHANGED, data: { flagKey, kind, version: Number(version), actor } };
}
