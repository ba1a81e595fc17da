/** The concurrency scenarios of the speed benchmark and the figures each reports (see concurrency.ts). */

export const scenarios = [
  "service, gRPC port",
  "service, gRPC port, beside a 10 MiB request",
  "in-process",
  "pool",
  "in-process beside a 10 MiB document in the pool",
  "in-process beside a 10 MiB document in-process",
] as const;
export type Scenario = (typeof scenarios)[number];

export interface LatencyResult {
  readonly scenario: Scenario;
  readonly poolSize: number;
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly callsPerSecond: number;
  /** For the scenario with a large document: its time from request to result, the small calls running meanwhile. */
  readonly largeDocumentMs?: number;
}
