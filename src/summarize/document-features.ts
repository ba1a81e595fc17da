/**
 * Measures the document features the automatic algorithm choice looks at,
 * from the tokenized sentences. Cost is quadratic in sentences (the
 * nearest-neighbour search), linear in words.
 */
import type { DocumentFeatures } from "./algorithm-choice.js";
import type { Token } from "./tokenizer.js";

export function describeDocument(sentences: readonly (readonly Token[])[], requestedSentences: number): DocumentFeatures {
  return { sentenceCount: sentences.length, requestedSentences, redundancy: redundancy(sentences) };
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
