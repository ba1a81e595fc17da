/**
 * What the dispatcher and its delivery thread say to each other. The thread
 * does the per-attempt work that needs no database: it builds and signs the
 * body, runs the endpoint's breaker and timeout, and POSTs over its own
 * connection pool. Attempts and outcomes travel in batches, one message per
 * turn of either event loop.
 */

export interface DeliveryThreadSettings {
  readonly connectionsPerOrigin: number;
  readonly allowPrivateNetworks: boolean;
  readonly attemptTimeoutMs: number;
  readonly breakerFailures: number;
  readonly breakerHalfOpenMs: number;
}

/** An endpoint as the thread needs it to sign and send. */
export interface EndpointSpec {
  readonly id: string;
  readonly url: string;
  /** The webhook's extra headers; the thread adds (and so overrides with) its own. */
  readonly headers: Readonly<Record<string, string>>;
  readonly key: Uint8Array;
  /** The previous secret's key, signing alongside until `previousUntil` (epoch ms). */
  readonly previousKey: Uint8Array | undefined;
  readonly previousUntil: number;
}

export interface AttemptRequest {
  readonly messageId: number;
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly eventTimestamp: string;
  /** The event's data as stored (JSON text): the body carries these exact bytes. */
  readonly data: string;
}

export type AttemptOutcome =
  | { readonly messageId: number; readonly kind: "answered"; readonly attemptedAt: number; readonly status: number; readonly latencyMs: number }
  | {
      readonly messageId: number;
      readonly kind: "rejected";
      readonly attemptedAt: number;
      readonly status: number;
      readonly retryAfter: string | undefined;
      readonly latencyMs: number;
      readonly error: string;
    }
  /** No answer: timeout, connection error, refused address. */
  | { readonly messageId: number; readonly kind: "failed"; readonly attemptedAt: number; readonly latencyMs: number; readonly error: string }
  /** Not attempted: the endpoint's circuit is open. */
  | { readonly messageId: number; readonly kind: "deferred"; readonly attemptedAt: number }
  /** Not attempted: the thread does not know the endpoint (deleted meanwhile). */
  | { readonly messageId: number; readonly kind: "dropped" }
  /** Unknown: the thread died holding it. Not counted as an attempt; it is sent again. */
  | { readonly messageId: number; readonly kind: "lost"; readonly error: string };

export type ToDeliveryThread =
  | { readonly kind: "endpoints"; readonly endpoints: readonly EndpointSpec[] }
  | { readonly kind: "resetGuard"; readonly webhookId: string }
  | { readonly kind: "attempts"; readonly attempts: readonly AttemptRequest[] }
  | { readonly kind: "close" };

export type FromDeliveryThread =
  | { readonly kind: "outcomes"; readonly outcomes: readonly AttemptOutcome[] }
  | { readonly kind: "circuitOpened"; readonly webhookId: string }
  | { readonly kind: "closed" };
