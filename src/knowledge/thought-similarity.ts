/**
 * Which stored thoughts a thought is related to, from the inverted index's
 * rows for its concepts: cosine similarity of the two thoughts' concept
 * weight vectors (weights are stored unit-normalised, so the cosine is the
 * sum over shared concepts of the products). Pure.
 */
import type { ConceptWeight } from "./concept-names.js";

/** Below this a shared concept is a coincidence, not a connection. */
export const MIN_SIMILARITY = 0.15;
/** Connections kept per capture, most similar first. */
export const MAX_CONNECTIONS = 10;
/**
 * Only the most recent thoughts of each concept are candidates: capture cost
 * stays bounded however common a concept becomes (8 concepts × 200 rows).
 */
export const CANDIDATES_PER_CONCEPT = 200;

export interface IndexRow {
  readonly concept: string;
  readonly thoughtSeq: number;
  /** Unit-normalised. */
  readonly weight: number;
}

export interface RelatedThought {
  readonly thoughtSeq: number;
  readonly similarity: number;
  readonly shared: readonly string[];
}

/** Weights scaled to unit length, so a dot product is a cosine. */
export function unitWeights(concepts: readonly ConceptWeight[]): Map<string, number> {
  const norm = Math.sqrt(concepts.reduce((sum, concept) => sum + concept.weight * concept.weight, 0));
  return new Map(concepts.map((concept) => [concept.name, norm > 0 ? concept.weight / norm : 0]));
}

export function relatedThoughts(own: ReadonlyMap<string, number>, rows: readonly IndexRow[], max = MAX_CONNECTIONS): RelatedThought[] {
  const scores = new SimilarityScores();
  for (const row of rows) {
    const weight = own.get(row.concept);
    if (weight !== undefined) scores.add(row.thoughtSeq, row.concept, weight * row.weight);
  }
  return scores.best(max);
}

/**
 * Sums of weight products per candidate thought, and the concepts behind
 * them, as candidates are met; best() keeps the strongest. Callers that hold
 * candidates in columns (the bulk loader) feed it without building a row
 * object per candidate.
 */
export class SimilarityScores {
  private readonly byThought = new Map<number, { similarity: number; shared: string[] }>();

  add(thoughtSeq: number, concept: string, product: number): void {
    const entry = this.byThought.get(thoughtSeq);
    if (entry === undefined) this.byThought.set(thoughtSeq, { similarity: product, shared: [concept] });
    else {
      entry.similarity += product;
      entry.shared.push(concept);
    }
  }

  /** The candidates at MIN_SIMILARITY or above, most similar first (then newest), at most `max`. */
  best(max = MAX_CONNECTIONS): RelatedThought[] {
    return [...this.byThought]
      .map(([thoughtSeq, entry]) => ({ thoughtSeq, similarity: Math.round(Math.min(1, entry.similarity) * 1000) / 1000, shared: entry.shared }))
      .filter((related) => related.similarity >= MIN_SIMILARITY)
      .sort((a, b) => b.similarity - a.similarity || b.thoughtSeq - a.thoughtSeq)
      .slice(0, max);
  }
}
