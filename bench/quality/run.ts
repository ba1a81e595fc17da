/**
 * `npm run bench:quality`: ROUGE F1 of SUM's extractive algorithms against
 * the references of the shared evaluation sets, beside Lead-3, appended to
 * bench/RESULTS.md. CNN/DM SummEval 100 against refs[0], 3 sentences.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { summarizeExtractive, type ExtractiveAlgorithm } from "../../src/summarize/extractive-summarizer.js";
import { detokenize } from "./detokenize.js";
import { nodeSummarizerFrequency, nodeSummarizerRank, tsTextrank, type Peer } from "./peers.js";
import { rouge } from "./rouge.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");
const data = (file: string) => join(repoRoot, "..", "shared", "data", "summarization", file);

interface CnnDocument {
  id: string;
  src: string;
  refs: string[];
  sys: Record<string, string>;
}

const documents = JSON.parse(readFileSync(data("cnndm_summeval100.json"), "utf8")) as CnnDocument[];
const algorithms: ExtractiveAlgorithm[] = ["lead", "lexrank", "position-lexrank"];
const peers: Record<string, Peer> = {
  "ts-textrank 1.0.3": tsTextrank,
  "node-summarizer 1.0.7 frequency": nodeSummarizerFrequency,
  "node-summarizer 1.0.7 rank": nodeSummarizerRank,
};

type Row = { name: string; r1: number; r2: number; rl: number };
const rows: Row[] = [];
const mean = (values: number[]) => (values.reduce((sum, value) => sum + value, 0) / values.length) * 100;

async function evaluate(name: string, summarizeDocument: (document: CnnDocument) => string[] | Promise<string[]>): Promise<void> {
  const scores = [];
  for (const document of documents) {
    const reference = splitReference(detokenize(document.refs[0]!));
    const summary = await summarizeDocument(document);
    scores.push(rouge(summary.join("\n"), reference.join("\n"), { stem: true }));
  }
  rows.push({
    name,
    r1: mean(scores.map((score) => score.rouge1.f1)),
    r2: mean(scores.map((score) => score.rouge2.f1)),
    rl: mean(scores.map((score) => score.rougeLsum.f1)),
  });
}

function splitReference(text: string): string[] {
  return text.split(/(?<=[.!?])\s+/);
}

await evaluate("Lead-3 from the dataset (sys.M0)", (document) => splitReference(detokenize(document.sys["M0"]!)));
for (const [name, peer] of Object.entries(peers)) {
  await evaluate(name, (document) => peer(detokenize(document.src), 3));
}
for (const algorithm of algorithms) {
  await evaluate(`SUM ${algorithm}`, (document) =>
    summarizeExtractive(detokenize(document.src), { algorithm, maxSentences: 3, language: "en" }).map((sentence) => sentence.text),
  );
}

const lines = [
  "",
  `## Summary quality — ${new Date().toISOString().slice(0, 10)}`,
  "",
  "CNN/DM SummEval 100 (articles detokenized), 3-sentence summaries scored against refs[0]; ROUGE F1 × 100 with rouge-score conventions (Porter stemming, rougeLsum over sentences). Published CNN/DM Lead-3 on the full test set: 40.34 / 17.70 / 36.57.",
  "",
  "| system | R1 | R2 | RLsum |",
  "|---|---:|---:|---:|",
  ...rows.map((row) => `| ${row.name} | ${row.r1.toFixed(2)} | ${row.r2.toFixed(2)} | ${row.rl.toFixed(2)} |`),
  "",
];
appendFileSync(join(repoRoot, "bench", "RESULTS.md"), lines.join("\n"));
console.log(lines.join("\n"));
