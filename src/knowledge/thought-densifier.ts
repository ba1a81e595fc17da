/**
 * Densify's text work: a concept's thoughts, oldest first, summarized by the
 * summarizer into a compact text whose sentences all come from them; the
 * best-scored sentences are the key insights. Pure apart from the engine.
 */
import { summarizeDocument } from "../summarize/document-summarizer.js";
import { splitSentences } from "../summarize/sentence-splitter.js";
import { countWords } from "../summarize/word-count.js";
import { KNOWLEDGE_LANGUAGE } from "./thought-enrichment.js";

/** The summary keeps about this share of the cluster's sentences (at least 1, at most 10). */
export const DENSIFY_SENTENCE_SHARE = 0.3;
export const MAX_KEY_INSIGHTS = 3;

export interface Densified {
  readonly summary: string;
  readonly keyInsights: readonly string[];
  readonly originalWordCount: number;
  readonly compressedWordCount: number;
  /** Output words / input words, as SummarizeService reports it. */
  readonly compressionRatio: number;
}

/** Each thought as a paragraph that ends a sentence, so thoughts never merge into one sentence. */
export function clusterText(contents: readonly string[]): string {
  return contents.map((content) => content.trim().replace(/([^.!?…])$/u, "$1.")).join("\n\n");
}

export async function densify(contents: readonly string[]): Promise<Densified> {
  const text = clusterText(contents);
  const sentences = splitSentences(text).length;
  const wanted = Math.max(1, Math.min(10, Math.ceil(sentences * DENSIFY_SENTENCE_SHARE)));
  const result = await summarizeDocument(text, { algorithm: "auto", language: KNOWLEDGE_LANGUAGE, length: { sentences: wanted } });
  const summary = result.summary.map((sentence) => sentence.text.trim()).join(" ");
  const keyInsights = [...result.summary]
    .sort((a, b) => b.score - a.score || a.start - b.start)
    .slice(0, MAX_KEY_INSIGHTS)
    .map((sentence) => sentence.text.trim());
  const originalWordCount = countWords(text);
  const compressedWordCount = countWords(summary);
  return {
    summary,
    keyInsights,
    originalWordCount,
    compressedWordCount,
    compressionRatio: originalWordCount === 0 ? 0 : Math.round((compressedWordCount / originalWordCount) * 10_000) / 10_000,
  };
}
