/**
 * Everything capture learns from a thought's text before storing it:
 * concepts, tags (the caller's, then automatic ones), word count, importance
 * and the local hour and weekday of capture. Pure: the moment and the zone
 * are given.
 */
import { countWords } from "../summarize/word-count.js";
import { automaticTags } from "./automatic-tags.js";
import { extractConcepts, type ConceptWeight } from "./concept-names.js";
import { importance } from "./importance.js";
import { localTime } from "./local-time.js";

export interface Enrichment {
  readonly concepts: readonly ConceptWeight[];
  readonly tags: readonly string[];
  readonly wordCount: number;
  readonly importance: number;
  readonly localHour: number;
  readonly localWeekday: number;
}

/** Concepts come from English keyphrase rules; other languages still get tags, counts and search. */
export const KNOWLEDGE_LANGUAGE = "en";

export function enrichThought(content: string, callerTags: readonly string[], moment: Date, zone: string): Enrichment {
  const concepts = extractConcepts(content, KNOWLEDGE_LANGUAGE);
  const wordCount = countWords(content);
  const { hour, weekday } = localTime(moment, zone);
  const automatic = automaticTags(content, hour);
  const tags = [...new Set([...callerTags, ...automatic])];
  return {
    concepts,
    tags,
    wordCount,
    importance: importance(wordCount, concepts.length, automatic),
    localHour: hour,
    localWeekday: weekday,
  };
}
