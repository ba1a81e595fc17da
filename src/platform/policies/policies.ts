/**
 * Middleware step 7: cockatiel policies around every handler, built once per
 * method from the policy table. Bulkhead (outermost, so queued calls wait
 * without a timer running), then the database circuit breaker, then the time
 * limit. Failures leave with the codes DESIGN.md names: time limit →
 * DEADLINE_EXCEEDED, bulkhead full → RESOURCE_EXHAUSTED, open circuit → UNAVAILABLE.
 */
import type { DescMethod, Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  timeout,
  wrap,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type IPolicy,
} from "cockatiel";
import { withSignal } from "../rpc/call-context.js";
import { abortError } from "../rpc/deadline.js";
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
    const limiter = bulkheadFor(method, policy);
    return returnsStream(method)
      ? guardStream(next, method, policy, limiter, options.databaseBreaker)
      : guardUnary(next, method, policy, limiter, options.databaseBreaker);
  };
}

function guardUnary(
  next: RpcHandler,
  method: DescMethod,
  policy: MethodPolicy,
  limiter: BulkheadPolicy | undefined,
  breaker: CircuitBreakerPolicy,
): RpcHandler {
  const path = methodPath(method);
  const layers: IPolicy[] = [];
  if (limiter) layers.push(limiter);
  if (policy.database) layers.push(breaker);
  const timeLimit = policy.timeoutMs === undefined ? undefined : timeout(policy.timeoutMs, TimeoutStrategy.Aggressive);
  if (timeLimit) layers.push(timeLimit);
  if (layers.length === 0) return next;
  const combined = wrap(...layers);

  return (call) =>
    combined
      .execute(
        ({ signal }) => next(timeLimit ? withCallSignal(call, signal) : call) as Promise<Message>,
        call.context.signal,
      )
      .catch((error: unknown) => {
        throw policyError(error, call.context.signal, path, policy);
      });
}

function guardStream(
  next: RpcHandler,
  method: DescMethod,
  policy: MethodPolicy,
  limiter: BulkheadPolicy | undefined,
  breaker: CircuitBreakerPolicy,
): RpcHandler {
  const path = methodPath(method);
  if (!limiter && !policy.database) return next;
  return (call) => guardedStream(next, call, path, policy, limiter, policy.database ? breaker : undefined);
}

async function* guardedStream(
  next: RpcHandler,
  call: RpcCall,
  path: string,
  policy: MethodPolicy,
  limiter: BulkheadPolicy | undefined,
  breaker: CircuitBreakerPolicy | undefined,
): AsyncGenerator<Message> {
  if (breaker && breaker.state === CircuitState.Open) {
    throw policyError(new BrokenCircuitError(), call.context.signal, path, policy);
  }
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
    }, call.context.signal);
    try {
      await Promise.race([started, slot]);
    } catch (error) {
      throw policyError(error, call.context.signal, path, policy);
    }
  }
  try {
    yield* next(call) as AsyncIterable<Message>;
  } finally {
    release();
  }
}

function withCallSignal(call: RpcCall, signal: AbortSignal): RpcCall {
  return { ...call, context: withSignal(call.context, signal) };
}

function policyError(error: unknown, callSignal: AbortSignal, path: string, policy: MethodPolicy): unknown {
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
  if (error instanceof TaskCancelledError) {
    if (callSignal.aborted) return abortError(callSignal);
    return new ConnectError(`${path} exceeded its time limit of ${policy.timeoutMs}ms`, Code.DeadlineExceeded);
  }
  return error;
}
