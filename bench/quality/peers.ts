/**
 * The npm summarizers SUM is compared with in the quality benchmark, behind
 * one signature: text and sentence count in, summary sentences out. They are
 * benchmark-only dev dependencies.
 */
import { createRequire } from "node:module";
import { AbsoluteSummarizerConfig, DefaultTextParser, NullLogger, SorensenDiceSimilarity, Summarizer } from "ts-textrank";
import { plainSentences } from "./plain-sentences.js";

const require = createRequire(import.meta.url);

export type Peer = (text: string, sentences: number) => Promise<string[]>;

export const tsTextrank: Peer = async (text, sentences) => {
  const config = new AbsoluteSummarizerConfig(sentences, new SorensenDiceSimilarity(), new DefaultTextParser(), 0.85, Summarizer.SORT_OCCURENCE);
  return new Summarizer(config, new NullLogger()).summarize(text, "en");
};

interface SummarizerManagerInstance {
  getSummaryByFrequency(): { summary: string };
  getSummaryByRank(): Promise<{ summary: string }>;
}
const { SummarizerManager } = require("node-summarizer") as {
  SummarizerManager: new (text: string, sentences: number) => SummarizerManagerInstance;
};

export const nodeSummarizerFrequency: Peer = async (text, sentences) =>
  plainSentences(new SummarizerManager(text, sentences).getSummaryByFrequency().summary);

export const nodeSummarizerRank: Peer = async (text, sentences) =>
  plainSentences((await new SummarizerManager(text, sentences).getSummaryByRank()).summary);

