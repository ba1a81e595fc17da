import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../../src/platform/database/database.js";
import { DatabaseUnavailableError } from "../../../src/platform/database/database-errors.js";
import { migrateToLatest } from "../../../src/platform/database/migrations.js";
import { EventLog, type CommittedEvent } from "../../../src/platform/events/event-log.js";
import BetterSqlite3 from "better-sqlite3";

let directory: string;
let database: Database;
let log: EventLog;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), "sum-events-"));
  database = openDatabase({ path: join(directory, "sum.db"), busyTimeoutMs: 50 });
  await migrateToLatest(database.db);
  log = new EventLog(database.db);
});

afterEach(async () => {
  await database.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("EventLog", () => {
  it("publishes inside a transaction with the RFC 3339 envelope", async () => {
    const event = await log.transaction((trx) => log.publish(trx, { type: "document.summarized", data: { words: 3 } }));
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(await log.readAfter(0, 10)).toEqual([event]);
  });

  it("a transaction that rolls back leaves no event", async () => {
    const failed = await log
      .transaction(async (trx) => {
        await log.publish(trx, { type: "thought.captured", data: { id: "t1" } });
        throw new Error("the write that caused it failed");
      })
      .catch((error: unknown) => error);
    expect((failed as Error).message).toBe("the write that caused it failed");
    expect(await log.readAfter(0, 10)).toEqual([]);
    expect(await log.latestSequence()).toBe(0);
  });

  it("consumers read in commit order after a cursor, filtered by type", async () => {
    for (let i = 1; i <= 5; i++) {
      await log.transaction((trx) => log.publish(trx, { type: i % 2 ? "flag.changed" : "thought.captured", data: { i } }));
    }
    const all = await log.readAfter(0, 100);
    expect(all.map((event) => event.data["i"])).toEqual([1, 2, 3, 4, 5]);
    const afterSecond = await log.readAfter(all[1]!.sequence, 100);
    expect(afterSecond.map((event) => event.data["i"])).toEqual([3, 4, 5]);
    const page = await log.readAfter(0, 2);
    expect(page.map((event) => event.data["i"])).toEqual([1, 2]);
    const flags = await log.readAfter(0, 100, ["flag.changed"]);
    expect(flags.map((event) => event.data["i"])).toEqual([1, 3, 5]);
  });

  it("an id minted earlier but committed later is not skipped by a consumer's cursor", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ids = ["00000000-0000-7000-8000-000000000001", "00000000-0000-7000-8000-000000000002"];
    const ordered = new EventLog(database.db, { newId: () => ids.shift()! });
    // The first transaction mints its id, then waits; kysely serialises
    // transactions on the connection, so the second commits after it, and
    // sequence order matches commit order whatever the ids say.
    const slow = ordered.transaction(async (trx) => {
      const event = await ordered.publish(trx, { type: "document.summarized", data: { n: 1 } });
      await gate;
      return event;
    });
    const fast = ordered.transaction((trx) => ordered.publish(trx, { type: "document.summarized", data: { n: 2 } }));
    release();
    const [first, second] = await Promise.all([slow, fast]);
    expect(second.sequence).toBeGreaterThan(first.sequence);
    const consumerSaw = await ordered.readAfter(0, 10);
    expect(consumerSaw.map((event) => event.id)).toEqual([first.id, second.id]);
  });

  it("notifies listeners only after commits that published", async () => {
    let notified = 0;
    const unsubscribe = log.onCommit(() => notified++);
    await log.transaction(async () => "no events");
    expect(notified).toBe(0);
    await log.transaction((trx) => log.publish(trx, { type: "flag.changed", data: {} }));
    expect(notified).toBe(1);
    await log.transaction(async (trx) => {
      await log.publish(trx, { type: "flag.changed", data: {} });
      throw new Error("rolled back");
    }).catch(() => {});
    expect(notified).toBe(1);
    unsubscribe();
  });

  it("hands listeners each commit's events as stored, in sequence order, and nothing of a rolled-back one", async () => {
    const heard: CommittedEvent[][] = [];
    const unsubscribe = log.onCommit((events) => heard.push([...events]));
    const published = await log.transaction(async (trx) => [
      await log.publish(trx, { type: "document.summarized", data: { n: 1, text: "é" } }),
      await log.publish(trx, { type: "thought.captured", data: { n: 2 } }),
    ]);
    await log.transaction(async (trx) => {
      await log.publish(trx, { type: "flag.changed", data: {} });
      throw new Error("rolled back");
    }).catch(() => {});
    const next = await log.transaction((trx) => log.publish(trx, { type: "flag.changed", data: { n: 3 } }));
    unsubscribe();

    const stored = await log.readAfter(published[0]!.sequence - 1, 10);
    expect(heard).toHaveLength(2);
    expect(heard[0]!.map(({ sequence, id, type, timestamp }) => ({ sequence, id, type, timestamp }))).toEqual(
      stored.slice(0, 2).map(({ sequence, id, type, timestamp }) => ({ sequence, id, type, timestamp })),
    );
    // The data is the exact JSON text in the log.
    expect(heard[0]!.map((event) => JSON.parse(event.data))).toEqual([{ n: 1, text: "é" }, { n: 2 }]);
    // The rolled-back event's sequence is not consumed: the next commit continues the run.
    expect(heard[1]![0]!.sequence).toBe(published[1]!.sequence + 1);
    expect(heard[1]![0]!.id).toBe(next.id);
  });

  it("keeps a commit committed when a listener throws, and still tells the other listeners", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    let heard = 0;
    const stopThrowing = log.onCommit(() => {
      throw new Error("listener bug");
    });
    const stopHearing = log.onCommit(() => heard++);
    const event = await log.transaction((trx) => log.publish(trx, { type: "flag.changed", data: {} }));
    stopThrowing();
    stopHearing();
    await new Promise((resolve) => setImmediate(resolve));
    process.off("warning", onWarning);
    expect(heard).toBe(1);
    expect((await log.readAfter(event.sequence - 1, 1))[0]!.id).toBe(event.id);
    expect(warnings).toContain("EventLogListenerError");
  });

  it("tells redaction listeners before it rewrites events", async () => {
    let told = 0;
    const stop = log.onRedact(() => told++);
    await log.transaction(async (trx) => {
      await log.publish(trx, { type: "thought.captured", data: { thoughtId: "t1", content: "secret" } });
    });
    await log.transaction((trx) => log.redact(trx, "thoughtId", "t1", ["content"]));
    stop();
    expect(told).toBe(1);
  });

  it("prunes events past retention and never reuses their sequence numbers", async () => {
    let now = new Date("2026-01-01T00:00:00.000Z");
    const clocked = new EventLog(database.db, { now: () => now });
    const old = await clocked.transaction((trx) => clocked.publish(trx, { type: "flag.changed", data: { age: "old" } }));
    now = new Date("2026-03-01T00:00:00.000Z");
    const recent = await clocked.transaction((trx) => clocked.publish(trx, { type: "flag.changed", data: { age: "new" } }));
    expect(await clocked.pruneBefore(new Date("2026-02-01T00:00:00.000Z"))).toBe(1);
    expect((await clocked.readAfter(0, 10)).map((event) => event.id)).toEqual([recent.id]);
    await clocked.pruneBefore(new Date("2027-01-01T00:00:00.000Z"));
    const next = await clocked.transaction((trx) => clocked.publish(trx, { type: "flag.changed", data: {} }));
    expect(next.sequence).toBeGreaterThan(Math.max(old.sequence, recent.sequence));
  });

  it("rejects event types that are not dot-separated lower-case words, writing nothing", async () => {
    for (const type of ["", "document", "Document.Summarized", "document..summarized", "document.summarized."]) {
      const error = await log.transaction((trx) => log.publish(trx, { type, data: {} })).catch((e: unknown) => e);
      expect((error as Error).message, type).toContain("event type must be");
    }
    expect(await log.readAfter(0, 10)).toEqual([]);
  });

  it("reports a database locked by another connection as unavailable", async () => {
    const locker = new BetterSqlite3(database.path);
    locker.exec("BEGIN EXCLUSIVE");
    try {
      const error = await log.transaction((trx) => log.publish(trx, { type: "flag.changed", data: {} })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as DatabaseUnavailableError).sqliteCode).toBe("SQLITE_BUSY");
    } finally {
      locker.exec("ROLLBACK");
      locker.close();
    }
    const event = await log.transaction((trx) => log.publish(trx, { type: "flag.changed", data: {} }));
    expect(await log.readAfter(0, 10)).toEqual([event]);
  });
});
