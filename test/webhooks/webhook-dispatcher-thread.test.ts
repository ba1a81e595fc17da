/**
 * The dispatcher when its delivery thread dies mid-attempt: the message is
 * sent again by the replacement thread, and only real attempts are recorded
 * (the one lost with the thread is not an attempt, so it spends nothing of
 * the retry schedule and does not mark the endpoint as failing). A real
 * SQLite file, a real thread, a real HTTP receiver.
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

it("sends a message again when its thread dies mid-attempt, recording only the attempt that was answered", async () => {
  const directory = mkdtempSync(join(tmpdir(), "sum-dispatcher-thread-"));
  const database: Database = openDatabase({ path: join(directory, "sum.db"), busyTimeoutMs: 5_000 });
  cleanups.push(async () => {
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  });
  await migrateToLatest(database.db);
  const events = new EventLog(database.db);
  const box = new SecretBox("a-test-secret-key-of-sufficient-length");

  let answered = 0;
  const receiver: Receiver = await startReceiver((_request, response, index) => {
    // The first request is never answered: its thread dies while it waits.
    if (index === 0) return;
    answered++;
    response.writeHead(204).end();
  });
  cleanups.push(() => receiver.close());

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
  const parsed = parseConfig({ WEBHOOKS_ALLOW_PRIVATE_NETWORKS: "true", WEBHOOKS_ATTEMPT_TIMEOUT_MS: "30000" });
  if (parsed.errors) throw new Error(parsed.errors.join("; "));
  const dispatcher = new WebhookDispatcher({ db: database.db, events, box, config: parsed.config.webhooks, logger: createLogger({ level: "silent" }) });
  dispatcher.start();
  cleanups.push(() => dispatcher.stop());

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
