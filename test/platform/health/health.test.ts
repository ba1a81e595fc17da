import BetterSqlite3 from "better-sqlite3";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../../gen/grpc/health/v1/health_pb.js";
import { GrpcJsClient } from "../../support/grpc-js-client.js";
import { startTestServer, type TestServer } from "../../support/test-server.js";
import { waitFor } from "../../support/wait-for.js";

let sum: TestServer;
let grpc: GrpcJsClient;

beforeAll(async () => {
  // A fast probe and a short busy timeout so a held lock shows up quickly.
  sum = await startTestServer({ env: { HEALTH_PROBE_INTERVAL_MS: "50", DATABASE_BUSY_TIMEOUT_MS: "50" } });
  grpc = new GrpcJsClient(sum.grpcAddress);
});

afterAll(async () => {
  grpc.close();
  await sum.stop();
});

const TESTING = "sum.testing.v1.TestingService";

describe("grpc.health.v1.Health", () => {
  it("Check reports overall and per-service status on both ports", async () => {
    for (const service of ["", TESTING, "grpc.health.v1.Health"]) {
      const viaHttp = await sum.client(Health, "grpc-h2c").check({ service });
      expect(viaHttp.status, service).toBe(Status.SERVING);
      const viaNative = await grpc.unary(Health.method.check, { service });
      expect(viaNative.response.status, service).toBe(Status.SERVING);
    }
  });

  it("Check on an unknown service is NOT_FOUND on both ports", async () => {
    const viaHttp = await sum.client(Health, "connect-json-http1").check({ service: "no.such.Service" }).catch((e: unknown) => e);
    expect(ConnectError.from(viaHttp).code).toBe(Code.NotFound);
    const viaNative = await grpc.unary(Health.method.check, { service: "no.such.Service" }).catch((e: unknown) => e);
    expect((viaNative as { code: number }).code).toBe(Code.NotFound);
  });

  it("List names every served service", async () => {
    const { statuses } = await sum.client(Health, "connect-binary-h2c").list({});
    expect(Object.keys(statuses).sort()).toEqual(
      ["", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", TESTING].sort(),
    );
    const native = await grpc.unary(Health.method.list, {});
    expect(native.response.statuses[TESTING]?.status).toBe(Status.SERVING);
  });

  it("Watch on an unknown service sends SERVICE_UNKNOWN and stays open", async () => {
    const controller = new AbortController();
    const stream = sum.client(Health, "grpc-h2c").watch({ service: "not.Registered" }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.status).toBe(Status.SERVICE_UNKNOWN);
    const next = iterator.next();
    const outcome = await Promise.race([next.then(() => "ended"), new Promise((resolve) => setTimeout(() => resolve("open"), 300))]);
    expect(outcome).toBe("open");
    controller.abort();
    await next.catch(() => {});
  });

  it("turns NOT_SERVING while another connection holds the database lock, and SERVING after", async () => {
    const controller = new AbortController();
    const seen: Status[] = [];
    const nativeStream = grpc.serverStream(Health.method.watch, { service: TESTING });
    const watching = (async () => {
      try {
        for await (const update of nativeStream) {
          seen.push((update as { status: Status }).status);
        }
      } catch {
        // cancelled below
      }
    })();
    const stream = sum.client(Health, "connect-binary-h2c").watch({ service: "" }, { signal: controller.signal });
    const overall: Status[] = [];
    const watchingOverall = (async () => {
      try {
        for await (const update of stream) overall.push(update.status);
      } catch {
        // cancelled below
      }
    })();
    await waitFor(() => seen.length > 0 && overall.length > 0, 5_000, "first watch updates");
    expect(seen[0]).toBe(Status.SERVING);

    const locker = new BetterSqlite3(sum.config.databasePath);
    locker.exec("BEGIN EXCLUSIVE");
    try {
      await waitFor(() => seen.includes(Status.NOT_SERVING) && overall.includes(Status.NOT_SERVING), 5_000, "NOT_SERVING");
      const check = await grpc.unary(Health.method.check, { service: TESTING });
      expect(check.response.status).toBe(Status.NOT_SERVING);
      const ready = await fetch(`${sum.httpUrl}/readyz`);
      expect(ready.status).toBe(503);
      const live = await fetch(`${sum.httpUrl}/healthz`);
      expect(live.status).toBe(200);
      // Health and reflection do not need the database.
      const own = await grpc.unary(Health.method.check, { service: "grpc.health.v1.Health" });
      expect(own.response.status).toBe(Status.SERVING);
    } finally {
      locker.exec("ROLLBACK");
      locker.close();
    }
    await waitFor(() => seen.at(-1) === Status.SERVING && overall.at(-1) === Status.SERVING, 5_000, "SERVING again");
    expect(seen).toEqual([Status.SERVING, Status.NOT_SERVING, Status.SERVING]);
    expect((await fetch(`${sum.httpUrl}/readyz`)).status).toBe(200);
    controller.abort();
    nativeStream.cancel();
    await Promise.all([watching, watchingOverall]);
  });
});

describe("HTTP probes", () => {
  it("serves /healthz and /readyz as JSON over HTTP/1.1", async () => {
    const live = await fetch(`${sum.httpUrl}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${sum.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("answers 404 for paths it does not serve", async () => {
    const response = await fetch(`${sum.httpUrl}/nope`);
    expect(response.status).toBe(404);
  });
});
