/**
 * The part of a text language detection looks at: its start and its middle,
 * cut at spaces so no word is split. Beyond this the answer no longer
 * changes, so detection costs the same for a tweet and a 10 MiB book, and a
 * caller can send just the sample to another thread. Light on purpose: it
 * does not load the detector.
 */
const SAMPLE_CHARACTERS = 1_000;

/** The language assumed when detection is unsure: stop words and stemming exist for it. */
export const DETECTION_FALLBACK = "en";

export function languageSample(text: string): string {
  if (text.length <= 2 * SAMPLE_CHARACTERS) return text;
  const middle = Math.floor(text.length / 2);
  return `${wordsWithin(text, 0, SAMPLE_CHARACTERS)} ${wordsWithin(text, middle, middle + SAMPLE_CHARACTERS)}`;
}

function wordsWithin(text: string, start: number, end: number): string {
  const slice = text.slice(start, end);
  const first = start === 0 ? 0 : slice.search(/\s/u) + 1;
  const last = slice.search(/\s\S*$/u);
  return slice.slice(first, last > first ? last : slice.length);
}
