/**
 * The dispatcher's side of its delivery thread (delivery-thread.ts): attempts
 * submitted in one turn of the event loop go over as one message, outcomes
 * come back the same way. Signing, the breakers and timeouts, and the HTTP
 * connections live on that thread, so the serving thread keeps only the
 * database work of a delivery and both cores share the load.
 *
 * Should the thread die, every attempt it held is reported failed (the
 * dispatcher schedules its retry like any other failure) and a new thread
 * starts with the same endpoints.
 */
import type { Worker } from "node:worker_threads";
import { startModuleThread } from "../platform/threads/module-thread.js";
import type { AttemptOutcome, AttemptRequest, DeliveryThreadSettings, EndpointSpec, FromDeliveryThread, ToDeliveryThread } from "./delivery-thread-protocol.js";

export interface DeliveryThreadEvents {
  readonly onOutcomes: (outcomes: readonly AttemptOutcome[]) => void;
  readonly onCircuitOpened: (webhookId: string) => void;
  /** The thread failed; it is being replaced. */
  readonly onThreadFailure: (error: unknown) => void;
}

export class DeliveryThread {
  private worker: Worker;
  private endpoints: readonly EndpointSpec[] = [];
  private batch: AttemptRequest[] = [];
  /** Submitted and not yet answered, by message id: what to report if the thread dies. */
  private readonly held = new Set<number>();
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
    this.flush();
    this.post({ kind: "endpoints", endpoints });
  }

  /** Forgets an endpoint's breaker state (its URL changed, or it was deleted or enabled again). */
  resetGuard(webhookId: string): void {
    this.post({ kind: "resetGuard", webhookId });
  }

  submit(request: AttemptRequest): void {
    if (this.closing !== undefined) return;
    if (this.batch.length === 0) queueMicrotask(() => this.flush());
    this.batch.push(request);
    this.held.add(request.messageId);
  }

  /** Ends the thread; attempts in flight are abandoned and never reported. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.batch = [];
      this.held.clear();
      const worker = this.worker;
      // Held while it finishes, or a process with nothing else to do would exit before close() returns.
      worker.ref();
      worker.once("exit", () => resolve());
      worker.on("message", (message: FromDeliveryThread) => {
        if (message.kind === "closed") void worker.terminate();
      });
      worker.postMessage({ kind: "close" } satisfies ToDeliveryThread);
    });
    return this.closing;
  }

  private start(): Worker {
    const worker = startModuleThread(import.meta.url, "./delivery-thread", { workerData: this.settings });
    worker.on("message", (message: FromDeliveryThread) => {
      if (this.closing !== undefined) return;
      if (message.kind === "outcomes") {
        for (const outcome of message.outcomes) this.held.delete(outcome.messageId);
        this.events.onOutcomes(message.outcomes);
      } else if (message.kind === "circuitOpened") this.events.onCircuitOpened(message.webhookId);
    });
    worker.on("error", (error) => this.replace(worker, error));
    worker.on("exit", (code) => this.replace(worker, new Error(`delivery thread exited with code ${code}`)));
    // The thread never keeps the process alive on its own; the dispatcher's stop() ends it.
    worker.unref();
    if (this.endpoints.length > 0) worker.postMessage({ kind: "endpoints", endpoints: this.endpoints } satisfies ToDeliveryThread);
    return worker;
  }

  private replace(failed: Worker, error: unknown): void {
    if (this.closing !== undefined || failed !== this.worker) return;
    this.events.onThreadFailure(error);
    this.batch = [];
    const attemptedAt = Date.now();
    const lost: AttemptOutcome[] = [...this.held].map((messageId) => ({
      messageId,
      kind: "failed",
      attemptedAt,
      latencyMs: 0,
      error: `delivery thread failed: ${error instanceof Error ? error.message : String(error)}`,
    }));
    this.held.clear();
    void failed.terminate();
    this.worker = this.start();
    if (lost.length > 0) this.events.onOutcomes(lost);
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const attempts = this.batch;
    this.batch = [];
    this.post({ kind: "attempts", attempts });
  }

  private post(message: ToDeliveryThread): void {
    if (this.closing === undefined) this.worker.postMessage(message);
  }
}
