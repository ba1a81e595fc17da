/**
 * A small pool of worker threads that run summaries of large texts, so a
 * multi-megabyte document never holds up the event loop that serves other
 * calls. Jobs queue in arrival order; progress is forwarded from the thread;
 * an aborted job is told to stop and, if it does not, its thread is replaced.
 */
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { startModuleThread } from "../platform/threads/module-thread.js";
import type { ScoredSentence } from "./extractive-summarizer.js";
import type { HierarchicalControl, HierarchicalOptions } from "./hierarchical-summarizer.js";
import type { DocumentSummary, DocumentSummaryOptions } from "./document-summarizer.js";
import type { LanguageDetectionOptions } from "./language-detection.js";
import type { WorkerReply, WorkerRequest, WorkerTask } from "./summarizer-worker.js";
import { encodeForTransfer } from "./text-transfer.js";

export interface SummarizerPoolOptions {
  /** Threads at most (started on demand); default min(2, cores − 1), at least 1. */
  readonly size?: number;
  /** How long an aborted job may take to stop before its thread is terminated (default 1000 ms). */
  readonly cancelGraceMs?: number;
}

/**
 * Texts shorter than this are summarized faster in-process (about a
 * millisecond) than a round trip to a thread costs; callers choose with it.
 */
export const OFF_THREAD_MIN_CHARS = 64 * 1024;

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

interface Job {
  readonly id: number;
  readonly text: string;
  readonly task: WorkerTask;
  readonly control: HierarchicalControl;
  readonly resolve: (result: never) => void;
  readonly reject: (error: unknown) => void;
  /** Set once the caller has its answer; later replies for the job are ignored. */
  settled: boolean;
  removeAbortListener?: () => void;
}

interface Thread {
  readonly worker: Worker;
  /** The job the thread is working on, including one aborted but not yet stopped. */
  job: Job | undefined;
  graceTimer?: NodeJS.Timeout;
}

export class SummarizerPool {
  readonly size: number;
  private readonly cancelGraceMs: number;
  private readonly threads = new Set<Thread>();
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: SummarizerPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? defaultPoolSize()));
    this.cancelGraceMs = options.cancelGraceMs ?? 1000;
  }

  /** Summarizes on a pool thread; rejects with the signal's reason when aborted, or with the job's error. */
  summarize(text: string, options: HierarchicalOptions, control: HierarchicalControl = {}): Promise<ScoredSentence[]> {
    return this.submit(text, { kind: "sentences", options }, control);
  }

  /** summarizeDocument on a pool thread, with the same cancellation and progress as `summarize`. */
  summarizeDocument(text: string, options: DocumentSummaryOptions, control: HierarchicalControl = {}): Promise<DocumentSummary> {
    return this.submit(text, { kind: "document", options }, control);
  }

  /**
   * detectLanguage on a pool thread: the detector's n-gram tables (tens of
   * megabytes) then live in the thread's heap, not in the heap of the event
   * loop that serves every call, whose garbage collections they would slow.
   */
  detectLanguage(text: string, options: LanguageDetectionOptions = {}): Promise<string> {
    return this.submit(text, { kind: "language", options }, {});
  }

  private submit<T>(text: string, task: WorkerTask, control: HierarchicalControl): Promise<T> {
    if (this.closed) return Promise.reject(new Error("summarizer pool is closed"));
    if (control.signal?.aborted) return Promise.reject(control.signal.reason);
    return new Promise<T>((resolve, reject) => {
      const job: Job = { id: this.nextId++, text, task, control, resolve: resolve as (result: never) => void, reject, settled: false };
      const signal = control.signal;
      if (signal !== undefined) {
        const onAbort = () => this.abort(job, signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        job.removeAbortListener = () => signal.removeEventListener("abort", onAbort);
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Rejects queued jobs, terminates every thread, and resolves when they have exited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, { error: new Error("summarizer pool is closed") });
    const exits = [...this.threads].map((thread) => {
      if (thread.job !== undefined) this.settle(thread.job, { error: new Error("summarizer pool is closed") });
      return this.retire(thread);
    });
    await Promise.all(exits);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const thread = this.idleThread() ?? (this.threads.size < this.size ? this.spawn() : undefined);
      if (thread === undefined) return;
      const job = this.queue.shift()!;
      thread.job = job;
      // A busy thread keeps the process alive so an awaited summary is not cut off; an idle one does not.
      thread.worker.ref();
      void this.start(thread, job);
    }
  }

  private async start(thread: Thread, job: Job): Promise<void> {
    let utf16: ArrayBuffer | undefined;
    try {
      utf16 = await encodeForTransfer(job.text);
    } catch (error) {
      // No memory for the copy: this job fails, the pool goes on.
      this.settle(job, { error });
    }
    // Failed, aborted, or the pool closed, while the text was being copied.
    if (utf16 === undefined || job.settled) {
      if (thread.job === job) this.release(thread);
      return;
    }
    const request: WorkerRequest = { type: "run", id: job.id, utf16, task: job.task, reportProgress: job.control.onProgress !== undefined };
    thread.worker.postMessage(request, [utf16]);
  }

  private idleThread(): Thread | undefined {
    for (const thread of this.threads) if (thread.job === undefined) return thread;
    return undefined;
  }

  private spawn(): Thread {
    const worker = startWorker();
    const thread: Thread = { worker, job: undefined };
    this.threads.add(thread);
    worker.on("message", (reply: WorkerReply) => this.onReply(thread, reply));
    // A thread that dies takes only its own job with it; the pool starts another when needed.
    worker.on("error", (error) => this.onThreadLost(thread, error));
    worker.on("exit", (code) => this.onThreadLost(thread, new Error(`summarizer thread exited with code ${code}`)));
    return thread;
  }

  private onReply(thread: Thread, reply: WorkerReply): void {
    const job = thread.job;
    if (job === undefined || job.id !== reply.id) return;
    if (reply.type === "progress") {
      if (!job.settled) job.control.onProgress?.(reply.chunksDone, reply.chunksTotal, reply.partial);
      return;
    }
    if (reply.type === "done") this.settle(job, { result: reply.result });
    else if (reply.type === "failed") this.settle(job, { error: Object.assign(new Error(reply.message), { name: reply.name }) });
    this.release(thread);
  }

  private release(thread: Thread): void {
    clearTimeout(thread.graceTimer);
    thread.job = undefined;
    thread.worker.unref();
    this.dispatch();
  }

  private abort(job: Job, reason: unknown): void {
    if (job.settled) return;
    this.settle(job, { error: reason });
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      return;
    }
    const thread = [...this.threads].find((candidate) => candidate.job === job);
    if (thread === undefined) return;
    thread.worker.postMessage({ type: "cancel", id: job.id } satisfies WorkerRequest);
    // A job stops between chunks; one huge chunk could keep the thread for long, so it is replaced instead.
    thread.graceTimer = setTimeout(() => void this.retire(thread).then(() => this.dispatch()), this.cancelGraceMs);
  }

  private onThreadLost(thread: Thread, error: Error): void {
    if (!this.threads.delete(thread)) return;
    clearTimeout(thread.graceTimer);
    if (thread.job !== undefined) this.settle(thread.job, { error });
    if (!this.closed) this.dispatch();
  }

  private async retire(thread: Thread): Promise<void> {
    clearTimeout(thread.graceTimer);
    this.threads.delete(thread);
    await thread.worker.terminate();
  }

  private settle(job: Job, outcome: { result: ScoredSentence[] | DocumentSummary | string } | { error: unknown }): void {
    if (job.settled) return;
    job.settled = true;
    job.removeAbortListener?.();
    if ("result" in outcome) job.resolve(outcome.result as never);
    else job.reject(outcome.error);
  }
}

function startWorker(): Worker {
  return startModuleThread(import.meta.url, "./summarizer-worker");
}
