/**
 * Word tokens for the summarizer: each with its offsets, lower-case form,
 * stem (Porter, for English; other languages use the lower-case form) and
 * whether it is a stop word of the text's language. Pure and deterministic.
 */
import { stemmer } from "stemmer";
import { stopWords } from "./stop-words.js";

export interface Token {
  readonly text: string;
  readonly lower: string;
  readonly stem: string;
  readonly isStopWord: boolean;
  /** Index of the first character in the tokenized text. */
  readonly start: number;
  /** Index just past the last character. */
  readonly end: number;
}

/**
 * A word is a run of letters and digits (\p{L}, \p{N}), runs joined by an inner
 * apostrophe or hyphen kept in it (don't, state-of-the-art): what the regex
 * [\p{L}\p{N}]+(?:['\u2019-][\p{L}\p{N}]+)* matches, found by a hand-written
 * scan in half the regex's time.
 */
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const APOSTROPHE = 0x27;
const RIGHT_SINGLE_QUOTE = 0x2019;
const HYPHEN = 0x2d;

/** What a surface form means to the summarizer; the same for every occurrence, so it is worked out once. */
interface WordForm {
  readonly lower: string;
  readonly stem: string;
  readonly isStopWord: boolean;
}

/**
 * Surface form → WordForm, per language. Stemming and lower-casing were most
 * of the engine's time, and words repeat (Zipf), so a cache pays on every
 * text. It is cleared when full so memory stays bounded whatever the input.
 */
const formsByLanguage = new Map<string, Map<string, WordForm>>();
const MAX_CACHED_FORMS = 100_000;

export function tokenize(text: string, language: string): Token[] {
  const forms = formsOf(language);
  const tokens: Token[] = [];
  const length = text.length;
  let at = 0;
  while (at < length) {
    const width = wordCharWidth(text, at);
    if (width < 0) {
      at -= width;
      continue;
    }
    const start = at;
    at = wordEnd(text, at + width);
    const surface = text.slice(start, at);
    let form = forms.get(surface);
    if (form === undefined) {
      if (forms.size >= MAX_CACHED_FORMS) forms.clear();
      form = wordForm(surface, language);
      forms.set(surface, form);
    }
    tokens.push({ text: surface, lower: form.lower, stem: form.stem, isStopWord: form.isStopWord, start, end: at });
  }
  return tokens;
}

/** Index just past the word that continues at `at`: more letters or digits, or a joiner with one after it. */
function wordEnd(text: string, at: number): number {
  const length = text.length;
  for (;;) {
    let width: number;
    while (at < length && (width = wordCharWidth(text, at)) > 0) at += width;
    const code = text.charCodeAt(at);
    const joiner = code === APOSTROPHE || code === RIGHT_SINGLE_QUOTE || code === HYPHEN;
    if (!(joiner && at + 1 < length && wordCharWidth(text, at + 1) > 0)) return at;
    at++;
  }
}

/** Letter-or-digit verdicts for the Basic Multilingual Plane, filled in as characters are met: 0 unknown, 1 yes, 2 no. */
const bmpVerdicts = new Uint8Array(0x10000);

/** The UTF-16 width of the code point at `at`: positive for a letter or digit, negative otherwise. */
function wordCharWidth(text: string, at: number): number {
  const code = text.charCodeAt(at);
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) ? 1 : -1;
  if (code >= 0xd800 && code <= 0xdbff && at + 1 < text.length) {
    const low = text.charCodeAt(at + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return LETTER_OR_DIGIT.test(text.slice(at, at + 2)) ? 2 : -2;
  }
  let verdict = bmpVerdicts[code]!;
  if (verdict === 0) {
    verdict = LETTER_OR_DIGIT.test(String.fromCharCode(code)) ? 1 : 2;
    bmpVerdicts[code] = verdict;
  }
  return verdict === 1 ? 1 : -1;
}

function formsOf(language: string): Map<string, WordForm> {
  let forms = formsByLanguage.get(language);
  if (forms === undefined) {
    forms = new Map();
    formsByLanguage.set(language, forms);
  }
  return forms;
}

function wordForm(surface: string, language: string): WordForm {
  const lower = surface.toLowerCase();
  return { lower, stem: language === "en" ? stemEnglish(lower) : lower, isStopWord: stopWords(language).has(lower) };
}

function stemEnglish(word: string): string {
  // Possessives and contractions share the stem of their word (company's → company).
  const base = word.replace(/['\u2019](s|d|ll|re|ve|m|t)$/u, "");
  return /^\p{N}+$/u.test(base) ? base : stemmer(base);
}
