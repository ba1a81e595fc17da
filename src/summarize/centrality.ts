/**
 * Graph centrality of sentences (LexRank / TextRank): sentences are nodes,
 * edges are weighted by similarity, and scores are the stationary
 * distribution of a damped random walk, found by power iteration.
 * Deterministic: fixed start vector, fixed iteration order.
 */

export interface CentralityOptions {
  /** Probability of following an edge rather than jumping anywhere (0.85 in TextRank and LexRank). */
  readonly damping: number;
  /** Edges weaker than this are dropped (LexRank's threshold); 0 keeps every positive edge. */
  readonly threshold: number;
  /** Stop when the scores move less than this in total (L1). */
  readonly tolerance: number;
  readonly maxIterations: number;
}

export const defaultCentralityOptions: CentralityOptions = { damping: 0.85, threshold: 0, tolerance: 1e-8, maxIterations: 200 };

/**
 * @param similarity symmetric n × n similarities (the diagonal is ignored)
 * @returns scores summing to 1; a node without edges keeps the jump probability share
 */
export function centrality(similarity: readonly (readonly number[])[], options: CentralityOptions = defaultCentralityOptions): number[] {
  const n = similarity.length;
  if (n === 0) return [];
  // Row-normalised weights of the kept edges.
  const edges = similarity.map((row, i) => {
    const kept = row.map((weight, j) => (i !== j && weight > options.threshold ? weight : 0));
    const total = kept.reduce((sum, weight) => sum + weight, 0);
    return { kept, total };
  });
  let scores = new Array<number>(n).fill(1 / n);
  for (let iteration = 0; iteration < options.maxIterations; iteration++) {
    const next = new Array<number>(n).fill(0);
    let dangling = 0;
    for (let i = 0; i < n; i++) {
      const { kept, total } = edges[i]!;
      if (total === 0) {
        dangling += scores[i]!;
        continue;
      }
      for (let j = 0; j < n; j++) if (kept[j]! > 0) next[j]! += (scores[i]! * kept[j]!) / total;
    }
    let change = 0;
    for (let j = 0; j < n; j++) {
      // A node without edges spreads its score evenly, as a jump would.
      const value = (1 - options.damping) / n + options.damping * (next[j]! + dangling / n);
      change += Math.abs(value - scores[j]!);
      next[j] = value;
    }
    scores = next;
    if (change < options.tolerance) break;
  }
  return scores;
}
