/**
 * SUM's configuration: every environment variable the server reads, parsed and
 * validated in one place. Pure: it takes the environment as a value so the
 * composition root is the only code that touches `process.env`.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { isTimeZone } from "../../knowledge/local-time.js";
import { parseDuration } from "./duration.js";

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
  /** SQLite page cache of the serving connection, in MiB. */
  readonly databaseCacheMb: number;
  readonly secretKey: string;
  /** True when SECRET_KEY was not set and the development default is in use. */
  readonly secretKeyIsDefault: boolean;
  /** Deprecated variables in use, one sentence each, for the composition root to log. */
  readonly deprecations: readonly string[];
  readonly maxRequestBytes: number;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  readonly eventRetentionDays: number;
  readonly healthProbeIntervalMs: number;
  /** Largest text SummarizeService accepts, in UTF-8 bytes. */
  readonly summarizeMaxBytes: number;
  /** Worker threads for large summaries (0 = summarize on the main thread). */
  readonly summarizeWorkers: number;
  readonly webhooks: WebhooksConfig;
  readonly knowledge: KnowledgeConfig;
}

/** KNOWLEDGE_* variables: KnowledgeService's defaults and limits. */
export interface KnowledgeConfig {
  /** IANA zone for time-of-day tags when a capture names none. */
  readonly timeZone: string;
  readonly maxContentBytes: number;
  /** pattern.detected fires when this many thoughts share a concept within the window (and at each doubling). */
  readonly patternMinThoughts: number;
  readonly patternWindowMs: number;
  /** How often the periodic insight job looks for new insights; 0 disables it. */
  readonly insightIntervalMs: number;
  /** Matches one search ranks at most, the newest; a broader query is ranked within them. */
  readonly searchRankLimit: number;
}

/** WEBHOOKS_* variables: delivery of the event log to registered endpoints. */
export interface WebhooksConfig {
  readonly maxWebhooks: number;
  /** Delay before each attempt, in milliseconds; its length is the number of attempts. */
  readonly retryScheduleMs: readonly number[];
  readonly attemptTimeoutMs: number;
  readonly concurrency: number;
  readonly endpointConcurrency: number;
  readonly breakerFailures: number;
  readonly breakerHalfOpenMs: number;
  readonly disableAfterMs: number;
  readonly secretGraceMs: number;
  readonly allowPrivateNetworks: boolean;
  readonly pollIntervalMs: number;
  /** Messages held in memory waiting for an attempt; fan-out pauses when this many wait. */
  readonly queueLimit: number;
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
  { name: "FF_DATABASE", defaultValue: "(unset)", description: "deprecated alias of DATABASE_URL from the feature-flag service's past, used only when DATABASE_URL is unset; a warning is logged at start-up" },
  { name: "DATABASE_BUSY_TIMEOUT_MS", defaultValue: "2000", description: "how long a write waits for a lock held by another connection before failing with UNAVAILABLE" },
  {
    name: "DATABASE_CACHE_MB",
    defaultValue: "256",
    description: "SQLite page cache of the serving connection in MiB (the driver's default is 16); pages beyond it are read again from the file, so size it toward the database's working set",
  },
  { name: "SECRET_KEY", defaultValue: "(development only)", description: "key material for secrets SUM stores; required when ENVIRONMENT=production (at least 32 characters)" },
  { name: "MAX_REQUEST_BYTES", defaultValue: "16777216", description: "largest request message accepted on both ports; larger gets RESOURCE_EXHAUSTED" },
  { name: "LOG_LEVEL", defaultValue: "info", description: "fatal, error, warn, info, debug, trace or silent; every call is logged at info" },
  { name: "SHUTDOWN_TIMEOUT_MS", defaultValue: "10000", description: "how long in-flight calls may run after SIGTERM/SIGINT before the process exits" },
  { name: "SUMMARIZE_MAX_BYTES", defaultValue: "10485760", description: "largest text SummarizeService accepts (UTF-8 bytes, per document; SummarizeUpload streams past MAX_REQUEST_BYTES); larger gets RESOURCE_EXHAUSTED" },
  { name: "SUMMARIZE_WORKERS", defaultValue: "min(2, CPUs − 1)", description: "worker threads that summarize texts of 64 Ki characters and more (smaller ones share one more thread with language detection); 0 keeps all summarizing on the thread serving calls" },
  { name: "EVENT_RETENTION_DAYS", defaultValue: "30", description: "events older than this are pruned from the event log" },
  { name: "HEALTH_PROBE_INTERVAL_MS", defaultValue: "5000", description: "how often the database is probed for the health service" },
  { name: "WEBHOOKS_MAX_WEBHOOKS", defaultValue: "100", description: "most webhooks that can be registered; more gets RESOURCE_EXHAUSTED" },
  { name: "WEBHOOKS_RETRY_SCHEDULE", defaultValue: "0,5s,5m,30m,2h,5h,10h,10h", description: "delay before each delivery attempt (units ms, s, m, h, d), plus up to 20% jitter; its length is the number of attempts" },
  { name: "WEBHOOKS_ATTEMPT_TIMEOUT_MS", defaultValue: "15000", description: "time limit of one delivery attempt, response headers included" },
  { name: "WEBHOOKS_CONCURRENCY", defaultValue: "256", description: "delivery attempts in flight at once, all endpoints together" },
  { name: "WEBHOOKS_ENDPOINT_CONCURRENCY", defaultValue: "32", description: "delivery attempts in flight at once to one endpoint (also its pooled connections)" },
  { name: "WEBHOOKS_BREAKER_FAILURES", defaultValue: "10", description: "consecutive failed attempts that open an endpoint's circuit breaker" },
  { name: "WEBHOOKS_BREAKER_HALF_OPEN_MS", defaultValue: "30000", description: "how long an open circuit waits before one trial attempt" },
  { name: "WEBHOOKS_DISABLE_AFTER", defaultValue: "5d", description: "an endpoint failing without a success for this long is disabled (webhook.disabled is published)" },
  { name: "WEBHOOKS_SECRET_GRACE", defaultValue: "24h", description: "after RotateSecret, how long the previous secret keeps signing beside the new one" },
  { name: "WEBHOOKS_ALLOW_PRIVATE_NETWORKS", defaultValue: "false", description: "`true` allows webhook URLs on loopback, private, link-local and metadata addresses (tests, private deployments)" },
  { name: "KNOWLEDGE_TIMEZONE", defaultValue: "UTC", description: "IANA time zone for a captured thought's time-of-day tag when the capture names none" },
  { name: "KNOWLEDGE_MAX_CONTENT_BYTES", defaultValue: "65536", description: "largest thought KnowledgeService accepts (UTF-8 bytes); larger gets INVALID_ARGUMENT" },
  { name: "KNOWLEDGE_PATTERN_MIN_THOUGHTS", defaultValue: "3", description: "`pattern.detected` fires when this many thoughts with one concept fall within KNOWLEDGE_PATTERN_WINDOW, and again at each doubling" },
  { name: "KNOWLEDGE_PATTERN_WINDOW", defaultValue: "24h", description: "the window KNOWLEDGE_PATTERN_MIN_THOUGHTS counts in (units ms, s, m, h, d)" },
  {
    name: "KNOWLEDGE_SEARCH_RANK_LIMIT",
    defaultValue: "20000",
    description: "matches one SearchThoughts ranks by BM25 at most: a query matching more thoughts is ranked within its newest this many (the response says so), so search time stays bounded",
  },
  { name: "KNOWLEDGE_INSIGHT_INTERVAL_MS", defaultValue: "600000", description: "how often the periodic insight job publishes `insight.generated` for new top concepts and peak hours or days; 0 disables it" },
  { name: "WEBHOOKS_POLL_INTERVAL_MS", defaultValue: "1000", description: "how often due retries are looked for; new events are dispatched at once" },
  {
    name: "WEBHOOKS_QUEUE_LIMIT",
    defaultValue: "20000",
    description: "messages held in memory waiting for an attempt; when this many wait, fan-out pauses and later events wait in the event log",
  },
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
  const deprecations: string[] = [];
  const legacyDatabase = read("FF_DATABASE", "");
  if (read("DATABASE_URL", "") === "" && legacyDatabase !== "") {
    deprecations.push("FF_DATABASE is deprecated; set DATABASE_URL instead (FF_DATABASE is used because DATABASE_URL is unset)");
  }
  const databasePath = parseDatabaseUrl(read("DATABASE_URL", legacyDatabase || "./data/sum.db"), errors);
  const databaseBusyTimeoutMs = integer("DATABASE_BUSY_TIMEOUT_MS", 2000, 0, 60_000);
  const databaseCacheMb = integer("DATABASE_CACHE_MB", 256, 2, 1_048_576);
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
  const duration = (name: string, fallback: string): number => {
    const raw = read(name, fallback);
    const ms = parseDuration(raw);
    if (ms === undefined) errors.push(`${name}: must be a duration such as 500ms, 5s, 30m, 2h or 5d, got "${raw}"`);
    return ms ?? parseDuration(fallback)!;
  };
  const scheduleRaw = read("WEBHOOKS_RETRY_SCHEDULE", "0,5s,5m,30m,2h,5h,10h,10h");
  const retryScheduleMs = scheduleRaw.split(",").map((part) => parseDuration(part));
  if (retryScheduleMs.some((ms) => ms === undefined) || retryScheduleMs.length > 50) {
    errors.push(`WEBHOOKS_RETRY_SCHEDULE: must be 1 to 50 comma-separated durations such as 0,5s,5m, got "${scheduleRaw}"`);
  }
  const allowPrivate = oneOf("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "false", ["true", "false"]);
  const webhooks: WebhooksConfig = {
    maxWebhooks: integer("WEBHOOKS_MAX_WEBHOOKS", 100, 1, 100_000),
    retryScheduleMs: retryScheduleMs.map((ms) => ms ?? 0),
    attemptTimeoutMs: integer("WEBHOOKS_ATTEMPT_TIMEOUT_MS", 15_000, 10, 300_000),
    concurrency: integer("WEBHOOKS_CONCURRENCY", 256, 1, 10_000),
    endpointConcurrency: integer("WEBHOOKS_ENDPOINT_CONCURRENCY", 32, 1, 1_000),
    breakerFailures: integer("WEBHOOKS_BREAKER_FAILURES", 10, 1, 10_000),
    breakerHalfOpenMs: integer("WEBHOOKS_BREAKER_HALF_OPEN_MS", 30_000, 10, 86_400_000),
    disableAfterMs: duration("WEBHOOKS_DISABLE_AFTER", "5d"),
    secretGraceMs: duration("WEBHOOKS_SECRET_GRACE", "24h"),
    allowPrivateNetworks: allowPrivate === "true",
    pollIntervalMs: integer("WEBHOOKS_POLL_INTERVAL_MS", 1000, 10, 600_000),
    queueLimit: integer("WEBHOOKS_QUEUE_LIMIT", 20_000, 100, 10_000_000),
  };

  const timeZone = read("KNOWLEDGE_TIMEZONE", "UTC");
  if (!isTimeZone(timeZone)) errors.push(`KNOWLEDGE_TIMEZONE: must be an IANA time zone such as UTC or Europe/Paris, got "${timeZone}"`);
  const knowledge: KnowledgeConfig = {
    timeZone,
    maxContentBytes: integer("KNOWLEDGE_MAX_CONTENT_BYTES", 65_536, 1, 16 * 1024 * 1024),
    patternMinThoughts: integer("KNOWLEDGE_PATTERN_MIN_THOUGHTS", 3, 2, 1_000_000),
    patternWindowMs: duration("KNOWLEDGE_PATTERN_WINDOW", "24h"),
    insightIntervalMs: integer("KNOWLEDGE_INSIGHT_INTERVAL_MS", 600_000, 0, 86_400_000),
    searchRankLimit: integer("KNOWLEDGE_SEARCH_RANK_LIMIT", 20_000, 100, 100_000_000),
  };

  if (errors.length > 0) return { errors };
  return {
    config: {
      environment,
      host,
      port,
      grpcPort,
      databasePath,
      databaseBusyTimeoutMs,
      databaseCacheMb,
      secretKey: suppliedKey === "" ? DEVELOPMENT_SECRET_KEY : suppliedKey,
      secretKeyIsDefault: suppliedKey === "",
      deprecations,
      maxRequestBytes,
      logLevel,
      shutdownTimeoutMs,
      eventRetentionDays,
      healthProbeIntervalMs,
      summarizeMaxBytes,
      summarizeWorkers,
      webhooks,
      knowledge,
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
