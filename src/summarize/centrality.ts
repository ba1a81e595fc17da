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
  const graph = keptEdges(similarity, options.threshold);
  let scores = new Float64Array(n).fill(1 / n);
  let next = new Float64Array(n);
  for (let iteration = 0; iteration < options.maxIterations; iteration++) {
    next.fill(0);
    let dangling = 0;
    for (let i = 0; i < n; i++) {
      const total = graph.totals[i]!;
      if (total === 0) {
        dangling += scores[i]!;
        continue;
      }
      // Same operations in the same order as a dense walk over row i, so scores match it bit for bit.
      for (let edge = graph.rowStarts[i]!; edge < graph.rowStarts[i + 1]!; edge++) {
        next[graph.targets[edge]!]! += (scores[i]! * graph.weights[edge]!) / total;
      }
    }
    let change = 0;
    for (let j = 0; j < n; j++) {
      // A node without edges spreads its score evenly, as a jump would.
      const value = (1 - options.damping) / n + options.damping * (next[j]! + dangling / n);
      change += Math.abs(value - scores[j]!);
      next[j] = value;
    }
    [scores, next] = [next, scores];
    if (change < options.tolerance) break;
  }
  return Array.from(scores);
}

/** The kept edges in compressed sparse rows: a walk step then costs the edges, not n². */
interface SparseGraph {
  readonly rowStarts: Uint32Array;
  readonly targets: Uint32Array;
  readonly weights: Float64Array;
  /** Sum of each row's kept weights, added in column order. */
  readonly totals: Float64Array;
}

function keptEdges(similarity: readonly (readonly number[])[], threshold: number): SparseGraph {
  const n = similarity.length;
  const rowStarts = new Uint32Array(n + 1);
  const totals = new Float64Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const row = similarity[i]!;
    for (let j = 0; j < n; j++) if (i !== j && row[j]! > threshold) count++;
  }
  const targets = new Uint32Array(count);
  const weights = new Float64Array(count);
  let edge = 0;
  for (let i = 0; i < n; i++) {
    const row = similarity[i]!;
    let total = 0;
    for (let j = 0; j < n; j++) {
      const weight = row[j]!;
      // `> 0` as well: a negative threshold must not let a zero or negative weight become an edge.
      if (i !== j && weight > threshold) {
        total += weight;
        if (weight > 0) {
          targets[edge] = j;
          weights[edge++] = weight;
        }
      }
    }
    totals[i] = total;
    rowStarts[i + 1] = edge;
  }
  return { rowStarts, targets, weights: weights.subarray(0, edge), totals };
}
