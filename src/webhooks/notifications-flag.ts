/**
 * The `webhook_notifications` flag as the dispatcher's delivery gate: at
 * fan-out each (webhook, event) pair is evaluated from the flags snapshot in
 * memory (never the database), with the webhook id as targeting key and the
 * event type as attribute `eventType`. Off: no message is created — the
 * event is skipped for that webhook, not queued for later (Replay can send
 * it afterwards). A missing flag, or a value that is not a boolean, delivers.
 */
import { WEBHOOK_NOTIFICATIONS_FLAG } from "../flags/builtin-flags.js";
import type { FlagStore } from "../flags/flag-store.js";
import type { DeliveryGate } from "./webhook-dispatcher.js";

export function notificationsFromFlag(flags: FlagStore): DeliveryGate {
  return {
    ready: () => flags.ready(),
    shouldDeliver: (webhookId, eventType) => {
      const flag = flags.snapshot.get(WEBHOOK_NOTIFICATIONS_FLAG);
      if (flag === undefined) return true;
      const result = flags.snapshot.evaluate(flag, { targetingKey: webhookId, attributes: { eventType } });
      return result.value !== false;
    },
  };
}
