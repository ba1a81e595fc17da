/**
 * ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum F1 with the conventions of Google's
 * rouge-score (which reproduces published numbers): lower-case, every run of
 * characters outside [a-z0-9] is a separator, tokens longer than three
 * characters are Porter-stemmed when stemming is on; ROUGE-Lsum is the
 * summary-level union LCS over newline-separated sentences. Used by the
 * quality benchmark; checked against ../shared/data/rouge fixtures.
 */
import { stemmer } from "stemmer";

export interface RougeScore {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface RougeScores {
  readonly rouge1: RougeScore;
  readonly rouge2: RougeScore;
  readonly rougeL: RougeScore;
  readonly rougeLsum: RougeScore;
}

export function rougeTokens(text: string, stem: boolean): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .filter((token) => token !== "")
    .map((token) => (stem && token.length > 3 ? stemmer(token) : token));
}

export function rouge(prediction: string, reference: string, options: { stem: boolean }): RougeScores {
  const predicted = rougeTokens(prediction, options.stem);
  const target = rougeTokens(reference, options.stem);
  return {
    rouge1: ngramScore(predicted, target, 1),
    rouge2: ngramScore(predicted, target, 2),
    rougeL: score(lcsLength(predicted, target), predicted.length, target.length),
    rougeLsum: summaryLcs(prediction, reference, options.stem),
  };
}

function score(overlap: number, predicted: number, target: number): RougeScore {
  const precision = predicted === 0 ? 0 : overlap / predicted;
  const recall = target === 0 ? 0 : overlap / target;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

function ngrams(tokens: string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join(" ");
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function ngramScore(predicted: string[], target: string[], n: number): RougeScore {
  const predictedGrams = ngrams(predicted, n);
  const targetGrams = ngrams(target, n);
  let overlap = 0;
  for (const [gram, count] of targetGrams) overlap += Math.min(count, predictedGrams.get(gram) ?? 0);
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, count) => sum + count, 0);
  return score(overlap, total(predictedGrams), total(targetGrams));
}

function lcsTable(a: string[], b: string[]): number[][] {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i]![j] = a[i - 1] === b[j - 1] ? table[i - 1]![j - 1]! + 1 : Math.max(table[i - 1]![j]!, table[i]![j - 1]!);
    }
  }
  return table;
}

function lcsLength(a: string[], b: string[]): number {
  return lcsTable(a, b)[a.length]![b.length]!;
}

/** Indices into `reference` of one longest common subsequence with `candidate`. */
function lcsIndices(reference: string[], candidate: string[]): number[] {
  const table = lcsTable(reference, candidate);
  const indices: number[] = [];
  let i = reference.length;
  let j = candidate.length;
  while (i > 0 && j > 0) {
    if (reference[i - 1] === candidate[j - 1]) {
      indices.unshift(i - 1);
      i--;
      j--;
    } else if (table[i]![j - 1]! > table[i - 1]![j]!) j--;
    else i--; // ties move up the reference, as rouge-score's backtrack does
  }
  return indices;
}

/** rouge-score's summary-level LCS: for each reference sentence, the union of its LCS hits with every predicted sentence. */
function summaryLcs(prediction: string, reference: string, stem: boolean): RougeScore {
  const sentences = (text: string) =>
    text
      .split("\n")
      .map((line) => rougeTokens(line, stem))
      .filter((tokens) => tokens.length > 0);
  const predicted = sentences(prediction);
  const target = sentences(reference);
  const predictedCounts = new Map<string, number>();
  const targetCounts = new Map<string, number>();
  for (const tokens of predicted) for (const token of tokens) predictedCounts.set(token, (predictedCounts.get(token) ?? 0) + 1);
  for (const tokens of target) for (const token of tokens) targetCounts.set(token, (targetCounts.get(token) ?? 0) + 1);
  let hits = 0;
  for (const referenceSentence of target) {
    const union = new Set<number>();
    for (const candidate of predicted) for (const index of lcsIndices(referenceSentence, candidate)) union.add(index);
    for (const index of [...union].sort((a, b) => a - b)) {
      const token = referenceSentence[index]!;
      if ((predictedCounts.get(token) ?? 0) > 0 && (targetCounts.get(token) ?? 0) > 0) {
        hits++;
        predictedCounts.set(token, predictedCounts.get(token)! - 1);
        targetCounts.set(token, targetCounts.get(token)! - 1);
      }
    }
  }
  const total = (all: string[][]) => all.reduce((sum, tokens) => sum + tokens.length, 0);
  return score(hits, total(predicted), total(target));
}
