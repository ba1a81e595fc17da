/**
 * The delivery thread's program: signs and POSTs the attempts the dispatcher
 * hands over, through each endpoint's breaker and timeout, and hands back
 * their outcomes. It shares no state with the serving thread; everything it
 * knows arrives as messages (see delivery-thread-protocol.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { BrokenCircuitError } from "cockatiel";
import { ForbiddenAddressError } from "./address-guard.js";
import type { AttemptOutcome, AttemptRequest, DeliveryThreadSettings, EndpointSpec, FromDeliveryThread, ToDeliveryThread } from "./delivery-thread-protocol.js";
import { EndpointGuards } from "./endpoint-guards.js";
import { messageBody } from "./webhook-events.js";
import { AttemptRejected, AttemptTimedOut, USER_AGENT, WebhookSender, type AttemptAnswer, type OutgoingMessage } from "./webhook-sender.js";
import { signatureHeader } from "./webhook-signature.js";

interface Endpoint {
  readonly origin: string;
  readonly path: string;
  /** The webhook's extra headers; undefined when it has none. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly key: Buffer;
  readonly previousKey: Buffer | undefined;
  readonly previousUntil: number;
}

const port = parentPort!;
const settings = workerData as DeliveryThreadSettings;
const post = (message: FromDeliveryThread) => port.postMessage(message);

const sender = new WebhookSender(settings);
const guards = new EndpointGuards({ ...settings, onOpen: (webhookId) => post({ kind: "circuitOpened", webhookId }) });
let endpoints = new Map<string, Endpoint>();
let inFlight = 0;
let drained: (() => void) | undefined;

// Outcomes of one turn of the event loop go back as one message.
let outcomes: AttemptOutcome[] = [];
const report = (outcome: AttemptOutcome) => {
  if (outcomes.length === 0) setImmediate(flushOutcomes);
  outcomes.push(outcome);
};
function flushOutcomes(): void {
  if (outcomes.length === 0) return;
  post({ kind: "outcomes", outcomes });
  outcomes = [];
}

/** Attempts handed over together, per endpoint: each endpoint's share runs under one deadline. */
function attemptAll(requests: readonly AttemptRequest[]): void {
  const byEndpoint = new Map<string, AttemptRequest[]>();
  for (const request of requests) {
    const share = byEndpoint.get(request.webhookId);
    if (share === undefined) byEndpoint.set(request.webhookId, [request]);
    else share.push(request);
  }
  for (const [webhookId, share] of byEndpoint) attemptShare(webhookId, share);
}

function attemptShare(webhookId: string, requests: readonly AttemptRequest[]): void {
  const endpoint = endpoints.get(webhookId);
  if (endpoint === undefined) {
    for (const request of requests) report({ messageId: request.messageId, kind: "dropped" });
    return;
  }
  const attemptedAt = Date.now();
  const sends = requests.map((request) => {
    const message = signedMessage(endpoint, request, attemptedAt);
    return (deadline: AbortSignal) => sender.send(message, deadline);
  });
  const started = performance.now();
  const answers = guards.for(webhookId).runAll(sends);
  for (let i = 0; i < requests.length; i++) void settle(requests[i]!.messageId, attemptedAt, started, answers[i]!);
}

function signedMessage(endpoint: Endpoint, request: AttemptRequest, attemptedAt: number): OutgoingMessage {
  // Encoded once: the signature is computed over these bytes and undici sends them as they are.
  const body = Buffer.from(messageBody(request.eventType, request.eventTimestamp, request.data));
  const timestamp = Math.floor(attemptedAt / 1000);
  const keys = endpoint.previousKey !== undefined && attemptedAt < endpoint.previousUntil ? [endpoint.key, endpoint.previousKey] : [endpoint.key];
  const signed = {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    "webhook-id": request.eventId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatureHeader(keys, request.eventId, timestamp, body),
  };
  // SUM's own headers are set last, so a webhook's extra headers never replace them.
  const headers = endpoint.headers === undefined ? signed : Object.assign({}, endpoint.headers, signed);
  return { origin: endpoint.origin, path: endpoint.path, headers, body };
}

async function settle(messageId: number, attemptedAt: number, started: number, answer: Promise<AttemptAnswer>): Promise<void> {
  inFlight++;
  try {
    const { status, latencyMs } = await answer;
    report({ messageId, kind: "answered", attemptedAt, status, latencyMs });
  } catch (error) {
    if (error instanceof BrokenCircuitError) {
      report({ messageId, kind: "deferred", attemptedAt });
    } else if (error instanceof AttemptRejected) {
      const { status, retryAfter, latencyMs } = error.answer;
      report({ messageId, kind: "rejected", attemptedAt, status, retryAfter, latencyMs, error: error.message });
    } else {
      report({ messageId, kind: "failed", attemptedAt, latencyMs: performance.now() - started, error: describeFailure(error) });
    }
  } finally {
    inFlight--;
    if (inFlight === 0) drained?.();
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof AttemptTimedOut) return error.message;
  if (error instanceof ForbiddenAddressError) return `refused: ${error.message}`;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" ? `${code}: ${message}` : message;
}

function load(specs: readonly EndpointSpec[]): void {
  const next = new Map<string, Endpoint>();
  for (const spec of specs) {
    const url = new URL(spec.url);
    next.set(spec.id, {
      origin: url.origin,
      path: url.pathname + url.search,
      headers: Object.keys(spec.headers).length === 0 ? undefined : spec.headers,
      key: Buffer.from(spec.key),
      previousKey: spec.previousKey === undefined ? undefined : Buffer.from(spec.previousKey),
      previousUntil: spec.previousUntil,
    });
  }
  endpoints = next;
}

/** Closing the pool fails the attempts in flight at once; their outcomes go out before `closed`. */
async function close(): Promise<void> {
  const settled = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
  await sender.close();
  await settled;
  flushOutcomes();
  post({ kind: "closed" });
  port.close();
}

port.on("message", (message: ToDeliveryThread) => {
  switch (message.kind) {
    case "attempts":
      attemptAll(message.attempts);
      break;
    case "endpoints":
      load(message.endpoints);
      break;
    case "resetGuard":
      guards.reset(message.webhookId);
      break;
    case "close":
      void close();
      break;
  }
});
