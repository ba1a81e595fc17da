/**
 * Middleware step 7: cockatiel policies around every handler, built once per
 * method from the policy table and shared by both ports: a bulkhead (limit
 * on concurrent calls, with a queue) and, for methods that need the database,
 * the shared database circuit breaker. Bulkhead full → RESOURCE_EXHAUSTED,
 * open circuit → UNAVAILABLE. Time limits from the same table are enforced by
 * the deadline step, which already owns the call's one deadline timer.
 */
import type { DescMethod, Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  bulkhead,
  wrap,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type IPolicy,
} from "cockatiel";
import { methodPath, returnsStream, type Middleware, type RpcCall, type RpcHandler } from "../rpc/rpc-call.js";
import { resolvePolicy, type MethodPolicy, type PolicyTable } from "./policy-table.js";

export interface PoliciesOptions {
  readonly table: PolicyTable;
  /** Shared breaker for every method marked `database`. */
  readonly databaseBreaker: CircuitBreakerPolicy;
}

export function policies(options: PoliciesOptions): Middleware {
  // One bulkhead per method, shared by both ports: the limit is per method, not per listener.
  const bulkheads = new Map<DescMethod, BulkheadPolicy | undefined>();
  const bulkheadFor = (method: DescMethod, policy: MethodPolicy) => {
    if (!bulkheads.has(method)) {
      bulkheads.set(method, policy.bulkhead && bulkhead(policy.bulkhead.concurrency, policy.bulkhead.queue));
    }
    return bulkheads.get(method);
  };
  return (next, method) => {
    const policy = resolvePolicy(options.table, method);
    const guards: MethodGuards = {
      path: methodPath(method),
      policy,
      limiter: bulkheadFor(method, policy),
      breaker: policy.database ? options.databaseBreaker : undefined,
    };
    if (!guards.limiter && !guards.breaker) return next;
    return returnsStream(method) ? (call) => guardedStream(next, call, guards) : guardUnary(next, guards);
  };
}

/** The cockatiel policies that guard one method, resolved once when the server starts. */
interface MethodGuards {
  readonly path: string;
  readonly policy: MethodPolicy;
  readonly limiter: BulkheadPolicy | undefined;
  readonly breaker: CircuitBreakerPolicy | undefined;
}

function guardUnary(next: RpcHandler, guards: MethodGuards): RpcHandler {
  const layers = [guards.limiter, guards.breaker].filter((layer): layer is BulkheadPolicy | CircuitBreakerPolicy => layer !== undefined);
  const combined: IPolicy = layers.length === 1 ? layers[0]! : wrap(...layers);
  return (call) =>
    combined
      .execute(() => {
        // A call that waited in the queue past its deadline does not start.
        if (call.abort.abortReason !== undefined) throw call.abort.abortReason;
        return next(call) as Promise<Message>;
      })
      .catch((error: unknown) => {
        throw policyError(error, guards);
      });
}

async function* guardedStream(next: RpcHandler, call: RpcCall, guards: MethodGuards): AsyncGenerator<Message> {
  const { limiter, breaker } = guards;
  if (breaker && breaker.state === CircuitState.Open) throw policyError(new BrokenCircuitError(), guards);
  let release = () => {};
  if (limiter) {
    // A stream holds its bulkhead slot for its whole life: the slot's task
    // settles only when the stream ends.
    const ended = new Promise<void>((resolve) => (release = resolve));
    let admitted!: () => void;
    const started = new Promise<void>((resolve) => (admitted = resolve));
    const slot = limiter.execute(() => {
      admitted();
      return ended;
    });
    try {
      await Promise.race([started, slot]);
    } catch (error) {
      throw policyError(error, guards);
    }
  }
  try {
    yield* next(call) as AsyncIterable<Message>;
  } finally {
    release();
  }
}

function policyError(error: unknown, { path, policy }: MethodGuards): unknown {
  if (error instanceof BulkheadRejectedError) {
    const limits = policy.bulkhead ?? { concurrency: 0, queue: 0 };
    return new ConnectError(
      `too many concurrent calls to ${path}: limit is ${limits.concurrency} running and ${limits.queue} queued`,
      Code.ResourceExhausted,
    );
  }
  if (error instanceof BrokenCircuitError) {
    return new ConnectError("database unavailable (circuit open), retry later", Code.Unavailable);
  }
  return error;
}
