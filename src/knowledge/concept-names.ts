/**
 * A thought's concepts: the summarizer's keyphrases, normalised so the same
 * idea written twice gets the same name (lower case, whitespace collapsed,
 * the last word made singular) and weighted relative to the best one.
 */
import { extractKeyphrases } from "../summarize/keyphrases.js";

export interface ConceptWeight {
  readonly name: string;
  /** 0–1, the best concept of the thought scores 1. */
  readonly weight: number;
}

/** Concepts kept per thought: enough to connect it, few enough to keep the inverted index small. */
export const MAX_CONCEPTS = 8;
export const MAX_CONCEPT_LENGTH = 200;

/** Lower case, single spaces, last word singular ("Neural  Networks" → "neural network"). */
export function normaliseConcept(phrase: string): string {
  const words = phrase.toLowerCase().trim().split(/\s+/).filter((word) => word !== "");
  if (words.length === 0) return "";
  words[words.length - 1] = singular(words[words.length - 1]!);
  return words.join(" ").slice(0, MAX_CONCEPT_LENGTH);
}

/** English plural endings only; words ending in ss, us, is stay as they are (class, status, analysis). */
function singular(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ches|shes|sses|xes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s") && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/** The concepts of `text`, best first, names unique (a merged name keeps its best weight). */
export function extractConcepts(text: string, language: string): ConceptWeight[] {
  const byName = new Map<string, number>();
  for (const keyphrase of extractKeyphrases(text, { language, max: MAX_CONCEPTS * 2 })) {
    const name = normaliseConcept(keyphrase.phrase);
    if (name === "" || byName.has(name)) continue;
    byName.set(name, Math.round(keyphrase.score * 1000) / 1000);
    if (byName.size === MAX_CONCEPTS) break;
  }
  return [...byName].map(([name, weight]) => ({ name, weight }));
}
