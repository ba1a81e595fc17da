/**
 * openDatabase's connection settings: the page cache (DATABASE_CACHE_MB) is
 * the one asked for, and the driver's default when none is.
 */
import BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../../src/platform/database/database.js";

const databases: Database[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.close()));
});

const cacheSize = async (database: Database) => (await sql<{ cache_size: number }>`pragma cache_size`.execute(database.db)).rows[0]!.cache_size;

describe("openDatabase", () => {
  it("sizes the page cache in MiB when asked", async () => {
    const database = openDatabase({ path: ":memory:", busyTimeoutMs: 100, cacheMb: 64 });
    databases.push(database);
    // Negative means KiB.
    expect(await cacheSize(database)).toBe(-64 * 1024);
  });

  it("keeps the driver's default otherwise", async () => {
    const database = openDatabase({ path: ":memory:", busyTimeoutMs: 100 });
    databases.push(database);
    const plain = new BetterSqlite3(":memory:");
    const fallback = plain.pragma("cache_size", { simple: true }) as number;
    plain.close();
    expect(await cacheSize(database)).toBe(fallback);
  });
});
