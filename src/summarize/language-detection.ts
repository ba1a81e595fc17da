/**
 * Language of a text as an ISO 639-1 code, so the summarizer and the concept
 * extractor can pick stop words and a stemmer without the caller saying.
 *
 * Detection is delegated to eld (Efficient Language Detector, small n-gram
 * database, 60 languages, pure JS). Compared with tinyld and franc-min on
 * SUM's own samples in eleven languages (bench/concepts/language-samples.ts,
 * plus 33 two-to-five-word notes): eld 33/33 and 32/33, tinyld 33/33 and
 * 31/33, franc-min 30/33 on the sentences; eld was also 3–4x faster per call
 * than tinyld and 6–50x faster than franc-min, answers in ISO 639-1 directly
 * and says when its answer is unreliable, which the rule below relies on. Its
 * cost is memory: the small database takes about 45 MB of heap (tinyld about
 * 20 MB), loaded once on first import — which is why SummarizeService
 * detects on a pool thread, never in the heap of the thread serving calls.
 */
import { eld } from "eld/small";
import { languageSample } from "./language-sample.js";

/** The code returned when the text does not say enough to decide (ISO 639-2 "undetermined"). */
export const UNDETERMINED_LANGUAGE = "und";

export interface LanguageDetectionOptions {
  /** Returned instead of "und" when unsure, e.g. "en" where English is the safe default. */
  readonly fallback?: string;
}

/** Fewer letters than this (about two short words) is a guess whichever way it goes. */
const MIN_LETTERS = 8;
/** URLs and e-mail addresses are spelt the same in every language, so they only add noise. */
const ADDRESSES = /\b(?:https?:\/\/|www\.)\S+|\S+@\S+/giu;

/**
 * The ISO 639-1 code of `text`'s language, or `fallback` ("und" unless given)
 * when unsure: the text has fewer than eight letters, the detector finds no
 * language, or it marks its answer unreliable. Deterministic.
 */
export function detectLanguage(text: string, options: LanguageDetectionOptions = {}): string {
  const fallback = options.fallback ?? UNDETERMINED_LANGUAGE;
  const sample = languageSample(text).replace(ADDRESSES, " ");
  if (countLetters(sample) < MIN_LETTERS) return fallback;
  const result = eld.detect(sample);
  return result.language !== "" && result.isReliable() ? result.language : fallback;
}

function countLetters(text: string): number {
  let letters = 0;
  for (const _ of text.matchAll(/\p{L}/gu)) {
    letters += 1;
    if (letters >= MIN_LETTERS) break;
  }
  return letters;
}
