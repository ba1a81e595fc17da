/**
 * Measures the document features the automatic algorithm choice looks at,
 * from the tokenized sentences. Cost is linear in words, plus a nearest-
 * neighbour search quadratic in sentences for texts long enough to need it.
 */
import { REDUNDANT_MIN_SENTENCES, type DocumentFeatures } from "./algorithm-choice.js";
import type { Token } from "./tokenizer.js";

export function describeDocument(sentences: readonly (readonly Token[])[], requestedSentences: number): DocumentFeatures {
  // Redundancy is the one quadratic feature; short texts skip it since the choice ignores it there.
  const measured = sentences.length >= REDUNDANT_MIN_SENTENCES ? redundancy(sentences) : 0;
  return { sentenceCount: sentences.length, requestedSentences, redundancy: measured };
}

/** Mean nearest-neighbour Jaccard similarity of the sentences' content-word stems; 0 with fewer than two sentences. */
function redundancy(sentences: readonly (readonly Token[])[]): number {
  if (sentences.length < 2) return 0;
  // Stems as small integers in ascending order, so two sentences intersect by one merge.
  const ids = new Map<string, number>();
  const sets = sentences.map((tokens) => {
    const unique = new Set<number>();
    for (const token of tokens) {
      if (token.isStopWord) continue;
      let id = ids.get(token.stem);
      if (id === undefined) ids.set(token.stem, (id = ids.size));
      unique.add(id);
    }
    return Int32Array.from(unique).sort();
  });
  let total = 0;
  for (let i = 0; i < sets.length; i++) {
    let nearest = 0;
    for (let j = 0; j < sets.length; j++) if (j !== i) nearest = Math.max(nearest, jaccard(sets[i]!, sets[j]!));
    total += nearest;
  }
  return total / sets.length;
}

function jaccard(a: Int32Array, b: Int32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  let shared = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i]! === b[j]!) {
      shared++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return shared / (a.length + b.length - shared);
}
