import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlagsService } from "../../../gen/sum/v1/flags_pb.js";
import { defaultPolicyTable, resolvePolicy, type PolicyTable } from "../../../src/platform/policies/policy-table.js";
import { Failure, TestingService } from "../../gen/sum/testing/v1/testing_service_pb.js";
import { GrpcJsClient } from "../../support/grpc-js-client.js";
import { startTestServer, type TestServer } from "../../support/test-server.js";
import { waitFor } from "../../support/wait-for.js";

const table: PolicyTable = {
  ...defaultPolicyTable,
  overrides: {
    ...defaultPolicyTable.overrides,
    "/sum.testing.v1.TestingService/Sleep": { timeoutMs: 300, bulkhead: { concurrency: 2, queue: 1 } },
    "/sum.testing.v1.TestingService/Fail": { database: true },
    "/sum.testing.v1.TestingService/Echo": { database: true },
  },
};

let sum: TestServer;
let grpc: GrpcJsClient;

beforeAll(async () => {
  sum = await startTestServer({ policyTable: table, databaseBreaker: { threshold: 3, halfOpenAfterMs: 400 } });
  grpc = new GrpcJsClient(sum.grpcAddress);
});

afterAll(async () => {
  grpc.close();
  await sum.stop();
});

const codeOf = (error: unknown) => (error instanceof ConnectError ? error.code : (error as { code: number }).code);

describe("per-method policies from the table", () => {
  it("a handler past its time limit ends with DEADLINE_EXCEEDED and is cancelled, on both ports", async () => {
    const before = sum.probe.sleepsCancelled;
    const viaHttp = await sum.client(TestingService, "connect-binary-h2c").sleep({ durationMs: 5_000 }).catch((e: unknown) => e);
    expect(codeOf(viaHttp)).toBe(Code.DeadlineExceeded);
    expect((viaHttp as ConnectError).rawMessage).toContain("time limit of 300ms");
    const viaNative = await grpc.unary(TestingService.method.sleep, { durationMs: 5_000 }).catch((e: unknown) => e);
    expect(codeOf(viaNative)).toBe(Code.DeadlineExceeded);
    await waitFor(() => sum.probe.sleepsCancelled >= before + 2, 2_000, "cancelled sleeps");
  });

  it("bulkhead overflow gets RESOURCE_EXHAUSTED naming the limit, on both ports", async () => {
    // A server of its own with sleeps long enough that the overflow calls
    // surely arrive while two run and one waits, even on a loaded machine,
    // and a time limit the queued call cannot reach.
    const roomy = await startTestServer({
      policyTable: {
        ...defaultPolicyTable,
        overrides: { ...defaultPolicyTable.overrides, "/sum.testing.v1.TestingService/Sleep": { timeoutMs: 20_000, bulkhead: { concurrency: 2, queue: 1 } } },
      },
    });
    const native = new GrpcJsClient(roomy.grpcAddress);
    try {
      const started = roomy.probe.sleepsStarted;
      const calls = [0, 1, 2].map(() => roomy.client(TestingService, "grpc-h2c").sleep({ durationMs: 1_500 }));
      await waitFor(() => roomy.probe.sleepsStarted >= started + 2, 5_000, "two running sleeps");
      const overflowHttp = await roomy.client(TestingService, "connect-json-http1").sleep({ durationMs: 1 }).catch((e: unknown) => e);
      expect(codeOf(overflowHttp)).toBe(Code.ResourceExhausted);
      expect((overflowHttp as ConnectError).rawMessage).toContain("limit is 2 running and 1 queued");
      const overflowNative = await native.unary(TestingService.method.sleep, { durationMs: 1 }).catch((e: unknown) => e);
      expect(codeOf(overflowNative)).toBe(Code.ResourceExhausted);
      const results = await Promise.allSettled(calls);
      expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    } finally {
      native.close();
      await roomy.stop();
    }
  });

  it("the caller's deadline cancels the handler's work", async () => {
    const before = sum.probe.sleepsCancelled;
    const viaHttp = await sum
      .client(TestingService, "grpc-h2c")
      .sleep({ durationMs: 250 }, { timeoutMs: 60 })
      .catch((e: unknown) => e);
    expect(codeOf(viaHttp)).toBe(Code.DeadlineExceeded);
    const viaNative = await grpc.unary(TestingService.method.sleep, { durationMs: 250 }, { deadlineMs: 60 }).catch((e: unknown) => e);
    expect(codeOf(viaNative)).toBe(Code.DeadlineExceeded);
    await waitFor(() => sum.probe.sleepsCancelled >= before + 2, 2_000, "handlers saw cancellation");
  });

  it("a database that keeps failing opens the circuit (UNAVAILABLE) and a later success closes it", async () => {
    for (let i = 0; i < 3; i++) {
      const error = await sum.client(TestingService, "connect-json-http1").fail({ failure: Failure.DATABASE }).catch((e: unknown) => e);
      expect(codeOf(error)).toBe(Code.Unavailable);
      expect((error as ConnectError).rawMessage).toBe("database unavailable, retry later");
    }
    // Open: even a call that would succeed fails fast, on both ports.
    const open = await sum.client(TestingService, "connect-json-http1").echo({ message: "x" }).catch((e: unknown) => e);
    expect(codeOf(open)).toBe(Code.Unavailable);
    expect((open as ConnectError).rawMessage).toContain("circuit open");
    const openNative = await grpc.unary(TestingService.method.echo, { message: "x" }).catch((e: unknown) => e);
    expect(codeOf(openNative)).toBe(Code.Unavailable);
    // Half-open after the pause: one trial call succeeds and closes the circuit.
    await new Promise((resolve) => setTimeout(resolve, 450));
    const trial = await sum.client(TestingService, "connect-json-http1").echo({ message: "back" });
    expect(trial.message).toBe("back");
    expect((await grpc.unary(TestingService.method.echo, { message: "ok" })).response.message).toBe("ok");
  });
});

describe("streams have no time limit", () => {
  // A service-wide limit of 150 ms: its unary calls end at 150 ms, its streams run as long as they need.
  const streamTable: PolicyTable = {
    ...defaultPolicyTable,
    overrides: { ...defaultPolicyTable.overrides, "sum.testing.v1.TestingService": { timeoutMs: 150 } },
  };
  let limited: TestServer;

  beforeAll(async () => {
    limited = await startTestServer({ policyTable: streamTable });
  });

  afterAll(async () => {
    await limited?.stop();
  });

  it("resolvePolicy drops a service-level timeout for server-streaming methods, including FlagsService.WatchFlags", () => {
    expect(resolvePolicy(streamTable, TestingService.method.sleep).timeoutMs).toBe(150);
    expect(resolvePolicy(streamTable, TestingService.method.count).timeoutMs).toBeUndefined();
    expect(resolvePolicy(defaultPolicyTable, FlagsService.method.listFlags).timeoutMs).toBe(10_000);
    expect(resolvePolicy(defaultPolicyTable, FlagsService.method.watchFlags).timeoutMs).toBeUndefined();
    expect(resolvePolicy(defaultPolicyTable, FlagsService.method.watchFlags).bulkhead).toEqual({ concurrency: 1024, queue: 0 });
  });

  it("a stream outlives its service's unary time limit, on both ports", async () => {
    const slow = await limited.client(TestingService, "connect-binary-h2c").sleep({ durationMs: 2_000 }).catch((e: unknown) => e);
    expect(codeOf(slow)).toBe(Code.DeadlineExceeded);
    expect((slow as ConnectError).rawMessage).toContain("time limit of 150ms");

    // 6 numbers 100 ms apart: 500 ms, over three times the service's limit.
    const started = performance.now();
    const numbers: number[] = [];
    for await (const message of limited.client(TestingService, "grpc-h2c").count({ count: 6, intervalMs: 100 })) numbers.push(message.number);
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6]);
    expect(performance.now() - started).toBeGreaterThan(450);

    const native: number[] = [];
    const nativeGrpc = new GrpcJsClient(limited.grpcAddress);
    try {
      for await (const message of nativeGrpc.serverStream(TestingService.method.count, { count: 4, intervalMs: 100 })) native.push(message.number);
    } finally {
      nativeGrpc.close();
    }
    expect(native).toEqual([1, 2, 3, 4]);
  });
});
