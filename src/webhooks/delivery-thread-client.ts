/**
 * The dispatcher's side of its delivery thread (delivery-thread.ts): attempts
 * submitted in one turn of the event loop go over as one message, outcomes
 * come back the same way. Signing, the breakers and timeouts, and the HTTP
 * connections live on that thread, so the serving thread keeps only the
 * database work of a delivery and both cores share the load.
 *
 * Should the thread die, every attempt it held is reported `lost` (not an
 * attempt: the endpoint did nothing wrong) and a new thread starts with the
 * same endpoints, after a pause that doubles while threads keep dying before
 * answering anything.
 */
import type { Worker } from "node:worker_threads";
import { startModuleThread } from "../platform/threads/module-thread.js";
import type { AttemptOutcome, AttemptRequest, DeliveryThreadSettings, EndpointSpec, FromDeliveryThread, ToDeliveryThread } from "./delivery-thread-protocol.js";

export interface DeliveryThreadEvents {
  readonly onOutcomes: (outcomes: readonly AttemptOutcome[]) => void;
  readonly onCircuitOpened: (webhookId: string) => void;
  /** The thread failed; another starts in `restartInMs`. */
  readonly onThreadFailure: (error: unknown, restartInMs: number) => void;
}

const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 5_000;

export class DeliveryThreadClient {
  /** Undefined between a failed thread and its replacement. */
  private worker: Worker | undefined;
  private endpoints: readonly EndpointSpec[] = [];
  private batch: AttemptRequest[] = [];
  /**
   * Submitted and not yet answered, by message id: what to report if the
   * thread dies (the dispatcher's `sending` holds the same attempts, with
   * what it needs to record them).
   */
  private readonly held = new Set<number>();
  private restartDelayMs = FIRST_RESTART_DELAY_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly settings: DeliveryThreadSettings,
    private readonly events: DeliveryThreadEvents,
  ) {
    this.worker = this.start();
  }

  /** Replaces the endpoints the thread signs and sends for. */
  setEndpoints(endpoints: readonly EndpointSpec[]): void {
    this.endpoints = endpoints;
    // Attempts batched before the change go first, with the endpoints they were made for.
    this.sendBatch();
    this.post({ kind: "endpoints", endpoints });
  }

  /** Forgets an endpoint's breaker state (its URL changed, or it was deleted or enabled again). */
  resetGuard(webhookId: string): void {
    this.post({ kind: "resetGuard", webhookId });
  }

  submit(request: AttemptRequest): void {
    if (this.closing !== undefined) return;
    if (this.batch.length === 0) queueMicrotask(() => this.sendBatch());
    this.batch.push(request);
    this.held.add(request.messageId);
  }

  /**
   * Ends the thread. Attempts in flight fail as its connection pool closes;
   * every outcome it had is reported before this resolves, and nothing after.
   */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      clearTimeout(this.restartTimer);
      this.batch = [];
      const worker = this.worker;
      if (worker === undefined) {
        resolve();
        return;
      }
      // Held while it finishes, or a process with nothing else to do would exit before close() returns.
      worker.ref();
      worker.once("exit", () => resolve());
      worker.postMessage({ kind: "close" } satisfies ToDeliveryThread);
    });
    return this.closing;
  }

  private start(): Worker {
    const worker = startModuleThread(import.meta.url, "./delivery-thread", { workerData: this.settings });
    // The thread never keeps the process alive on its own; the dispatcher's stop() ends it.
    worker.unref();
    worker.on("message", (message: FromDeliveryThread) => {
      // A dying thread's last messages can arrive after its attempts were reported lost.
      if (worker !== this.worker) return;
      if (message.kind === "outcomes") {
        this.restartDelayMs = FIRST_RESTART_DELAY_MS;
        for (const outcome of message.outcomes) this.held.delete(outcome.messageId);
        this.events.onOutcomes(message.outcomes);
      } else if (message.kind === "circuitOpened") {
        this.events.onCircuitOpened(message.webhookId);
      } else if (message.kind === "closed") {
        void worker.terminate();
      }
    });
    worker.on("error", (error) => this.replace(worker, error));
    worker.on("exit", (code) => this.replace(worker, new Error(`delivery thread exited with code ${code}`)));
    worker.postMessage({ kind: "endpoints", endpoints: this.endpoints } satisfies ToDeliveryThread);
    return worker;
  }

  private replace(failed: Worker, error: unknown): void {
    if (this.closing !== undefined || failed !== this.worker) return;
    this.worker = undefined;
    void failed.terminate();
    const delayMs = this.restartDelayMs;
    this.restartDelayMs = Math.min(MAX_RESTART_DELAY_MS, delayMs * 2);
    this.events.onThreadFailure(error, delayMs);
    this.restartTimer = setTimeout(() => {
      this.worker = this.start();
      this.sendBatch();
    }, delayMs);
    this.restartTimer.unref();
    // What it held, and what was batched for it, was never answered.
    this.batch = [];
    const lost: AttemptOutcome[] = [...this.held].map((messageId) => ({
      messageId,
      kind: "lost",
      error: `delivery thread failed: ${error instanceof Error ? error.message : String(error)}`,
    }));
    this.held.clear();
    if (lost.length > 0) this.events.onOutcomes(lost);
  }

  private sendBatch(): void {
    if (this.batch.length === 0 || this.worker === undefined) return;
    const attempts = this.batch;
    this.batch = [];
    this.post({ kind: "attempts", attempts });
  }

  private post(message: ToDeliveryThread): void {
    if (this.closing === undefined) this.worker?.postMessage(message);
  }
}
