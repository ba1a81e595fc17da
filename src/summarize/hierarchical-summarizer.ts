/**
 * Summarizes documents of any length in time linear in their length, with
 * memory beyond the input of 8 bytes a sentence plus one chunk's work: the
 * sentences are cut into chunks, each chunk's best sentences become
 * candidates, and the candidates are summarized the same way until they fit
 * in one chunk. Offsets and indices always refer to the original text. A
 * document that fits in one chunk gets exactly what summarizeExtractive gives.
 */
import { AUTOMATIC, chooseAlgorithm, type ExtractiveAlgorithm } from "./algorithm-choice.js";
import { describeDocument } from "./document-features.js";
import { summarizeExtractive, type ExtractiveOptions, type ScoredSentence } from "./extractive-summarizer.js";
import { sentenceSpans } from "./sentence-splitter.js";
import { tokenize } from "./tokenizer.js";

export interface HierarchicalOptions extends ExtractiveOptions {
  /**
   * Sentences per chunk (default 48). Graph algorithms cost the square of a
   * chunk, so this sets the cost per sentence; it is raised to 4 × maxSentences
   * so every level still narrows the candidates.
   */
  readonly chunkSentences?: number;
}

export interface HierarchicalControl {
  /** Checked between chunks; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Called after each chunk of the document is read, with the candidates
   * that chunk contributed (scored within their chunk). The passes over
   * candidates that follow are a small fraction of the work and not counted.
   */
  readonly onProgress?: (chunksDone: number, chunksTotal: number, partial: ScoredSentence[]) => void;
}

export const DEFAULT_CHUNK_SENTENCES = 48;
/**
 * A "sentence" longer than this (a text without punctuation) is cut at
 * whitespace into pieces, so one chunk's memory stays bounded; each piece
 * then counts as a sentence in `index`.
 */
export const MAX_SENTENCE_CHARS = 4_000;
/** Run this long between yields to the event loop, so an abort or another call gets a turn. */
const SLICE_MS = 8;

export async function summarizeHierarchical(
  text: string,
  options: HierarchicalOptions,
  control: HierarchicalControl = {},
): Promise<ScoredSentence[]> {
  const { signal, onProgress } = control;
  signal?.throwIfAborted();
  const chunkSize = Math.max(options.chunkSentences ?? DEFAULT_CHUNK_SENTENCES, 4 * options.maxSentences, 2);
  const bounds = sentenceBounds(text);
  if (bounds.count <= chunkSize && !bounds.cutSentences) return summarizeExtractive(text, options);

  // Every chunk and every pass over candidates must use one algorithm, so the automatic choice is made once, here.
  const resolved: HierarchicalOptions = { ...options, algorithm: algorithmFor(text, bounds, options) };
  const chunksTotal = Math.ceil(bounds.count / chunkSize);
  let candidates: ScoredSentence[] = [];
  let sliceStart = performance.now();
  for (let chunk = 0; chunk < chunksTotal; chunk++) {
    const first = chunk * chunkSize;
    const found = summarizeSpanChunk(text, bounds, first, Math.min(first + chunkSize, bounds.count), resolved);
    candidates.push(...found);
    onProgress?.(chunk + 1, chunksTotal, found);
    sliceStart = await yieldWhenDue(sliceStart, signal);
  }
  // Each level keeps at most maxSentences of every chunkSize candidates, so the levels shrink geometrically.
  while (candidates.length > chunkSize) {
    const next: ScoredSentence[] = [];
    for (let first = 0; first < candidates.length; first += chunkSize) {
      next.push(...summarizeCandidates(candidates.slice(first, first + chunkSize), resolved));
      sliceStart = await yieldWhenDue(sliceStart, signal);
    }
    candidates = next;
  }
  return summarizeCandidates(candidates, resolved);
}

/**
 * Sentences the automatic choice looks at: its redundancy measure is
 * quadratic in sentences, and the opening of a long document shows its kind.
 * With 256 it chooses as it would from the whole text on all 51 Opinosis
 * topics (up to 572 sentences); 128 missed one, 48 three.
 */
const CHOICE_SAMPLE_SENTENCES = 256;

function algorithmFor(text: string, bounds: SentenceBounds, options: ExtractiveOptions): ExtractiveAlgorithm {
  const preference = options.algorithm ?? AUTOMATIC;
  if (preference !== AUTOMATIC) return preference;
  const sample: ReturnType<typeof tokenize>[] = [];
  for (let index = 0; index < Math.min(bounds.count, CHOICE_SAMPLE_SENTENCES); index++) {
    sample.push(tokenize(text.slice(bounds.starts[index]!, bounds.ends[index]!), options.language));
  }
  const features = describeDocument(sample, options.maxSentences);
  return chooseAlgorithm({ ...features, sentenceCount: bounds.count });
}

async function yieldWhenDue(sliceStart: number, signal: AbortSignal | undefined): Promise<number> {
  signal?.throwIfAborted();
  if (performance.now() - sliceStart < SLICE_MS) return sliceStart;
  await new Promise<void>((resolve) => setImmediate(resolve));
  signal?.throwIfAborted();
  return performance.now();
}

/** Sentence offsets as flat numbers: a long document's sentences cost 8 bytes each here, not an object and a string. */
interface SentenceBounds {
  count: number;
  starts: Uint32Array;
  ends: Uint32Array;
  /** Whether an overlong sentence was cut into pieces (the engine alone would see it whole). */
  cutSentences: boolean;
}

function sentenceBounds(text: string): SentenceBounds {
  const bounds: SentenceBounds = { count: 0, starts: new Uint32Array(1024), ends: new Uint32Array(1024), cutSentences: false };
  for (const span of sentenceSpans(text)) {
    if (span.end - span.start <= MAX_SENTENCE_CHARS) addBound(bounds, span.start, span.end);
    else {
      bounds.cutSentences = true;
      for (const piece of pieces(text, span.start, span.end)) addBound(bounds, piece.start, piece.end);
    }
  }
  return bounds;
}

function addBound(bounds: SentenceBounds, start: number, end: number): void {
  if (bounds.count === bounds.starts.length) {
    const starts = new Uint32Array(bounds.count * 2);
    const ends = new Uint32Array(bounds.count * 2);
    starts.set(bounds.starts);
    ends.set(bounds.ends);
    bounds.starts = starts;
    bounds.ends = ends;
  }
  bounds.starts[bounds.count] = start;
  bounds.ends[bounds.count++] = end;
}

/** Cuts an overlong sentence at whitespace into pieces of at most MAX_SENTENCE_CHARS (or at a hard cut when a word is longer). */
function* pieces(text: string, start: number, end: number): Generator<{ start: number; end: number }> {
  while (end - start > MAX_SENTENCE_CHARS) {
    let cut = start + MAX_SENTENCE_CHARS;
    while (cut > start && !/\s/.test(text[cut]!)) cut--;
    if (cut === start) cut = start + MAX_SENTENCE_CHARS;
    let pieceEnd = cut;
    while (pieceEnd > start && /\s/.test(text[pieceEnd - 1]!)) pieceEnd--;
    if (pieceEnd > start) yield { start, end: pieceEnd };
    start = cut;
    while (start < end && /\s/.test(text[start]!)) start++;
  }
  if (end > start) yield { start, end };
}

/**
 * Summarizes sentences [first, last) of the document as a text of their own.
 * Each sentence is its own paragraph there, so the engine sees exactly these
 * sentences; results are mapped back by where they start.
 */
function summarizeSpanChunk(text: string, bounds: SentenceBounds, first: number, last: number, options: ExtractiveOptions): ScoredSentence[] {
  const members: ScoredSentence[] = [];
  for (let index = first; index < last; index++) {
    const start = bounds.starts[index]!;
    const end = bounds.ends[index]!;
    members.push({ text: text.slice(start, end), start, end, index, score: 0 });
  }
  return summarizeCandidates(members, options);
}

/**
 * Summarizes a list of sentences from the document, in document order, and
 * returns the chosen ones with their original offsets and indices and the
 * score this pass gave them.
 */
function summarizeCandidates(members: readonly ScoredSentence[], options: ExtractiveOptions): ScoredSentence[] {
  const joinedStarts: number[] = [];
  let joined = "";
  for (const member of members) {
    if (joined !== "") joined += PARAGRAPH;
    joinedStarts.push(joined.length);
    joined += member.text;
  }
  const chosen: ScoredSentence[] = [];
  let lastMember = -1;
  for (const sentence of summarizeExtractive(joined, options)) {
    const member = memberAt(joinedStarts, sentence.start);
    // A member the engine split in two maps back whole, once.
    if (member === lastMember) continue;
    lastMember = member;
    chosen.push({ ...members[member]!, score: sentence.score });
  }
  return chosen;
}

/** Blank lines always end a sentence, so members never run together. */
const PARAGRAPH = "\n\n";

/** The index of the member whose text contains the joined-text offset (binary search over ascending starts). */
function memberAt(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}
