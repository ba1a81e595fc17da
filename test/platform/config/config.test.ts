import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEVELOPMENT_SECRET_KEY, parseConfig, variables } from "../../../src/platform/config/config.js";

describe("parseConfig", () => {
  it("has documented defaults for development", () => {
    const { config } = parseConfig({});
    expect(config).toMatchObject({
      environment: "development",
      host: "0.0.0.0",
      port: 3000,
      grpcPort: 50051,
      databasePath: "./data/sum.db",
      databaseCacheMb: 256,
      secretKey: DEVELOPMENT_SECRET_KEY,
      secretKeyIsDefault: true,
      maxRequestBytes: 16 * 1024 * 1024,
      logLevel: "info",
      shutdownTimeoutMs: 10_000,
      eventRetentionDays: 30,
    });
  });

  const valid: [Record<string, string>, Record<string, unknown>][] = [
    [{ PORT: "0", GRPC_PORT: "0" }, { port: 0, grpcPort: 0 }],
    [{ ENVIRONMENT: "PRODUCTION", SECRET_KEY: "s".repeat(32) }, { environment: "production", secretKeyIsDefault: false }],
    [{ DATABASE_URL: "file:./x/y.db" }, { databasePath: "./x/y.db" }],
    [{ DATABASE_URL: "file:///var/lib/sum/sum.db" }, { databasePath: "/var/lib/sum/sum.db" }],
    [{ DATABASE_URL: ":memory:" }, { databasePath: ":memory:" }],
    [{ FF_DATABASE: "./legacy/flags.db" }, { databasePath: "./legacy/flags.db", deprecations: [expect.stringMatching(/^FF_DATABASE is deprecated; set DATABASE_URL/)] }],
    [{ FF_DATABASE: "./legacy/flags.db", DATABASE_URL: "./new.db" }, { databasePath: "./new.db", deprecations: [] }],
    [{ LOG_LEVEL: "debug", MAX_REQUEST_BYTES: "2048" }, { logLevel: "debug", maxRequestBytes: 2048 }],
    [{ DATABASE_CACHE_MB: "1024", WEBHOOKS_QUEUE_LIMIT: "500", KNOWLEDGE_SEARCH_RANK_LIMIT: "5000" }, { databaseCacheMb: 1024, webhooks: { queueLimit: 500 }, knowledge: { searchRankLimit: 5000 } }],
  ];
  for (const [env, expected] of valid) {
    it(`accepts ${JSON.stringify(env)}`, () => {
      const result = parseConfig(env);
      expect(result.errors).toBeUndefined();
      expect(result.config).toMatchObject(expected);
    });
  }

  const invalid: [Record<string, string>, string][] = [
    [{ ENVIRONMENT: "staging" }, 'ENVIRONMENT: must be one of development, production, got "staging"'],
    [{ PORT: "http" }, 'PORT: must be an integer between 0 and 65535, got "http"'],
    [{ GRPC_PORT: "70000" }, 'GRPC_PORT: must be an integer between 0 and 65535, got "70000"'],
    [{ PORT: "4000", GRPC_PORT: "4000" }, "GRPC_PORT: must differ from PORT, both are 4000"],
    [{ ENVIRONMENT: "production" }, "SECRET_KEY: required when ENVIRONMENT=production"],
    [{ SECRET_KEY: "short" }, "SECRET_KEY: must be at least 32 characters, got 5"],
    [{ MAX_REQUEST_BYTES: "-1" }, 'MAX_REQUEST_BYTES: must be an integer between 1024 and 1073741824, got "-1"'],
    [{ LOG_LEVEL: "loud" }, 'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{ DATABASE_URL: "postgres://db/sum" }, "DATABASE_URL: PostgreSQL is not supported yet; use a SQLite file path"],
    [{ DATABASE_URL: "mysql://db/sum" }, 'DATABASE_URL: must be a SQLite file path or file: URL, got "mysql://db/sum"'],
    [{ SHUTDOWN_TIMEOUT_MS: "1.5" }, 'SHUTDOWN_TIMEOUT_MS: must be an integer between 0 and 600000, got "1.5"'],
    [{ DATABASE_CACHE_MB: "1" }, 'DATABASE_CACHE_MB: must be an integer between 2 and 1048576, got "1"'],
    [{ WEBHOOKS_QUEUE_LIMIT: "10" }, 'WEBHOOKS_QUEUE_LIMIT: must be an integer between 100 and 10000000, got "10"'],
    [{ KNOWLEDGE_SEARCH_RANK_LIMIT: "many" }, 'KNOWLEDGE_SEARCH_RANK_LIMIT: must be an integer between 100 and 100000000, got "many"'],
  ];
  for (const [env, message] of invalid) {
    it(`rejects ${JSON.stringify(env)} naming the variable`, () => {
      const result = parseConfig(env);
      expect(result.config).toBeUndefined();
      expect(result.errors).toContain(message);
    });
  }

  it("reports every bad variable at once", () => {
    expect(parseConfig({ PORT: "x", LOG_LEVEL: "y" }).errors).toHaveLength(2);
  });

  it("every variable appears in the README's configuration table", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    for (const variable of variables) expect(readme, variable.name).toContain(`| \`${variable.name}\` |`);
  });
});
