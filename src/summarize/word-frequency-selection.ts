/**
 * The "frequency" algorithm's selection: picks the sentences most typical of
 * the document, those whose words the document's own word distribution finds
 * most probable (highest mean log-probability per word), one at a time; after
 * each pick the words it used count for less, as in SumBasic (Nenkova &
 * Vanderwende 2005), so the next pick says something else. Linear in words
 * per pick.
 */
import type { Token } from "./tokenizer.js";

/**
 * Laplace smoothing of the leave-one-out probabilities: a sentence does not
 * vote for its own words, so a word found nowhere else gets this share.
 */
const SMOOTHING = 1;
/** What a word already in the summary is worth to later picks, relative to before. */
const COVERED_WORD_DISCOUNT = 0.5;

export interface FrequencyPick {
  readonly index: number;
  /** Mean log-probability per word at the time of the pick. */
  readonly score: number;
}

/**
 * @param sentences tokens of every sentence of the document (the word distribution)
 * @param candidates indices of the sentences that may be picked
 */
export function pickByWordFrequency(sentences: readonly (readonly Token[])[], candidates: readonly number[], count: number): FrequencyPick[] {
  // Every word counts, function words included: they are part of what makes a
  // sentence read like the rest, and leaving them out favours long sentences of
  // rare words (measured on Opinosis, see bench/RESULTS.md).
  const documentCounts = new Map<string, number>();
  let documentTotal = 0;
  const sentenceCounts = sentences.map((tokens) => {
    const counts = new Map<string, number>();
    for (const token of tokens) counts.set(token.stem, (counts.get(token.stem) ?? 0) + 1);
    for (const [stem, count] of counts) documentCounts.set(stem, (documentCounts.get(stem) ?? 0) + count);
    documentTotal += tokens.length;
    return counts;
  });
  const vocabulary = documentCounts.size;
  const discount = new Map<string, number>();
  const meanLogProbability = (index: number) => {
    const length = sentences[index]!.length;
    const othersTotal = documentTotal - length + SMOOTHING * vocabulary;
    let sum = 0;
    for (const [stem, count] of sentenceCounts[index]!) {
      const elsewhere = documentCounts.get(stem)! - count;
      sum += count * (Math.log((elsewhere + SMOOTHING) / othersTotal) + (discount.get(stem) ?? 0));
    }
    return sum / length;
  };
  const remaining = candidates.filter((index) => sentences[index]!.length > 0);
  const picks: FrequencyPick[] = [];
  while (picks.length < count && remaining.length > 0) {
    let best = 0;
    let bestScore = -Infinity;
    remaining.forEach((index, position) => {
      const score = meanLogProbability(index);
      if (score > bestScore) {
        bestScore = score;
        best = position;
      }
    });
    const [picked] = remaining.splice(best, 1);
    picks.push({ index: picked!, score: bestScore });
    for (const stem of sentenceCounts[picked!]!.keys()) discount.set(stem, (discount.get(stem) ?? 0) + Math.log(COVERED_WORD_DISCOUNT));
  }
  return picks;
}
