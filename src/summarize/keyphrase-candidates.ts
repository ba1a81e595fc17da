/**
 * Keyphrase candidates without a part-of-speech tagger: maximal runs of
 * content words (not stop words, not bare numbers) that no punctuation or
 * sentence break interrupts. Occurrences of a candidate are merged by stem, so
 * "neural networks" and "neural network" are one candidate.
 */
import type { Token } from "./tokenizer.js";

export interface PhraseCandidate {
  /** Stems joined by spaces: the identity used to merge occurrences. */
  readonly key: string;
  /** Stems of the words, in order. */
  readonly stems: readonly string[];
  /** Index (into the content-word sequence) of the first word of each occurrence. */
  readonly positions: number[];
  /** Surface forms, one per occurrence, in order. */
  readonly surfaces: string[];
  /** Occurrences that were a whole run of content words. */
  wholeRuns: number;
  /** Occurrences inside a run too long to be one phrase (those runs offer their parts instead). */
  longRunParts: number;
}

export interface CandidateSet {
  /** Candidates in order of first occurrence. */
  readonly candidates: readonly PhraseCandidate[];
  /** Runs of content-word indices as they occur in the text, for co-occurrence. */
  readonly contentWords: readonly ContentWord[];
}

export interface ContentWord {
  readonly stem: string;
  /** Index of the token in the whole token sequence, stop words included. */
  readonly tokenIndex: number;
  /** Index of the sentence-like segment the word sits in. */
  readonly segment: number;
}

/** Longer runs are usually lists or headlines glued together rather than one concept. */
const MAX_PHRASE_WORDS = 4;

/** Gap text between two tokens that keeps them in one phrase: spaces and a single line wrap. */
const JOINING_GAP = /^[ \t]*(?:\r?\n[ \t]*)?$/u;

export function phraseCandidates(text: string, tokens: readonly Token[], language: string): CandidateSet {
  const byKey = new Map<string, PhraseCandidate>();
  const contentWords: ContentWord[] = [];
  let run: { token: Token; index: number }[] = [];
  let segment = 0;

  const closeRun = (): void => {
    const first = contentWords.length - run.length;
    for (let start = 0; start < run.length; start++) {
      for (let length = 1; length <= MAX_PHRASE_WORDS && start + length <= run.length; length++) {
        const kind = length === run.length ? "whole" : run.length > MAX_PHRASE_WORDS ? "long-run part" : "part";
        addOccurrence(byKey, run.slice(start, start + length).map((r) => r.token), first + start, kind);
      }
    }
    run = [];
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const previous = tokens[i - 1];
    if (previous !== undefined && !joins(text, previous, token)) {
      closeRun();
      if (endsSegment(text.slice(previous.end, token.start))) segment += 1;
    }
    if (isContentWord(token, language)) {
      run.push({ token, index: i });
      contentWords.push({ stem: token.stem, tokenIndex: i, segment });
    } else {
      closeRun();
    }
  }
  closeRun();
  return { candidates: [...byKey.values()], contentWords };
}

/** Every sub-phrase occurrence is kept so frequencies count a phrase inside longer ones too. */
function addOccurrence(byKey: Map<string, PhraseCandidate>, words: readonly Token[], position: number, kind: "whole" | "part" | "long-run part"): void {
  const stems = words.map((word) => word.stem);
  const key = stems.join(" ");
  const surface = text(words);
  const existing = byKey.get(key);
  if (existing === undefined) {
    byKey.set(key, { key, stems, positions: [position], surfaces: [surface], wholeRuns: kind === "whole" ? 1 : 0, longRunParts: kind === "long-run part" ? 1 : 0 });
  } else {
    if (kind === "whole") existing.wholeRuns += 1;
    if (kind === "long-run part") existing.longRunParts += 1;
    existing.positions.push(position);
    existing.surfaces.push(surface);
  }
}

function text(words: readonly Token[]): string {
  return words.map((word) => word.text).join(" ");
}

function joins(source: string, left: Token, right: Token): boolean {
  const gap = source.slice(left.end, right.start);
  // A line break before a capital starts a new line of thought (a title, then its text).
  return JOINING_GAP.test(gap) && !(gap.includes("\n") && /^\p{Lu}/u.test(right.text));
}

function endsSegment(gap: string): boolean {
  return /[.!?;:\u2026]|\n/u.test(gap);
}

/** English adverbs in -ly rarely belong to a keyphrase; a few nouns end the same way. */
const ENGLISH_LY_NOUNS = new Set(["family", "supply", "assembly", "anomaly", "monopoly", "reply", "italy", "july", "butterfly", "rally", "ally", "poly", "belly", "jelly", "bully", "lily", "melancholy", "homily", "apply", "multiply"]);

function isContentWord(token: Token, language: string): boolean {
  if (token.isStopWord) return false;
  if (/^\p{N}+(?:[.,'\u2019-]\p{N}+)*$/u.test(token.text)) return false;
  if (token.lower.length < 2 && !/^\p{Lu}$/u.test(token.text)) return false;
  if (language === "en" && token.lower.length > 4 && token.lower.endsWith("ly") && !ENGLISH_LY_NOUNS.has(token.lower)) return false;
  return true;
}
