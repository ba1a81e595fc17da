/**
 * Splits text into sentences with their character offsets (UTF-16 indices into
 * the input, as JavaScript strings count), for summaries that can point back
 * at the original text. Rule-based and deterministic: it knows abbreviations
 * that precede names (Dr., Gen.), numbers (No., Fig., Jan.) or never end a
 * sentence (e.g., vs.), initials, acronyms (U.S.), decimals, URLs, ellipses
 * and closing quotes. Blank lines always end a sentence.
 */

export interface SentenceSpan {
  readonly text: string;
  /** Index of the first character in the input. */
  readonly start: number;
  /** Index just past the last character in the input. */
  readonly end: number;
}

/** Abbreviations usually followed by a name: a capitalised word after them does not start a sentence. */
const BEFORE_NAMES = new Set([
  "mr", "mrs", "ms", "mx", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "cpt", "maj", "adm", "cmdr",
  "st", "rev", "hon", "gov", "sen", "rep", "pres", "mt", "ft", "messrs", "mme", "mlle", "fr", "sr", "jr",
]);

/** Abbreviations usually followed by a number. */
const BEFORE_NUMBERS = new Set([
  "no", "nos", "fig", "figs", "vol", "vols", "p", "pp", "ch", "sec", "art", "para", "eq", "ref",
  "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
]);

/** Abbreviations that do not end a sentence whatever follows. */
const NEVER_FINAL = new Set(["e.g", "i.e", "vs", "approx", "cf", "viz", "ca", "incl", "esp"]);

/** Words that continue a name after an acronym ("U.S. Department of Energy"). */
const NAME_JOINERS = new Set(["of", "for", "and", "&", "de", "du", "la"]);

const TERMINATOR = /[.!?\u2026]+["'\u201d\u2019)\]]*(?=\s)/g;

export function splitSentences(text: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  for (const block of blocks(text)) splitBlock(text, block.start, block.end, spans);
  return spans;
}

/**
 * The same sentences as splitSentences, one at a time, so a very long text can
 * be walked without holding all its sentences. Safe to interleave with other
 * splitting: each block is split completely before its sentences are yielded.
 */
export function* sentenceSpans(text: string): Generator<SentenceSpan> {
  for (const block of blocks(text)) {
    const spans: SentenceSpan[] = [];
    splitBlock(text, block.start, block.end, spans);
    yield* spans;
  }
}

/**
 * Stretches that no sentence crosses: blank lines separate them, and so do a
 * line break after sentence-final punctuation (one sentence per line, even
 * when the next starts in lower case) and a line break before a list item.
 */
function* blocks(text: string): Generator<{ start: number; end: number }> {
  const breaks = /\n[ \t]*\n\s*|(?<=[.!?\u2026]["'\u201d\u2019)\]]*)[ \t]*\n\s*|\n(?=[ \t]*(?:[-*\u2022]|\d+[.)])\s)/g;
  let start = 0;
  for (let match = breaks.exec(text); match !== null; match = breaks.exec(text)) {
    yield { start, end: match.index };
    start = match.index + match[0].length;
  }
  yield { start, end: text.length };
}

function splitBlock(text: string, from: number, to: number, spans: SentenceSpan[]): void {
  const block = text.slice(from, to);
  let sentenceStart = 0;
  TERMINATOR.lastIndex = 0;
  for (let match = TERMINATOR.exec(block); match !== null; match = TERMINATOR.exec(block)) {
    const end = match.index + match[0].length;
    if (isBoundary(block, match.index, match[0], end)) {
      push(text, from + sentenceStart, from + end, spans);
      sentenceStart = end;
    }
  }
  push(text, from + sentenceStart, to, spans);
}

function push(text: string, start: number, end: number, spans: SentenceSpan[]): void {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  if (end > start) spans.push({ text: text.slice(start, end), start, end });
}

function isBoundary(block: string, at: number, terminator: string, end: number): boolean {
  const following = nextWords(block, end);
  const next = following[0];
  if (next === undefined) return true;
  // A sentence starts with a capital, a digit or an opening quote or bracket.
  if (!/^["'\u201c\u2018(\[]?[\p{Lu}\d]/u.test(next)) return false;
  if (/[!?\u2026]|\.\./.test(terminator)) return true;
  if (terminator.length > 1) return true; // "." then a closing quote or bracket
  const word = wordBefore(block, at);
  const lower = word.toLowerCase();
  if (NEVER_FINAL.has(lower)) return false;
  const nextIsNumber = /^\d/.test(next);
  if (BEFORE_NUMBERS.has(lower) && nextIsNumber) return false;
  if (BEFORE_NAMES.has(lower)) return false;
  if (/^\p{Lu}$/u.test(word)) {
    // A single capital: an initial (J. R. R. Tolkien), unless it is a unit after a number (-3.2 C.).
    return isNumber(wordBefore(block, at - word.length - 1));
  }
  if (/^(\p{L}\.)+\p{L}$/u.test(word)) {
    // An acronym (U.S.): it ends the sentence unless a name continues after it.
    const after = following[1];
    return !(after !== undefined && (/^\p{Lu}/u.test(after) || NAME_JOINERS.has(after.toLowerCase())));
  }
  return true;
}

/** The word (letters, digits, inner dots) ending just before index `at`. */
function wordBefore(block: string, at: number): string {
  let start = at;
  while (start > 0 && /[\p{L}\p{N}.£$€%'-]/u.test(block[start - 1]!)) start--;
  return block.slice(start, at).replace(/^['-]+/, "");
}

function isNumber(word: string): boolean {
  return /^[-+]?[\d.,]+$/.test(word) && /\d/.test(word);
}

function nextWords(block: string, from: number): string[] {
  return block.slice(from, from + 80).trim().split(/\s+/, 2).filter((word) => word !== "");
}
