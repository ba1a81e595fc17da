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
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface AttemptAnswer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  /** Milliseconds from sending to the response headers. */
  readonly latencyMs: number;
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

export class WebhookSender {
  private readonly agent: Agent;

  constructor(options: SenderOptions) {
    this.agent = new Agent({
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: 30_000,
      headersTimeout: options.attemptTimeoutMs,
      bodyTimeout: options.attemptTimeoutMs,
      connect: options.allowPrivateNetworks ? {} : { lookup: guardedLookup },
    });
  }

  /**
   * Resolves on 2xx; throws AttemptRejected on other statuses, or the
   * transport's error. No abort signal: undici's own header and body
   * timeouts end a hung request (a signal per request costs more CPU than
   * the rest of the request's bookkeeping), and close() ends them all.
   */
  async send(message: OutgoingMessage): Promise<AttemptAnswer> {
    const started = performance.now();
    const response: Dispatcher.ResponseData = await this.agent.request({
      origin: message.url.origin,
      path: message.url.pathname + message.url.search,
      method: "POST",
      headers: message.headers,
      body: message.body,
    });
    const latencyMs = performance.now() - started;
    const header = (name: string) => {
      const value = response.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const answer: AttemptAnswer = { status: response.statusCode, retryAfter: header("retry-after"), latencyMs };
    await response.body.dump({ limit: MAX_DRAINED_BYTES }).catch(() => undefined);
    if (response.statusCode < 200 || response.statusCode > 299) throw new AttemptRejected(answer, header("location"));
    return answer;
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}
