/**
 * Entry point of a summarizer pool thread: runs one summary at a time for the
 * pool (the chosen sentences of a hierarchical summary, or a whole document
 * summary as SummarizeService returns it) and reports progress, the result,
 * or the failure. Only summarizer-pool.ts starts it.
 */
import { parentPort } from "node:worker_threads";
import type { ScoredSentence } from "./extractive-summarizer.js";
import { summarizeDocument, type DocumentSummary, type DocumentSummaryOptions } from "./document-summarizer.js";
import { summarizeHierarchical, type HierarchicalControl, type HierarchicalOptions } from "./hierarchical-summarizer.js";
import type { LanguageDetectionOptions } from "./language-detection.js";
import { DETECTION_FALLBACK, languageSample } from "./language-sample.js";
import { decodeTransferred } from "./text-transfer.js";

/** What a job computes: the chosen sentences only, or the whole document summary. */
export type WorkerTask =
  | { readonly kind: "sentences"; readonly options: HierarchicalOptions }
  | { readonly kind: "document"; readonly options: DocumentSummaryOptions }
  | { readonly kind: "language"; readonly options: LanguageDetectionOptions };

/** Pool → thread. */
export type WorkerRequest =
  | {
      readonly type: "run";
      readonly id: number;
      /** The text as UTF-16 code units, transferred rather than copied (see text-transfer.ts). */
      readonly utf16: ArrayBuffer;
      readonly task: WorkerTask;
      readonly reportProgress: boolean;
    }
  | { readonly type: "cancel"; readonly id: number };

/** Thread → pool; every run ends with exactly one of done, failed or cancelled. */
export type WorkerReply =
  | { readonly type: "progress"; readonly id: number; readonly chunksDone: number; readonly chunksTotal: number; readonly partial: ScoredSentence[] }
  | { readonly type: "done"; readonly id: number; readonly result: ScoredSentence[] | DocumentSummary | string }
  | { readonly type: "failed"; readonly id: number; readonly name: string; readonly message: string }
  | { readonly type: "cancelled"; readonly id: number };

const port = parentPort;
if (port === null) throw new Error("summarizer-worker must run as a worker thread");

const running = new Map<number, AbortController>();
const reply = (message: WorkerReply) => port.postMessage(message);

port.on("message", (request: WorkerRequest) => {
  if (request.type === "cancel") running.get(request.id)?.abort();
  else void run(request);
});

/** Options with the language detected here when the caller left it empty. */
async function withLanguage(text: string, options: DocumentSummaryOptions): Promise<DocumentSummaryOptions> {
  if (options.language !== "") return options;
  const { detectLanguage } = await import("./language-detection.js");
  return { ...options, language: detectLanguage(languageSample(text), { fallback: DETECTION_FALLBACK }) };
}

async function run({ id, utf16, task, reportProgress }: Extract<WorkerRequest, { type: "run" }>): Promise<void> {
  const text = decodeTransferred(utf16);
  const controller = new AbortController();
  running.set(id, controller);
  try {
    const control: HierarchicalControl = {
      signal: controller.signal,
      ...(reportProgress
        ? { onProgress: (chunksDone: number, chunksTotal: number, partial: ScoredSentence[]) => reply({ type: "progress", id, chunksDone, chunksTotal, partial }) }
        : {}),
    };
    const result =
      task.kind === "document"
        ? await summarizeDocument(text, await withLanguage(text, task.options), control)
        : task.kind === "language"
          ? // Loaded on the first detection only: threads that only summarize never hold the detector's tables.
            (await import("./language-detection.js")).detectLanguage(text, task.options)
          : await summarizeHierarchical(text, task.options, control);
    reply({ type: "done", id, result });
  } catch (error) {
    if (controller.signal.aborted) reply({ type: "cancelled", id });
    else reply({ type: "failed", id, name: error instanceof Error ? error.name : "Error", message: error instanceof Error ? error.message : String(error) });
  } finally {
    running.delete(id);
  }
}
