/**
 * Latency of 1,000-word summaries under 32 concurrent callers, in a process
 * of its own: `node concurrency.js <scenario>` prints one JSON line.
 * - service, gRPC port: SummarizeService in a real SUM process (default
 *   configuration: small texts on its main thread, large ones on its pool),
 *   called over one HTTP/2 connection; and again while a 10 MiB request,
 *   sent on a connection of its own, is being summarized.
 * - in-process: the engine on the caller's event loop.
 * - pool: every call through a SummarizerPool of the default size.
 * - in-process beside a 10 MiB document in the pool: the small calls stay
 *   in-process while a 10 MiB document is summarized in the pool, as the
 *   service routes them; and, to compare, with that document summarized
 *   in-process too (it yields to the event loop every few milliseconds).
 */
import { summarizeHierarchical } from "../../src/summarize/hierarchical-summarizer.js";
import { SummarizerPool } from "../../src/summarize/summarizer-pool.js";
import { corpus, textOfWords } from "./inputs.js";
import { scenarios, type LatencyResult, type Scenario } from "./latency-scenarios.js";
import { startService } from "./service-client.js";
import { SUMMARY_SENTENCES } from "./systems.js";

const CALLERS = 32;
const CALLS_PER_CALLER = 60;
/** SummarizeService's default limit, SUMMARIZE_MAX_BYTES. */
const TEN_MIB = 10 * 1024 * 1024;
const options = { maxSentences: SUMMARY_SENTENCES, language: "en" } as const;

const scenario = process.argv[2] as Scenario;
if (!scenarios.includes(scenario)) throw new Error(`unknown scenario ${JSON.stringify(scenario)}`);

const source = corpus();
const texts = Array.from({ length: CALLERS }, (_, caller) => textOfWords(1_000, caller * 1_000, source));
const pool = new SummarizerPool();
const service = scenario.startsWith("service") ? await startService() : undefined;
const summarize: (text: string) => Promise<unknown> =
  service !== undefined
    ? (text) => service.summarize(text, SUMMARY_SENTENCES)
    : scenario === "pool"
      ? (text) => pool.summarize(text, options)
      : (text) => summarizeHierarchical(text, options);

// Warm the code, and start and warm the pool's threads where this scenario uses them, before timing.
const usesLocalPool = scenario === "pool" || scenario.endsWith("in the pool");
for (let round = 0; round < 2; round++) {
  await Promise.all(texts.map((text) => summarize(text)));
  if (usesLocalPool) await Promise.all(texts.map((text) => pool.summarize(text, options)));
}

let largeDocument: Promise<number> | undefined;
if (scenario.includes("10 MiB")) {
  const large = tenMiBText();
  const started = performance.now();
  const run =
    service !== undefined
      ? service.summarizeAlone(large, SUMMARY_SENTENCES)
      : scenario.endsWith("in the pool")
        ? pool.summarize(large, options)
        : summarizeHierarchical(large, options);
  largeDocument = run.then(() => performance.now() - started);
}

/** As many words of the corpus as fit in 10 MiB of UTF-8. */
function tenMiBText(): string {
  for (let words = 1_850_000; ; words = Math.floor(words * 0.98)) {
    const text = textOfWords(words, 0, source);
    if (Buffer.byteLength(text) <= TEN_MIB) return text;
  }
}

const latencies: number[] = [];
const started = performance.now();
await Promise.all(
  texts.map(async (text) => {
    for (let call = 0; call < CALLS_PER_CALLER; call++) {
      const start = performance.now();
      await summarize(text);
      latencies.push(performance.now() - start);
    }
  }),
);
const elapsed = performance.now() - started;
const largeDocumentMs = largeDocument === undefined ? undefined : await largeDocument;
await pool.close();
await service?.stop();

latencies.sort((a, b) => a - b);
const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
const result: LatencyResult = {
  scenario,
  poolSize: pool.size,
  calls: latencies.length,
  p50Ms: percentile(50),
  p99Ms: percentile(99),
  callsPerSecond: (latencies.length / elapsed) * 1000,
  ...(largeDocumentMs === undefined ? {} : { largeDocumentMs }),
};
console.log(JSON.stringify(result));
