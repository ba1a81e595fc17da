import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultPolicyTable, type PolicyTable } from "../../../src/platform/policies/policy-table.js";
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
    // Two run, one waits in the queue, the fourth and fifth are refused.
    const started = sum.probe.sleepsStarted;
    // 120 ms each: the queued call ends ~240 ms after it arrived, inside the 300 ms limit that counts queue time.
    const calls = [0, 1, 2].map(() => sum.client(TestingService, "grpc-h2c").sleep({ durationMs: 120 }));
    await waitFor(() => sum.probe.sleepsStarted >= started + 2, 2_000, "two running sleeps");
    const overflowHttp = await sum.client(TestingService, "connect-json-http1").sleep({ durationMs: 1 }).catch((e: unknown) => e);
    expect(codeOf(overflowHttp)).toBe(Code.ResourceExhausted);
    expect((overflowHttp as ConnectError).rawMessage).toContain("limit is 2 running and 1 queued");
    const overflowNative = await grpc.unary(TestingService.method.sleep, { durationMs: 1 }).catch((e: unknown) => e);
    expect(codeOf(overflowNative)).toBe(Code.ResourceExhausted);
    const results = await Promise.allSettled(calls);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
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
