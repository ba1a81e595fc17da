/**
 * Isolation between endpoints: each endpoint gets its own cockatiel circuit
 * breaker (consecutive failures open it; after a pause one trial attempt
 * decides) and a per-attempt timeout, so one dead endpoint never slows the
 * others down.
 */
import { CircuitState, ConsecutiveBreaker, TimeoutStrategy, circuitBreaker, handleAll, timeout, type CircuitBreakerPolicy, type TimeoutPolicy } from "cockatiel";

export interface EndpointGuardOptions {
  readonly breakerFailures: number;
  readonly breakerHalfOpenMs: number;
  readonly attemptTimeoutMs: number;
  /** Called when an endpoint's circuit opens. */
  readonly onOpen: (webhookId: string) => void;
}

/** One attempt: it must end (reject) when `deadline` aborts. */
export type GuardedAttempt<T> = (deadline: AbortSignal) => Promise<T>;

export class EndpointGuard {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly limit: TimeoutPolicy;

  constructor(webhookId: string, options: EndpointGuardOptions) {
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(options.breakerFailures),
    });
    this.breaker.onBreak(() => options.onOpen(webhookId));
    // Cooperative: the attempts end themselves when the deadline aborts, so the
    // breaker counts a timed-out attempt as the failure it is and its connection is freed.
    this.limit = timeout(options.attemptTimeoutMs, { strategy: TimeoutStrategy.Cooperative, abortOnReturn: false });
  }

  /**
   * Runs attempts that start together, each through the breaker, under one
   * timeout: sharing a start, they share the deadline, so one timer and one
   * abort signal serve them all (a timer and signal per attempt cost more
   * than signing it). Returns one promise per attempt, in order.
   * With the circuit not closed (half-open: the others wait for the trial
   * attempt), each attempt gets its own timeout inside the breaker.
   */
  runAll<T>(attempts: readonly GuardedAttempt<T>[]): Promise<T>[] {
    // Unless the circuit is closed, attempts wait in the breaker for its trial: each then needs a deadline from its own start.
    if (this.breaker.state !== CircuitState.Closed) {
      return attempts.map((attempt) => this.breaker.execute(() => this.limit.execute(({ signal }) => attempt(signal))));
    }
    const runs: Promise<T>[] = new Array(attempts.length);
    // The timeout calls its function synchronously, so `runs` is filled when execute returns.
    void this.limit.execute(({ signal }) => {
      for (let i = 0; i < attempts.length; i++) runs[i] = this.breaker.execute(() => attempts[i]!(signal));
      return Promise.allSettled(runs);
    });
    return runs;
  }
}

export class EndpointGuards {
  private readonly guards = new Map<string, EndpointGuard>();

  constructor(private readonly options: EndpointGuardOptions) {}

  for(webhookId: string): EndpointGuard {
    let guard = this.guards.get(webhookId);
    if (guard === undefined) {
      guard = new EndpointGuard(webhookId, this.options);
      this.guards.set(webhookId, guard);
    }
    return guard;
  }

  /** Forgets an endpoint (deleted, or its URL changed). */
  reset(webhookId: string): void {
    this.guards.delete(webhookId);
  }
}
