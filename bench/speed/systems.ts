/**
 * What the speed benchmark times: SUM's engine in-process (hierarchical, so
 * any length works) at its default and with TextRank, and the npm peers of
 * the quality benchmark. Each takes a text and returns when it has a summary.
 */
import { summarizeHierarchical } from "../../src/summarize/hierarchical-summarizer.js";
import { nodeSummarizerFrequency, nodeSummarizerRank, tsTextrank } from "../quality/peers.js";

export const SUMMARY_SENTENCES = 3;

export type System = (text: string) => Promise<unknown>;

export const systems: Record<string, System> = {
  "SUM default (auto)": (text) => summarizeHierarchical(text, { maxSentences: SUMMARY_SENTENCES, language: "en" }),
  "SUM textrank": (text) => summarizeHierarchical(text, { algorithm: "textrank", maxSentences: SUMMARY_SENTENCES, language: "en" }),
  "ts-textrank 1.0.3": (text) => tsTextrank(text, SUMMARY_SENTENCES),
  "node-summarizer 1.0.7 frequency": (text) => nodeSummarizerFrequency(text, SUMMARY_SENTENCES),
  "node-summarizer 1.0.7 rank": (text) => nodeSummarizerRank(text, SUMMARY_SENTENCES),
};

export const isPeer = (name: string) => !name.startsWith("SUM");
