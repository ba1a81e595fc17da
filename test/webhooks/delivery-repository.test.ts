/**
 * Where attempts are kept, on a real SQLite file: each message row holds its
 * latest attempt and webhook_attempts the earlier ones, so a first-attempt
 * delivery writes no attempt row; reads (ListDeliveries, GetWebhookStats)
 * see every attempt in order either way, including history written before
 * the latest attempt moved into the message row.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/platform/database/database.js";
import { migrateTo, migrateToLatest } from "../../src/platform/database/migrations.js";
import { EventLog } from "../../src/platform/events/event-log.js";
import { DeliveryRepository, type AttemptRecord, type RawEvent } from "../../src/webhooks/delivery-repository.js";

const WEBHOOK = "wh_1";
let directory: string;
let database: Database;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "sum-delivery-repository-"));
  database = openDatabase({ path: join(directory, "sum.db"), busyTimeoutMs: 5_000 });
});
afterEach(async () => {
  await database.close();
  rmSync(directory, { recursive: true, force: true });
});

async function seed(count: number): Promise<{ repository: DeliveryRepository; ids: number[] }> {
  const now = new Date().toISOString();
  await database.db
    .insertInto("webhooks")
    .values({ id: WEBHOOK, url: "http://127.0.0.1/hooks", event_types: "[]", description: "", headers: "{}", enabled: 1, secret: "s", after_sequence: 0, created_at: now, updated_at: now })
    .execute();
  const events = new EventLog(database.db);
  const stored: RawEvent[] = [];
  await events.transaction(async (trx) => {
    for (let n = 0; n < count; n++) {
      const event = await events.publish(trx, { type: "document.summarized", data: { n } });
      stored.push({ ...event, data: JSON.stringify(event.data) });
    }
  });
  const repository = new DeliveryRepository(database.db);
  const ids = await database.db.transaction().execute((trx) =>
    repository.insertMessages(trx, stored.map((event) => ({ webhookId: WEBHOOK, event })), Date.now(), now),
  );
  return { repository, ids: ids.map((id) => id!) };
}

const attempt = (messageId: number, at: string, httpStatus: number, overrides: Partial<AttemptRecord> = {}): AttemptRecord => ({
  messageId,
  round: 0,
  webhookId: WEBHOOK,
  attemptedAt: at,
  httpStatus,
  latencyMs: httpStatus / 100,
  error: httpStatus === 200 ? "" : `HTTP ${httpStatus}`,
  succeeded: httpStatus === 200,
  retry: false,
  status: httpStatus === 200 ? "succeeded" : "pending",
  nextAttemptAt: httpStatus === 200 ? null : Date.parse(at) + 5_000,
  replacesLatest: false,
  ...overrides,
});

const record = (repository: DeliveryRepository, attempts: AttemptRecord[]) =>
  database.db.transaction().execute((trx) => repository.recordAttempts(trx, attempts, []));
const attemptRows = async () => Number((await database.db.selectFrom("webhook_attempts").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);

describe("delivery repository: attempts", () => {
  beforeEach(async () => {
    await migrateToLatest(database.db);
  });

  it("a message delivered at its first attempt keeps it in its own row: no attempt row is written", async () => {
    const { repository, ids } = await seed(3);
    await record(repository, ids.map((id) => attempt(id, "2026-12-06T10:00:00.000Z", 200)));
    expect(await attemptRows()).toBe(0);
    const attempts = await repository.attempts(ids);
    expect(attempts.map((row) => [row.messageId, row.httpStatus, row.error])).toEqual(ids.map((id) => [id, 200, ""]));
    expect(await repository.stats(WEBHOOK)).toMatchObject({ attempts: 3, successes: 3, failures: 0, retries: 0, queueDepth: 0, latencies: [2, 2, 2] });
  });

  it("a retry moves the attempt it replaces to webhook_attempts; every attempt reads back in order with its next attempt time", async () => {
    const { repository, ids } = await seed(1);
    const [id] = ids as [number];
    await record(repository, [attempt(id, "2026-12-06T10:00:00.000Z", 500)]);
    const [due] = await repository.due(Date.parse("2026-12-06T11:00:00.000Z"), 10);
    expect(due).toMatchObject({ messageId: id, attemptCount: 1, hasLatestAttempt: true });
    await record(repository, [attempt(id, "2026-12-06T10:00:05.000Z", 503, { retry: true, replacesLatest: true })]);
    await record(repository, [attempt(id, "2026-12-06T10:00:10.000Z", 200, { retry: true, replacesLatest: true })]);

    expect(await attemptRows()).toBe(2);
    const attempts = await repository.attempts([id]);
    expect(attempts.map((row) => [row.attemptedAt, row.httpStatus, row.nextAttemptAt])).toEqual([
      ["2026-12-06T10:00:00.000Z", 500, Date.parse("2026-12-06T10:00:05.000Z")],
      ["2026-12-06T10:00:05.000Z", 503, Date.parse("2026-12-06T10:00:10.000Z")],
      ["2026-12-06T10:00:10.000Z", 200, null],
    ]);
    expect(await repository.stats(WEBHOOK)).toMatchObject({ attempts: 3, successes: 1, failures: 2, retries: 2 });
    const row = await database.db.selectFrom("webhook_messages").select(["status", "attempt_count"]).where("id", "=", id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "succeeded", attempt_count: 3 });
  });

  it("a late outcome of an earlier round is kept as an earlier attempt and leaves the new round's state alone", async () => {
    const { repository, ids } = await seed(1);
    const [id] = ids as [number];
    await record(repository, [attempt(id, "2026-12-06T10:00:00.000Z", 200)]);
    const [message] = await repository.messages(WEBHOOK, undefined, Number.MAX_SAFE_INTEGER, 1);
    expect(await database.db.transaction().execute((trx) => repository.redeliver(trx, WEBHOOK, message!.eventId, Date.now()))).toBe(true);
    // An attempt of round 0 still in flight when the Redeliver landed reports late.
    await record(repository, [attempt(id, "2026-12-06T10:00:01.000Z", 500)]);

    const row = await database.db.selectFrom("webhook_messages").select(["status", "round"]).where("id", "=", id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "pending", round: 1 });
    expect((await repository.attempts([id])).map((attempt) => attempt.httpStatus)).toEqual([200, 500]);
    const [due] = await repository.due(Date.now() + 1_000, 10);
    expect(due).toMatchObject({ messageId: id, round: 1, attemptCount: 0, hasLatestAttempt: true });
  });

  it("skips attempts of messages deleted meanwhile", async () => {
    const { repository, ids } = await seed(2);
    await database.db.deleteFrom("webhook_messages").where("id", "=", ids[0]!).execute();
    await record(repository, ids.map((id) => attempt(id, "2026-12-06T10:00:00.000Z", 200)));
    expect(await repository.attempts(ids)).toHaveLength(1);
    expect(await attemptRows()).toBe(0);
  });
});

it("a database upgraded from before latest attempts keeps its attempt history, and new attempts follow it", async () => {
  await migrateTo(database.db, "0009_search_index_incremental_merge");
  const now = new Date().toISOString();
  await database.db
    .insertInto("webhooks")
    .values({ id: WEBHOOK, url: "http://127.0.0.1/hooks", event_types: "[]", description: "", headers: "{}", enabled: 1, secret: "s", after_sequence: 0, created_at: now, updated_at: now })
    .execute();
  const { id } = await database.db
    .insertInto("webhook_messages")
    .values({ webhook_id: WEBHOOK, event_id: "evt_1", event_type: "document.summarized", status: "pending", attempt_count: 1, next_attempt_at: 0, created_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  await database.db
    .insertInto("webhook_attempts")
    .values({ message_id: id, webhook_id: WEBHOOK, attempted_at: "2026-12-06T09:00:00.000Z", http_status: 500, latency_ms: 3, error: "HTTP 500", next_attempt_at: 0, succeeded: 0, retry: 0 })
    .execute();

  await migrateToLatest(database.db);
  const repository = new DeliveryRepository(database.db);
  const [due] = await repository.due(Date.now(), 10);
  expect(due).toMatchObject({ messageId: id, hasLatestAttempt: false });
  await record(repository, [attempt(id, "2026-12-06T10:00:00.000Z", 200, { retry: true, replacesLatest: due!.hasLatestAttempt })]);
  expect((await repository.attempts([id])).map((row) => row.httpStatus)).toEqual([500, 200]);
  expect(await repository.stats(WEBHOOK)).toMatchObject({ attempts: 2, successes: 1, failures: 1, retries: 1 });
});
