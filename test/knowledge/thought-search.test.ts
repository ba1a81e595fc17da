/**
 * ThoughtRepository.search on a real SQLite file's FTS5 index: BM25 order,
 * paging, and the rank window — a query matching more thoughts than the rank
 * limit is ranked within its newest matches only, filters counted in, and
 * says so; within the window the order is the full ranking's order.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ThoughtBulkLoader, enrichmentWithConcepts, type BulkThought } from "../../src/knowledge/thought-bulk-insert.js";
import { ThoughtRepository } from "../../src/knowledge/thought-repository.js";
import { openDatabase, type Database } from "../../src/platform/database/database.js";
import { migrateToLatest } from "../../src/platform/database/migrations.js";

const COUNT = 60;
const directory = mkdtempSync(join(tmpdir(), "sum-search-"));
let database: Database;
let thoughts: ThoughtRepository;

/** Thought i mentions "graph" 1–3 times in texts of varied length; every third is tagged "ops". */
function thought(index: number): BulkThought {
  const mentions = 1 + (index % 3);
  const filler = "words about something else entirely ".repeat(1 + (index % 5));
  const content = `${"graph ".repeat(mentions)}${filler}thought number ${index}.`;
  const createdAt = new Date(Date.UTC(2026, 0, 1, 0, index));
  const tags = index % 3 === 0 ? ["ops"] : ["misc"];
  return { id: `t${index}`, content, source: "import", metadata: "{}", timeZone: "UTC", createdAt, enrichment: enrichmentWithConcepts(content, [], tags, createdAt, "UTC") };
}

beforeAll(async () => {
  database = openDatabase({ path: join(directory, "search.db"), busyTimeoutMs: 1000 });
  await migrateToLatest(database.db);
  await new ThoughtBulkLoader(database.db).load(Array.from({ length: COUNT }, (_, index) => thought(index)));
  thoughts = new ThoughtRepository(database.db);
});

afterAll(async () => {
  await database?.close();
  rmSync(directory, { recursive: true, force: true });
});

const seqs = (page: { rows: readonly { seq: number }[] }) => page.rows.map((row) => row.seq);

describe("search", () => {
  it("ranks every match by BM25 when they fit the limit, and pages through that order", async () => {
    const all = await thoughts.search('"graph"', {}, 0, 100, 1000);
    expect(all.newestOnly).toBe(false);
    expect(all.rows).toHaveLength(COUNT);
    const ranks = all.rows.map((row) => row.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    // More mentions in a shorter text rank higher: the best has three mentions, the worst one.
    expect(all.rows[0]!.content.startsWith("graph graph graph ")).toBe(true);
    expect(all.rows.at(-1)!.content.startsWith("graph words")).toBe(true);
    expect(all.rows[0]!.snippet).toContain("<mark>graph</mark>");
    const second = await thoughts.search('"graph"', {}, 10, 10, 1000);
    expect(seqs(second)).toEqual(seqs(all).slice(10, 20));
  });

  it("ranks only the newest matches past the limit, in the full ranking's order, and says so", async () => {
    const all = await thoughts.search('"graph"', {}, 0, 100, 1000);
    const windowed = await thoughts.search('"graph"', {}, 0, 100, 20);
    expect(windowed.newestOnly).toBe(true);
    expect(windowed.rows).toHaveLength(20);
    const newest = Math.max(...seqs(all));
    expect(seqs(windowed).every((seq) => seq > newest - 20)).toBe(true);
    expect(seqs(windowed)).toEqual(seqs(all).filter((seq) => seq > newest - 20));
  });

  it("counts the window among the matches that pass the filters", async () => {
    const ops = await thoughts.search('"graph"', { tag: "ops" }, 0, 100, 1000);
    expect(ops.rows).toHaveLength(COUNT / 3);
    expect(ops.rows.every((row) => JSON.parse(row.tags).includes("ops"))).toBe(true);
    const windowed = await thoughts.search('"graph"', { tag: "ops" }, 0, 100, 5);
    expect(windowed.newestOnly).toBe(true);
    const newestOps = seqs(ops).sort((a, b) => b - a).slice(0, 5);
    expect([...seqs(windowed)].sort((a, b) => b - a)).toEqual(newestOps);
    const exact = await thoughts.search('"graph"', { tag: "ops" }, 0, 100, COUNT / 3);
    expect(exact.newestOnly).toBe(false);
  });
});
