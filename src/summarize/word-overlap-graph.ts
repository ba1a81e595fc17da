/**
 * The sentence graph of TextRank (Mihalcea & Tarau 2004) and the two ways SUM
 * ranks its nodes: PageRank ("textrank") and weighted degree
 * ("degree-centrality", the simplest of Erkan & Radev's 2004 centralities).
 */
import { centrality } from "./centrality.js";
import type { Token } from "./tokenizer.js";

/**
 * Shared content words normalised by log sentence lengths, TextRank's
 * similarity. Words as written (lower-cased), not stems, as TextRank defines
 * the overlap: stems merge words that should stay apart (BBC +1.8 R1,
 * CNN/DM +0.6, Opinosis -1.0; bench/RESULTS.md). A sentence of fewer than two
 * distinct content words has no edges (log 1 = 0 would divide by zero).
 */
export function wordOverlapSimilarity(sentences: readonly (readonly Token[])[]): number[][] {
  const words = sentences.map((tokens) => new Set(tokens.filter((token) => !token.isStopWord).map((token) => token.lower)));
  return words.map((a, i) =>
    words.map((b, j) => {
      if (i === j || a.size < 2 || b.size < 2) return 0;
      let shared = 0;
      for (const word of a) if (b.has(word)) shared++;
      return shared / (Math.log(a.size) + Math.log(b.size));
    }),
  );
}

export function textRankScores(sentences: readonly (readonly Token[])[]): number[] {
  return centrality(wordOverlapSimilarity(sentences));
}

/**
 * Each sentence's total similarity to all the others: a sentence ranks by how
 * much of the document it overlaps itself, not by the rank of its neighbours
 * as in PageRank. Measured above PageRank for long summaries (BBC +0.7 R1 on
 * each half of the documents, Opinosis +0.5 to +0.8) and level with it on
 * CNN/DM (bench/RESULTS.md). No parameters, no iteration.
 */
export function degreeCentralityScores(sentences: readonly (readonly Token[])[]): number[] {
  return wordOverlapSimilarity(sentences).map((row) => row.reduce((sum, value) => sum + value, 0));
}
