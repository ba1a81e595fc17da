/**
 * Where a summary is computed. The thread serving calls only checks requests
 * and writes responses; the work runs on threads of its own, so both cores
 * serve a burst of callers and a 10 MiB text never stalls anyone:
 * - documents under OFF_THREAD_MIN_CHARS go to the "small" threads, which also
 *   detects languages (the detector's tables, tens of megabytes, then live in
 *   its heap, not in the serving thread's, where they would slow every
 *   garbage collection); a small document is detected and summarized there
 *   in one hop;
 * - larger documents go to the pool (SUMMARIZE_WORKERS threads), their
 *   language detected first on the small thread from a sample.
 * With no workers configured everything runs on the calling thread.
 */
import { availableParallelism } from "node:os";
import { summarizeDocument, type DocumentSummary, type DocumentSummaryOptions } from "../document-summarizer.js";
import type { HierarchicalControl } from "../hierarchical-summarizer.js";
import { DETECTION_FALLBACK, languageSample } from "../language-sample.js";
import { OFF_THREAD_MIN_CHARS, SummarizerPool } from "../summarizer-pool.js";

export interface SummaryRunner {
  /** `options.language` empty: detect it (English when unsure); the result says which. */
  run(text: string, options: DocumentSummaryOptions, control: HierarchicalControl): Promise<DocumentSummary>;
  close(): Promise<void>;
}

/**
 * Threads for small documents: one per core, so a burst of callers keeps
 * every core busy while the serving thread, mostly waiting, shares one.
 */
const SMALL_THREADS = availableParallelism();

/** `workers` 0 keeps every summary on the calling thread. */
export function createSummaryRunner(workers: number): SummaryRunner {
  const pool = workers > 0 ? new SummarizerPool({ size: workers }) : undefined;
  const small = workers > 0 ? new SummarizerPool({ size: SMALL_THREADS }) : undefined;
  return {
    async run(text, options, control) {
      if (pool === undefined || small === undefined) {
        const language = options.language !== "" ? options.language : await detectHere(text);
        return summarizeDocument(text, { ...options, language }, control);
      }
      if (text.length < OFF_THREAD_MIN_CHARS) return small.summarizeDocument(text, options, control);
      const language = options.language !== "" ? options.language : await small.detectLanguage(languageSample(text), { fallback: DETECTION_FALLBACK });
      return pool.summarizeDocument(text, { ...options, language }, control);
    },
    async close() {
      await Promise.all([pool?.close(), small?.close()]);
    },
  };
}

/** No threads configured: the detector is loaded into this thread on first use. */
async function detectHere(text: string): Promise<string> {
  const { detectLanguage } = await import("../language-detection.js");
  return detectLanguage(languageSample(text), { fallback: DETECTION_FALLBACK });
}
