/**
 * The dispatcher on a real SQLite file, with a real delivery thread and a
 * real HTTP receiver: when its thread dies mid-attempt the message is sent
 * again by the replacement, and only real attempts are recorded (the one
 * lost with the thread spends nothing of the retry schedule and does not
 * mark the endpoint as failing); fan-out takes announced events from the
 * commit and reads the rest from the log.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { afterEach, expect, it } from "vitest";
import { parseConfig } from "../../src/platform/config/config.js";
import { openDatabase, type Database } from "../../src/platform/database/database.js";
import { migrateToLatest } from "../../src/platform/database/migrations.js";
import { EventLog } from "../../src/platform/events/event-log.js";
import { createLogger } from "../../src/platform/logging/logger.js";
import { SecretBox } from "../../src/webhooks/secret-box.js";
import { DeliveryRepository } from "../../src/webhooks/delivery-repository.js";
import { WebhookDispatcher } from "../../src/webhooks/webhook-dispatcher.js";
import { WebhookRepository } from "../../src/webhooks/webhook-repository.js";
import { generateSecret } from "../../src/webhooks/webhook-signature.js";
import { waitFor } from "../support/wait-for.js";
import { startReceiver, type Receiver } from "./receiver.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A dispatcher over a real SQLite file with one webhook (document.*) pointing at `receiver`. */
async function startDispatcher(receiver: Receiver, settings: { env?: Record<string, string>; holdLimitMs?: number } = {}) {
  const directory = mkdtempSync(join(tmpdir(), "sum-dispatcher-thread-"));
  const database: Database = openDatabase({ path: join(directory, "sum.db"), busyTimeoutMs: 5_000 });
  cleanups.push(async () => {
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  });
  await migrateToLatest(database.db);
  const events = new EventLog(database.db);
  const box = new SecretBox("a-test-secret-key-of-sufficient-length");
  const now = new Date().toISOString();
  const webhookId = "0193a5f2-7c1e-7d3a-9b52-1f0e4c2d8a61";
  await new WebhookRepository(database.db).insert(database.db, {
    id: webhookId,
    url: receiver.url,
    eventTypes: ["document.*"],
    description: "",
    headers: {},
    enabled: true,
    disabledReason: "",
    secret: box.seal(generateSecret(), webhookId),
    previousSecret: null,
    previousSecretExpiresAt: null,
    requestId: null,
    afterSequence: 0,
    failingSince: null,
    circuitOpens: 0,
    createdAt: now,
    updatedAt: now,
  });
  const parsed = parseConfig({ WEBHOOKS_ALLOW_PRIVATE_NETWORKS: "true", WEBHOOKS_ATTEMPT_TIMEOUT_MS: "30000", ...settings.env });
  if (parsed.errors) throw new Error(parsed.errors.join("; "));
  const options = { db: database.db, events, box, config: parsed.config.webhooks, logger: createLogger({ level: "silent" }), holdLimitMs: settings.holdLimitMs };
  const dispatcher = new WebhookDispatcher(options);
  dispatcher.start();
  cleanups.push(() => dispatcher.stop());
  return { database, events, dispatcher, webhookId, options };
}

/** Publishes `count` document.summarized events in one transaction (data `{ n }`). */
function publishDocuments(events: EventLog, count: number) {
  return events.transaction(async (trx) => {
    const stored = [];
    for (let n = 0; n < count; n++) stored.push(await events.publish(trx, { type: "document.summarized", data: { n } }));
    return stored;
  });
}

/** How many message rows have `status`. */
async function messagesWith(database: Database, status: string): Promise<number> {
  const row = await database.db.selectFrom("webhook_messages").select((eb) => eb.fn.countAll<number>().as("n")).where("status", "=", status).executeTakeFirstOrThrow();
  return Number(row.n);
}

it("sends a message again when its thread dies mid-attempt, recording only the attempt that was answered", async () => {
  let answered = 0;
  const receiver: Receiver = await startReceiver((_request, response, index) => {
    // The first request is never answered: its thread dies while it waits.
    if (index === 0) return;
    answered++;
    response.writeHead(204).end();
  });
  cleanups.push(() => receiver.close());
  const { database, events, dispatcher, webhookId } = await startDispatcher(receiver);

  const event = await events.transaction((trx) => events.publish(trx, { type: "document.summarized", data: { documentId: "d1" } }));
  await waitFor(() => receiver.byId(event.id).length === 1, 10_000, "the first attempt");
  // Simulates a crash of the thread (nothing in SUM terminates it but stop()).
  await (dispatcher as unknown as { thread: { worker: Worker } }).thread.worker.terminate();
  await waitFor(() => answered === 1, 10_000, "the attempt by the replacement thread");

  const row = async () =>
    database.db
      .selectFrom("webhook_messages")
      .select(["id", "status", "attempt_count"])
      .where("event_id", "=", event.id)
      .executeTakeFirstOrThrow();
  await waitFor(async () => (await row()).status === "succeeded", 10_000, "the outcome written");
  const message = await row();
  expect(message.attempt_count).toBe(1);
  const attempts = await new DeliveryRepository(database.db).attempts([message.id]);
  expect(attempts).toEqual([expect.objectContaining({ httpStatus: 204, error: "", nextAttemptAt: null })]);
  const webhook = await database.db.selectFrom("webhooks").select(["failing_since"]).where("id", "=", webhookId).executeTakeFirstOrThrow();
  expect(webhook.failing_since).toBeNull();
  expect(receiver.byId(event.id)).toHaveLength(2);
});

it("fans out announced events without reading them back, and events it was not told about from the log", async () => {
  const receiver: Receiver = await startReceiver();
  cleanups.push(() => receiver.close());
  const { database, events } = await startDispatcher(receiver);

  const announced = await events.transaction(async (trx) => [
    await events.publish(trx, { type: "document.summarized", data: { n: 1 } }),
    await events.publish(trx, { type: "document.summarized", data: { n: 2 } }),
  ]);
  // Published in a transaction of its own, not EventLog.transaction(): no listener hears of it.
  const unannounced = await database.db.transaction().execute((trx) => events.publish(trx, { type: "document.summarized", data: { n: 3 } }));
  const after = await events.transaction((trx) => events.publish(trx, { type: "document.summarized", data: { n: 4 } }));

  for (const event of [...announced, unannounced, after]) {
    await waitFor(() => receiver.byId(event.id).length === 1, 10_000, `event ${String(event.data["n"])} delivered`);
    expect(JSON.parse(receiver.byId(event.id)[0]!.body)).toMatchObject({ type: "document.summarized", data: event.data });
  }
  expect(receiver.requests).toHaveLength(4);
});

it("after a crash, fan-out starts at the cursor and sends nothing whose row was written past it", async () => {
  const receiver: Receiver = await startReceiver();
  cleanups.push(() => receiver.close());
  const { database, events, dispatcher, options } = await startDispatcher(receiver);

  const before = await publishDocuments(events, 20);
  await waitFor(async () => (await messagesWith(database, "succeeded")) === 20, 10_000, "the first 20 delivered and recorded");
  await dispatcher.stop();
  const cursorRows = () => database.db.selectFrom("webhook_dispatch_cursor").select(["name", "sequence"]).orderBy("name").execute();
  expect(await cursorRows()).toEqual([
    { name: "webhooks", sequence: before.at(-1)!.sequence },
    { name: "webhooks.fanned_out", sequence: before.at(-1)!.sequence },
  ]);
  expect(receiver.requests).toHaveLength(20);

  // As a crash leaves it when the rows were written but the cursor was not moved past them yet.
  await database.db.updateTable("webhook_dispatch_cursor").set({ sequence: before[4]!.sequence }).where("name", "=", "webhooks").execute();
  const restarted = new WebhookDispatcher(options);
  restarted.start();
  cleanups.push(() => restarted.stop());
  const after = await events.transaction((trx) => events.publish(trx, { type: "document.summarized", data: { n: 20 } }));
  await waitFor(() => receiver.byId(after.id).length === 1, 10_000, "the event published after the restart");
  await waitFor(async () => (await cursorRows())[0]!.sequence === after.sequence, 5_000, "the cursor past it");
  // Events 6–20 were checked for rows before their messages were held: none went out again.
  expect(receiver.requests).toHaveLength(21);
});

it("writes a slow endpoint's held backlog pending after the hold limit, so the cursor passes it", async () => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const receiver: Receiver = await startReceiver(async (_request, response) => {
    await held;
    response.writeHead(204).end();
  });
  cleanups.push(async () => {
    release();
    await receiver.close();
  });
  // One attempt at a time: the first waits on the receiver, the other nine wait in the queue.
  const { database, events } = await startDispatcher(receiver, {
    env: { WEBHOOKS_ENDPOINT_CONCURRENCY: "1", WEBHOOKS_POLL_INTERVAL_MS: "50" },
    holdLimitMs: 200,
  });
  const published = await publishDocuments(events, 10);
  await waitFor(async () => (await messagesWith(database, "pending")) === 9, 5_000, "the queued nine written pending");
  const cursor = async () => (await database.db.selectFrom("webhook_dispatch_cursor").select("sequence").where("name", "=", "webhooks").executeTakeFirstOrThrow()).sequence;
  // The one in flight still holds the cursor at the event before it; the rest no longer do.
  expect(await cursor()).toBe(published[0]!.sequence - 1);
  release();
  await waitFor(() => receiver.requests.length === 10, 10_000, "all ten delivered");
  await waitFor(async () => (await cursor()) === published.at(-1)!.sequence, 5_000, "the cursor past all ten");
  expect(new Set(receiver.requests.map((request) => request.headers["webhook-id"])).size).toBe(10);
});
