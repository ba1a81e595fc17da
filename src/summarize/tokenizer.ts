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

/** Letters and digits, with inner apostrophes and hyphens kept (don't, state-of-the-art). */
const WORD = /[\p{L}\p{N}]+(?:['\u2019-][\p{L}\p{N}]+)*/gu;

export function tokenize(text: string, language: string): Token[] {
  const stops = stopWords(language);
  const stem = language === "en" ? stemEnglish : (word: string) => word;
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const lower = match[0].toLowerCase();
    tokens.push({
      text: match[0],
      lower,
      stem: stem(lower),
      isStopWord: stops.has(lower),
      start: match.index,
      end: match.index + match[0].length,
    });
  }
  return tokens;
}

function stemEnglish(word: string): string {
  // Possessives and contractions share the stem of their word (company's → company).
  const base = word.replace(/['\u2019](s|d|ll|re|ve|m|t)$/u, "");
  return /^\p{N}+$/u.test(base) ? base : stemmer(base);
}
