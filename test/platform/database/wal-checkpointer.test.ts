import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../../src/platform/database/database.js";
import { startWalCheckpointer } from "../../../src/platform/database/wal-checkpointer.js";
import { waitFor } from "../../support/wait-for.js";

let directory: string;
let path: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "sum-checkpoint-"));
  path = join(directory, "sum.db");
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

const fileSize = (file: string) => statSync(file, { throwIfNoEntry: false })?.size ?? 0;
/** A megabyte of rows: far below SQLite's own 1,000-page (4 MiB) automatic checkpoint. */
const writeOneMegabyte = async (database: Database) => {
  await sql`create table blobs (body blob)`.execute(database.db);
  await sql`insert into blobs (body) values (randomblob(1048576))`.execute(database.db);
};

describe("WAL checkpoints off the serving thread", () => {
  let database: Database;
  afterEach(async () => {
    await database.close();
  });

  it("turns the serving connection's automatic checkpoints off", async () => {
    database = openDatabase({ path, busyTimeoutMs: 100 });
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(database.db);
    expect(rows[0]?.wal_autocheckpoint).toBe(0);
  });

  it("copies committed pages into the database file from the checkpoint thread", async () => {
    database = openDatabase({ path, busyTimeoutMs: 100 });
    const before = fileSize(path);
    await writeOneMegabyte(database);
    // The commit lands in the WAL; only a checkpoint grows the database file.
    await waitFor(() => fileSize(path) > before + 1_000_000, 5_000);
    expect(fileSize(path)).toBeGreaterThan(before + 1_000_000);
  });

  it("keeps every committed row across close and reopen", async () => {
    database = openDatabase({ path, busyTimeoutMs: 100 });
    await writeOneMegabyte(database);
    await database.close();
    database = openDatabase({ path, busyTimeoutMs: 100 });
    const { rows } = await sql<{ bytes: number }>`select length(body) as bytes from blobs`.execute(database.db);
    expect(rows).toEqual([{ bytes: 1048576 }]);
  });
});

describe("when the checkpoint thread is gone", () => {
  it("gives automatic checkpoints back to the serving connection", async () => {
    const connection = new BetterSqlite3(path);
    connection.pragma("journal_mode = WAL");
    // The thread cannot open a file that does not exist, so it fails at once.
    const checkpointer = startWalCheckpointer(connection, join(directory, "missing.db"), 50);
    await waitFor(() => connection.pragma("wal_autocheckpoint", { simple: true }) === 1000, 5_000, "automatic checkpoints back on");
    expect(connection.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    await checkpointer.stop();
    connection.close();
  });

  it("leaves them off after an orderly stop (the database is closing)", async () => {
    const connection = new BetterSqlite3(path);
    connection.pragma("journal_mode = WAL");
    const checkpointer = startWalCheckpointer(connection, path, 50);
    await checkpointer.stop();
    expect(connection.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    connection.close();
  });
});
