/**
 * The one declarative table of resilience policies: per method (or per service)
 * time limit, bulkhead and whether the database circuit breaker guards it.
 * Keys are `/package.Service/Method` paths or `package.Service` names.
 */
import type { DescMethod } from "@bufbuild/protobuf";
import { methodPath, returnsStream } from "../rpc/rpc-call.js";

export interface BulkheadLimits {
  /** Calls that may run at once. */
  readonly concurrency: number;
  /** Calls that may wait for a slot; beyond that, RESOURCE_EXHAUSTED. */
  readonly queue: number;
}

export interface MethodPolicy {
  /**
   * Time limit for unary and client-streaming calls, counted from arrival
   * (time waiting in the bulkhead queue included); absent means only the
   * caller's deadline applies. Ignored for server-streaming and bidi methods
   * (see resolvePolicy): streams have no time limit.
   */
  readonly timeoutMs?: number;
  readonly bulkhead?: BulkheadLimits;
  /** The method needs the database, so the shared database circuit breaker guards it. */
  readonly database?: boolean;
}

export interface PolicyTable {
  /** Applies to unary and client-streaming methods without an entry of their own. */
  readonly unary: MethodPolicy;
  /** Applies to server-streaming and bidi methods without an entry; streams have no time limit. */
  readonly streaming: MethodPolicy;
  /** Overrides by method path or service name; a method entry wins over a service entry. */
  readonly overrides: Readonly<Record<string, MethodPolicy>>;
}

export const defaultPolicyTable: PolicyTable = {
  unary: { timeoutMs: 30_000, bulkhead: { concurrency: 256, queue: 1024 } },
  streaming: { bulkhead: { concurrency: 1024, queue: 0 } },
  overrides: {
    "grpc.health.v1.Health": { timeoutMs: 2_000, bulkhead: { concurrency: 64, queue: 256 } },
    "/grpc.health.v1.Health/Watch": { bulkhead: { concurrency: 256, queue: 0 } },
    "grpc.reflection.v1.ServerReflection": { bulkhead: { concurrency: 32, queue: 0 } },
    "grpc.reflection.v1alpha.ServerReflection": { bulkhead: { concurrency: 32, queue: 0 } },
    // Summaries are CPU work: more at once only lengthens every one of them.
    "sum.v1.SummarizeService": { database: true, bulkhead: { concurrency: 32, queue: 512 } },
    // An upload of SUMMARIZE_MAX_BYTES over a slow link, then minutes of work for a 10 MiB text.
    "/sum.v1.SummarizeService/SummarizeUpload": { timeoutMs: 300_000 },
    "/sum.v1.SummarizeService/SummarizeBatch": { timeoutMs: 120_000 },
    "/sum.v1.SummarizeService/SummarizeStream": { bulkhead: { concurrency: 64, queue: 0 } },
    // Registration and delivery history are database work; delivery itself runs in the dispatcher, not in calls.
    "sum.v1.WebhooksService": { database: true, timeoutMs: 10_000, bulkhead: { concurrency: 32, queue: 256 } },
    // Replay queues every event of a time range in one statement.
    "/sum.v1.WebhooksService/Replay": { timeoutMs: 60_000 },
    // Flag writes and lists read and write the database; evaluations read the in-memory snapshot only,
    // so they carry no breaker and no bulkhead: they finish in microseconds and must stay that cheap.
    "sum.v1.FlagsService": { database: true, timeoutMs: 10_000, bulkhead: { concurrency: 64, queue: 512 } },
    "/sum.v1.FlagsService/Evaluate": { database: false, timeoutMs: 2_000, bulkhead: undefined },
    "/sum.v1.FlagsService/EvaluateAll": { database: false, timeoutMs: 2_000, bulkhead: undefined },
    "/sum.v1.FlagsService/WatchFlags": { database: false, bulkhead: { concurrency: 1024, queue: 0 } },
    // Captures and searches are short database work; Densify summarizes up to 50 thoughts on the calling thread.
    "sum.v1.KnowledgeService": { database: true, timeoutMs: 10_000, bulkhead: { concurrency: 64, queue: 512 } },
    "/sum.v1.KnowledgeService/Densify": { timeoutMs: 60_000, bulkhead: { concurrency: 4, queue: 64 } },
    "/sum.v1.KnowledgeService/WatchThoughts": { bulkhead: { concurrency: 1024, queue: 0 } },
  },
};

/**
 * The policy that applies to `method`: its own entry, else its service's, else the default for its kind.
 * Server-streaming and bidi methods never get a time limit, whatever any entry says: `timeoutMs` is
 * dropped for them, so a service-wide limit meant for its unary calls cannot end its streams.
 */
export function resolvePolicy(table: PolicyTable, method: DescMethod): MethodPolicy {
  const stream = returnsStream(method);
  const base = stream ? table.streaming : table.unary;
  const byService = table.overrides[method.parent.typeName];
  const byMethod = table.overrides[methodPath(method)];
  const merged: MethodPolicy = { ...base, ...byService, ...byMethod };
  if (!stream || merged.timeoutMs === undefined) return merged;
  const { timeoutMs: _ignored, ...withoutLimit } = merged;
  return withoutLimit;
}
