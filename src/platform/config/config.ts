/**
 * SUM's configuration: every environment variable the server reads, parsed and
 * validated in one place. Pure: it takes the environment as a value so the
 * composition root is the only code that touches `process.env`.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

export type Environment = "development" | "production";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface Config {
  readonly environment: Environment;
  readonly host: string;
  readonly port: number;
  readonly grpcPort: number;
  /** SQLite file path (`:memory:` for a private in-memory database). */
  readonly databasePath: string;
  readonly databaseBusyTimeoutMs: number;
  readonly secretKey: string;
  /** True when SECRET_KEY was not set and the development default is in use. */
  readonly secretKeyIsDefault: boolean;
  readonly maxRequestBytes: number;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  readonly eventRetentionDays: number;
  readonly healthProbeIntervalMs: number;
  /** Largest text SummarizeService accepts, in UTF-8 bytes. */
  readonly summarizeMaxBytes: number;
  /** Worker threads for large summaries (0 = summarize on the main thread). */
  readonly summarizeWorkers: number;
}

/** One environment variable SUM understands; the README's table is generated from the same facts. */
export interface VariableSpec {
  readonly name: string;
  readonly defaultValue: string;
  readonly description: string;
}

export const DEVELOPMENT_SECRET_KEY = "sum-development-secret-key-do-not-use-in-production";

export const variables: readonly VariableSpec[] = [
  { name: "ENVIRONMENT", defaultValue: "development", description: "`development` or `production`; production requires SECRET_KEY and hides internal error details" },
  { name: "HOST", defaultValue: "0.0.0.0", description: "interface both listeners bind to" },
  { name: "PORT", defaultValue: "3000", description: "HTTP port: Connect, gRPC-Web, gRPC over HTTP/1.1 and h2c, health endpoints (0 = ephemeral)" },
  { name: "GRPC_PORT", defaultValue: "50051", description: "native gRPC port served by @grpc/grpc-js (0 = ephemeral)" },
  { name: "DATABASE_URL", defaultValue: "./data/sum.db", description: "SQLite file (a path or `file:` URL); its directory is created; `:memory:` for a throwaway database" },
  { name: "DATABASE_BUSY_TIMEOUT_MS", defaultValue: "2000", description: "how long a write waits for a lock held by another connection before failing with UNAVAILABLE" },
  { name: "SECRET_KEY", defaultValue: "(development only)", description: "key material for secrets SUM stores; required when ENVIRONMENT=production (at least 32 characters)" },
  { name: "MAX_REQUEST_BYTES", defaultValue: "16777216", description: "largest request message accepted on both ports; larger gets RESOURCE_EXHAUSTED" },
  { name: "LOG_LEVEL", defaultValue: "info", description: "fatal, error, warn, info, debug, trace or silent; every call is logged at info" },
  { name: "SHUTDOWN_TIMEOUT_MS", defaultValue: "10000", description: "how long in-flight calls may run after SIGTERM/SIGINT before the process exits" },
  { name: "SUMMARIZE_MAX_BYTES", defaultValue: "10485760", description: "largest text SummarizeService accepts (UTF-8 bytes, per document; SummarizeUpload streams past MAX_REQUEST_BYTES); larger gets RESOURCE_EXHAUSTED" },
  { name: "SUMMARIZE_WORKERS", defaultValue: "min(2, CPUs − 1)", description: "worker threads that summarize large documents off the main thread; 0 keeps all work on the main thread" },
  { name: "EVENT_RETENTION_DAYS", defaultValue: "30", description: "events older than this are pruned from the event log" },
  { name: "HEALTH_PROBE_INTERVAL_MS", defaultValue: "5000", description: "how often the database is probed for the health service" },
];

export type ConfigResult = { config: Config; errors?: undefined } | { config?: undefined; errors: string[] };

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Parses SUM's configuration; every invalid variable is reported, not just the first. */
export function parseConfig(env: Env): ConfigResult {
  const errors: string[] = [];
  const read = (name: string, fallback: string): string => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? fallback : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name, String(fallback));
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      errors.push(`${name}: must be an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return Number(raw);
  };
  const oneOf = <T extends string>(name: string, fallback: T, allowed: readonly T[]): T => {
    const raw = read(name, fallback).toLowerCase();
    if (!(allowed as readonly string[]).includes(raw)) {
      errors.push(`${name}: must be one of ${allowed.join(", ")}, got "${raw}"`);
      return fallback;
    }
    return raw as T;
  };

  const environment = oneOf<Environment>("ENVIRONMENT", "development", ["development", "production"]);
  const host = read("HOST", "0.0.0.0");
  const port = integer("PORT", 3000, 0, 65535);
  const grpcPort = integer("GRPC_PORT", 50051, 0, 65535);
  if (port !== 0 && port === grpcPort) {
    errors.push(`GRPC_PORT: must differ from PORT, both are ${port}`);
  }
  const databasePath = parseDatabaseUrl(read("DATABASE_URL", "./data/sum.db"), errors);
  const databaseBusyTimeoutMs = integer("DATABASE_BUSY_TIMEOUT_MS", 2000, 0, 60_000);
  const suppliedKey = env["SECRET_KEY"]?.trim() ?? "";
  if (suppliedKey === "" && environment === "production") {
    errors.push("SECRET_KEY: required when ENVIRONMENT=production");
  } else if (suppliedKey !== "" && suppliedKey.length < 32) {
    errors.push(`SECRET_KEY: must be at least 32 characters, got ${suppliedKey.length}`);
  }
  const maxRequestBytes = integer("MAX_REQUEST_BYTES", 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
  const logLevel = oneOf<LogLevel>("LOG_LEVEL", "info", LOG_LEVELS);
  const shutdownTimeoutMs = integer("SHUTDOWN_TIMEOUT_MS", 10_000, 0, 600_000);
  const eventRetentionDays = integer("EVENT_RETENTION_DAYS", 30, 1, 3650);
  const healthProbeIntervalMs = integer("HEALTH_PROBE_INTERVAL_MS", 5000, 10, 600_000);
  const summarizeMaxBytes = integer("SUMMARIZE_MAX_BYTES", 10 * 1024 * 1024, 1, 1024 * 1024 * 1024);
  const summarizeWorkers = integer("SUMMARIZE_WORKERS", Math.max(1, Math.min(2, availableParallelism() - 1)), 0, 64);

  if (errors.length > 0) return { errors };
  return {
    config: {
      environment,
      host,
      port,
      grpcPort,
      databasePath,
      databaseBusyTimeoutMs,
      secretKey: suppliedKey === "" ? DEVELOPMENT_SECRET_KEY : suppliedKey,
      secretKeyIsDefault: suppliedKey === "",
      maxRequestBytes,
      logLevel,
      shutdownTimeoutMs,
      eventRetentionDays,
      healthProbeIntervalMs,
      summarizeMaxBytes,
      summarizeWorkers,
    },
  };
}

function parseDatabaseUrl(raw: string, errors: string[]): string {
  if (raw === ":memory:") return raw;
  if (/^postgres(ql)?:/i.test(raw)) {
    errors.push("DATABASE_URL: PostgreSQL is not supported yet; use a SQLite file path");
    return raw;
  }
  if (raw.startsWith("file://")) {
    try {
      return fileURLToPath(raw);
    } catch {
      errors.push(`DATABASE_URL: not a valid file: URL, got "${raw}"`);
      return raw;
    }
  }
  if (raw.startsWith("file:")) return raw.slice("file:".length);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    errors.push(`DATABASE_URL: must be a SQLite file path or file: URL, got "${raw}"`);
  }
  return raw;
}
