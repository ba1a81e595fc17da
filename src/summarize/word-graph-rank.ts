/**
 * Personalised PageRank over a small sparse word graph (TextRank, SingleRank
 * and PositionRank differ only in the edges and the jump vector given here).
 * Sparse rather than the summarizer's dense centrality because a word graph
 * has few edges per node, and concept extraction must stay well under a
 * millisecond per thought. Deterministic: fixed start, fixed order.
 */

export interface WordGraph {
  /** Number of nodes. */
  readonly size: number;
  /** For each node, its neighbours and the weights of the (undirected) edges to them. */
  readonly neighbours: readonly (readonly { node: number; weight: number }[])[];
}

export interface WordRankOptions {
  readonly damping: number;
  /** Where a random jump lands, one weight per node (normalised here); uniform when absent. */
  readonly jump?: readonly number[];
  readonly tolerance: number;
  readonly maxIterations: number;
}

export const defaultWordRankOptions: WordRankOptions = { damping: 0.85, tolerance: 1e-6, maxIterations: 100 };

/** Stationary scores of the damped walk, summing to 1. */
export function rankWords(graph: WordGraph, options: WordRankOptions = defaultWordRankOptions): Float64Array {
  const n = graph.size;
  const jump = jumpVector(n, options.jump);
  const strength = new Float64Array(n);
  for (let i = 0; i < n; i++) for (const edge of graph.neighbours[i]!) strength[i]! += edge.weight;

  let scores = Float64Array.from(jump);
  let next = new Float64Array(n);
  for (let iteration = 0; iteration < options.maxIterations; iteration++) {
    let dangling = 0;
    next.fill(0);
    for (let i = 0; i < n; i++) {
      if (strength[i] === 0) {
        dangling += scores[i]!;
        continue;
      }
      const share = scores[i]! / strength[i]!;
      for (const edge of graph.neighbours[i]!) next[edge.node]! += share * edge.weight;
    }
    let change = 0;
    for (let i = 0; i < n; i++) {
      // Isolated words hand their score back through the jump, as a walker stuck there would.
      const value = (1 - options.damping + options.damping * dangling) * jump[i]! + options.damping * next[i]!;
      change += Math.abs(value - scores[i]!);
      next[i] = value;
    }
    [scores, next] = [next, scores];
    if (change < options.tolerance) break;
  }
  return scores;
}

function jumpVector(n: number, weights: readonly number[] | undefined): Float64Array {
  const jump = new Float64Array(n);
  const total = weights?.reduce((sum, weight) => sum + weight, 0) ?? 0;
  for (let i = 0; i < n; i++) jump[i] = total > 0 ? weights![i]! / total : 1 / n;
  return jump;
}
