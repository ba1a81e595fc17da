/**
 * Assembles one SUM server from its parts: the database and migrations, the
 * event log, the health registry and probe, the middleware chain, and both
 * listeners (HTTP via connect-node, native gRPC via @grpc/grpc-js). It owns
 * the order of start-up and of graceful shutdown.
 */
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Config } from "../config/config.js";
import { openDatabase, type Database } from "../database/database.js";
import { migrateToLatest } from "../database/migrations.js";
import { EventLog } from "../events/event-log.js";
import { startEventPruner } from "../events/event-pruner.js";
import { addGrpcServices } from "../grpc/grpc-adapter.js";
import { startDatabaseProbe } from "../health/database-probe.js";
import { HealthRegistry } from "../health/health-registry.js";
import { healthService } from "../health/health-service.js";
import { connectRoutes } from "../http/connect-adapter.js";
import { createDualProtocolServer } from "../http/dual-protocol-server.js";
import { httpRouteTable } from "../http/http-routes.js";
import { probeRoutes } from "../http/probe-routes.js";
import type { Logger } from "../logging/logger.js";
import { createDatabaseBreaker, defaultDatabaseBreakerOptions, type DatabaseBreakerOptions } from "../policies/database-breaker.js";
import { defaultPolicyTable, type PolicyTable } from "../policies/policy-table.js";
import { reflectionServices } from "../reflection/reflection-service.js";
import { DeadlineSweeper } from "../rpc/deadline-sweeper.js";
import { createMiddlewareChain } from "../rpc/middleware-chain.js";
import type { ServiceBinding } from "../rpc/service-binding.js";
import { EventCatalogue } from "../events/event-catalogue.js";

/** How long open streams get to deliver the NOT_SERVING notice before shutdown cancels them. */
const STREAM_NOTICE_MS = 200;

/** What product services are built from. */
export interface ServiceDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly events: EventLog;
  /** Every event type the served services publish; complete once the server has started. */
  readonly catalogue: EventCatalogue;
}

export interface SumServerOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Builds the product services; health and reflection are always added. */
  readonly services?: (dependencies: ServiceDependencies) => readonly ServiceBinding[];
  readonly policyTable?: PolicyTable;
  readonly databaseBreaker?: DatabaseBreakerOptions;
}

export interface SumServer {
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly health: HealthRegistry;
  readonly database: Database;
  readonly events: EventLog;
  /**
   * Graceful shutdown: health NOT_SERVING, listeners stop accepting, open
   * streams are cancelled, in-flight calls get up to SHUTDOWN_TIMEOUT_MS, then
   * the database closes. Resolves true when everything finished in time.
   */
  shutdown(): Promise<boolean>;
}

export async function startSumServer(options: SumServerOptions): Promise<SumServer> {
  const { config, logger } = options;
  const database = openDatabase({ path: config.databasePath, busyTimeoutMs: config.databaseBusyTimeoutMs, cacheMb: config.databaseCacheMb });
  const applied = await migrateToLatest(database.db);
  if (applied.length > 0) logger.info({ migrations: applied }, "database migrated");
  const events = new EventLog(database.db);

  const health = new HealthRegistry();
  const catalogue = new EventCatalogue();
  const products = options.services?.({ config, logger, database, events, catalogue }) ?? [];
  for (const binding of products) catalogue.add(binding.eventTypes);
  const healthBinding = healthService(health);
  // Reflection describes every served service, itself included.
  const served = [...products, healthBinding];
  const bindings = [...served, ...reflectionServices(served.map((binding) => binding.service))];
  for (const binding of bindings) health.register(binding.service.typeName, binding.dependsOn);

  const sweeper = new DeadlineSweeper();
  const chain = createMiddlewareChain({
    logger,
    production: config.environment === "production",
    policyTable: options.policyTable ?? defaultPolicyTable,
    databaseBreaker: createDatabaseBreaker(options.databaseBreaker ?? defaultDatabaseBreakerOptions),
    sweeper,
  });
  const shutdownController = new AbortController();

  const probe = startDatabaseProbe(health, logger, {
    path: config.databasePath,
    intervalMs: config.healthProbeIntervalMs,
    lockWaitMs: Math.min(config.databaseBusyTimeoutMs, 100),
  });
  const pruner = startEventPruner(events, logger, { retentionDays: config.eventRetentionDays });

  const http = createDualProtocolServer(
    connectNodeAdapter({
      routes: connectRoutes(bindings, chain, { shutdownSignal: shutdownController.signal }),
      readMaxBytes: config.maxRequestBytes,
      fallback: httpRouteTable(
        bindings.flatMap((binding) => binding.httpRoutes),
        { maxBodyBytes: config.maxRequestBytes, logger },
        probeRoutes(health),
      ),
    }),
  );
  const grpc = new Server({
    "grpc.max_receive_message_length": config.maxRequestBytes,
    "grpc.max_send_message_length": -1,
  });
  addGrpcServices(grpc, bindings, chain, { shutdownSignal: shutdownController.signal });

  let httpPort: number;
  let grpcPort: number;
  try {
    httpPort = await http.listen(config.port, config.host);
    grpcPort = await bindGrpc(grpc, config.host, config.grpcPort);
  } catch (error) {
    http.stopAccepting();
    grpc.forceShutdown();
    probe.stop();
    pruner.stop();
    await closeServices(bindings);
    await database.close();
    throw error;
  }
  logger.info({ httpPort, grpcPort, host: config.host, environment: config.environment }, "SUM is serving");
  logger.flush();

  let shuttingDown: Promise<boolean> | undefined;
  const shutdown = async (): Promise<boolean> => {
    logger.info({ timeoutMs: config.shutdownTimeoutMs }, "shutting down");
    logger.flush();
    health.beginShutdown();
    http.stopAccepting();
    const grpcDrained = new Promise<void>((resolve) => grpc.tryShutdown(() => resolve()));
    // Open streams (health watchers first of all) get a moment to deliver NOT_SERVING before they are cancelled.
    await new Promise((resolve) => setTimeout(resolve, STREAM_NOTICE_MS));
    shutdownController.abort();
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      Promise.all([grpcDrained, http.closed()]).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), config.shutdownTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      logger.warn("calls still running at the shutdown deadline; closing them");
      grpc.forceShutdown();
      http.destroyConnections();
    }
    probe.stop();
    pruner.stop();
    sweeper.stop();
    await closeServices(bindings);
    await database.close();
    logger.info("shutdown complete");
    return inTime;
  };

  return {
    httpPort,
    grpcPort,
    health,
    database,
    events,
    shutdown: () => (shuttingDown ??= shutdown()),
  };
}

async function closeServices(bindings: readonly ServiceBinding[]): Promise<void> {
  await Promise.all(bindings.map((binding) => binding.close?.()));
}

function bindGrpc(server: Server, host: string, port: number): Promise<number> {
  const address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, boundPort) => {
      if (error) reject(new Error(`GRPC_PORT: cannot listen on ${address}: ${error.message}`, { cause: error }));
      else resolve(boundPort);
    });
  });
}
