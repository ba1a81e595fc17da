/**
 * The whole of one summary, as SummarizeService returns it: the summary and
 * the longer detailed summary (both extractive, the summary's sentences a
 * subset of the detailed ones), the gist, tags and counts. Pure and
 * deterministic; long documents go through the hierarchical summarizer, so
 * cost stays linear in length, progress is reported and an abort stops work.
 *
 * One algorithm serves both levels: the automatic choice is resolved once,
 * for the summary's length, and passed explicitly to every run.
 */
import { AUTOMATIC, chooseAlgorithm, type AlgorithmPreference, type ExtractiveAlgorithm } from "./algorithm-choice.js";
import { describeDocument } from "./document-features.js";
import { summarizeExtractive, type ExtractiveOptions, type ScoredSentence } from "./extractive-summarizer.js";
import { DEFAULT_CHUNK_SENTENCES, summarizeHierarchical, type HierarchicalControl } from "./hierarchical-summarizer.js";
import { extractKeyphrases, type Keyphrase } from "./keyphrases.js";
import { splitSentences, type SentenceSpan } from "./sentence-splitter.js";
import { tokenize } from "./tokenizer.js";
import { countWords, firstWords } from "./word-count.js";

/** How long the summary should be; absent means the default length. */
export type SummaryLength =
  | { readonly sentences: number }
  | { readonly words: number }
  /** A fraction of the input's words, in (0, 1]. */
  | { readonly ratio: number };

export interface DocumentSummaryOptions {
  readonly algorithm: AlgorithmPreference;
  readonly length?: SummaryLength;
  /**
   * ISO 639-1 code, given or detected. Empty only on the way to a pool
   * thread, which detects it there; summarizeDocument itself needs it.
   */
  readonly language: string;
  /** Tags to return at most (default 10). */
  readonly maxTags?: number;
}

export interface SummarySentence extends ScoredSentence {
  readonly inSummary: boolean;
}

export interface DocumentSummary {
  /** Sentences of `summary`, in document order. */
  readonly summary: readonly ScoredSentence[];
  /** Sentences of the detailed summary, in document order, each marked when it is also in `summary`. */
  readonly detailed: readonly SummarySentence[];
  readonly gist: ScoredSentence | undefined;
  readonly tags: readonly Keyphrase[];
  readonly algorithm: ExtractiveAlgorithm;
  /** The language the summary was made for. */
  readonly language: string;
  readonly inputWords: number;
  readonly inputSentences: number;
  readonly outputWords: number;
}

/** Default summary length: about a tenth of the sentences, within these bounds. */
const DEFAULT_MIN_SENTENCES = 3;
const DEFAULT_MAX_SENTENCES = 10;
const DEFAULT_FRACTION = 0.1;
/** The detailed summary is this many times the summary's sentences. */
const DETAILED_FACTOR = 2.5;
/** The automatic choice looks at the opening sentences only: its redundancy measure is quadratic in sentences. */
const CHOICE_SAMPLE_SENTENCES = 60;
/** Tags of longer documents come from the detailed summary: keyphrase ranking of a whole book is neither fast nor better. */
const TAGS_FROM_WHOLE_TEXT_MAX_WORDS = 20_000;
const DEFAULT_MAX_TAGS = 10;
/** Algorithms whose choice is "the n best-scored sentences", so a shorter summary is a prefix of a longer one's ranking. */
const SCORE_RANKED: ReadonlySet<ExtractiveAlgorithm> = new Set<ExtractiveAlgorithm>(["lead", "textrank", "lexrank", "degree-centrality"]);

export async function summarizeDocument(
  text: string,
  options: DocumentSummaryOptions,
  control: HierarchicalControl = {},
): Promise<DocumentSummary> {
  const spans = splitSentences(text);
  const inputWords = countWords(text);
  const budget = wordBudget(options.length, inputWords);
  const summaryCount = summarySentences(options.length, spans.length, inputWords);
  const detailedCount = Math.min(spans.length, Math.max(summaryCount + 1, Math.round(summaryCount * DETAILED_FACTOR)));
  const algorithm = resolveAlgorithm(spans, options, summaryCount);
  const engineOptions = { algorithm, language: options.language };

  const detailedChosen =
    spans.length <= detailedCount
      ? spans.map((span, index) => ({ ...span, index, score: 0 }))
      : await summarizeHierarchical(text, { ...engineOptions, maxSentences: detailedCount }, control);
  control.signal?.throwIfAborted();
  // Algorithms that rank sentences by a score pick the same sentences for the
  // summary as the best-scored of the detailed summary's, so one run serves
  // both. The others choose as they go (redundancy, divergence): a document
  // of one chunk is summarized again at the summary's length, a longer one
  // has its summary chosen among the detailed sentences, so the whole
  // document is read once.
  const summaryChosen =
    summaryCount >= detailedChosen.length
      ? detailedChosen
      : SCORE_RANKED.has(algorithm) && detailedChosen.some((sentence) => sentence.score !== 0)
        ? bestScored(detailedChosen, summaryCount)
        : spans.length <= Math.max(DEFAULT_CHUNK_SENTENCES, 4 * detailedCount)
          ? summarizeExtractive(text, { ...engineOptions, maxSentences: summaryCount })
          : summarizeAmong(detailedChosen, { ...engineOptions, maxSentences: summaryCount });
  const summary = budget === undefined ? summaryChosen : withinWordBudget(summaryChosen, budget);

  // The detailed summary always contains the summary: a run for a different
  // length may choose differently, so the summary's sentences are added to it.
  const inSummary = new Set(summary.map((sentence) => sentence.start));
  const detailedByStart = new Map(detailedChosen.map((sentence) => [sentence.start, sentence]));
  for (const sentence of summaryChosen) if (!detailedByStart.has(sentence.start)) detailedByStart.set(sentence.start, sentence);
  const detailed = [...detailedByStart.values()]
    .sort((a, b) => a.start - b.start)
    .map((sentence) => {
      const trimmed = summary.find((chosen) => chosen.start === sentence.start);
      return { ...(trimmed ?? sentence), inSummary: inSummary.has(sentence.start) };
    });

  const tagSource = inputWords <= TAGS_FROM_WHOLE_TEXT_MAX_WORDS ? text : detailed.map((sentence) => sentence.text).join("\n\n");
  return {
    summary,
    detailed,
    gist: mostRepresentative(summary),
    tags: extractKeyphrases(tagSource, { language: options.language, max: options.maxTags ?? DEFAULT_MAX_TAGS }),
    algorithm,
    language: options.language,
    inputWords,
    inputSentences: spans.length,
    outputWords: summary.reduce((total, sentence) => total + countWords(sentence.text), 0),
  };
}

function wordBudget(length: SummaryLength | undefined, inputWords: number): number | undefined {
  if (length === undefined || "sentences" in length) return undefined;
  if ("words" in length) return length.words;
  return Math.max(1, Math.floor(length.ratio * inputWords));
}

/** How many sentences to ask the engine for. */
export function summarySentences(length: SummaryLength | undefined, sentences: number, inputWords: number): number {
  const available = Math.max(1, sentences);
  if (length === undefined) {
    const byFraction = Math.ceil(sentences * DEFAULT_FRACTION);
    return Math.min(available, Math.max(DEFAULT_MIN_SENTENCES, Math.min(DEFAULT_MAX_SENTENCES, byFraction)));
  }
  if ("sentences" in length) return Math.min(available, length.sentences);
  // A word budget is turned into sentences by the document's mean sentence
  // length; the chosen sentences are then trimmed to the budget.
  const budget = wordBudget(length, inputWords)!;
  const meanWords = inputWords / available;
  return Math.min(available, Math.max(1, Math.round(budget / Math.max(1, meanWords))));
}

function resolveAlgorithm(spans: readonly SentenceSpan[], options: DocumentSummaryOptions, summaryCount: number): ExtractiveAlgorithm {
  if (options.algorithm !== AUTOMATIC) return options.algorithm;
  const sample = spans.slice(0, CHOICE_SAMPLE_SENTENCES).map((span) => tokenize(span.text, options.language));
  return chooseAlgorithm({ ...describeDocument(sample, summaryCount), sentenceCount: spans.length });
}

/**
 * Drops the lowest-scored sentences until the summary fits `budget` words;
 * a single sentence longer than the budget is cut after `budget` words (its
 * end offset moves with it, so it is still a slice of the input).
 */
function withinWordBudget(chosen: readonly ScoredSentence[], budget: number): ScoredSentence[] {
  const kept = [...chosen];
  let words = kept.reduce((total, sentence) => total + countWords(sentence.text), 0);
  while (words > budget && kept.length > 1) {
    let weakest = 0;
    for (let i = 1; i < kept.length; i++) if (kept[i]!.score < kept[weakest]!.score) weakest = i;
    words -= countWords(kept[weakest]!.text);
    kept.splice(weakest, 1);
  }
  if (words > budget && kept.length === 1) {
    const only = kept[0]!;
    const text = firstWords(only.text, budget);
    kept[0] = { ...only, text, end: only.start + text.length };
  }
  return kept;
}

/** The `count` best-scored sentences (the earlier on a tie), in document order. */
function bestScored(sentences: readonly ScoredSentence[], count: number): ScoredSentence[] {
  return [...sentences]
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, count)
    .sort((a, b) => a.start - b.start);
}

/** The summary sentence the algorithm scored highest; the earliest on a tie. */
function mostRepresentative(summary: readonly ScoredSentence[]): ScoredSentence | undefined {
  let best: ScoredSentence | undefined;
  for (const sentence of summary) if (best === undefined || sentence.score > best.score) best = sentence;
  return best;
}

/**
 * Summarizes a few sentences of the document as a text of their own (one
 * paragraph each, so the splitter sees exactly them) and maps the result
 * back to the document's sentences.
 */
function summarizeAmong(sentences: readonly ScoredSentence[], options: ExtractiveOptions): ScoredSentence[] {
  const bySubsetStart = new Map<number, ScoredSentence>();
  let subset = "";
  for (const sentence of sentences) {
    if (subset !== "") subset += "\n\n";
    bySubsetStart.set(subset.length, sentence);
    subset += sentence.text;
  }
  return summarizeExtractive(subset, options).flatMap((chosen) => {
    const original = bySubsetStart.get(chosen.start);
    return original === undefined ? [] : [{ ...original, score: chosen.score }];
  });
}
