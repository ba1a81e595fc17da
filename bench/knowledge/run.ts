/**
 * npm run bench:knowledge: seeds thoughts generated from the shared corpora
 * (Inspec and 500N-KPCrowd sentences) straight through the repository in
 * batches, in stages, and at each stage measures on the same SQLite file:
 * capture p99 of a 200-word thought through KnowledgeStore (enrichment,
 * index, connections, pattern check, events), search p99, list p99 (plain
 * and filtered by tag and concept), and database growth per thought.
 * Stages stop before the time budget runs out; the sizes reached are
 * reported. Appends to bench/RESULTS.md (--no-append to skip).
 */
import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { uuidv7 } from "uuidv7";
import { openDatabase } from "../../src/platform/database/database.js";
import { migrateToLatest } from "../../src/platform/database/migrations.js";
import { EventLog } from "../../src/platform/events/event-log.js";
import { KnowledgeStore } from "../../src/knowledge/knowledge-store.js";
import { enrichThought } from "../../src/knowledge/thought-enrichment.js";
import { ThoughtRepository } from "../../src/knowledge/thought-repository.js";
import { DEFAULT_SEARCH_RANK_LIMIT } from "../../src/knowledge/knowledge-service.js";
import { ThoughtBulkLoader, enrichmentWithConcepts } from "../../src/knowledge/thought-bulk-insert.js";
import { MAX_CONCEPTS } from "../../src/knowledge/concept-names.js";
import { ftsQuery } from "../../src/knowledge/knowledge-validation.js";
import { splitSentences } from "../../src/summarize/sentence-splitter.js";
import { readKeyphraseZip } from "../concepts/keyphrase-datasets.js";

const here = dirname(fileURLToPath(import.meta.url));
let repoRoot = here;
while (!existsSync(join(repoRoot, "package.json"))) repoRoot = dirname(repoRoot);
const dataDirectory = join(repoRoot, "..", "shared", "data", "keyphrase");

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
/** `--keep`: leave the seeded database in place (its path is printed) for looking into it afterwards. */
const keep = args.includes("--keep");
const budgetMs = option("budget-minutes", 14) * 60_000;
const stages = (args.includes("--stages") ? args[args.indexOf("--stages") + 1]! : "10000,100000,250000,500000,1000000").split(",").map(Number);
const append = !args.includes("--no-append");
/** Thoughts per seeding transaction: an import commits in large batches, so each index page it touches takes many rows per write. */
const BATCH = 20_000;
const SAMPLES = 200;
/** Time kept for measuring the last size reached (captures, searches, lists, checkpoint). */
const MEASURE_RESERVE_MS = 60_000;

// Deterministic pseudo-random numbers (mulberry32), so runs seed the same thoughts.
let state = 0x5eed;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const documents = [...readKeyphraseZip(join(dataDirectory, "Inspec.zip")), ...readKeyphraseZip(join(dataDirectory, "500N-KPCrowd-v1.1.zip"))];
const sentences = documents.flatMap((document) => splitSentences(document.text).map((span) => span.text.replace(/\s+/g, " ").trim())).filter((text) => text.length > 30);
const words = [...new Set(sentences.flatMap((sentence) => sentence.toLowerCase().match(/[a-z]{5,}/g) ?? []))];
const TAGS = ["work", "reading", "ideas", "health", "family", "research"];
const SOURCES = ["direct", "import", "voice", "email"];

/** A thought of about 200 words for the capture measurement. */
function text200(): string {
  const parts: string[] = [];
  let count = 0;
  while (count < 200) {
    const sentence = pick(sentences);
    parts.push(sentence);
    count += sentence.split(/\s+/).length;
  }
  return parts.join(" ");
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const fileBytes = (path: string) => ["", "-wal"].reduce((sum, suffix) => sum + (existsSync(path + suffix) ? statSync(path + suffix).size : 0), 0);

const directory = mkdtempSync(join(tmpdir(), "sum-bench-knowledge-"));
const path = join(directory, "knowledge.db");
// A 1 GiB page cache (DATABASE_CACHE_MB=1024): the inverted index and connections take random-key inserts at 1M thoughts.
const database = openDatabase({ path, busyTimeoutMs: 5000, cacheMb: 1024 });
await migrateToLatest(database.db);
const events = new EventLog(database.db);
const thoughts = new ThoughtRepository(database.db);
const store = new KnowledgeStore(events, thoughts, { timeZone: "UTC", maxContentBytes: 65_536, pattern: { minThoughts: 3, windowMs: 86_400_000 } });

/**
 * The seeding pool: POOL distinct corpus thoughts of 1–2 sentences, each
 * enriched once by the real enrichment (enrichThought). Keyphrase
 * extraction is what made seeding slow (105–200 thoughts/s), so seeded
 * rows reuse these real concepts instead of extracting again.
 */
const POOL = option("pool", 20_000);
const poolStart = Date.now();
const pool = Array.from({ length: POOL }, () => {
  const content = Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(sentences)).join(" ");
  return { content, concepts: enrichThought(content, [], new Date(), "UTC").concepts };
});
const poolSeconds = (Date.now() - poolStart) / 1000;
console.log(`pool of ${POOL} enriched in ${poolSeconds.toFixed(1)} s`);

/**
 * A seeded thought: 1–3 pool items joined (so contents and concept sets
 * vary), concepts the union of the items' real concepts (best weight per
 * name, the best MAX_CONCEPTS kept, as extraction keeps them); tags, word
 * count, importance and local time computed from the joined text and its moment.
 */
function seedThought(moment: Date) {
  const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(pool));
  const content = items.map((item) => item.content).join(" ");
  const byName = new Map<string, number>();
  for (const item of items) for (const concept of item.concepts) byName.set(concept.name, Math.max(byName.get(concept.name) ?? 0, concept.weight));
  const concepts = [...byName].map(([name, weight]) => ({ name, weight })).sort((a, b) => b.weight - a.weight).slice(0, MAX_CONCEPTS);
  return { id: uuidv7(), content, source: pick(SOURCES), metadata: "{}", timeZone: "UTC", createdAt: moment, enrichment: enrichmentWithConcepts(content, concepts, [pick(TAGS)], moment, "UTC") };
}

const loader = new ThoughtBulkLoader(database.db);
/** Seeded thoughts span SPAN_DAYS before the run, in capture order (seq follows capture time). */
const SPAN_DAYS = 180;
const seedOrigin = Date.now() - SPAN_DAYS * 86_400_000;
const seedStep = (SPAN_DAYS * 86_400_000 - 3_600_000) / (stages.at(-1) ?? 1_000_000);
let seedIndex = 0;

/** Seeds `count` thoughts in transactions of BATCH, through ThoughtBulkLoader (no events, as an import would). */
async function seed(count: number, deadline: number): Promise<number> {
  const started = Date.now();
  let done = 0;
  for (; done < count && Date.now() < deadline; done += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, count - done) }, () => seedThought(new Date(seedOrigin + Math.floor(seedStep * seedIndex++ + random() * seedStep))));
    await loader.load(rows);
    if ((done / BATCH) % 5 === 0) console.log(`seeded ${seedIndex} (${Math.round((done + rows.length) / ((Date.now() - started) / 1000))}/s this stage)`);
  }
  // The import is over: its full-text index is merged, as an import ends (counted in the seeding time).
  await loader.finishImport();
  return Math.min(done, count);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

interface StageResult {
  size: number;
  seedSeconds: number;
  seedRate: number;
  captureP50: number;
  captureP99: number;
  searchP50: number;
  searchP99: number;
  /** The first round of searches after the import, on the page cache it left. */
  firstSearchP99: number;
  searchHitsMedian: number;
  /** Searches whose query matched more than DEFAULT_SEARCH_RANK_LIMIT thoughts (ranked within the newest that many). */
  searchWindowedShare: number;
  listP99: number;
  listFilteredP99: number;
  bytesPerThought: number;
}

async function measure(seedSeconds: number, seedRate: number): Promise<StageResult> {
  // The import is over: its WAL is copied into the database first, so the measurements see the service in steady state, not the import's checkpoint.
  await sql`pragma wal_checkpoint(truncate)`.execute(database.db).catch(() => undefined);
  const capture: number[] = [];
  for (let index = 0; index < SAMPLES; index++) {
    const content = text200();
    capture.push(await timed(() => store.capture({ content, source: "direct", tags: [], metadata: "{}", timeZone: "UTC", requestId: null })));
  }
  // Searches run in two rounds of SAMPLES different queries. The first round
  // meets the page cache as the import left it (cold for most terms' pages)
  // and is reported as such; the second is the steady state a serving
  // process reaches, and gives the search figures.
  const searchRound = async () => {
    const times: number[] = [];
    const hits: number[] = [];
    let windowed = 0;
    for (let index = 0; index < SAMPLES; index++) {
      // Words of a stored sentence, so most queries match something, as real searches do.
      const own = pick(sentences).toLowerCase().match(/[a-z]{5,}/g) ?? [pick(words)];
      const query = ftsQuery(random() < 0.5 ? pick(own) : `${pick(own)} ${pick(own)}`);
      times.push(
        await timed(async () => {
          const found = await thoughts.search(query, {}, 0, 21, DEFAULT_SEARCH_RANK_LIMIT);
          hits.push(found.rows.length);
          if (found.newestOnly) windowed++;
        }),
      );
    }
    return { times, hits, windowed };
  };
  const firstSearches = await searchRound();
  const { times: search, hits, windowed } = await searchRound();
  const list: number[] = [];
  const filtered: number[] = [];
  const concepts = (await database.db.selectFrom("concepts").select("name").orderBy("thought_count", "desc").limit(50).execute()).map((row) => row.name);
  for (let index = 0; index < SAMPLES; index++) {
    list.push(await timed(() => thoughts.page({}, 0, 101)));
    filtered.push(await timed(() => thoughts.page(random() < 0.5 ? { tag: pick(TAGS) } : { concept: pick(concepts) }, 0, 101)));
  }
  await sql`pragma wal_checkpoint(truncate)`.execute(database.db).catch(() => undefined);
  const total = await thoughts.count();
  return {
    size: total,
    seedSeconds,
    seedRate,
    captureP50: percentile(capture, 50),
    captureP99: percentile(capture, 99),
    searchP50: percentile(search, 50),
    searchP99: percentile(search, 99),
    firstSearchP99: percentile(firstSearches.times, 99),
    searchHitsMedian: percentile(hits, 50),
    searchWindowedShare: windowed / SAMPLES,
    listP99: percentile(list, 99),
    listFilteredP99: percentile(filtered, 99),
    bytesPerThought: fileBytes(path) / total,
  };
}

const started = Date.now();
const results: StageResult[] = [];
let seeded = 0;
let lastRate = 0;
try {
  for (const target of stages) {
    const needed = target - seeded;
    // Seeding stops at a batch boundary when the budget, less a reserve for the last measurement, runs out; that size is measured and reported.
    const deadline = started + budgetMs - MEASURE_RESERVE_MS;
    if (Date.now() >= deadline) break;
    const seedStart = Date.now();
    const added = await seed(needed, deadline);
    lastRate = added / (Date.now() - seedStart);
    seeded += added;
    const result = await measure((Date.now() - seedStart) / 1000, lastRate * 1000);
    results.push(result);
    console.log(JSON.stringify(result));
  }
} finally {
  await database.close();
  if (keep) console.log(`database kept at ${path}`);
  else rmSync(directory, { recursive: true, force: true });
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);
const table = [
  `| stored thoughts | seeding this stage (s, thoughts/s) | capture p50 / p99 (ms, 200 words) | search p50 / p99 (ms) | search p99, first round after the import (ms) | median hits (of 21) | searches ranked within their newest ${DEFAULT_SEARCH_RANK_LIMIT.toLocaleString("en-US")} matches | list p99 (ms) | filtered list p99 (ms) | DB bytes / thought |`,
  "|---|---|---|---|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.size.toLocaleString("en-US")} | ${fixed(r.seedSeconds, 0)} (${fixed(r.seedRate, 0)}) | ${fixed(r.captureP50)} / ${fixed(r.captureP99)} | ${fixed(r.searchP50)} / ${fixed(r.searchP99)} | ${fixed(r.firstSearchP99)} | ${r.searchHitsMedian} | ${Math.round(r.searchWindowedShare * 100)}% | ${fixed(r.listP99)} | ${fixed(r.listFilteredP99)} | ${fixed(r.bytesPerThought, 0)} |`,
  ),
].join("\n");
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, load average ${loadavg().map((value) => value.toFixed(2)).join(" ")} at the end`;
const report = `\n## Knowledge service at scale (npm run bench:knowledge, ${new Date().toISOString().slice(0, 10)})\n\nMachine: ${machine}. Seeding: a pool of ${POOL.toLocaleString("en-US")} distinct thoughts of 1–2 Inspec and 500N-KPCrowd sentences, each enriched by enrichThought (real keyphrase concepts; ${poolSeconds.toFixed(0)} s), then each seeded thought joins 1–3 pool items (concepts: the union of theirs, best ${MAX_CONCEPTS} kept; tags, word count, importance and local time computed from the joined text), with a fresh id, one of 6 caller tags and 4 sources, and capture times in order over ${SPAN_DAYS} days; written by ThoughtBulkLoader in transactions of ${BATCH.toLocaleString("en-US")} (row and FTS5 entry, tags, inverted index, concept, concept-day and activity counts, connections (one link per pair) with their counts, found as capture finds them; no events or pattern checks), each stage's import ending with finishImport (the full-text index merged into one segment). Captures of 200 words through KnowledgeStore (enrichment, index, connections, pattern check, event), ${SAMPLES} samples each; search queries are one or two words of one corpus sentence (every word required, BM25 order, first page of 20; a query matching more than ${DEFAULT_SEARCH_RANK_LIMIT.toLocaleString("en-US")} thoughts is ranked within its newest that many, KNOWLEDGE_SEARCH_RANK_LIMIT); search figures are a second round of ${SAMPLES} different queries, after a first round (its p99 given apart) met the page cache as the import left it; lists are first pages of 100, filtered by a tag or one of the 50 most used concepts. Each stage is measured after the seeding's WAL is checkpointed. Budget ${budgetMs / 60_000} min; total run ${Math.round((Date.now() - started) / 1000)} s.\n\n${table}\n`;
console.log(report);
if (append) appendFileSync(join(repoRoot, "bench", "RESULTS.md"), report);
