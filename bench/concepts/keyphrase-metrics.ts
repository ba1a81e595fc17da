/**
 * Keyphrase scoring as the literature does it: a predicted phrase is correct
 * when its Porter-stemmed, lower-cased words equal those of a gold phrase;
 * P@k = correct / phrases returned (at most k), R@k = correct / gold phrases
 * (including gold phrases absent from the text); F1 per document, then the
 * macro average over documents.
 */
import { tokenize } from "../../src/summarize/tokenizer.js";

/** The comparison form of a phrase: its stems joined by single spaces. */
export function stemmedForm(phrase: string): string {
  return tokenize(phrase, "en")
    .map((token) => token.stem)
    .join(" ");
}

export interface PrecisionRecall {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Scores of one document's top-k predictions; duplicates (after stemming) count once, in their first place. */
export function scoreAtK(predicted: readonly string[], gold: readonly string[], k: number): PrecisionRecall {
  const goldForms = new Set(gold.map(stemmedForm).filter((form) => form !== ""));
  const seen = new Set<string>();
  const top: string[] = [];
  for (const phrase of predicted) {
    const form = stemmedForm(phrase);
    if (form === "" || seen.has(form)) continue;
    seen.add(form);
    top.push(form);
    if (top.length === k) break;
  }
  const correct = top.filter((form) => goldForms.has(form)).length;
  const precision = top.length === 0 ? 0 : correct / top.length;
  const recall = goldForms.size === 0 ? 0 : correct / goldForms.size;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** Macro average of per-document scores. */
export function meanScores(scores: readonly PrecisionRecall[]): PrecisionRecall {
  const mean = (pick: (score: PrecisionRecall) => number) => (scores.length === 0 ? 0 : scores.reduce((sum, score) => sum + pick(score), 0) / scores.length);
  return { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) };
}
