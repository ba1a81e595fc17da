/**
 * TF-IDF vectors of sentences over word stems, with the document's sentences
 * as the collection (idf = ln(N / df)), and cosine similarity between them.
 * Stop words are left out. Vectors are sparse: stem → weight.
 */
import type { Token } from "./tokenizer.js";

export type SparseVector = ReadonlyMap<string, number>;

/**
 * A vector that knows its Euclidean norm. Graph algorithms take the cosine of
 * every pair, so norms computed once per vector instead of once per pair
 * save most of the arithmetic.
 */
class NormedVector extends Map<string, number> {
  readonly norm: number;
  /** The entries again as plain arrays, in the map's order: looping over them beats the map's iterator. */
  readonly terms: readonly string[];
  readonly weights: Float64Array;

  constructor(terms: string[], weights: number[]) {
    super();
    for (let i = 0; i < terms.length; i++) this.set(terms[i]!, weights[i]!);
    this.terms = terms;
    this.weights = Float64Array.from(weights);
    this.norm = norm(this);
  }
}

export function tfIdfVectors(sentences: readonly (readonly Token[])[]): SparseVector[] {
  const termCounts = sentences.map((tokens) => {
    const counts = new Map<string, number>();
    for (const token of tokens) if (!token.isStopWord) counts.set(token.stem, (counts.get(token.stem) ?? 0) + 1);
    return counts;
  });
  const documentFrequency = new Map<string, number>();
  for (const counts of termCounts) for (const term of counts.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  const n = sentences.length;
  return termCounts.map((counts) => {
    const terms: string[] = [];
    const weights: number[] = [];
    for (const [term, count] of counts) {
      const idf = Math.log(n / documentFrequency.get(term)!);
      // A term in every sentence tells them apart not at all; keep it with a small weight so
      // a one-sentence document still has a non-zero vector.
      terms.push(term);
      weights.push(count * (idf > 0 ? idf : 1e-3));
    }
    return new NormedVector(terms, weights);
  });
}

export function cosine(a: SparseVector, b: SparseVector): number {
  if (a instanceof NormedVector && b instanceof NormedVector) return a.size <= b.size ? normedCosine(a, b) : normedCosine(b, a);
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [term, weight] of small) {
    const other = large.get(term);
    if (other !== undefined) dot += weight * other;
  }
  if (dot === 0) return 0;
  return dot / (normOf(a) * normOf(b));
}

/** The same sum in the same order as the general case, so results match it exactly. */
function normedCosine(small: NormedVector, large: NormedVector): number {
  const { terms, weights } = small;
  let dot = 0;
  for (let i = 0; i < terms.length; i++) {
    const other = large.get(terms[i]!);
    if (other !== undefined) dot += weights[i]! * other;
  }
  if (dot === 0) return 0;
  return dot / (small.norm * large.norm);
}

function normOf(vector: SparseVector): number {
  return vector instanceof NormedVector ? vector.norm : norm(vector);
}

function norm(vector: SparseVector): number {
  let sum = 0;
  for (const weight of vector.values()) sum += weight * weight;
  return Math.sqrt(sum);
}
