/**
 * The event types the webhooks service publishes: `webhook.test` (sent by
 * SendTestEvent to one endpoint only) and the operational `webhook.disabled`.
 */
import type { EventTypeSpec } from "../platform/events/event-catalogue.js";
import type { EventInput } from "../platform/events/event-log.js";

export const WEBHOOK_TEST = "webhook.test";
export const WEBHOOK_DISABLED = "webhook.disabled";

export type DisabledReason = "gone" | "failing";

export const webhookEventTypes: readonly EventTypeSpec[] = [
  {
    type: WEBHOOK_TEST,
    description: "A test message sent by SendTestEvent; it goes only to the webhook it was sent to.",
    example: { webhookId: "0193a5f2-7c1e-7d3a-9b52-1f0e4c2d8a61", message: "This is a test event from SUM." },
  },
  {
    type: WEBHOOK_DISABLED,
    description: "SUM disabled a webhook: it answered 410 Gone (reason gone) or failed without a success for WEBHOOKS_DISABLE_AFTER (reason failing).",
    example: {
      webhookId: "0193a5f2-7c1e-7d3a-9b52-1f0e4c2d8a61",
      url: "https://hooks.example.com/sum",
      reason: "failing",
      failingSince: "2025-01-01T00:00:00.000Z",
    },
  },
];

export function webhookTest(webhookId: string): EventInput {
  return { type: WEBHOOK_TEST, data: { webhookId, message: "This is a test event from SUM." } };
}

export function webhookDisabled(webhookId: string, url: string, reason: DisabledReason, failingSince: string | null): EventInput {
  return { type: WEBHOOK_DISABLED, data: { webhookId, url, reason, failingSince } };
}

/** The body SUM POSTs: the event envelope of Standard Webhooks, with the stored data text as it is. */
export function messageBody(type: string, timestamp: string, data: string): string {
  return `{"type":${JSON.stringify(type)},"timestamp":${JSON.stringify(timestamp)},"data":${data}}`;
}
