/**
 * How much a thought is likely to matter, 0–1, from what capture already
 * knows about it (the README gives the same formula):
 *
 *   importance = min(1, 0.4·min(1, words/100) + 0.25·min(1, concepts/5)
 *                       + 0.2·insight + 0.15·action-item + 0.1·question + 0.05·emotional)
 *
 * Length and concept richness carry most of it: a developed thought
 * outweighs a fragment; insights and commitments are what people come back
 * for, so their tags add the most.
 */
import { AutomaticTag } from "./automatic-tags.js";

const TAG_BONUS: Readonly<Record<string, number>> = {
  [AutomaticTag.Insight]: 0.2,
  [AutomaticTag.ActionItem]: 0.15,
  [AutomaticTag.Question]: 0.1,
  [AutomaticTag.Emotional]: 0.05,
};

export function importance(wordCount: number, conceptCount: number, automatic: readonly string[]): number {
  let score = 0.4 * Math.min(1, wordCount / 100) + 0.25 * Math.min(1, conceptCount / 5);
  for (const tag of automatic) score += TAG_BONUS[tag] ?? 0;
  return Math.round(Math.min(1, score) * 1000) / 1000;
}
