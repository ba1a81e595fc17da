/**
 * Multi-row statements with bound values: batches cut into power-of-two
 * chunks in order, and the statement run a chunk at a time on SQLite with
 * every row's values in place.
 */
import { CompiledQuery } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { BoundRowsStatement, LARGEST_CHUNK, powerOfTwoChunks } from "../../../src/platform/database/bound-rows.js";
import { openDatabase, type Database } from "../../../src/platform/database/database.js";

const databases: Database[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.close()));
});

describe("powerOfTwoChunks", () => {
  it("keeps every row, in order, in chunks of powers of two, largest first", () => {
    for (const count of [0, 1, 2, 3, 7, 64, 65, 100, 1000]) {
      const rows = Array.from({ length: count }, (_, i) => i);
      const chunks = powerOfTwoChunks(rows);
      expect(chunks.flat()).toEqual(rows);
      for (const chunk of chunks) {
        expect(chunk.length & (chunk.length - 1)).toBe(0);
        expect(chunk.length).toBeLessThanOrEqual(LARGEST_CHUNK);
      }
      const sizes = chunks.map((chunk) => chunk.length);
      expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    }
    expect(powerOfTwoChunks(Array.from({ length: 100 }, (_, i) => i)).map((chunk) => chunk.length)).toEqual([64, 32, 4]);
  });
});

describe("BoundRowsStatement", () => {
  it("writes each row's bound values, and builds one text per row count", async () => {
    const database = openDatabase({ path: ":memory:", busyTimeoutMs: 100 });
    databases.push(database);
    await database.db.executeQuery(CompiledQuery.raw("create table pairs (name text, size integer)"));
    const insert = new BoundRowsStatement(2, (values) => `insert into pairs (name, size) values ${values}`);
    expect(insert.sql(2)).toBe("insert into pairs (name, size) values (?, ?), (?, ?)");
    expect(insert.sql(2)).toBe(insert.sql(2));
    const rows = [["a", 1], ["b", null], ["c", 3]] as const;
    await insert.run(database.db, rows, (row, values) => values.push(...row));
    const stored = await database.db.executeQuery<{ name: string; size: number | null }>(CompiledQuery.raw("select name, size from pairs order by name"));
    expect(stored.rows).toEqual([
      { name: "a", size: 1 },
      { name: "b", size: null },
      { name: "c", size: 3 },
    ]);
  });
});
