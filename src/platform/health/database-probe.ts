/**
 * Keeps the health registry's view of the database current. It opens its own
 * connection and periodically takes (and drops) the write lock: a database
 * that cannot be written to — locked by another process past the busy
 * timeout, read-only, broken — marks dependent services NOT_SERVING until a
 * later probe succeeds.
 */
import BetterSqlite3 from "better-sqlite3";
import type { Logger } from "../logging/logger.js";
import type { HealthRegistry } from "./health-registry.js";

export interface DatabaseProbeOptions {
  readonly path: string;
  readonly intervalMs: number;
  /** How long one probe waits for a lock; kept short because better-sqlite3 blocks while it waits. */
  readonly lockWaitMs: number;
}

export interface DatabaseProbe {
  /** Probes now and updates the registry; returns whether the database is writable. */
  probe(): boolean;
  stop(): void;
}

export function startDatabaseProbe(registry: HealthRegistry, logger: Logger, options: DatabaseProbeOptions): DatabaseProbe {
  let connection: BetterSqlite3.Database | undefined;

  const probe = (): boolean => {
    let healthy: boolean;
    try {
      connection ??= openProbeConnection(options);
      connection.exec("BEGIN IMMEDIATE");
      connection.exec("ROLLBACK");
      healthy = true;
    } catch (error) {
      healthy = false;
      if (registry.isDependencyAvailable("database")) logger.warn({ err: error }, "database probe failed");
    }
    if (healthy && !registry.isDependencyAvailable("database")) logger.info("database probe succeeded again");
    registry.setDependency("database", healthy);
    return healthy;
  };

  const timer = setInterval(probe, options.intervalMs);
  timer.unref();
  probe();
  return {
    probe,
    stop() {
      clearInterval(timer);
      connection?.close();
      connection = undefined;
    },
  };
}

function openProbeConnection(options: DatabaseProbeOptions): BetterSqlite3.Database {
  const connection = new BetterSqlite3(options.path, { fileMustExist: options.path !== ":memory:" });
  connection.pragma(`busy_timeout = ${options.lockWaitMs}`);
  return connection;
}
