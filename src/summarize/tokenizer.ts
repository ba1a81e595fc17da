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
  // exec over a private regex rather than matchAll: no iterator, and safe if tokenize re-enters.
  const word = new RegExp(WORD);
  for (let match = word.exec(text); match !== null; match = word.exec(text)) {
    const surface = match[0];
    let form = forms.get(surface);
    if (form === undefined) {
      if (forms.size >= MAX_CACHED_FORMS) forms.clear();
      form = wordForm(surface, language);
      forms.set(surface, form);
    }
    tokens.push({ text: surface, lower: form.lower, stem: form.stem, isStopWord: form.isStopWord, start: match.index, end: match.index + surface.length });
  }
  return tokens;
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
