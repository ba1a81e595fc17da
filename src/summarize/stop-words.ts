/**
 * Stop words by ISO 639-1 language code, from the stopwords-iso collection
 * (58 languages). Sets are built on first use of a language and kept.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const lists = require("stopwords-iso") as Record<string, string[]>;
const sets = new Map<string, ReadonlySet<string>>();

/** Languages with a stop-word list. */
export const stopWordLanguages: readonly string[] = Object.keys(lists).sort();

/** The stop words of `language` (lower-case); empty for a language without a list. */
export function stopWords(language: string): ReadonlySet<string> {
  let set = sets.get(language);
  if (set === undefined) {
    set = new Set(lists[language] ?? []);
    sets.set(language, set);
  }
  return set;
}
