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
  const byThought = new Map<number, { similarity: number; shared: string[] }>();
  for (const row of rows) {
    const weight = own.get(row.concept);
    if (weight === undefined) continue;
    let entry = byThought.get(row.thoughtSeq);
    if (entry === undefined) byThought.set(row.thoughtSeq, (entry = { similarity: 0, shared: [] }));
    entry.similarity += weight * row.weight;
    entry.shared.push(row.concept);
  }
  return [...byThought]
    .map(([thoughtSeq, entry]) => ({ thoughtSeq, similarity: Math.round(Math.min(1, entry.similarity) * 1000) / 1000, shared: entry.shared }))
    .filter((related) => related.similarity >= MIN_SIMILARITY)
    .sort((a, b) => b.similarity - a.similarity || b.thoughtSeq - a.thoughtSeq)
    .slice(0, max);
}
