/**
 * `npm run bench:concepts`: F1@5 and F1@10 of SUM's keyphrase extraction on
 * Inspec and 500N-KPCrowd (stemmed exact match, gold from the zips' `.key`
 * files) beside a TF-IDF n-gram baseline, with extraction time per document,
 * appended to bench/RESULTS.md. `--no-append` only prints.
 */
import { appendFileSync, existsSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { extractKeyphrases, KeyphraseMethod } from "../../src/summarize/keyphrases.js";
import { readKeyphraseZip, type KeyphraseDocument } from "./keyphrase-datasets.js";
import { meanScores, scoreAtK } from "./keyphrase-metrics.js";
import { TfIdfBaseline } from "./tf-idf-baseline.js";

/** The folder holding package.json, whether this runs from bench/ (tsx) or dist/bench/ (built). */
function findRepoRoot(from: string): string {
  let folder = from;
  while (!existsSync(join(folder, "package.json")) && dirname(folder) !== folder) folder = dirname(folder);
  return folder;
}

const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
const dataDirectory = join(repoRoot, "..", "shared", "data", "keyphrase");

interface Row {
  readonly system: string;
  readonly f1At5: number;
  readonly f1At10: number;
  readonly microsecondsPerDocument?: number;
}

type Extractor = (text: string, k: number) => string[];

function evaluate(system: string, documents: readonly KeyphraseDocument[], extract: Extractor): Row {
  const at5 = [];
  const at10 = [];
  for (const document of documents) {
    const predicted = extract(document.text, 10);
    at5.push(scoreAtK(predicted, document.keys, 5));
    at10.push(scoreAtK(predicted, document.keys, 10));
  }
  return { system, f1At5: meanScores(at5).f1 * 100, f1At10: meanScores(at10).f1 * 100 };
}

/** Mean time of one extraction over a few passes of the whole set, after a warm-up pass. */
function timePerDocument(documents: readonly KeyphraseDocument[], extract: Extractor): number {
  const passes = 3;
  for (const document of documents) extract(document.text, 10);
  const start = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) for (const document of documents) extract(document.text, 10);
  return Number(process.hrtime.bigint() - start) / 1000 / (passes * documents.length);
}

function sumExtractor(method: KeyphraseMethod): Extractor {
  return (text, k) => extractKeyphrases(text, { language: "en", max: k, method }).map((keyphrase) => keyphrase.phrase);
}

function benchmark(name: string, file: string): { name: string; documents: number; words: number; rows: Row[] } {
  const documents = readKeyphraseZip(join(dataDirectory, file));
  const words = documents.reduce((sum, document) => sum + document.text.split(/\s+/).length, 0) / documents.length;
  const baseline = new TfIdfBaseline(documents.map((document) => document.text));
  const rows: Row[] = [evaluate("TF-IDF 1–3-grams (df over the set)", documents, (text, k) => baseline.top(text, k))];
  for (const method of Object.values(KeyphraseMethod)) {
    const extract = sumExtractor(method);
    rows.push({ ...evaluate(`SUM ${method}`, documents, extract), microsecondsPerDocument: timePerDocument(documents, extract) });
  }
  return { name, documents: documents.length, words, rows };
}

function table(result: ReturnType<typeof benchmark>): string {
  const lines = [
    `### ${result.name} — ${result.documents} documents, ${result.words.toFixed(0)} words each on average`,
    "",
    "| system | F1@5 | F1@10 | µs / document |",
    "|---|---:|---:|---:|",
    ...result.rows.map((row) => `| ${row.system} | ${row.f1At5.toFixed(2)} | ${row.f1At10.toFixed(2)} | ${row.microsecondsPerDocument?.toFixed(0) ?? ""} |`),
  ];
  return lines.join("\n");
}

const results = [benchmark("Inspec", "Inspec.zip"), benchmark("500N-KPCrowd v1.1", "500N-KPCrowd-v1.1.zip")];
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}`;
const section = [
  `## Keyphrase benchmark — ${new Date().toISOString().slice(0, 10)}`,
  "",
  `Machine: ${machine}. All documents of each set; gold = every line of the \`.key\` files; stemmed exact match; macro-averaged F1 × 100; µs per document is the mean over 3 passes after a warm-up, one core.`,
  "",
  ...results.flatMap((result) => [table(result), ""]),
].join("\n");
console.log(section);
if (!process.argv.includes("--no-append")) appendFileSync(join(repoRoot, "bench", "RESULTS.md"), `\n${section}`);
