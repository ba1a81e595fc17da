/**
 * The extractive algorithms SUM offers, and the automatic choice among them
 * (what a caller gets when it names none): a pure rule on a few features of
 * the document and the request, documented with its evidence in
 * bench/RESULTS.md.
 */

export const ExtractiveAlgorithm = {
  Lead: "lead",
  Frequency: "frequency",
  TextRank: "textrank",
  LexRank: "lexrank",
  KlSum: "klsum",
  PositionLexRank: "position-lexrank",
  /** Added after the service's enum (which names the six above); the automatic choice uses it for long summaries. */
  DegreeCentrality: "degree-centrality",
} as const;
export type ExtractiveAlgorithm = (typeof ExtractiveAlgorithm)[keyof typeof ExtractiveAlgorithm];

export const extractiveAlgorithms: readonly ExtractiveAlgorithm[] = Object.values(ExtractiveAlgorithm);

/** Asks for the automatic choice. */
export const AUTOMATIC = "auto";
export type AlgorithmPreference = ExtractiveAlgorithm | typeof AUTOMATIC;

export interface DocumentFeatures {
  readonly sentenceCount: number;
  readonly requestedSentences: number;
  /**
   * How much the sentences repeat one another: the mean, over sentences, of
   * the Jaccard similarity of a sentence's content words to those of its
   * most similar other sentence. News sits around 0.15, collections of
   * reviews on one topic around 0.35. Not measured (0) for texts shorter
   * than REDUNDANT_MIN_SENTENCES, where the choice does not look at it.
   */
  readonly redundancy: number;
}

/**
 * A text this long whose sentences repeat each other this much is a
 * collection of statements on one subject (reviews, comments, answers):
 * there is no lead to trust, and the sentence most typical of the whole says
 * it best. Below 30 sentences the nearest-neighbour similarity is too noisy to
 * tell.
 */
export const REDUNDANT_MIN_SENTENCES = 30;
const REDUNDANT_MIN_SIMILARITY = 0.25;
/**
 * News puts its point first (the inverted pyramid), so a summary no longer
 * than a lead paragraph is best taken from the lead; Lead-3 is the baseline
 * unsupervised methods rarely beat. Longer summaries must reach past the lead
 * and are chosen by centrality: degree centrality over TextRank's graph, which
 * measured above TextRank's PageRank at every summary length tried except
 * CNN/DM's three sentences, where lead is used anyway (bench/RESULTS.md).
 * Blending a position prior into the centrality, with a strength that shrinks
 * as the summary covers more of the text, only traded one news set against
 * the other and never beat this split (bench/RESULTS.md).
 */
const LEAD_MAX_SENTENCES = 3;

/**
 * The algorithm to run: the caller's, when it names one (a per-caller feature
 * flag may), otherwise the automatic choice for these features.
 */
export function chooseAlgorithm(features: DocumentFeatures, preference: AlgorithmPreference = AUTOMATIC): ExtractiveAlgorithm {
  if (preference !== AUTOMATIC) return preference;
  if (features.sentenceCount >= REDUNDANT_MIN_SENTENCES && features.redundancy >= REDUNDANT_MIN_SIMILARITY) {
    return ExtractiveAlgorithm.Frequency;
  }
  if (features.requestedSentences <= LEAD_MAX_SENTENCES) return ExtractiveAlgorithm.Lead;
  return ExtractiveAlgorithm.DegreeCentrality;
}

export function isAlgorithmPreference(value: string): value is AlgorithmPreference {
  return value === AUTOMATIC || (extractiveAlgorithms as readonly string[]).includes(value);
}
