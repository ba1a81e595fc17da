/**
 * One HTTP delivery attempt over pooled undici connections: POST the exact
 * body with the Standard Webhooks headers, never follow a redirect, read the
 * status and Retry-After. Non-2xx answers are thrown as AttemptRejected so
 * the endpoint's circuit breaker counts them as failures.
 */
import { Agent, type Dispatcher } from "undici";
import { guardedLookup } from "./address-guard.js";

export const USER_AGENT = "SUM-Webhooks/1";

export interface OutgoingMessage {
  /** The endpoint's origin and path (with query), worked out once per endpoint rather than per attempt. */
  readonly origin: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes signed. */
  readonly body: Buffer;
}

export interface AttemptAnswer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  /** Milliseconds from sending to the response headers. */
  readonly latencyMs: number;
}

/** The attempt's deadline passed before the answer was read. */
export class AttemptTimedOut extends Error {
  override readonly name = "AttemptTimedOut";
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs}ms`);
  }
}

/** The endpoint answered, but not with 2xx. */
export class AttemptRejected extends Error {
  override readonly name = "AttemptRejected";
  constructor(readonly answer: AttemptAnswer, location: string | undefined) {
    super(
      answer.status >= 300 && answer.status < 400
        ? `redirect not followed (HTTP ${answer.status}${location === undefined ? "" : ` to ${location}`})`
        : `HTTP ${answer.status}`,
    );
  }
}

export interface SenderOptions {
  /** Connections per origin. */
  readonly connectionsPerOrigin: number;
  readonly allowPrivateNetworks: boolean;
  readonly attemptTimeoutMs: number;
}

/** Largest response body read (and discarded) so the connection can be reused. */
const MAX_DRAINED_BYTES = 64 * 1024;

/** Reads one answer: status and the two headers SUM uses; the body is counted and dropped. */
class AttemptHandler implements Dispatcher.DispatchHandler {
  private readonly started = performance.now();
  private status = 0;
  private retryAfter: string | undefined;
  private location: string | undefined;
  private latencyMs = 0;
  private drained = 0;
  private settled = false;
  private controller: Dispatcher.DispatchController | undefined;
  private abortReason: Error | undefined;

  constructor(
    private readonly resolve: (answer: AttemptAnswer) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Aborted while it waited for a connection: it ends as soon as it gets one.
    if (this.abortReason !== undefined) controller.abort(this.abortReason);
  }

  /** Settles the attempt with `reason` now and gives its request up. */
  abort(reason: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(reason);
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.latencyMs = performance.now() - this.started;
    this.status = statusCode;
    this.retryAfter = first(headers["retry-after"]);
    this.location = first(headers.location);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.drained += chunk.length;
    // Past the limit the connection is given up rather than reading on; the answer stands.
    if (this.drained > MAX_DRAINED_BYTES) {
      this.finish();
      controller.abort(new Error(`response body over ${MAX_DRAINED_BYTES} bytes`));
    }
  }

  onResponseEnd(): void {
    this.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    const answer: AttemptAnswer = { status: this.status, retryAfter: this.retryAfter, latencyMs: this.latencyMs };
    if (this.status < 200 || this.status > 299) this.reject(new AttemptRejected(answer, this.location));
    else this.resolve(answer);
  }
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export class WebhookSender {
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  /**
   * The attempts sharing the latest deadline: one abort listener per
   * deadline, not per attempt. A batch's attempts are sent one after the
   * other, so remembering the last deadline is enough (a WeakMap would keep
   * every batch's handlers alive until a full GC: its entries survive
   * scavenges).
   */
  private lastDeadline: AbortSignal | undefined;
  private sharingLast: AttemptHandler[] = [];

  constructor(options: SenderOptions) {
    this.timeoutMs = options.attemptTimeoutMs;
    this.agent = new Agent({
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      // Backstops only: the attempt's deadline aborts it first.
      headersTimeout: options.attemptTimeoutMs + 1_000,
      bodyTimeout: options.attemptTimeoutMs + 1_000,
      connect: options.allowPrivateNetworks ? {} : { lookup: guardedLookup },
    });
  }

  /**
   * Resolves on 2xx; throws AttemptRejected on other statuses, AttemptTimedOut
   * when `deadline` aborts first, or the transport's error. Dispatched with a
   * small handler rather than `request()`: no body stream and no abort signal
   * per attempt, which cost more CPU than the rest of an attempt's
   * bookkeeping. close() ends every attempt in flight.
   */
  send(message: OutgoingMessage, deadline: AbortSignal): Promise<AttemptAnswer> {
    if (deadline.aborted) return Promise.reject(new AttemptTimedOut(this.timeoutMs));
    return new Promise((resolve, reject) => {
      const handler = new AttemptHandler(resolve, reject);
      this.sharing(deadline).push(handler);
      this.agent.dispatch(
        { origin: message.origin, path: message.path, method: "POST", headers: message.headers, body: message.body },
        handler,
      );
    });
  }

  private sharing(deadline: AbortSignal): AttemptHandler[] {
    if (deadline === this.lastDeadline) return this.sharingLast;
    const attempts: AttemptHandler[] = [];
    deadline.addEventListener(
      "abort",
      () => {
        const reason = new AttemptTimedOut(this.timeoutMs);
        for (const handler of attempts) handler.abort(reason);
      },
      { once: true },
    );
    this.lastDeadline = deadline;
    this.sharingLast = attempts;
    return attempts;
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}
