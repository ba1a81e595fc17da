/**
 * ThoughtBulkLoader stores what capture's repository path stores: the same
 * rows, tags, inverted index, running counts, connections (both ways, with
 * counts) and full-text entries as thoughts written one by one through
 * ThoughtRepository, including when another writer adds a thought between
 * two of its batches.
 */
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/platform/database/database.js";
import { migrateToLatest } from "../../src/platform/database/migrations.js";
import { ThoughtBulkLoader, enrichmentWithConcepts, type BulkThought } from "../../src/knowledge/thought-bulk-insert.js";
import { enrichThought } from "../../src/knowledge/thought-enrichment.js";
import { ThoughtRepository } from "../../src/knowledge/thought-repository.js";
import { CANDIDATES_PER_CONCEPT, relatedThoughts, unitWeights } from "../../src/knowledge/thought-similarity.js";

const TEXTS = [
  "Graph databases store relationships between entities as first class edges.",
  "Neural networks learn representations from labelled training data.",
  "Why do graph databases make relationship queries faster than joins?",
  "Training data quality matters more than neural network size.",
  "I need to review the graph database schema before Friday.",
  "Relationship queries over graph databases avoid expensive joins.",
  "Neural network training needs labelled data and patience.",
  "It turns out that labelled training data was the bottleneck.",
  "Edges in graph databases carry relationship properties.",
  "Representations learned by neural networks transfer between tasks.",
  "Joins are expensive when relationship queries go deep.",
  "Graph database edges and neural network layers both encode structure.",
];

const databases: Database[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((database) => database.close()));
});

async function fresh(): Promise<Database> {
  const database = openDatabase({ path: ":memory:", busyTimeoutMs: 1000 });
  databases.push(database);
  await migrateToLatest(database.db);
  return database;
}

const moment = (index: number) => new Date(Date.UTC(2026, 0, 1 + Math.floor(index / 3), (index * 5) % 24));

function bulkThought(index: number): BulkThought {
  const content = TEXTS[index % TEXTS.length]!;
  const concepts = enrichThought(content, [], moment(index), "UTC").concepts;
  return { id: `t${index}`, content, source: "import", metadata: "{}", timeZone: "UTC", createdAt: moment(index), enrichment: enrichmentWithConcepts(content, concepts, ["work"], moment(index), "UTC") };
}

/** One thought the way capture stores it, minus the event. */
async function oneByOne(database: Database, thought: BulkThought): Promise<void> {
  const repository = new ThoughtRepository(database.db);
  await database.db.transaction().execute(async (trx) => {
    const { enrichment } = thought;
    const createdAt = thought.createdAt.toISOString();
    const seq = await repository.insert(trx, {
      id: thought.id,
      content: thought.content,
      source: thought.source,
      tags: JSON.stringify(enrichment.tags),
      concepts: JSON.stringify(enrichment.concepts),
      metadata: thought.metadata,
      time_zone: thought.timeZone,
      local_hour: enrichment.localHour,
      local_weekday: enrichment.localWeekday,
      importance: enrichment.importance,
      word_count: enrichment.wordCount,
      request_id: null,
      created_at: createdAt,
      updated_at: createdAt,
    });
    const weights = unitWeights(enrichment.concepts);
    const candidates = await repository.candidates(trx, [...weights.keys()], CANDIDATES_PER_CONCEPT, seq);
    await repository.index(trx, { seq, tags: enrichment.tags, concepts: weights, createdAt, hour: enrichment.localHour, weekday: enrichment.localWeekday });
    await repository.connect(trx, seq, relatedThoughts(weights, candidates));
  });
}

async function snapshot(database: Database) {
  const all = async (table: string, order: string) =>
    (await database.db.executeQuery({ sql: `select * from ${table} order by ${order}`, parameters: [], query: undefined as never } as never)).rows;
  return {
    thoughts: await all("thoughts", "seq"),
    tags: await all("thought_tags", "tag, thought_seq"),
    concepts: await all("thought_concepts", "concept, thought_seq"),
    links: await all("thought_links", "newer_seq, older_seq"),
    connectionCounts: await all("thought_connection_counts", "seq"),
    counts: await all("concepts", "name"),
    days: await all("concept_days", "concept, day"),
    activity: await all("thought_activity", "weekday, hour"),
    search: (await new ThoughtRepository(database.db).search('"graph"', {}, 0, 50, 20_000)).rows,
  };
}

describe("ThoughtBulkLoader", () => {
  it("stores what the one-by-one repository path stores, across batches and an outside write", async () => {
    const thoughts = Array.from({ length: 30 }, (_, index) => bulkThought(index));
    const reference = await fresh();
    for (const thought of thoughts) await oneByOne(reference, thought);

    const bulk = await fresh();
    const loader = new ThoughtBulkLoader(bulk.db);
    expect(await loader.load(thoughts.slice(0, 11))).toEqual(Array.from({ length: 11 }, (_, index) => index + 1));
    await oneByOne(bulk, thoughts[11]!);
    await loader.load(thoughts.slice(12, 20));
    await loader.load(thoughts.slice(20));

    const expected = await snapshot(reference);
    expect(expected.links.length).toBeGreaterThan(0);
    expect(expected.connectionCounts.length).toBeGreaterThan(0);
    expect(await snapshot(bulk)).toEqual(expected);
    expect(await new ThoughtRepository(bulk.db).count()).toBe(30);

    // Ending the import merges the full-text index into one segment; what is stored and found stays the same.
    const segments = async () => Number((await sql<{ n: number }>`select count(distinct segid) as n from thoughts_fts_idx`.execute(bulk.db)).rows[0]!.n);
    expect(await segments()).toBeGreaterThan(1);
    await loader.finishImport();
    expect(await segments()).toBe(1);
    expect(await snapshot(bulk)).toEqual(expected);
  });
});
