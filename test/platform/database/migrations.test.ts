/**
 * Schema upgrades keep what is stored: a database written under an older
 * schema, migrated to the latest, reads back the same. 0008 stores each
 * connection once (under the newer thought) and moves connection counts
 * into their own table.
 */
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { ConceptRepository } from "../../../src/knowledge/concept-repository.js";
import { ThoughtRepository } from "../../../src/knowledge/thought-repository.js";
import { openDatabase, type Database } from "../../../src/platform/database/database.js";
import { migrateTo, migrateToLatest } from "../../../src/platform/database/migrations.js";

const databases: Database[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.close()));
});

describe("0008_thought_links", () => {
  it("turns both-way connection rows into one link per pair and keeps every count", async () => {
    const database = openDatabase({ path: ":memory:", busyTimeoutMs: 1000 });
    databases.push(database);
    await migrateTo(database.db, "0007_thought_versions");
    const at = "2026-01-01T00:00:00.000Z";
    for (const [seq, connections] of [[1, 2], [2, 1], [3, 1], [4, 0]] as const) {
      await sql`insert into thoughts (seq, id, content, source, tags, concepts, metadata, time_zone, local_hour, local_weekday, importance, word_count, connection_count, created_at, updated_at)
        values (${seq}, ${`t${seq}`}, ${`thought ${seq}`}, 'direct', '[]', '[]', '{}', 'UTC', 0, 4, 0.5, 2, ${connections}, ${at}, ${at})`.execute(database.db);
    }
    // 1–2 and 1–3, each stored in both directions as before 0008.
    for (const [a, b, similarity] of [[1, 2, 0.5], [2, 1, 0.5], [1, 3, 0.8], [3, 1, 0.8]] as const) {
      await sql`insert into thought_connections (thought_seq, other_seq, similarity, shared) values (${a}, ${b}, ${similarity}, '["graphs"]')`.execute(database.db);
    }

    await migrateToLatest(database.db);

    const links = await sql`select newer_seq, older_seq, similarity from thought_links order by newer_seq`.execute(database.db);
    expect(links.rows).toEqual([
      { newer_seq: 2, older_seq: 1, similarity: 0.5 },
      { newer_seq: 3, older_seq: 1, similarity: 0.8 },
    ]);
    const thoughts = new ThoughtRepository(database.db);
    expect(await thoughts.connectionsOf(1, 20)).toEqual([
      { otherId: "t3", similarity: 0.8, shared: '["graphs"]' },
      { otherId: "t2", similarity: 0.5, shared: '["graphs"]' },
    ]);
    expect(await thoughts.connectionsOf(2, 20)).toEqual([{ otherId: "t1", similarity: 0.5, shared: '["graphs"]' }]);
    expect((await new ConceptRepository(database.db).mostConnected(10)).map((row) => [row.id, row.connection_count])).toEqual([
      ["t1", 2],
      ["t3", 1],
      ["t2", 1],
    ]);
    const columns = await sql<{ name: string }>`select name from pragma_table_info('thoughts')`.execute(database.db);
    expect(columns.rows.map((column) => column.name)).not.toContain("connection_count");

    // Disconnecting the most connected thought uncounts it on both others and drops the rows that reach zero.
    await database.db.transaction().execute((trx) => thoughts.disconnect(trx, 1));
    expect(await thoughts.connectionsOf(2, 20)).toEqual([]);
    expect(await new ConceptRepository(database.db).mostConnected(10)).toEqual([]);
  });
});
