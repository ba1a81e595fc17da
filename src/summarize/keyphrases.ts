/**
 * Keyphrases of a text: the summary's tags and the knowledge service's
 * concepts. Candidates are runs of content words (keyphrase-candidates.ts);
 * words are ranked on their co-occurrence graph (PositionRank by default) and
 * a phrase scores the sum of its words, scaled by how often it occurs. No
 * part-of-speech tagger, so it works for every language with a stop-word
 * list; stemming only where the tokenizer stems (English). Pure and
 * deterministic.
 */
import { phraseCandidates, type CandidateSet, type PhraseCandidate } from "./keyphrase-candidates.js";
import { tokenize } from "./tokenizer.js";
import { defaultWordRankOptions, rankWords, type WordGraph } from "./word-graph-rank.js";

export interface Keyphrase {
  /** Readable surface form: lower case except acronyms and mixed-case names (NASA, GraphQL). */
  readonly phrase: string;
  /** Relative to the best phrase of the same text, which scores 1. */
  readonly score: number;
}

/**
 * How words are weighted before phrases sum them:
 * - "positionrank": PageRank whose jumps favour words met early (Florescu & Caragea 2017)
 * - "singlerank": PageRank with uniform jumps (Wan & Xiao 2008)
 * - "frequency": occurrences of the word, the graph-free reference
 */
export const KeyphraseMethod = { PositionRank: "positionrank", SingleRank: "singlerank", Frequency: "frequency" } as const;
export type KeyphraseMethod = (typeof KeyphraseMethod)[keyof typeof KeyphraseMethod];

export interface KeyphraseOptions {
  /** ISO 639-1 code; picks stop words, and Porter stemming for "en". */
  readonly language: string;
  /** At most this many phrases (default 10). */
  readonly max?: number;
  readonly method?: KeyphraseMethod;
}

/**
 * Weights chosen on Inspec and 500N-KPCrowd (bench/concepts): the square root
 * of the phrase's frequency (counting it inside longer runs) lifted
 * 500N-KPCrowd F1@10 from 10.7 to 12.9 for 0.7 lost on Inspec; parts of
 * over-long runs only fill in after whole runs, since any larger weight for
 * them lowered both sets.
 */
const FREQUENCY_EXPONENT = 0.5;
const LONG_RUN_PART_WEIGHT = 0.1;

/** Words within this many tokens of each other are linked (SingleRank's window). */
const COOCCURRENCE_WINDOW = 10;

export function extractKeyphrases(text: string, options: KeyphraseOptions): Keyphrase[] {
  const max = options.max ?? 10;
  if (max <= 0) return [];
  const tokens = tokenize(text, options.language);
  const set = phraseCandidates(text, tokens, options.language);
  if (set.candidates.length === 0) return [];
  const wordScores = scoreWords(set, options.method ?? KeyphraseMethod.PositionRank);
  const scored = set.candidates
    .filter((candidate) => candidate.wholeRuns > 0 || candidate.longRunParts > 0)
    .map((candidate) => ({ candidate, score: phraseScore(candidate, wordScores) }));
  scored.sort((a, b) => b.score - a.score || a.candidate.positions[0]! - b.candidate.positions[0]!);
  const best = scored[0]!.score;
  return scored.slice(0, max).map(({ candidate, score }) => ({
    phrase: readableForm(candidate),
    score: best > 0 ? score / best : 1,
  }));
}

/** Sum of the word scores (longer phrases carry more), times √frequency, discounted for parts of over-long runs. */
function phraseScore(candidate: PhraseCandidate, wordScores: ReadonlyMap<string, number>): number {
  const words = candidate.stems.reduce((sum, stem) => sum + (wordScores.get(stem) ?? 0), 0);
  const weight = candidate.wholeRuns > 0 ? 1 : LONG_RUN_PART_WEIGHT;
  return words * candidate.positions.length ** FREQUENCY_EXPONENT * weight;
}

function scoreWords(set: CandidateSet, method: KeyphraseMethod): Map<string, number> {
  if (method === KeyphraseMethod.Frequency) {
    const counts = new Map<string, number>();
    for (const word of set.contentWords) counts.set(word.stem, (counts.get(word.stem) ?? 0) + 1);
    return counts;
  }
  const { graph, nodes, jump } = wordGraph(set);
  const scores = rankWords(graph, {
    ...defaultWordRankOptions,
    ...(method === KeyphraseMethod.PositionRank ? { jump } : {}),
  });
  return new Map(nodes.map((stem, i) => [stem, scores[i]!]));
}

/** Co-occurrence graph of the content words, and PositionRank's jump weights (Σ 1/position). */
function wordGraph(set: CandidateSet): { graph: WordGraph; nodes: string[]; jump: number[] } {
  const index = new Map<string, number>();
  const nodes: string[] = [];
  const jump: number[] = [];
  const ids = set.contentWords.map((word, position) => {
    let id = index.get(word.stem);
    if (id === undefined) {
      id = nodes.length;
      index.set(word.stem, id);
      nodes.push(word.stem);
      jump.push(0);
    }
    jump[id]! += 1 / (position + 1);
    return id;
  });
  const weights = nodes.map(() => new Map<number, number>());
  const words = set.contentWords;
  for (let i = 0; i < words.length; i++) {
    for (let j = i + 1; j < words.length && words[j]!.tokenIndex - words[i]!.tokenIndex < COOCCURRENCE_WINDOW; j++) {
      const a = ids[i]!;
      const b = ids[j]!;
      if (a === b) continue;
      weights[a]!.set(b, (weights[a]!.get(b) ?? 0) + 1);
      weights[b]!.set(a, (weights[b]!.get(a) ?? 0) + 1);
    }
  }
  const neighbours = weights.map((edges) => [...edges].map(([node, weight]) => ({ node, weight })));
  return { graph: { size: nodes.length, neighbours }, nodes, jump };
}

/** The most frequent readable form (the first on ties): lower case word by word unless the word is an acronym or a mixed-case name. */
function readableForm(candidate: PhraseCandidate): string {
  const counts = new Map<string, number>();
  let chosen = "";
  for (const surface of candidate.surfaces) {
    const form = surface.split(" ").map(readableWord).join(" ");
    const count = (counts.get(form) ?? 0) + 1;
    counts.set(form, count);
    if (count > (counts.get(chosen) ?? 0)) chosen = form;
  }
  return chosen;
}

function readableWord(word: string): string {
  // An upper-case letter after the first (NASA, GraphQL, iPhone) marks a form that lower case would lose.
  return /^.+\p{Lu}/u.test(word) ? word : word.toLowerCase();
}
