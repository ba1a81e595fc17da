/**
 * The one middleware chain both ports run, outermost first, as DESIGN.md
 * orders it. Steps that later capabilities bring (tracing, metrics,
 * authentication, rate limiting, validation) take their numbered place here.
 */
import type { DescMethod } from "@bufbuild/protobuf";
import type { CircuitBreakerPolicy } from "cockatiel";
import type { Logger } from "../logging/logger.js";
import { policies } from "../policies/policies.js";
import type { PolicyTable } from "../policies/policy-table.js";
import { callOutcome } from "./call-outcome.js";
import { deadline } from "./deadline.js";
import type { DeadlineSweeper } from "./deadline-sweeper.js";
import type { Middleware, RpcHandler } from "./rpc-call.js";
import type { ServiceBinding } from "./service-binding.js";

export interface ChainOptions {
  readonly logger: Logger;
  readonly production: boolean;
  readonly policyTable: PolicyTable;
  readonly databaseBreaker: CircuitBreakerPolicy;
  readonly sweeper: DeadlineSweeper;
}

export function createMiddlewareChain(options: ChainOptions): readonly Middleware[] {
  return [
    // 1. error mapping, with the per-call log line
    callOutcome({ production: options.production, logger: options.logger }),
    // 2. deadline (caller deadlines and the policy table's time limits)
    deadline({ table: options.policyTable, sweeper: options.sweeper }),
    // 3. tracing, 4. metrics, 5. authentication, 6. rate limiting: later issues
    // 7. policies
    policies({ table: options.policyTable, databaseBreaker: options.databaseBreaker }),
    // 8. validation: with the first service that declares constraints
  ];
}

/** The handler a port runs for `method`: the chain around the service's implementation. */
export function chainHandler(binding: ServiceBinding, method: DescMethod, chain: readonly Middleware[]): RpcHandler {
  let handler = binding.invoke(method);
  for (let i = chain.length - 1; i >= 0; i--) handler = chain[i]!(handler, method);
  return handler;
}
