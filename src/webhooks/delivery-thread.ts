/**
 * The delivery thread's program: signs and POSTs the attempts the dispatcher
 * hands over, through each endpoint's breaker and timeout, and hands back
 * their outcomes. It shares no state with the serving thread; everything it
 * knows arrives as messages (see delivery-thread-protocol.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { BrokenCircuitError, TaskCancelledError } from "cockatiel";
import { ForbiddenAddressError } from "./address-guard.js";
import type { AttemptOutcome, AttemptRequest, DeliveryThreadSettings, EndpointSpec, FromDeliveryThread, ToDeliveryThread } from "./delivery-thread-protocol.js";
import { EndpointGuards } from "./endpoint-guards.js";
import { messageBody } from "./webhook-events.js";
import { AttemptRejected, USER_AGENT, WebhookSender } from "./webhook-sender.js";
import { signatureHeader } from "./webhook-signature.js";

interface Endpoint {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
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

async function attempt(request: AttemptRequest): Promise<void> {
  inFlight++;
  try {
    await send(request);
  } finally {
    inFlight--;
    if (inFlight === 0) drained?.();
  }
}

async function send(request: AttemptRequest): Promise<void> {
  const endpoint = endpoints.get(request.webhookId);
  if (endpoint === undefined) {
    report({ messageId: request.messageId, kind: "dropped" });
    return;
  }
  const attemptedAt = Date.now();
  const body = messageBody(request.eventType, request.eventTimestamp, request.data);
  const timestamp = Math.floor(attemptedAt / 1000);
  const keys = endpoint.previousKey !== undefined && attemptedAt < endpoint.previousUntil ? [endpoint.key, endpoint.previousKey] : [endpoint.key];
  const headers: Record<string, string> = {
    ...endpoint.headers,
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    "webhook-id": request.eventId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatureHeader(keys, request.eventId, timestamp, body),
  };
  const started = performance.now();
  try {
    // The policy's timeout rejects the attempt at the deadline; the sender's own timeouts (the same length) free the connection.
    const answer = await guards.for(request.webhookId).run(() => sender.send({ url: endpoint.url, headers, body }));
    report({ messageId: request.messageId, kind: "answered", attemptedAt, status: answer.status, latencyMs: answer.latencyMs });
  } catch (error) {
    if (error instanceof BrokenCircuitError) {
      report({ messageId: request.messageId, kind: "deferred", attemptedAt });
    } else if (error instanceof AttemptRejected) {
      const { status, retryAfter, latencyMs } = error.answer;
      report({ messageId: request.messageId, kind: "rejected", attemptedAt, status, retryAfter, latencyMs, error: error.message });
    } else {
      const latencyMs = performance.now() - started;
      report({ messageId: request.messageId, kind: "failed", attemptedAt, latencyMs, error: describeFailure(error, settings.attemptTimeoutMs) });
    }
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof TaskCancelledError) return `timed out after ${timeoutMs}ms`;
  if (error instanceof ForbiddenAddressError) return `refused: ${error.message}`;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" ? `${code}: ${message}` : message;
}

function load(specs: readonly EndpointSpec[]): void {
  const next = new Map<string, Endpoint>();
  for (const spec of specs) {
    next.set(spec.id, {
      url: new URL(spec.url),
      headers: spec.headers,
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
      for (const request of message.attempts) void attempt(request);
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
