/**
 * The full-text index is merged a little on every write instead of in
 * FTS5's automerge bursts: automerge is off after the migrations, and many
 * single-thought writes (capture, update, delete through KnowledgeStore on a
 * real SQLite file) still leave the index in few segments, with every
 * thought findable and deleted ones gone.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KnowledgeStore } from "../../src/knowledge/knowledge-store.js";
import { ThoughtRepository } from "../../src/knowledge/thought-repository.js";
import { openDatabase, type Database } from "../../src/platform/database/database.js";
import { EventLog } from "../../src/platform/events/event-log.js";
import { migrateTo, migrateToLatest } from "../../src/platform/database/migrations.js";

const WRITES = 240;
const directory = mkdtempSync(join(tmpdir(), "sum-fts-merge-"));
let database: Database;
let store: KnowledgeStore;

const segments = async (db: Database) =>
  Number((await sql<{ n: number }>`select count(distinct segid) as n from thoughts_fts_idx`.execute(db.db)).rows[0]!.n);
const setting = async (db: Database, key: string) =>
  (await sql<{ v: number }>`select v from thoughts_fts_config where k = ${key}`.execute(db.db)).rows[0]?.v;

beforeAll(async () => {
  database = openDatabase({ path: join(directory, "knowledge.db"), busyTimeoutMs: 1000 });
  await migrateToLatest(database.db);
  store = new KnowledgeStore(new EventLog(database.db), new ThoughtRepository(database.db), {
    timeZone: "UTC",
    maxContentBytes: 65_536,
    pattern: { minThoughts: 3, windowMs: 86_400_000 },
  });
});

afterAll(async () => {
  await database?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("search index merging", () => {
  it("turns FTS5's automerge off in the migration", async () => {
    expect(await setting(database, "automerge")).toBe(0);
  });

  it("keeps the index in few segments over many single-thought writes", async () => {
    const ids: string[] = [];
    let most = 0;
    for (let index = 0; index < WRITES; index++) {
      const thought = await store.capture({
        content: `Thought ${index} about merging word${index} and segment${index % 7} in the index.`,
        source: "direct",
        tags: [],
        metadata: "{}",
        timeZone: "UTC",
        requestId: null,
      });
      ids.push(thought.id);
      most = Math.max(most, await segments(database));
    }
    for (const id of ids.slice(0, 20)) {
      await store.update(id, { content: `Rewritten ${id} about rewriting.` });
      most = Math.max(most, await segments(database));
    }
    for (const id of ids.slice(20, 40)) {
      await store.delete(id);
      most = Math.max(most, await segments(database));
    }
    // Without merging, segments pile up until FTS5's crisis merge (16 on one level) folds them at once.
    expect(most).toBeLessThanOrEqual(8);
    const repository = new ThoughtRepository(database.db);
    const found = await repository.search(`"word${WRITES - 1}"`, {}, 0, 10, 1000);
    expect(found.rows.map((row) => row.id)).toEqual([ids[WRITES - 1]]);
    expect((await repository.search(`"word25"`, {}, 0, 10, 1000)).rows).toEqual([]);
    expect((await repository.search(`"rewriting"`, {}, 0, 100, 1000)).rows).toHaveLength(20);
    expect((await repository.search(`"merging"`, {}, 0, 1000, 1000)).rows).toHaveLength(WRITES - 40);
  });

  it("upgrades a database made before it: automerge off", async () => {
    const older = openDatabase({ path: join(directory, "older.db"), busyTimeoutMs: 1000 });
    try {
      await migrateTo(older.db, "0008_thought_links");
      expect(await setting(older, "automerge")).toBeUndefined();
      await migrateToLatest(older.db);
      expect(await setting(older, "automerge")).toBe(0);
    } finally {
      await older.close();
    }
  });
});
