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
import { uuidv7 } from "uuidv7";
import { openDatabase } from "../../src/platform/database/database.js";
import { migrateToLatest } from "../../src/platform/database/migrations.js";
import { EventLog } from "../../src/platform/events/event-log.js";
import { KnowledgeStore } from "../../src/knowledge/knowledge-store.js";
import { enrichThought } from "../../src/knowledge/thought-enrichment.js";
import { ThoughtRepository } from "../../src/knowledge/thought-repository.js";
import { CANDIDATES_PER_CONCEPT, relatedThoughts, unitWeights } from "../../src/knowledge/thought-similarity.js";
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
const budgetMs = option("budget-minutes", 13) * 60_000;
const stages = (args.includes("--stages") ? args[args.indexOf("--stages") + 1]! : "10000,100000,250000,500000,1000000").split(",").map(Number);
const append = !args.includes("--no-append");
const BATCH = 500;
const SAMPLES = 200;

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

/** A thought of 1–4 corpus sentences (about 20–100 words), as people jot them. */
const seedText = () => Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(sentences)).join(" ");
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
const database = openDatabase({ path, busyTimeoutMs: 5000 });
await migrateToLatest(database.db);
const events = new EventLog(database.db);
const thoughts = new ThoughtRepository(database.db);
const store = new KnowledgeStore(events, thoughts, { timeZone: "UTC", maxContentBytes: 65_536, pattern: { minThoughts: 3, windowMs: 86_400_000 } });

/** Seeds `count` thoughts in transactions of BATCH, through the repository (no events, as an import would). */
async function seed(count: number, startMs: number): Promise<void> {
  for (let done = 0; done < count; done += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, count - done) }, () => {
      const content = seedText();
      const moment = new Date(startMs + Math.floor(random() * 30 * 86_400_000));
      return { content, moment, enrichment: enrichThought(content, [pick(TAGS)], moment, "UTC") };
    });
    await database.db.transaction().execute(async (trx) => {
      for (const { content, moment, enrichment } of rows) {
        const createdAt = moment.toISOString();
        const seq = await thoughts.insert(trx, {
          id: uuidv7(),
          content,
          source: pick(SOURCES),
          tags: JSON.stringify(enrichment.tags),
          concepts: JSON.stringify(enrichment.concepts),
          metadata: "{}",
          time_zone: "UTC",
          local_hour: enrichment.localHour,
          local_weekday: enrichment.localWeekday,
          importance: enrichment.importance,
          word_count: enrichment.wordCount,
          request_id: null,
          created_at: createdAt,
          updated_at: createdAt,
        });
        const weights = unitWeights(enrichment.concepts);
        const candidates = await thoughts.candidates(trx, [...weights.keys()], CANDIDATES_PER_CONCEPT, seq);
        await thoughts.index(trx, { seq, tags: enrichment.tags, concepts: weights, createdAt, hour: enrichment.localHour, weekday: enrichment.localWeekday });
        await thoughts.connect(trx, seq, relatedThoughts(weights, candidates));
      }
    });
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

interface StageResult {
  size: number;
  seedSeconds: number;
  captureP50: number;
  captureP99: number;
  searchP50: number;
  searchP99: number;
  searchHitsMedian: number;
  listP99: number;
  listFilteredP99: number;
  bytesPerThought: number;
}

async function measure(seedSeconds: number): Promise<StageResult> {
  const capture: number[] = [];
  for (let index = 0; index < SAMPLES; index++) {
    const content = text200();
    capture.push(await timed(() => store.capture({ content, source: "direct", tags: [], metadata: "{}", timeZone: "UTC", requestId: null })));
  }
  const search: number[] = [];
  const hits: number[] = [];
  for (let index = 0; index < SAMPLES; index++) {
    // Words of a stored sentence, so most queries match something, as real searches do.
    const own = pick(sentences).toLowerCase().match(/[a-z]{5,}/g) ?? [pick(words)];
    const query = ftsQuery(random() < 0.5 ? pick(own) : `${pick(own)} ${pick(own)}`);
    search.push(await timed(async () => hits.push((await thoughts.search(query, {}, 0, 21)).length)));
  }
  const list: number[] = [];
  const filtered: number[] = [];
  const concepts = (await database.db.selectFrom("concepts").select("name").orderBy("thought_count", "desc").limit(50).execute()).map((row) => row.name);
  for (let index = 0; index < SAMPLES; index++) {
    list.push(await timed(() => thoughts.page({}, 0, 101)));
    filtered.push(await timed(() => thoughts.page(random() < 0.5 ? { tag: pick(TAGS) } : { concept: pick(concepts) }, 0, 101)));
  }
  await database.db.executeQuery({ sql: "pragma wal_checkpoint(truncate)", parameters: [], query: undefined as never } as never).catch(() => undefined);
  const total = await thoughts.count();
  return {
    size: total,
    seedSeconds,
    captureP50: percentile(capture, 50),
    captureP99: percentile(capture, 99),
    searchP50: percentile(search, 50),
    searchP99: percentile(search, 99),
    searchHitsMedian: percentile(hits, 50),
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
    const remaining = budgetMs - (Date.now() - started);
    // Stop before a stage that would not finish (seed at the last rate, plus measuring) within the budget.
    if (lastRate > 0 && needed / lastRate + 30_000 > remaining) {
      console.log(`stopping before ${target}: ${Math.round(needed / lastRate / 1000)} s of seeding needed, ${Math.round(remaining / 1000)} s left`);
      break;
    }
    const seedStart = Date.now();
    await seed(needed, Date.now() - 30 * 86_400_000);
    lastRate = needed / (Date.now() - seedStart);
    seeded = target;
    const result = await measure((Date.now() - seedStart) / 1000);
    results.push(result);
    console.log(JSON.stringify(result));
  }
} finally {
  await database.close();
  rmSync(directory, { recursive: true, force: true });
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);
const table = [
  "| stored thoughts | seeding this stage (s) | capture p50 / p99 (ms, 200 words) | search p50 / p99 (ms) | median hits (of 21) | list p99 (ms) | filtered list p99 (ms) | DB bytes / thought |",
  "|---|---|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.size.toLocaleString("en-US")} | ${fixed(r.seedSeconds, 0)} | ${fixed(r.captureP50)} / ${fixed(r.captureP99)} | ${fixed(r.searchP50)} / ${fixed(r.searchP99)} | ${r.searchHitsMedian} | ${fixed(r.listP99)} | ${fixed(r.listFilteredP99)} | ${fixed(r.bytesPerThought, 0)} |`,
  ),
].join("\n");
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, load average ${loadavg().map((value) => value.toFixed(2)).join(" ")} at the end`;
const report = `\n## Knowledge service at scale (npm run bench:knowledge, ${new Date().toISOString().slice(0, 10)})\n\nMachine: ${machine}. Thoughts of 1–4 sentences from Inspec and 500N-KPCrowd seeded through ThoughtRepository in transactions of ${BATCH} (enrichment, inverted index, connections), captures of 200 words through KnowledgeStore (enrichment, index, connections, pattern check, event), ${SAMPLES} samples each; search queries are one or two words of one corpus sentence (every word required, BM25 order, first page of 20); lists are first pages of 100, filtered by a tag or one of the 50 most used concepts. Budget ${budgetMs / 60_000} min; total run ${Math.round((Date.now() - started) / 1000)} s.\n\n${table}\n`;
console.log(report);
if (append) appendFileSync(join(repoRoot, "bench", "RESULTS.md"), report);
