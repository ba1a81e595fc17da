import { createClient, Code, ConnectError } from "@connectrpc/connect";
import { Http2SessionManager, createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../../gen/grpc/health/v1/health_pb.js";
import { TestingService } from "../../gen/sum/testing/v1/testing_service_pb.js";
import { GrpcJsClient } from "../../support/grpc-js-client.js";
import { startServerProcess, type ServerProcess } from "../../support/server-process.js";
import { waitFor } from "../../support/wait-for.js";

let server: ServerProcess | undefined;
const closers: (() => void)[] = [];

afterEach(() => {
  for (const close of closers.splice(0)) close();
  server?.cleanup();
  server = undefined;
});

function clients(process: ServerProcess) {
  const native = new GrpcJsClient(`127.0.0.1:${process.grpcPort}`);
  const sessions = new Http2SessionManager(`http://127.0.0.1:${process.httpPort}`);
  const http = createGrpcTransport({ baseUrl: `http://127.0.0.1:${process.httpPort}`, sessionManager: sessions });
  closers.push(() => native.close(), () => sessions.abort());
  return { native, http };
}

describe("graceful shutdown on SIGTERM", () => {
  it("finishes in-flight calls, cancels streams, refuses new calls and exits 0", async () => {
    server = await startServerProcess({ SHUTDOWN_TIMEOUT_MS: "10000" });
    const { native, http } = clients(server);

    const watchUpdates: Status[] = [];
    const watch = native.serverStream(Health.method.watch, { service: "" });
    const watchEnded = new Promise<number>((resolve) => {
      watch.on("data", (update: { status: Status }) => watchUpdates.push(update.status));
      watch.on("error", (error: { code: number }) => resolve(error.code));
      watch.on("end", () => resolve(0));
    });
    const countStream = createClient(TestingService, http).count({ count: 1000, intervalMs: 50 });
    const streamed: number[] = [];
    const streamEnded = (async () => {
      try {
        for await (const message of countStream) streamed.push(message.number);
        return Code.Unknown;
      } catch (error) {
        return ConnectError.from(error).code;
      }
    })();
    await waitFor(() => watchUpdates.length === 1 && streamed.length > 0, 5_000, "streams open");

    const inFlightNative = native.unary(TestingService.method.sleep, { durationMs: 1_000 });
    const inFlightHttp = createClient(TestingService, http).sleep({ durationMs: 1_000 });
    // Awaited below; a failure there must not also surface as an unhandled rejection.
    inFlightNative.catch(() => {});
    inFlightHttp.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill("SIGTERM");

    // Streams hear NOT_SERVING and are cancelled with UNAVAILABLE.
    expect(await watchEnded).toBe(Code.Unavailable);
    expect(watchUpdates).toEqual([Status.SERVING, Status.NOT_SERVING]);
    expect(await streamEnded).toBe(Code.Unavailable);

    // New connections are refused while in-flight calls run to completion.
    const late = new GrpcJsClient(`127.0.0.1:${server.grpcPort}`);
    closers.push(() => late.close());
    const refused = await late.unary(TestingService.method.echo, { message: "late" }, { deadlineMs: 1_000 }).catch((e: unknown) => e);
    expect([Code.Unavailable, Code.DeadlineExceeded]).toContain((refused as { code: number }).code);
    const refusedHttp = await fetch(`http://127.0.0.1:${server.httpPort}/healthz`).catch((e: unknown) => e);
    expect(refusedHttp).toBeInstanceOf(Error);

    expect((await inFlightNative).response.completed).toBe(true);
    expect((await inFlightHttp).completed).toBe(true);
    expect(await server.exited).toBe(0);
    expect(server.logs.some((line) => line["msg"] === "shutdown complete")).toBe(true);
  });

  it("a second signal exits at once", async () => {
    server = await startServerProcess({ SHUTDOWN_TIMEOUT_MS: "30000" });
    const { native } = clients(server);
    const started = Date.now();
    const stuck = native.unary(TestingService.method.sleep, { durationMs: 20_000 }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill("SIGTERM");
    await waitFor(() => server!.logs.some((line) => line["msg"] === "shutting down"), 5_000, "shutdown start");
    server.child.kill("SIGINT");
    expect(await server.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(((await stuck) as { code: number }).code).toBe(Code.Unavailable);
  });

  it("stops start-up with a message naming a bad variable", async () => {
    const failed = await startServerProcess({ PORT: "not-a-port" }).catch((e: unknown) => e);
    expect((failed as Error).message).toContain('PORT: must be an integer between 0 and 65535, got "not-a-port"');
    expect((failed as Error).message).toContain("exited with 2");
  });

  it("health Check over the HTTP port reports SERVING before shutdown", async () => {
    server = await startServerProcess();
    const { http } = clients(server);
    expect((await createClient(Health, http).check({ service: "" })).status).toBe(Status.SERVING);
  });
});
