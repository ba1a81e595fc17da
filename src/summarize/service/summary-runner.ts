/**
 * Where a summary is computed: small texts on the calling thread (a
 * millisecond or so, less than a hop to a thread costs), large ones on the
 * worker pool so they never stall other calls.
 */
import { summarizeDocument, type DocumentSummary, type DocumentSummaryOptions } from "../document-summarizer.js";
import type { HierarchicalControl } from "../hierarchical-summarizer.js";
import { OFF_THREAD_MIN_CHARS, SummarizerPool } from "../summarizer-pool.js";

export interface SummaryRunner {
  run(text: string, options: DocumentSummaryOptions, control: HierarchicalControl): Promise<DocumentSummary>;
  close(): Promise<void>;
}

/** `workers` 0 keeps every summary on the calling thread. */
export function createSummaryRunner(workers: number): SummaryRunner {
  const pool = workers > 0 ? new SummarizerPool({ size: workers }) : undefined;
  return {
    run(text, options, control) {
      if (pool !== undefined && text.length >= OFF_THREAD_MIN_CHARS) return pool.summarizeDocument(text, options, control);
      return summarizeDocument(text, options, control);
    },
    async close() {
      await pool?.close();
    },
  };
}
