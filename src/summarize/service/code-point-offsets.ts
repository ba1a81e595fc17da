/**
 * The engine measures offsets in UTF-16 code units (JavaScript string
 * indices); the API promises Unicode code points, which every client
 * language can map to its own strings. They differ only after characters
 * outside the Basic Multilingual Plane (emoji, some CJK), so a text without
 * surrogate pairs converts for free.
 */
export type OffsetConverter = (utf16Offset: number) => number;

const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

export function codePointOffsets(text: string): OffsetConverter {
  const pairEnds: number[] = [];
  SURROGATE_PAIR.lastIndex = 0;
  for (let match = SURROGATE_PAIR.exec(text); match !== null; match = SURROGATE_PAIR.exec(text)) pairEnds.push(match.index + 2);
  if (pairEnds.length === 0) return (offset) => offset;
  return (offset) => offset - pairsEndingBy(pairEnds, offset);
}

/** How many pairs end at or before `offset` (each counts two code units but one code point). */
function pairsEndingBy(pairEnds: readonly number[], offset: number): number {
  let low = 0;
  let high = pairEnds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (pairEnds[middle]! <= offset) low = middle + 1;
    else high = middle;
  }
  return low;
}
