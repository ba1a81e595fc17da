/**
 * `npm run bench:speed`: milliseconds per 1,000 words and peak memory of
 * SUM's summarizer engine at 1k to 10M words, beside the npm peers, and the
 * latency of 1,000-word summaries under 32 concurrent callers. Each figure
 * comes from a fresh process; results are printed and appended to
 * bench/RESULTS.md.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { scenarios, type LatencyResult } from "./latency-scenarios.js";
import { repoRoot } from "./inputs.js";
import type { Measurement } from "./measure-one.js";
import { isPeer, SUMMARY_SENTENCES, systems } from "./systems.js";

const here = dirname(fileURLToPath(import.meta.url));
const SIZES = [1_000, 20_000, 1_000_000, 10_000_000];
/** A peer whose estimated time for a size exceeds this is not run at that size. */
const PEER_BUDGET_MS = 60_000;
const TARGET_MS_PER_1K = 2;

function child<T>(script: string, args: string[], timeoutMs: number, heapLimitMiB = 8192): T {
  const output = execFileSync(process.execPath, [`--max-old-space-size=${heapLimitMiB}`, join(here, script), ...args], {
    encoding: "utf8",
    timeout: timeoutMs,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(output.trim().split("\n").at(-1)!) as T;
}

type Cell = { measured: Measurement } | { skipped: string };

/**
 * What a peer would take at `words`, from the two largest sizes it has run,
 * growing as they did (t ∝ n^k, k ≥ 1); linear from one size; 0 from none.
 */
function estimateMs(measured: readonly Measurement[], words: number): number {
  const total = (m: Measurement) => (m.msPer1kWords * m.words) / 1000;
  const larger = measured.at(-1);
  const smaller = measured.at(-2);
  if (larger === undefined) return 0;
  if (smaller === undefined) return (total(larger) * words) / larger.words;
  const exponent = Math.max(1, Math.log(total(larger) / total(smaller)) / Math.log(larger.words / smaller.words));
  return total(larger) * (words / larger.words) ** exponent;
}

const startLoad = loadavg()[0]!;
const table = new Map<string, Cell[]>();
for (const name of Object.keys(systems)) {
  const cells: Cell[] = [];
  const measured: Measurement[] = [];
  for (const words of SIZES) {
    const estimate = isPeer(name) ? estimateMs(measured, words) : 0;
    if (estimate > PEER_BUDGET_MS) {
      cells.push({ skipped: `skipped: est. ${formatDuration(estimate)}` });
      continue;
    }
    process.stderr.write(`${name} · ${words} words …\n`);
    const timeoutMs = Math.ceil(Math.max(120_000, estimate * 4));
    try {
      const measurement = child<Measurement>("measure-one.js", [name, String(words)], timeoutMs);
      measured.push(measurement);
      cells.push({ measured: measurement });
    } catch (error) {
      const timedOut = (error as NodeJS.ErrnoException).code === "ETIMEDOUT";
      cells.push({ skipped: timedOut ? `stopped after ${formatDuration(timeoutMs)} (est. ${formatDuration(estimate)})` : `failed: ${(error as Error).message.split("\n")[0]}` });
    }
  }
  table.set(name, cells);
}

/**
 * V8 lets garbage pile up while memory is plentiful, so peak heap says little
 * about what the engine keeps. With the old space capped, a run that still
 * finishes shows the live set is the input plus a bounded working set.
 */
const CAPPED_HEAP_MIB = 256;
const CAPPED_WORDS = 10_000_000;
process.stderr.write(`SUM default · ${CAPPED_WORDS} words with the heap capped at ${CAPPED_HEAP_MIB} MiB …\n`);
const capped = (() => {
  try {
    return child<Measurement>("measure-one.js", ["SUM default (auto)", String(CAPPED_WORDS)], 600_000, CAPPED_HEAP_MIB);
  } catch (error) {
    return `failed: ${(error as Error).message.split("\n")[0]}`;
  }
})();

const latencies = scenarios.map((scenario) => {
  process.stderr.write(`32 concurrent callers · ${scenario} …\n`);
  return child<LatencyResult>("concurrency.js", [scenario], 300_000);
});

function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(0)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(0)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

const wordsLabel = (words: number) => (words >= 1_000_000 ? `${words / 1_000_000}M` : `${words / 1000}k`);
const cellText = (cell: Cell) =>
  "skipped" in cell
    ? cell.skipped
    : `${cell.measured.msPer1kWords.toFixed(2)} ms · ${cell.measured.peakRssMiB.toFixed(0)} / ${cell.measured.peakHeapMiB.toFixed(0)} MiB`;

const lines = [
  "",
  `## Summarizer speed — ${new Date().toISOString().slice(0, 10)}`,
  "",
  `Machine: nproc ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ` +
    `1-minute load average ${startLoad.toFixed(1)} at the start (the cores are shared, so figures carry that noise). ` +
    `Input: the CNN/DM, BBC and Opinosis texts of ../shared/data/summarization concatenated and repeated to the size; ${SUMMARY_SENTENCES}-sentence summaries, English. ` +
    "Each cell is a fresh process: warm-up, then the median of 200 runs (1k), 20 (20k), 3 (1M) or 1 (10M). " +
    "Cells read: milliseconds per 1,000 words · peak RSS / peak V8 heap (MiB; RSS includes the input text, 2 bytes a character when it is not all Latin-1; " +
    "the heap is sampled every 5 ms, so for the synchronous peers it is a lower bound). " +
    `SUM runs summarizeHierarchical in-process: its default is the automatic algorithm choice; target ≤ ${TARGET_MS_PER_1K} ms per 1,000 words at every size. ` +
    `Peers run where their estimated time (growth fitted on the sizes they did run) is under ${PEER_BUDGET_MS / 1000} s.`,
  "",
  `| system | ${SIZES.map(wordsLabel).join(" | ")} |`,
  `|---|${SIZES.map(() => "---:").join("|")}|`,
  ...[...table].map(([name, cells]) => `| ${name} | ${cells.map(cellText).join(" | ")} |`),
  "",
  typeof capped === "string"
    ? `SUM default at ${wordsLabel(CAPPED_WORDS)} words with --max-old-space-size=${CAPPED_HEAP_MIB}: ${capped}.`
    : `SUM default at ${wordsLabel(CAPPED_WORDS)} words with --max-old-space-size=${CAPPED_HEAP_MIB}: finishes, ${capped.msPer1kWords.toFixed(2)} ms per 1,000 words, ` +
      `peak RSS ${capped.peakRssMiB.toFixed(0)} MiB of which ${capped.baseRssMiB.toFixed(0)} MiB before the run (the input text and the loaded code): the live set is bounded, and the larger peaks above are garbage V8 had no reason to collect yet.`,
  "",
  "1,000-word summaries, 32 concurrent callers each making 60 calls back to back. " +
    "Service rows: SummarizeService in a real SUM process (dist/src/main.js, default configuration, log at info to a drained pipe, SQLite event log), one HTTP/2 connection from a connect-node gRPC client; " +
    "a service call returns the whole document summary (summary, detailed summary, gist, tags, language) and records an event, so it does more than the engine rows. " +
    "Engine rows: summarizeHierarchical (default options) in-process, or through a SummarizerPool of the default size. " +
    "The 10 MiB document (as many words of the corpus as fit in 10 MiB of UTF-8) runs alongside the small calls; its column is its own time.",
  "",
  "| scenario | pool threads | calls | p50 ms | p99 ms | calls/s | 10 MiB document ms |",
  "|---|---:|---:|---:|---:|---:|---:|",
  ...latencies.map(
    (result) =>
      `| ${result.scenario} | ${result.poolSize} | ${result.calls} | ${result.p50Ms.toFixed(2)} | ${result.p99Ms.toFixed(2)} | ${result.callsPerSecond.toFixed(0)} | ${result.largeDocumentMs?.toFixed(0) ?? ""} |`,
  ),
  "",
];
console.log(lines.join("\n"));
appendFileSync(join(repoRoot, "bench", "RESULTS.md"), lines.join("\n"));
