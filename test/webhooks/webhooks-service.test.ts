/**
 * WebhooksService end to end: a real server (in-process, real SQLite file,
 * real clients), events published through the event log as services publish
 * them, and real HTTP receivers on loopback. Signatures are verified with the
 * `standardwebhooks` reference package, not with SUM's own code. The retry
 * schedule is compressed through configuration.
 */
import { create, toJson } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KnowledgeService } from "../../gen/sum/v1/knowledge_pb.js";
import { DeliveryStatus, WebhookSchema, WebhooksService } from "../../gen/sum/v1/webhooks_pb.js";
import { ListEventTypesRequestSchema } from "../../gen/sum/v1/webhooks_pb.js";
import { productServices } from "../../src/main.js";
import { GrpcJsClient } from "../support/grpc-js-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../support/wait-for.js";
import { ok, startReceiver, type Receiver } from "./receiver.js";

const SCHEDULE_MS = [0, 150, 300];

interface CreateWebhookRequest {
  url: string;
  eventTypes: string[];
  description: string;
  headers: Record<string, string>;
  secret: string;
  enabled: boolean;
  requestId: string;
}

let sum: TestServer;
let client: Client<typeof WebhooksService>;
const receivers: Receiver[] = [];

beforeAll(async () => {
  sum = await startTestServer({
    env: {
      LOG_LEVEL: "warn",
      SUMMARIZE_WORKERS: "0",
      WEBHOOKS_ALLOW_PRIVATE_NETWORKS: "true",
      WEBHOOKS_RETRY_SCHEDULE: SCHEDULE_MS.map((ms) => `${ms}ms`).join(","),
      WEBHOOKS_POLL_INTERVAL_MS: "50",
      WEBHOOKS_QUEUE_LIMIT: "1000",
      WEBHOOKS_ATTEMPT_TIMEOUT_MS: "400",
      WEBHOOKS_BREAKER_FAILURES: "3",
      WEBHOOKS_BREAKER_HALF_OPEN_MS: "300",
      WEBHOOKS_SECRET_GRACE: "1h",
    },
    services: productServices,
  });
  client = sum.client(WebhooksService, "connect-json-http1");
});

afterAll(async () => {
  await sum?.stop();
  await Promise.all(receivers.map((receiver) => receiver.close()));
});

async function receiver(respond = ok): Promise<Receiver> {
  const started = await startReceiver(respond);
  receivers.push(started);
  return started;
}

/** Registers a webhook, runs `body`, and deletes the webhook so later tests' events do not reach it. */
async function withWebhook(
  request: Partial<CreateWebhookRequest> & { url: string },
  body: (created: { id: string; secret: string }) => Promise<void>,
): Promise<void> {
  const { webhook, secret } = await client.createWebhook({ eventTypes: ["document.summarized"], ...request });
  try {
    await body({ id: webhook!.id, secret });
  } finally {
    await client.deleteWebhook({ id: webhook!.id }).catch(() => undefined);
  }
}

/** Publishes `count` document.summarized events the way SummarizeService does; returns their ids. */
async function publish(count = 1, tag = "t"): Promise<string[]> {
  const events = sum.server.events;
  return events.transaction(async (trx) => {
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const event = await events.publish(trx, { type: "document.summarized", data: { documentId: `${tag}-${index}`, summary: "Short." } });
      ids.push(event.id);
    }
    return ids;
  });
}

function verify(secret: string, request: { body: string; headers: Record<string, unknown> }): unknown {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
  return new StandardWebhook(secret).verify(request.body, headers);
}

async function expectCode(call: Promise<unknown>, code: Code, message: string | RegExp): Promise<void> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => ConnectError.from(thrown),
  );
  expect(error, "the call should fail").toBeDefined();
  expect(error!.code).toBe(code);
  expect(error!.rawMessage).toMatch(message);
}

describe("registration", () => {
  it("creates a webhook with a generated whsec_ secret shown only at creation", async () => {
    const target = await receiver();
    await withWebhook({ url: target.url, description: "crm", headers: { "X-Team": "ops" } }, async ({ id, secret }) => {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(secret.slice(6), "base64").length).toBeGreaterThanOrEqual(24);
      const { webhook } = await client.getWebhook({ id });
      expect(webhook).toMatchObject({ id, url: target.url, eventTypes: ["document.summarized"], description: "crm", enabled: true });
      expect(webhook!.headers).toEqual({ "x-team": "ops" });
      expect(JSON.stringify(toJson(WebhookSchema, webhook!))).not.toContain(secret.slice(6, 20));
    });
  });

  it("returns the first result for a retried request_id", async () => {
    const target = await receiver();
    const first = await client.createWebhook({ url: target.url, eventTypes: ["document.*"], requestId: "req-42" });
    const second = await client.createWebhook({ url: target.url, eventTypes: ["document.*"], requestId: "req-42" });
    expect(second.webhook!.id).toBe(first.webhook!.id);
    expect(second.secret).toBe(first.secret);
    await client.deleteWebhook({ id: first.webhook!.id });
  });

  it("lists webhooks a page at a time, updates by field mask, deletes", async () => {
    const target = await receiver();
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      ids.push((await client.createWebhook({ url: target.url, eventTypes: ["*"], description: `n${index}` })).webhook!.id);
    }
    const first = await client.listWebhooks({ pageSize: 2 });
    expect(first.webhooks).toHaveLength(2);
    expect(first.nextPageToken).not.toBe("");
    const second = await client.listWebhooks({ pageSize: 2, pageToken: first.nextPageToken });
    const all = [...first.webhooks, ...second.webhooks].map((webhook) => webhook.id);
    expect(all).toEqual(expect.arrayContaining(ids));

    const { webhook } = await client.updateWebhook({
      webhook: { id: ids[0]!, description: "changed", url: "http://ignored.invalid/" },
      updateMask: { paths: ["description"] },
    });
    expect(webhook).toMatchObject({ description: "changed", url: target.url });
    await expectCode(client.updateWebhook({ webhook: { id: ids[0]! }, updateMask: { paths: ["secret"] } }), Code.InvalidArgument, /^update_mask: "secret"/);
    for (const id of ids) await client.deleteWebhook({ id });
    await expectCode(client.getWebhook({ id: ids[0]! }), Code.NotFound, /not found/);
    await expectCode(client.deleteWebhook({ id: ids[0]! }), Code.NotFound, /not found/);
  });

  const bad: [string, Partial<CreateWebhookRequest>, RegExp][] = [
    ["a malformed url", { url: "not a url" }, /^url: not a valid absolute URL/],
    ["a non-http url", { url: "ftp://127.0.0.1/x" }, /^url: scheme must be http or https/],
    ["no url", { url: "" }, /^url: required/],
    ["an unknown event type", { eventTypes: ["document.exploded"] }, /^event_types\[0\]: unknown event type "document.exploded"/],
    ["a malformed pattern", { eventTypes: ["Document*"] }, /^event_types\[0\]: "Document\*" is neither/],
    ["no event types", { eventTypes: [] }, /^event_types: must name at least one/],
    ["a signature header", { headers: { "webhook-signature": "v1,x" } }, /^headers\["webhook-signature"\]: may not be set/],
    ["oversized headers", { headers: { "x-big": "v".repeat(9000) } }, /^headers: \d+ bytes of headers is over the limit of 8192/],
    ["too many headers", { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-h${i}`, "v"])) }, /^headers: at most 20 headers, got 21/],
    ["a bad header value", { headers: { "x-a": "b\r\nc: d" } }, /^headers\["x-a"\]: value must not contain CR, LF/],
    ["a malformed secret", { secret: "abc" }, /^secret: must start with "whsec_"/],
    ["a short secret", { secret: `whsec_${Buffer.alloc(8).toString("base64")}` }, /^secret: must encode between 24 and 64 bytes, got 8/],
    ["a long description", { description: "d".repeat(1025) }, /^description: at most 1024 characters/],
  ];
  it.each(bad)("refuses %s with INVALID_ARGUMENT naming the field, writing nothing", async (_name, change, message) => {
    const before = (await client.listWebhooks({ pageSize: 100 })).webhooks.length;
    await expectCode(client.createWebhook({ url: "http://127.0.0.1:9/x", eventTypes: ["document.summarized"], ...change }), Code.InvalidArgument, message);
    expect((await client.listWebhooks({ pageSize: 100 })).webhooks.length).toBe(before);
  });

  it("lists the event catalogue with examples, over the native gRPC port too", async () => {
    const grpc = new GrpcJsClient(sum.grpcAddress);
    try {
      const { response } = await grpc.unary(WebhooksService.method.listEventTypes, create(ListEventTypesRequestSchema));
      const types = response.eventTypes.map((type) => type.type);
      expect(types).toEqual(expect.arrayContaining(["document.summarized", "webhook.test", "webhook.disabled"]));
      const summarized = response.eventTypes.find((type) => type.type === "document.summarized")!;
      expect(summarized.example).toMatchObject({ algorithm: "ALGORITHM_LEAD" });
      expect(summarized.description).not.toBe("");
    } finally {
      grpc.close();
    }
  });
});

describe("delivery", () => {
  it("delivers a published event signed per Standard Webhooks, verified by the reference package", async () => {
    const target = await receiver();
    await withWebhook({ url: target.url, headers: { "x-team": "ops" } }, async ({ secret }) => {
      const [eventId] = await publish(1, "signed");
      await waitFor(() => target.byId(eventId!).length === 1, 5000, "delivery");
      const request = target.byId(eventId!)[0]!;
      expect(verify(secret, request)).toMatchObject({ type: "document.summarized", data: { documentId: "signed-0" } });
      const body = JSON.parse(request.body) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(["type", "timestamp", "data"]);
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers["x-team"]).toBe("ops");
      expect(Math.abs(Number(request.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
      expect(() => verify(`whsec_${Buffer.alloc(32, 1).toString("base64")}`, request)).toThrow();
    });
  });

  it("delivers what KnowledgeService publishes: captures, the pattern they form and the densified cluster", async () => {
    const target = await receiver();
    const knowledge = sum.client(KnowledgeService, "connect-json-http1");
    await withWebhook({ url: target.url, eventTypes: ["thought.*", "knowledge.densified", "pattern.detected"] }, async ({ secret }) => {
      const contents = [
        "Compost heaps need green and brown garden waste in balance.",
        "Turning the compost heap weekly keeps garden waste breaking down.",
        "In winter the compost heap still turns garden waste into soil.",
      ];
      const ids: string[] = [];
      for (const content of contents) ids.push((await knowledge.captureThought({ content, source: "direct" })).thought!.id);
      const { cluster } = await knowledge.densify({ concept: "compost heap" });
      const delivered = () => target.requests.map((request) => verify(secret, request) as { type: string; data: Record<string, unknown> });
      await waitFor(() => delivered().some((event) => event.type === "knowledge.densified"), 5000, "the densified cluster");
      await waitFor(() => delivered().filter((event) => event.type === "thought.captured").length === ids.length, 5000, "every capture");
      const events = delivered();
      expect(events.filter((event) => event.type === "thought.captured").map((event) => event.data["thoughtId"])).toEqual(expect.arrayContaining(ids));
      expect(events.find((event) => event.type === "knowledge.densified")!.data).toMatchObject({ clusterId: cluster!.id, concept: "compost heap" });
      await waitFor(() => delivered().some((event) => event.type === "pattern.detected" && event.data["concept"] === "compost heap"), 5000, "the pattern");
    });
  });

  it("delivers a burst three times the in-memory queue (fan-out pauses and resumes), every attempt recorded", async () => {
    const target = await receiver();
    await withWebhook({ url: target.url }, async ({ id }) => {
      // One transaction of 3,000 events against WEBHOOKS_QUEUE_LIMIT=1000.
      const ids = await publish(3000, "burst");
      await waitFor(() => new Set(target.requests.map((request) => request.headers["webhook-id"])).size >= ids.length, 20_000, "the whole burst");
      for (const eventId of ids) expect(target.byId(eventId).length).toBeGreaterThanOrEqual(1);
      await waitFor(async () => (await client.getWebhookStats({ webhookId: id })).successes === BigInt(ids.length), 5000, "outcomes written");
      const stats = await client.getWebhookStats({ webhookId: id });
      // Each message succeeded once; a second arrival only ever follows a failed attempt (a timeout on a loaded machine).
      expect(stats.queueDepth).toBe(0n);
      expect(stats.attempts).toBe(BigInt(ids.length) + stats.failures);
      expect(BigInt(target.requests.length)).toBeLessThanOrEqual(stats.attempts);
    });
  });

  it("does not deliver events published before the webhook was created, and Replay sends them", async () => {
    const [early] = await publish(1, "early");
    const target = await receiver();
    await withWebhook({ url: target.url }, async ({ id }) => {
      const [late] = await publish(1, "late");
      await waitFor(() => target.byId(late!).length === 1, 5000, "late event");
      expect(target.byId(early!)).toHaveLength(0);
      const { messageCount } = await client.replay({ webhookId: id, startTime: timestampFromMs(Date.now() - 60_000) });
      expect(messageCount).toBeGreaterThanOrEqual(2n);
      await waitFor(() => target.byId(early!).length === 1 && target.byId(late!).length === 2, 5000, "replayed events");
      await expectCode(client.replay({ webhookId: id }), Code.InvalidArgument, /^start_time: required/);
    });
  });

  it("lists a message awaiting its first outcome as pending, counted in the queue depth, before its row is written", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const target = await receiver(async (_request, response) => {
      await held;
      response.writeHead(200).end();
    });
    await withWebhook({ url: target.url }, async ({ id }) => {
      const [eventId] = await publish(1, "held");
      await waitFor(() => target.byId(eventId!).length === 1, 5000, "the attempt arrives");
      const pending = (await client.listDeliveries({ webhookId: id })).deliveries;
      expect(pending).toHaveLength(1);
      expect(pending[0]).toMatchObject({ messageId: eventId, status: DeliveryStatus.PENDING, attempts: [] });
      expect((await client.listDeliveries({ webhookId: id, status: DeliveryStatus.PENDING })).deliveries).toHaveLength(1);
      expect((await client.listDeliveries({ webhookId: id, status: DeliveryStatus.SUCCEEDED })).deliveries).toHaveLength(0);
      expect((await client.getWebhookStats({ webhookId: id })).queueDepth).toBe(1n);
      release();
      await waitFor(async () => (await client.listDeliveries({ webhookId: id })).deliveries[0]?.status === DeliveryStatus.SUCCEEDED, 5000, "the outcome written");
      const [delivery] = (await client.listDeliveries({ webhookId: id })).deliveries;
      expect(delivery!.attempts.map((attempt) => attempt.httpStatus)).toEqual([200]);
      expect((await client.getWebhookStats({ webhookId: id })).queueDepth).toBe(0n);
    });
  });

  it("a Redeliver that lands while the message's attempt is in flight sends it again (the late outcome does not undo it)", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const target = await receiver(async (_request, response, index) => {
      if (index === 0) await held;
      response.writeHead(200).end();
    });
    await withWebhook({ url: target.url }, async ({ id }) => {
      const [eventId] = await publish(1, "inflight");
      await waitFor(() => target.byId(eventId!).length === 1, 5000, "first attempt arrives");
      // The first attempt is still waiting for its answer when the message is redelivered.
      await client.redeliver({ webhookId: id, messageId: eventId! });
      release();
      await waitFor(() => target.byId(eventId!).length === 2, 5000, "the redelivery");
      await waitFor(
        async () => (await client.listDeliveries({ webhookId: id })).deliveries[0]?.attempts.length === 2,
        5000,
        "both attempts recorded",
      );
      const [delivery] = (await client.listDeliveries({ webhookId: id })).deliveries;
      expect(delivery!.status).toBe(DeliveryStatus.SUCCEEDED);
    });
  });

  it("retries 500s on the compressed schedule with the same webhook-id, then succeeds", async () => {
    const target = await receiver((_request, response, index) => {
      response.writeHead(index < 2 ? 500 : 200).end("x");
    });
    await withWebhook({ url: target.url }, async ({ id, secret }) => {
      const [eventId] = await publish(1, "retry");
      await waitFor(() => target.byId(eventId!).length === 3, 5000, "three attempts");
      const attempts = target.byId(eventId!);
      for (const attempt of attempts) verify(secret, attempt);
      await waitFor(async () => (await client.listDeliveries({ webhookId: id })).deliveries[0]?.status === DeliveryStatus.SUCCEEDED, 5000, "succeeded");
      const [delivery] = (await client.listDeliveries({ webhookId: id })).deliveries;
      expect(delivery!.messageId).toBe(eventId);
      expect(delivery!.attempts.map((attempt) => attempt.httpStatus)).toEqual([500, 500, 200]);
      // The schedule as the server recorded it (arrival gaps at a loaded receiver would also measure its scheduling delay):
      // each retry waits at least its delay and is never sent before the stored next attempt time.
      const ms = (time: Timestamp | undefined) => timestampMs(time!);
      for (const retry of [1, 2]) {
        const before = delivery!.attempts[retry - 1]!;
        expect(ms(before.nextAttemptTime) - ms(before.attemptTime)).toBeGreaterThanOrEqual(SCHEDULE_MS[retry]!);
        expect(ms(delivery!.attempts[retry]!.attemptTime)).toBeGreaterThanOrEqual(ms(before.nextAttemptTime));
      }
      expect(delivery!.attempts[0]!.error).toBe("HTTP 500");
      expect(delivery!.attempts[0]!.nextAttemptTime).toBeDefined();
      const stats = await client.getWebhookStats({ webhookId: id });
      expect(stats).toMatchObject({ attempts: 3n, successes: 1n, failures: 2n, retries: 2n });
      expect(stats.latencyP99Ms).toBeGreaterThan(0);
    });
  });

  it("keeps an exhausted message visible as FAILED, and Redeliver sends it again", async () => {
    let healthy = false;
    const target = await receiver((_request, response) => {
      response.writeHead(healthy ? 200 : 503).end();
    });
    await withWebhook({ url: target.url }, async ({ id }) => {
      const [eventId] = await publish(1, "exhaust");
      await waitFor(
        async () => (await client.listDeliveries({ webhookId: id, status: DeliveryStatus.FAILED })).deliveries.length === 1,
        5000,
        "exhausted",
      );
      expect(target.byId(eventId!)).toHaveLength(SCHEDULE_MS.length);
      healthy = true;
      await client.redeliver({ webhookId: id, messageId: eventId! });
      await waitFor(() => target.byId(eventId!).length === SCHEDULE_MS.length + 1, 5000, "redelivery");
      await expectCode(client.redeliver({ webhookId: id, messageId: "nope" }), Code.NotFound, /message "nope"/);
    });
  });

  it("records a timeout as a failed attempt and retries", async () => {
    const target = await receiver((_request, response, index) => {
      if (index === 0) setTimeout(() => response.writeHead(200).end(), 1000).unref();
      else response.writeHead(200).end();
    });
    await withWebhook({ url: target.url }, async ({ id }) => {
      const [eventId] = await publish(1, "timeout");
      await waitFor(async () => (await client.listDeliveries({ webhookId: id })).deliveries[0]?.status === DeliveryStatus.SUCCEEDED, 5000, "retry after timeout");
      const [delivery] = (await client.listDeliveries({ webhookId: id })).deliveries;
      expect(delivery!.attempts[0]).toMatchObject({ httpStatus: 0, error: "timed out after 400ms" });
      expect(target.byId(eventId!).length).toBeGreaterThanOrEqual(2);
    });
  });

  it("does not follow redirects: a 302 is a failed attempt", async () => {
    const elsewhere = await receiver();
    const target = await receiver((_request, response) => {
      response.writeHead(302, { location: elsewhere.url }).end();
    });
    await withWebhook({ url: target.url }, async ({ id }) => {
      await publish(1, "redirect");
      await waitFor(async () => ((await client.listDeliveries({ webhookId: id })).deliveries[0]?.attempts.length ?? 0) >= 1, 5000, "attempt");
      const [delivery] = (await client.listDeliveries({ webhookId: id })).deliveries;
      expect(delivery!.attempts[0]).toMatchObject({ httpStatus: 302 });
      expect(delivery!.attempts[0]!.error).toMatch(/^redirect not followed \(HTTP 302 to /);
      expect(elsewhere.requests).toHaveLength(0);
    });
  });

  it("takes a 2xx with a large response body as delivered, without reading it all, and goes on delivering", async () => {
    const target = await receiver((_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" }).end("x".repeat(1024 * 1024));
    });
    await withWebhook({ url: target.url }, async ({ id }) => {
      const ids = await publish(3, "chatty");
      await waitFor(() => ids.every((eventId) => target.byId(eventId).length >= 1), 5000, "deliveries");
      await waitFor(async () => (await client.getWebhookStats({ webhookId: id })).successes === 3n, 5000, "outcomes written");
      const { deliveries } = await client.listDeliveries({ webhookId: id });
      expect(deliveries.map((delivery) => delivery.status)).toEqual([DeliveryStatus.SUCCEEDED, DeliveryStatus.SUCCEEDED, DeliveryStatus.SUCCEEDED]);
      expect(deliveries.flatMap((delivery) => delivery.attempts.map((attempt) => attempt.httpStatus))).toEqual([200, 200, 200]);
    });
  });

  it("honours Retry-After on 429", async () => {
    const target = await receiver((_request, response, index) => {
      if (index === 0) response.writeHead(429, { "retry-after": "1" }).end();
      else response.writeHead(200).end();
    });
    await withWebhook({ url: target.url }, async () => {
      const [eventId] = await publish(1, "retry-after");
      await waitFor(() => target.byId(eventId!).length === 2, 5000, "second attempt");
      const [first, second] = target.byId(eventId!);
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    });
  });

  it("disables the endpoint on 410 Gone and publishes webhook.disabled", async () => {
    const target = await receiver((_request, response) => {
      response.writeHead(410).end();
    });
    const watcher = await receiver();
    const { webhook: watching } = await client.createWebhook({ url: watcher.url, eventTypes: ["webhook.*"] });
    await withWebhook({ url: target.url }, async ({ id }) => {
      await publish(1, "gone");
      await waitFor(async () => (await client.getWebhook({ id })).webhook!.enabled === false, 5000, "disabled");
      expect((await client.getWebhook({ id })).webhook!.disabledReason).toBe("gone");
      await waitFor(() => watcher.requests.some((request) => JSON.parse(request.body).type === "webhook.disabled"), 5000, "webhook.disabled");
      const notice = JSON.parse(watcher.requests.find((request) => JSON.parse(request.body).type === "webhook.disabled")!.body);
      expect(notice.data).toMatchObject({ webhookId: id, reason: "gone" });
      const [delivery] = (await client.listDeliveries({ webhookId: id })).deliveries;
      expect(delivery!.status).toBe(DeliveryStatus.FAILED);
      await expectCode(client.sendTestEvent({ id }), Code.FailedPrecondition, /is disabled/);
    });
    await client.deleteWebhook({ id: watching!.id });
  });

  it("signs with both secrets during a rotation's grace period", async () => {
    const target = await receiver();
    await withWebhook({ url: target.url }, async ({ id, secret: oldSecret }) => {
      const rotated = await client.rotateSecret({ id });
      expect(rotated.secret).not.toBe(oldSecret);
      expect(rotated.webhook!.previousSecretExpireTime).toBeDefined();
      const [eventId] = await publish(1, "rotation");
      await waitFor(() => target.byId(eventId!).length === 1, 5000, "delivery");
      const request = target.byId(eventId!)[0]!;
      expect(String(request.headers["webhook-signature"]).split(" ")).toHaveLength(2);
      expect(verify(oldSecret, request)).toBeDefined();
      expect(verify(rotated.secret, request)).toBeDefined();
    });
  });

  it("sends a test event to one endpoint only", async () => {
    const target = await receiver();
    const bystander = await receiver();
    const { webhook: other } = await client.createWebhook({ url: bystander.url, eventTypes: ["*"] });
    await withWebhook({ url: target.url }, async ({ id, secret }) => {
      const { messageId } = await client.sendTestEvent({ id });
      await waitFor(() => target.byId(messageId).length === 1, 5000, "test event");
      expect(verify(secret, target.byId(messageId)[0]!)).toMatchObject({ type: "webhook.test", data: { webhookId: id } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(bystander.byId(messageId)).toHaveLength(0);
    });
    await client.deleteWebhook({ id: other!.id });
  });

  it("opens an endpoint's circuit after consecutive failures and recovers once it answers", async () => {
    let healthy = false;
    const target = await receiver((_request, response) => {
      response.writeHead(healthy ? 200 : 500).end();
    });
    await withWebhook({ url: target.url }, async ({ id }) => {
      const ids = await publish(8, "breaker");
      await waitFor(async () => (await client.getWebhookStats({ webhookId: id })).circuitOpens >= 1n, 5000, "circuit open");
      healthy = true;
      await waitFor(
        async () => (await client.listDeliveries({ webhookId: id, status: DeliveryStatus.SUCCEEDED })).deliveries.length === ids.length,
        8000,
        "recovery",
      );
      // Messages waiting on the open circuit were put off, not spent: fewer attempts than 8 × the schedule.
      expect(target.requests.length).toBeLessThan(ids.length * SCHEDULE_MS.length);
    });
  });

  it("a stuck endpoint does not hold back the others", async () => {
    const held: import("node:http").ServerResponse[] = [];
    const stuck = await receiver((_request, response) => {
      held.push(response);
    });
    const fast = await receiver();
    const { webhook: stuckHook } = await client.createWebhook({ url: stuck.url, eventTypes: ["document.summarized"] });
    await withWebhook({ url: fast.url }, async () => {
      const ids = await publish(100, "isolation");
      // Every one of the stuck endpoint's connections is busy (or timing out) the whole time.
      await waitFor(() => ids.every((eventId) => fast.byId(eventId).length > 0), 5000, "fast endpoint");
      expect(stuck.requests.length).toBeGreaterThan(0);
    });
    await client.deleteWebhook({ id: stuckHook!.id });
    for (const response of held) response.destroy();
  });

  it("a slow endpoint's backlog does not take the in-memory queue from the others", async () => {
    // Its own server: attempts may take 10 s, and an endpoint gets 4 at a time, so an endpoint that
    // answers every request, 2xx, after 2 s never trips its breaker and drains 2 messages a second.
    // (Its backlog stays within the default in-memory queue; past WEBHOOKS_QUEUE_LIMIT fan-out pauses for all.)
    const own = await startTestServer({
      env: {
        LOG_LEVEL: "warn",
        SUMMARIZE_WORKERS: "0",
        WEBHOOKS_ALLOW_PRIVATE_NETWORKS: "true",
        WEBHOOKS_ATTEMPT_TIMEOUT_MS: "10000",
        WEBHOOKS_ENDPOINT_CONCURRENCY: "4",
        WEBHOOKS_POLL_INTERVAL_MS: "50",
      },
      services: productServices,
    });
    const held: ReturnType<typeof setTimeout>[] = [];
    const slow = await receiver((_request, response) => {
      held.push(setTimeout(() => response.writeHead(204).end(), 2000));
    });
    const fast = await receiver();
    try {
      const webhooks = own.client(WebhooksService, "connect-json-http1");
      await webhooks.createWebhook({ url: slow.url, eventTypes: ["document.summarized"] });
      await webhooks.createWebhook({ url: fast.url, eventTypes: ["document.summarized"] });
      const ids = await own.server.events.transaction(async (trx) => {
        const published: string[] = [];
        for (let index = 0; index < 2500; index++) {
          published.push((await own.server.events.publish(trx, { type: "document.summarized", data: { documentId: `share-${index}` } })).id);
        }
        return published;
      });
      // Had the slow endpoint's backlog filled the queue, the fast one would wait minutes for it to drain.
      await waitFor(() => ids.every((eventId) => fast.byId(eventId).length > 0), 15_000, "fast endpoint");
      expect(slow.requests.length).toBeLessThan(100);
    } finally {
      await own.stop();
      for (const timer of held) clearTimeout(timer);
    }
  });
});
