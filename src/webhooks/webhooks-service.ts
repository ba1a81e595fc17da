/**
 * sum.v1.WebhooksService: registration of endpoints (secrets sealed at rest),
 * their deliveries, redelivery and replay, the event catalogue and delivery
 * statistics. The dispatcher it owns delivers the event log to them; it
 * starts with the service and stops when the server shuts down.
 */
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Kysely } from "kysely";
import { uuidv7 } from "uuidv7";
import {
  CreateWebhookResponseSchema,
  DeleteWebhookResponseSchema,
  GetWebhookResponseSchema,
  GetWebhookStatsResponseSchema,
  ListDeliveriesResponseSchema,
  ListEventTypesResponseSchema,
  ListWebhooksResponseSchema,
  RedeliverResponseSchema,
  ReplayResponseSchema,
  RotateSecretResponseSchema,
  SendTestEventResponseSchema,
  UpdateWebhookResponseSchema,
  WebhooksService,
  type CreateWebhookRequest,
  type UpdateWebhookRequest,
} from "../../gen/sum/v1/webhooks_pb.js";
import type { WebhooksConfig } from "../platform/config/config.js";
import type { DatabaseSchema } from "../platform/database/schema.js";
import type { EventCatalogue } from "../platform/events/event-catalogue.js";
import type { EventLog } from "../platform/events/event-log.js";
import type { Logger } from "../platform/logging/logger.js";
import { bindService, type ServiceBinding } from "../platform/rpc/service-binding.js";
import type { AddressPolicy } from "./address-guard.js";
import { DeliveryRepository, type MessageRow } from "./delivery-repository.js";
import { SecretBox } from "./secret-box.js";
import { WebhookDispatcher, type DeliveryGate } from "./webhook-dispatcher.js";
import { webhookEventTypes, webhookTest } from "./webhook-events.js";
import { WebhookRepository, type WebhookChanges, type WebhookRecord } from "./webhook-repository.js";
import {
  checkDescription,
  checkHeaders,
  checkId,
  checkPageSize,
  checkSecret,
  checkTypes,
  checkUrl,
  decodePageToken,
  encodePageToken,
  invalid,
  notFound,
} from "./webhook-request.js";
import { percentile, statusOf, toDelivery, toWebhook } from "./webhook-responses.js";
import { generateSecret } from "./webhook-signature.js";

export interface WebhooksServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly events: EventLog;
  readonly catalogue: EventCatalogue;
  readonly config: WebhooksConfig;
  readonly secretKey: string;
  readonly production: boolean;
  readonly logger: Logger;
  /** The `webhook_notifications` flag's seam (notifications-flag.ts); every message is delivered when absent. */
  readonly gate?: DeliveryGate;
}

const UPDATABLE = ["url", "event_types", "description", "headers", "enabled"] as const;
const MAX_REQUEST_ID_LENGTH = 128;

export function webhooksService(options: WebhooksServiceOptions): ServiceBinding {
  const { db, events, catalogue, config } = options;
  const box = new SecretBox(options.secretKey);
  const webhooks = new WebhookRepository(db);
  const deliveries = new DeliveryRepository(db);
  const addressPolicy: AddressPolicy = { allowPrivateNetworks: config.allowPrivateNetworks, requireHttps: options.production };
  const dispatcher = new WebhookDispatcher({ db, events, box, config, logger: options.logger, gate: options.gate });
  dispatcher.start();

  const existing = async (id: string, field = "id"): Promise<WebhookRecord> => {
    const record = await webhooks.get(checkId(id, field));
    if (record === undefined) throw notFound(id);
    return record;
  };

  const created = (record: WebhookRecord) => ({
    webhook: toWebhook(record, Date.now()),
    secret: box.open(record.secret, record.id),
  });

  return bindService(
    WebhooksService,
    {
      async createWebhook(request: CreateWebhookRequest) {
        if (request.requestId.length > MAX_REQUEST_ID_LENGTH) {
          throw invalid(`request_id: at most ${MAX_REQUEST_ID_LENGTH} characters, got ${request.requestId.length}`);
        }
        const url = await checkUrl(request.url, addressPolicy);
        const eventTypes = checkTypes(request.eventTypes, catalogue);
        const headers = checkHeaders(request.headers);
        const description = checkDescription(request.description);
        const secret = checkSecret(request.secret) ?? generateSecret();
        const id = uuidv7();
        const now = new Date().toISOString();
        const record = await events.transaction(async (trx) => {
          if (request.requestId !== "") {
            const earlier = await webhooks.findByRequestId(trx, request.requestId);
            if (earlier !== undefined) return earlier;
          }
          const count = await webhooks.count(trx);
          if (count >= config.maxWebhooks) {
            throw new ConnectError(
              `webhooks: at most ${config.maxWebhooks} webhooks can be registered (WEBHOOKS_MAX_WEBHOOKS); delete one first`,
              Code.ResourceExhausted,
            );
          }
          const record: WebhookRecord = {
            id,
            url,
            eventTypes,
            description,
            headers,
            enabled: request.enabled ?? true,
            disabledReason: "",
            secret: box.seal(secret, id),
            previousSecret: null,
            previousSecretExpiresAt: null,
            requestId: request.requestId === "" ? null : request.requestId,
            // Inside the transaction, so exactly the events committed after this one reach the webhook.
            afterSequence: await deliveries.latestSequence(trx),
            failingSince: null,
            circuitOpens: 0,
            createdAt: now,
            updatedAt: now,
          };
          await webhooks.insert(trx, record);
          return record;
        });
        await dispatcher.webhooksChanged();
        return create(CreateWebhookResponseSchema, created(record));
      },

      async getWebhook(request) {
        return create(GetWebhookResponseSchema, { webhook: toWebhook(await existing(request.id), Date.now()) });
      },

      async listWebhooks(request) {
        const pageSize = checkPageSize(request.pageSize);
        const after = decodePageToken(request.pageToken) ?? "";
        const page = await webhooks.list(after, pageSize + 1);
        const more = page.length > pageSize;
        const shown = page.slice(0, pageSize);
        return create(ListWebhooksResponseSchema, {
          webhooks: shown.map((record) => toWebhook(record, Date.now())),
          nextPageToken: more ? encodePageToken(shown.at(-1)!.id) : "",
        });
      },

      async updateWebhook(request: UpdateWebhookRequest) {
        const given = request.webhook;
        if (given === undefined) throw invalid("webhook: required");
        const paths = request.updateMask?.paths ?? [];
        if (paths.length === 0) throw invalid(`update_mask: must name at least one of ${UPDATABLE.join(", ")}`);
        for (const path of paths) {
          if (!(UPDATABLE as readonly string[]).includes(path)) {
            throw invalid(`update_mask: "${path}" cannot be updated; use ${UPDATABLE.join(", ")}`);
          }
        }
        const current = await existing(given.id, "webhook.id");
        const changes: { -readonly [K in keyof WebhookChanges]: WebhookChanges[K] } = { updatedAt: new Date().toISOString() };
        if (paths.includes("url")) changes.url = await checkUrl(given.url, addressPolicy, "webhook.url");
        if (paths.includes("event_types")) changes.eventTypes = checkTypes(given.eventTypes, catalogue, "webhook.event_types");
        if (paths.includes("headers")) changes.headers = checkHeaders(given.headers, "webhook.headers");
        if (paths.includes("description")) changes.description = checkDescription(given.description, "webhook.description");
        if (paths.includes("enabled")) {
          changes.enabled = given.enabled;
          if (given.enabled) {
            changes.disabledReason = "";
            changes.failingSince = null;
          }
        }
        const updated = await events.transaction(async (trx) => {
          if ((await webhooks.get(current.id, trx)) === undefined) throw notFound(current.id);
          await webhooks.update(trx, current.id, changes);
          return (await webhooks.get(current.id, trx))!;
        });
        await dispatcher.webhooksChanged(current.id);
        return create(UpdateWebhookResponseSchema, { webhook: toWebhook(updated, Date.now()) });
      },

      async deleteWebhook(request) {
        const id = checkId(request.id);
        const deleted = await events.transaction((trx) => webhooks.delete(trx, id));
        if (!deleted) throw notFound(id);
        await dispatcher.webhooksChanged(id);
        return create(DeleteWebhookResponseSchema);
      },

      async rotateSecret(request) {
        const current = await existing(request.id);
        const secret = checkSecret(request.secret) ?? generateSecret();
        const now = Date.now();
        const updated = await events.transaction(async (trx) => {
          const fresh = await webhooks.get(current.id, trx);
          if (fresh === undefined) throw notFound(current.id);
          await webhooks.update(trx, current.id, {
            secret: box.seal(secret, current.id),
            previousSecret: fresh.secret,
            previousSecretExpiresAt: new Date(now + config.secretGraceMs).toISOString(),
            updatedAt: new Date(now).toISOString(),
          });
          return (await webhooks.get(current.id, trx))!;
        });
        await dispatcher.webhooksChanged();
        return create(RotateSecretResponseSchema, { webhook: toWebhook(updated, now), secret });
      },

      async sendTestEvent(request) {
        const webhook = await existing(request.id);
        if (!webhook.enabled) throw new ConnectError(`webhook "${webhook.id}" is disabled; enable it to send a test event`, Code.FailedPrecondition);
        const now = Date.now();
        const event = await events.transaction(async (trx) => {
          if ((await webhooks.get(webhook.id, trx)) === undefined) throw notFound(webhook.id);
          const stored = await events.publish(trx, webhookTest(webhook.id));
          const raw = { ...stored, data: JSON.stringify(stored.data) };
          await deliveries.insertMessages(trx, [{ webhookId: webhook.id, event: raw }], now, new Date(now).toISOString());
          return stored;
        });
        dispatcher.wake();
        return create(SendTestEventResponseSchema, { messageId: event.id });
      },

      async listDeliveries(request) {
        const webhook = await existing(request.webhookId, "webhook_id");
        const pageSize = checkPageSize(request.pageSize);
        const position = decodePageToken(request.pageToken);
        const before = position === undefined ? Number.MAX_SAFE_INTEGER : Number(position);
        if (!Number.isSafeInteger(before)) throw invalid("page_token: not a token returned by this method");
        const status = request.status === 0 ? undefined : statusOf(request.status);
        if (request.status !== 0 && status === undefined) throw invalid(`status: unknown value ${request.status}`);
        // Messages the dispatcher holds with no row yet (not yet attempted, or their first outcome not yet
        // written) are pending and newer than every row: the first page lists them first.
        const firstPage = position === undefined && (status === undefined || status === "pending");
        const held = firstPage ? dispatcher.unwrittenMessages(webhook.id).slice(0, pageSize) : [];
        const page = await deliveries.messages(webhook.id, status, before, pageSize - held.length + 1);
        const shown = page.slice(0, pageSize - held.length);
        const listed = new Set(shown.map((message) => message.eventId));
        const unwritten: MessageRow[] = held
          .filter((message) => !listed.has(message.eventId))
          .map((message) => ({ id: 0, eventId: message.eventId, eventType: message.eventType, status: "pending", nextAttemptAt: null, createdAt: message.createdAt }));
        const attempts = await deliveries.attempts(shown.map((message) => message.id));
        return create(ListDeliveriesResponseSchema, {
          deliveries: [
            ...unwritten.map((message) => toDelivery(message, [])),
            ...shown.map((message) => toDelivery(message, attempts.filter((attempt) => attempt.messageId === message.id))),
          ],
          nextPageToken: page.length > shown.length ? encodePageToken(String(shown.at(-1)?.id ?? Number.MAX_SAFE_INTEGER)) : "",
        });
      },

      async redeliver(request) {
        const webhook = await existing(request.webhookId, "webhook_id");
        const messageId = checkId(request.messageId, "message_id");
        const now = Date.now();
        const found = await events.transaction(async (trx) => {
          if (await deliveries.redeliver(trx, webhook.id, messageId, now)) return true;
          // Held by the dispatcher with no row yet. Not attempted yet: it is about to be sent, which is what was asked.
          // Its attempt under way: written pending now, so it is sent again; that attempt's outcome joins its history.
          const found = dispatcher.unwrittenMessage(webhook.id, messageId);
          if (found === undefined) return false;
          if (!found.sending) return true;
          const held = found.message;
          const event = { id: held.eventId, type: held.eventType };
          const [id] = await deliveries.insertMessages(trx, [{ webhookId: webhook.id, event, createdAt: held.createdAt }], now, held.createdAt);
          return id !== undefined || (await deliveries.redeliver(trx, webhook.id, messageId, now));
        });
        if (!found) throw new ConnectError(`message "${messageId}" of webhook "${webhook.id}" not found`, Code.NotFound);
        dispatcher.wake();
        return create(RedeliverResponseSchema);
      },

      async replay(request) {
        const webhook = await existing(request.webhookId, "webhook_id");
        if (request.startTime === undefined) throw invalid("start_time: required");
        const start = timestampDate(request.startTime);
        const end = request.endTime === undefined ? new Date() : timestampDate(request.endTime);
        if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw invalid("start_time: not a valid time");
        if (end <= start) throw invalid(`end_time: must be after start_time (${start.toISOString()}), got ${end.toISOString()}`);
        const exact = webhook.eventTypes.filter((pattern) => !pattern.endsWith("*"));
        const prefixes = webhook.eventTypes.filter((pattern) => pattern.endsWith("*")).map((pattern) => pattern.slice(0, -1));
        const now = Date.now();
        const count = await events.transaction((trx) =>
          deliveries.replay(trx, webhook.id, { exact, prefixes }, start.toISOString(), end.toISOString(), now, new Date(now).toISOString()),
        );
        dispatcher.wake();
        return create(ReplayResponseSchema, { messageCount: BigInt(count) });
      },

      async listEventTypes() {
        return create(ListEventTypesResponseSchema, {
          eventTypes: catalogue.list().map((spec) => ({
            type: spec.type,
            description: spec.description,
            example: spec.example,
          })),
        });
      },

      async getWebhookStats(request) {
        const webhookId = request.webhookId === "" ? undefined : (await existing(request.webhookId, "webhook_id")).id;
        const stats = await deliveries.stats(webhookId);
        const opens = webhookId === undefined
          ? (await webhooks.all()).reduce((sum, record) => sum + record.circuitOpens, 0)
          : (await webhooks.get(webhookId))?.circuitOpens ?? 0;
        const sorted = [...stats.latencies].sort((a, b) => a - b);
        return create(GetWebhookStatsResponseSchema, {
          attempts: BigInt(stats.attempts),
          successes: BigInt(stats.successes),
          failures: BigInt(stats.failures),
          retries: BigInt(stats.retries),
          circuitOpens: BigInt(opens),
          queueDepth: BigInt(stats.queueDepth + dispatcher.unwrittenHeld(webhookId)),
          latencyP50Ms: percentile(sorted, 50),
          latencyP95Ms: percentile(sorted, 95),
          latencyP99Ms: percentile(sorted, 99),
        });
      },
    },
    { dependsOn: ["database"], close: () => dispatcher.stop(), eventTypes: webhookEventTypes },
  );
}
