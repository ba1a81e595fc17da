/**
 * Isolation between endpoints: each endpoint gets its own cockatiel circuit
 * breaker (consecutive failures open it; after a pause one trial attempt
 * decides) wrapped around a per-attempt timeout, so one dead endpoint never
 * slows the others down.
 */
import { ConsecutiveBreaker, TimeoutStrategy, circuitBreaker, handleAll, timeout } from "cockatiel";

export interface EndpointGuardOptions {
  readonly breakerFailures: number;
  readonly breakerHalfOpenMs: number;
  readonly attemptTimeoutMs: number;
  /** Called when an endpoint's circuit opens. */
  readonly onOpen: (webhookId: string) => void;
}

export interface EndpointGuard {
  /** Runs one attempt through the breaker and the timeout. */
  run<T>(attempt: () => Promise<T>): Promise<T>;
}

export class EndpointGuards {
  private readonly guards = new Map<string, EndpointGuard>();

  constructor(private readonly options: EndpointGuardOptions) {}

  for(webhookId: string): EndpointGuard {
    let guard = this.guards.get(webhookId);
    if (guard === undefined) {
      const breaker = circuitBreaker(handleAll, {
        halfOpenAfter: this.options.breakerHalfOpenMs,
        breaker: new ConsecutiveBreaker(this.options.breakerFailures),
      });
      breaker.onBreak(() => this.options.onOpen(webhookId));
      // abortOnReturn off: aborting every finished attempt's signal builds a DOMException (with a stack) per message.
      const limit = timeout(this.options.attemptTimeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
      // Nested by hand rather than with wrap(): wrap() hands the breaker's signal, one shared
      // never-aborted signal, to every timeout, which then holds a listener on it per attempt in flight.
      guard = { run: (attempt) => breaker.execute(() => limit.execute(attempt)) };
      this.guards.set(webhookId, guard);
    }
    return guard;
  }

  /** Forgets an endpoint (deleted, or its URL changed). */
  reset(webhookId: string): void {
    this.guards.delete(webhookId);
  }
}
