/**
 * Where a summary is computed: small texts on the calling thread (a
 * millisecond or so, less than a hop to a thread costs), large ones on the
 * worker pool so they never stall other calls. Language detection runs on
 * a thread of its own, sent only the sample it reads: the detector's tables
 * are tens of megabytes that would otherwise sit in the serving thread's
 * heap and slow every one of its garbage collections, and a thread of its
 * own never waits behind a 10 MiB summary.
 */
import { summarizeDocument, type DocumentSummary, type DocumentSummaryOptions } from "../document-summarizer.js";
import type { HierarchicalControl } from "../hierarchical-summarizer.js";
import type { LanguageDetectionOptions } from "../language-detection.js";
import { languageSample } from "../language-sample.js";
import { OFF_THREAD_MIN_CHARS, SummarizerPool } from "../summarizer-pool.js";

export interface SummaryRunner {
  run(text: string, options: DocumentSummaryOptions, control: HierarchicalControl): Promise<DocumentSummary>;
  /** detectLanguage, wherever the detector lives. */
  detectLanguage(text: string, options: LanguageDetectionOptions): Promise<string>;
  close(): Promise<void>;
}

/** `workers` 0 keeps every summary on the calling thread. */
export function createSummaryRunner(workers: number): SummaryRunner {
  const pool = workers > 0 ? new SummarizerPool({ size: workers }) : undefined;
  const detector = workers > 0 ? new SummarizerPool({ size: 1 }) : undefined;
  return {
    run(text, options, control) {
      if (pool !== undefined && text.length >= OFF_THREAD_MIN_CHARS) return pool.summarizeDocument(text, options, control);
      return summarizeDocument(text, options, control);
    },
    async detectLanguage(text, options) {
      const sample = languageSample(text);
      if (detector !== undefined) return detector.detectLanguage(sample, options);
      // No threads configured: the detector is loaded into this thread on first use.
      const { detectLanguage } = await import("../language-detection.js");
      return detectLanguage(sample, options);
    },
    async close() {
      await Promise.all([pool?.close(), detector?.close()]);
    },
  };
}
