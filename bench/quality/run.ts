/**
 * `npm run bench:quality`: ROUGE F1 of SUM's extractive algorithms against
 * the references of the shared evaluation sets, side by side with Lead-3 and
 * the npm peers, appended to bench/RESULTS.md.
 * - CNN/DM SummEval 100: 3 sentences, against refs[0] (articles detokenized).
 * - BBC 100: as many sentences as the reference has.
 * - Opinosis 51: 2 sentences, mean over the references.
 * R1 is also given on the odd- and even-numbered documents alone: a choice
 * made by looking at the whole set should hold on both halves.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AUTOMATIC, extractiveAlgorithms, summarizeExtractive, type AlgorithmPreference } from "../../src/summarize/extractive-summarizer.js";
import { detokenize } from "./detokenize.js";
import { plainSentences } from "./plain-sentences.js";
import { nodeSummarizerFrequency, nodeSummarizerRank, tsTextrank } from "./peers.js";
import { rouge, type RougeScores } from "./rouge.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");
const load = <T>(file: string) => JSON.parse(readFileSync(join(repoRoot, "..", "shared", "data", "summarization", file), "utf8")) as T;

/** One evaluation document: the text to summarize, how many sentences, and references as newline-separated sentences. */
interface Case {
  readonly text: string;
  readonly sentences: number;
  readonly references: readonly string[];
  /** A baseline summary shipped with the data, when there is one. */
  readonly baseline?: string;
}

interface EvaluationSet {
  readonly name: string;
  readonly setting: string;
  readonly cases: readonly Case[];
}


function cnndm(): EvaluationSet {
  const documents = load<{ src: string; refs: string[]; sys: Record<string, string> }[]>("cnndm_summeval100.json");
  return {
    name: "CNN/DM SummEval 100",
    setting: "3 sentences vs refs[0]",
    cases: documents.map((document) => ({
      text: detokenize(document.src),
      sentences: 3,
      references: [plainSentences(detokenize(document.refs[0]!)).join("\n")],
      baseline: plainSentences(detokenize(document.sys["M0"]!)).join("\n"),
    })),
  };
}

function bbc(): EvaluationSet {
  const documents = load<{ title: string; src: string; refs: string[] }[]>("bbc100.json");
  return {
    name: "BBC 100",
    setting: "as many sentences as the reference",
    cases: documents.map((document) => ({
      text: document.src,
      sentences: document.refs[0]!.split("\n").filter((line) => line.trim() !== "").length,
      references: [document.refs[0]!],
    })),
  };
}

function opinosis(): EvaluationSet {
  const topics = load<{ src: string; refs: string[] }[]>("opinosis51.json");
  return {
    name: "Opinosis 51",
    setting: "2 sentences, mean over references",
    cases: topics.map((topic) => ({ text: topic.src, sentences: 2, references: topic.refs })),
  };
}

type Summarizer = (text: string, sentences: number) => Promise<string[]>;

const systems: Record<string, Summarizer> = {
  "ts-textrank 1.0.3": tsTextrank,
  "node-summarizer 1.0.7 frequency": nodeSummarizerFrequency,
  "node-summarizer 1.0.7 rank": nodeSummarizerRank,
};
// The automatic choice first: it is what the service runs when a caller names no algorithm.
for (const algorithm of [AUTOMATIC, ...extractiveAlgorithms] as AlgorithmPreference[]) {
  systems[algorithm === AUTOMATIC ? "SUM auto (default)" : `SUM ${algorithm}`] = async (text, sentences) =>
    summarizeExtractive(text, { algorithm, maxSentences: sentences, language: "en" }).map((sentence) => sentence.text);
}

interface Row {
  readonly name: string;
  readonly r1: number;
  readonly r2: number;
  readonly rl: number;
  /** R1 on documents 1, 3, 5, … and 0, 2, 4, … (counting from 0). */
  readonly r1Odd: number;
  readonly r1Even: number;
}

function meanRow(name: string, perCase: RougeScores[][]): Row {
  // Per case: mean over its references; then mean over cases; × 100.
  const metric = (pick: (scores: RougeScores) => number, cases = perCase) =>
    (cases.reduce((sum, scores) => sum + scores.reduce((s, x) => s + pick(x), 0) / scores.length, 0) / cases.length) * 100;
  const r1 = (scores: RougeScores) => scores.rouge1.f1;
  return {
    name,
    r1: metric(r1),
    r2: metric((s) => s.rouge2.f1),
    rl: metric((s) => s.rougeLsum.f1),
    r1Odd: metric(r1, perCase.filter((_, index) => index % 2 === 1)),
    r1Even: metric(r1, perCase.filter((_, index) => index % 2 === 0)),
  };
}

async function evaluateSet(set: EvaluationSet): Promise<Row[]> {
  const rows: Row[] = [];
  const score = (summary: string[], references: readonly string[]) =>
    references.map((reference) => rouge(summary.join("\n"), reference, { stem: true }));
  if (set.cases.every((item) => item.baseline !== undefined)) {
    rows.push(meanRow("Lead-3 shipped with the data", set.cases.map((item) => score(item.baseline!.split("\n"), item.references))));
  }
  for (const [name, summarize] of Object.entries(systems)) {
    const perCase: RougeScores[][] = [];
    for (const item of set.cases) perCase.push(score(await summarize(item.text, item.sentences), item.references));
    rows.push(meanRow(name, perCase));
  }
  return rows;
}

const lines = [
  "",
  `## Summary quality — ${new Date().toISOString().slice(0, 10)}`,
  "",
  "ROUGE F1 × 100 with rouge-score conventions (Porter stemming; RLsum = summary-level LCS over sentences). Published CNN/DM Lead-3 on the full test set: 40.34 / 17.70 / 36.57.",
];
for (const set of [cnndm(), bbc(), opinosis()]) {
  const rows = await evaluateSet(set);
  lines.push("", `### ${set.name} — ${set.setting}`, "", "| system | R1 | R2 | RLsum | R1 odd docs | R1 even docs |", "|---|---:|---:|---:|---:|---:|");
  for (const row of rows) {
    const figures = [row.r1, row.r2, row.rl, row.r1Odd, row.r1Even].map((value) => value.toFixed(2));
    lines.push(`| ${row.name} | ${figures.join(" | ")} |`);
  }
}
lines.push("");
appendFileSync(join(repoRoot, "bench", "RESULTS.md"), lines.join("\n"));
console.log(lines.join("\n"));
