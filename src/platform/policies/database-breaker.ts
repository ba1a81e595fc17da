/**
 * The circuit breaker around the database, shared by every method the policy
 * table marks `database`. After consecutive "database unavailable" failures it
 * opens and calls fail fast with UNAVAILABLE until a trial call succeeds.
 */
import { ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from "cockatiel";
import { isDatabaseUnavailable } from "../database/database-errors.js";

export interface DatabaseBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly threshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  readonly halfOpenAfterMs: number;
}

export const defaultDatabaseBreakerOptions: DatabaseBreakerOptions = { threshold: 5, halfOpenAfterMs: 5_000 };

export function createDatabaseBreaker(options: DatabaseBreakerOptions = defaultDatabaseBreakerOptions): CircuitBreakerPolicy {
  return circuitBreaker(handleWhen(isDatabaseUnavailable), {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.threshold),
  });
}
