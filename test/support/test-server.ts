/**
 * Starts a real SUM server in-process on ephemeral loopback ports, with the
 * testing service, a private SQLite file and a silent (or captured) logger,
 * and hands out real clients for every protocol. `stop()` closes everything
 * it opened.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { DescService } from "@bufbuild/protobuf";
import { createClient, type Client, type Transport } from "@connectrpc/connect";
import { Http2SessionManager, createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { parseConfig, type Config } from "../../src/platform/config/config.js";
import { createLogger, type Logger } from "../../src/platform/logging/logger.js";
import type { DatabaseBreakerOptions } from "../../src/platform/policies/database-breaker.js";
import type { PolicyTable } from "../../src/platform/policies/policy-table.js";
import type { ServiceBinding } from "../../src/platform/rpc/service-binding.js";
import { startSumServer, type ServiceDependencies, type SumServer } from "../../src/platform/server/sum-server.js";
import { testingService, type TestingProbe } from "./testing-service.js";

export type HttpProtocol = "connect-json-http1" | "connect-binary-h2c" | "grpc-web-http1" | "grpc-h2c";

export const httpProtocols: readonly HttpProtocol[] = ["connect-json-http1", "connect-binary-h2c", "grpc-web-http1", "grpc-h2c"];

export interface TestServer {
  readonly server: SumServer;
  readonly config: Config;
  readonly probe: TestingProbe;
  readonly httpUrl: string;
  readonly grpcAddress: string;
  /** Log lines written so far, parsed. */
  readonly logs: Record<string, unknown>[];
  transport(protocol: HttpProtocol): Transport;
  client<S extends DescService>(service: S, protocol: HttpProtocol): Client<S>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  readonly env?: Record<string, string>;
  readonly policyTable?: PolicyTable;
  readonly databaseBreaker?: DatabaseBreakerOptions;
  readonly services?: (dependencies: ServiceDependencies) => readonly ServiceBinding[];
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const directory = mkdtempSync(join(tmpdir(), "sum-test-"));
  const parsed = parseConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    GRPC_PORT: "0",
    DATABASE_URL: join(directory, "sum.db"),
    LOG_LEVEL: "info",
    SHUTDOWN_TIMEOUT_MS: "2000",
    ...options.env,
  });
  if (parsed.errors) throw new Error(parsed.errors.join("; "));
  const config = parsed.config;
  const logs: Record<string, unknown>[] = [];
  const logger: Logger = createLogger({
    level: config.logLevel,
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") logs.push(JSON.parse(line));
        done();
      },
    }),
  });
  const probe: TestingProbe = { sleepsStarted: 0, sleepsCompleted: 0, sleepsCancelled: 0 };
  const server = await startSumServer({
    config,
    logger,
    policyTable: options.policyTable,
    databaseBreaker: options.databaseBreaker,
    services: (dependencies) => [testingService(probe), ...(options.services?.(dependencies) ?? [])],
  });
  const httpUrl = `http://127.0.0.1:${server.httpPort}`;
  const sessions: Http2SessionManager[] = [];
  const transports = new Map<HttpProtocol, Transport>();

  const transport = (protocol: HttpProtocol): Transport => {
    let existing = transports.get(protocol);
    if (existing) return existing;
    const h2 = () => {
      const manager = new Http2SessionManager(httpUrl);
      sessions.push(manager);
      return { httpVersion: "2" as const, baseUrl: httpUrl, sessionManager: manager };
    };
    switch (protocol) {
      case "connect-json-http1":
        existing = createConnectTransport({ httpVersion: "1.1", baseUrl: httpUrl, useBinaryFormat: false });
        break;
      case "connect-binary-h2c":
        existing = createConnectTransport({ ...h2(), useBinaryFormat: true });
        break;
      case "grpc-web-http1":
        existing = createGrpcWebTransport({ httpVersion: "1.1", baseUrl: httpUrl, useBinaryFormat: true });
        break;
      case "grpc-h2c":
        existing = createGrpcTransport({ ...h2() });
        break;
    }
    transports.set(protocol, existing);
    return existing;
  };

  let stopped = false;
  return {
    server,
    config,
    probe,
    httpUrl,
    grpcAddress: `127.0.0.1:${server.grpcPort}`,
    logs,
    transport,
    client: (service, protocol) => createClient(service, transport(protocol)),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const manager of sessions) manager.abort();
      await server.shutdown();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
