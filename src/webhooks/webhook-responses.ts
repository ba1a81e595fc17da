/** Turns stored webhooks and deliveries into sum.v1 messages. */
import { create } from "@bufbuild/protobuf";
import { timestampFromDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DeliverySchema, DeliveryStatus, WebhookSchema, type Delivery, type Webhook } from "../../gen/sum/v1/webhooks_pb.js";
import type { AttemptRow, MessageRow, MessageStatus } from "./delivery-repository.js";
import type { WebhookRecord } from "./webhook-repository.js";

export function toWebhook(record: WebhookRecord, now: number): Webhook {
  const previousUntil = record.previousSecretExpiresAt === null ? undefined : Date.parse(record.previousSecretExpiresAt);
  return create(WebhookSchema, {
    id: record.id,
    url: record.url,
    eventTypes: [...record.eventTypes],
    description: record.description,
    headers: { ...record.headers },
    enabled: record.enabled,
    disabledReason: record.disabledReason,
    createTime: timestampFromDate(new Date(record.createdAt)),
    updateTime: timestampFromDate(new Date(record.updatedAt)),
    previousSecretExpireTime: previousUntil !== undefined && previousUntil > now ? timestampFromMs(previousUntil) : undefined,
  });
}

const STATUS: Record<MessageStatus, DeliveryStatus> = {
  pending: DeliveryStatus.PENDING,
  succeeded: DeliveryStatus.SUCCEEDED,
  failed: DeliveryStatus.FAILED,
};

export function statusOf(status: DeliveryStatus): MessageStatus | undefined {
  return (Object.keys(STATUS) as MessageStatus[]).find((name) => STATUS[name] === status);
}

export function toDelivery(message: MessageRow, attempts: readonly AttemptRow[]): Delivery {
  return create(DeliverySchema, {
    messageId: message.eventId,
    eventType: message.eventType,
    status: STATUS[message.status],
    createTime: timestampFromDate(new Date(message.createdAt)),
    nextAttemptTime: message.status === "pending" && message.nextAttemptAt !== null ? timestampFromMs(message.nextAttemptAt) : undefined,
    attempts: attempts.map((attempt) => ({
      attemptTime: timestampFromDate(new Date(attempt.attemptedAt)),
      httpStatus: attempt.httpStatus,
      latencyMs: attempt.latencyMs,
      error: attempt.error,
      nextAttemptTime: attempt.nextAttemptAt === null ? undefined : timestampFromMs(attempt.nextAttemptAt),
    })),
  });
}

/** Nearest-rank percentile of sorted values; 0 when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
