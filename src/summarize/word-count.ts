/**
 * Words as SummarizeService counts them for lengths and statistics: runs of
 * letters, digits and combining marks, with inner apostrophes, hyphens and
 * dots kept ("don't", "state-of-the-art", "3.5" are one word each).
 */
const WORD = /[\p{L}\p{N}\p{M}]+(?:['’\-.][\p{L}\p{N}\p{M}]+)*/gu;

export function countWords(text: string): number {
  let count = 0;
  WORD.lastIndex = 0;
  while (WORD.exec(text) !== null) count++;
  return count;
}

/** The start of `text` up to and including its `words`-th word (all of it when shorter). */
export function firstWords(text: string, words: number): string {
  if (words <= 0) return "";
  let seen = 0;
  WORD.lastIndex = 0;
  for (let match = WORD.exec(text); match !== null; match = WORD.exec(text)) {
    if (++seen === words) return text.slice(0, match.index + match[0].length);
  }
  return text;
}
