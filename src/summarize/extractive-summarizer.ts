/**
 * SUM's extractive summarizer engine (pure): splits the text into sentences,
 * scores them with the chosen algorithm, and picks the best ones up to the
 * requested length, returned in document order with their offsets.
 *
 * - auto (the default): one of the below, chosen from features of the
 *   document and the request (algorithm-choice.ts).
 * - lead: the first sentences, skipping fragments (news is lead-heavy, and
 *   Lead-3 is the baseline unsupervised systems rarely beat).
 * - frequency: the sentences most typical of the document's word
 *   distribution, SumBasic-style (word-frequency-selection.ts); suits
 *   redundant text such as reviews.
 * - textrank: centrality over word-overlap similarity, shared words
 *   normalised by log sentence lengths (Mihalcea & Tarau 2004).
 * - degree-centrality: the same graph, each sentence scored by its total
 *   similarity to the others (word-overlap-graph.ts).
 * - lexrank: TF-IDF cosine graph centrality (Erkan & Radev 2004).
 * - klsum: greedily adds the sentence that keeps the summary's word
 *   distribution closest (KL divergence) to the document's (Haghighi &
 *   Vanderwende 2009); suits redundant opinion text.
 * - position-lexrank: centrality weighted by a position prior, then picked
 *   with maximal marginal relevance so near-duplicates are not chosen twice.
 */
import { AUTOMATIC, chooseAlgorithm, type AlgorithmPreference, type ExtractiveAlgorithm } from "./algorithm-choice.js";
import { centrality } from "./centrality.js";
import { describeDocument } from "./document-features.js";
import { splitSentences, type SentenceSpan } from "./sentence-splitter.js";
import { cosine, tfIdfVectors, type SparseVector } from "./tf-idf.js";
import { tokenize, type Token } from "./tokenizer.js";
import { pickByWordFrequency } from "./word-frequency-selection.js";
import { degreeCentralityScores, textRankScores } from "./word-overlap-graph.js";

export { AUTOMATIC, ExtractiveAlgorithm, extractiveAlgorithms, type AlgorithmPreference } from "./algorithm-choice.js";

export interface ExtractiveOptions {
  /** An algorithm, or "auto" (the default) for the automatic choice. */
  readonly algorithm?: AlgorithmPreference;
  readonly maxSentences: number;
  /** ISO 639-1 code of the text's language. */
  readonly language: string;
}

export interface ScoredSentence extends SentenceSpan {
  /** Position in the document, from 0. */
  readonly index: number;
  readonly score: number;
}

/** Sentences with fewer content-bearing words than this are fragments (captions, "Scroll down for video"). */
const MIN_WORDS = 8;
/** LexRank's edge threshold. */
const SIMILARITY_THRESHOLD = 0.1;
/** MMR trade-off between relevance and novelty. */
const MMR_LAMBDA = 0.7;
/** Cosine similarity above which a candidate counts as repeating a chosen sentence. */
const DUPLICATE_SIMILARITY = 0.5;

export function summarizeExtractive(text: string, options: ExtractiveOptions): ScoredSentence[] {
  const spans = splitSentences(text);
  const tokens = spans.map((span) => tokenize(span.text, options.language));
  const preference = options.algorithm ?? AUTOMATIC;
  const algorithm = preference === AUTOMATIC ? chooseAlgorithm(describeDocument(tokens, options.maxSentences)) : preference;
  const vectors = tfIdfVectors(tokens);
  const scores = scoresFor(algorithm, tokens, vectors);
  const sentences = spans.map((span, index) => ({ ...span, index, score: scores[index]! }));
  const eligible = sentences.filter((sentence) => tokens[sentence.index]!.length >= MIN_WORDS);
  // A text made only of short sentences is still summarized.
  const pool = eligible.length >= Math.min(options.maxSentences, sentences.length) ? eligible : sentences;
  const count = options.maxSentences;
  let chosen: ScoredSentence[];
  switch (algorithm) {
    case "position-lexrank":
      chosen = pickWithMmr(pool, vectors, count);
      break;
    case "klsum":
      // Opinion text is mostly short sentences, so KL-Sum considers them all.
      chosen = pickByKlDivergence(sentences, tokens, count);
      break;
    case "frequency":
      // Reviews and comments are mostly short sentences, so all are candidates.
      chosen = pickByWordFrequency(tokens, sentences.map((sentence) => sentence.index), count).map((pick) => ({
        ...sentences[pick.index]!,
        score: pick.score,
      }));
      break;
    default:
      chosen = [...pool].sort((a, b) => b.score - a.score || a.index - b.index).slice(0, count);
  }
  return chosen.sort((a, b) => a.index - b.index);
}

function scoresFor(algorithm: ExtractiveAlgorithm, tokens: readonly Token[][], vectors: readonly SparseVector[]): number[] {
  const n = tokens.length;
  switch (algorithm) {
    case "lead":
      return tokens.map((_, index) => n - index);
    case "textrank":
      return textRankScores(tokens);
    case "degree-centrality":
      return degreeCentralityScores(tokens);
    case "lexrank":
      return lexRankScores(vectors);
    case "position-lexrank":
      // exp(-i/2) was the best of three decays tried on CNN/DM (in-sample; see bench/RESULTS.md).
      return lexRankScores(vectors).map((value, index) => value * n * Math.exp(-index / 2));
    case "klsum":
    case "frequency":
      // These score sentences as they pick them.
      return tokens.map(() => 0);
  }
}

function lexRankScores(vectors: readonly SparseVector[]): number[] {
  const similarity = vectors.map((a, i) => vectors.map((b, j) => (i === j ? 0 : cosine(a, b))));
  return centrality(similarity, { damping: 0.85, threshold: SIMILARITY_THRESHOLD, tolerance: 1e-8, maxIterations: 200 });
}

/** Additive smoothing of the summary's word distribution in KL-Sum. */
const SMOOTHING = 0.01;

/** KL-Sum's greedy selection: each pick minimises KL(document ‖ summary) over content-word stems. */
function pickByKlDivergence(pool: ScoredSentence[], tokens: readonly Token[][], count: number): ScoredSentence[] {
  const content = (index: number) => tokens[index]!.filter((token) => !token.isStopWord).map((token) => token.stem);
  const documentCounts = new Map<string, number>();
  let documentTotal = 0;
  tokens.forEach((_, index) => {
    for (const stem of content(index)) {
      documentCounts.set(stem, (documentCounts.get(stem) ?? 0) + 1);
      documentTotal++;
    }
  });
  const summaryCounts = new Map<string, number>();
  let summaryTotal = 0;
  const divergenceWith = (stems: string[]) => {
    const counts = new Map(summaryCounts);
    for (const stem of stems) counts.set(stem, (counts.get(stem) ?? 0) + 1);
    const total = summaryTotal + stems.length;
    // KL(document ‖ summary), the summary smoothed so words it lacks cost, not break, the sum.
    const vocabulary = documentCounts.size;
    let divergence = 0;
    for (const [stem, count] of documentCounts) {
      const p = count / documentTotal;
      const q = ((counts.get(stem) ?? 0) + SMOOTHING) / (total + SMOOTHING * vocabulary);
      divergence += p * Math.log(p / q);
    }
    return divergence;
  };
  const chosen: ScoredSentence[] = [];
  const remaining = pool.filter((sentence) => content(sentence.index).length > 0);
  while (chosen.length < count && remaining.length > 0) {
    let best = 0;
    let bestDivergence = Infinity;
    remaining.forEach((candidate, position) => {
      const divergence = divergenceWith(content(candidate.index));
      if (divergence < bestDivergence) {
        bestDivergence = divergence;
        best = position;
      }
    });
    const [picked] = remaining.splice(best, 1);
    for (const stem of content(picked!.index)) summaryCounts.set(stem, (summaryCounts.get(stem) ?? 0) + 1);
    summaryTotal += content(picked!.index).length;
    chosen.push({ ...picked!, score: -bestDivergence });
  }
  return chosen;
}

/** Maximal marginal relevance: each pick trades its score against its similarity to what is already picked. */
function pickWithMmr(pool: ScoredSentence[], vectors: readonly SparseVector[], count: number): ScoredSentence[] {
  const top = Math.max(...pool.map((sentence) => sentence.score), Number.MIN_VALUE);
  const chosen: ScoredSentence[] = [];
  const remaining = [...pool];
  while (chosen.length < count && remaining.length > 0) {
    let best = 0;
    let bestValue = -Infinity;
    remaining.forEach((candidate, position) => {
      const redundancy = Math.max(0, ...chosen.map((picked) => cosine(vectors[candidate.index]!, vectors[picked.index]!)));
      // A near-duplicate of a chosen sentence goes last, whatever its score.
      const duplicate = redundancy > DUPLICATE_SIMILARITY ? 1 : 0;
      const value = MMR_LAMBDA * (candidate.score / top) - (1 - MMR_LAMBDA) * redundancy - duplicate;
      if (value > bestValue) {
        bestValue = value;
        best = position;
      }
    });
    chosen.push(remaining.splice(best, 1)[0]!);
  }
  return chosen;
}
