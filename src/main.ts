/**
 * SUM's composition root: reads the environment once, builds the server with
 * its product services, and turns SIGTERM/SIGINT into a graceful shutdown
 * (a second signal exits at once).
 */
import { pathToFileURL } from "node:url";
import { parseConfig, type Config } from "./platform/config/config.js";
import { createLogger, type Logger } from "./platform/logging/logger.js";
import type { ServiceBinding } from "./platform/rpc/service-binding.js";
import { FlagStore } from "./flags/flag-store.js";
import { knowledgeService } from "./knowledge/knowledge-service.js";
import { flagsService } from "./flags/flags-service.js";
import { algorithmFromFlag } from "./summarize/service/algorithm-flag.js";
import { summarizeService } from "./summarize/service/summarize-service.js";
import { createSummaryRunner } from "./summarize/service/summary-runner.js";
import { startSumServer, type ServiceDependencies, type SumServer } from "./platform/server/sum-server.js";
import { webhooksService } from "./webhooks/webhooks-service.js";
import { notificationsFromFlag } from "./webhooks/notifications-flag.js";

/** SUM's product services; each capability adds its binding here. */
export function productServices({ config, events, database, catalogue, logger }: ServiceDependencies): ServiceBinding[] {
  const flags = new FlagStore({ database, events, logger });
  return [
    summarizeService({
      limits: { maxBytes: config.summarizeMaxBytes },
      runner: createSummaryRunner(config.summarizeWorkers),
      events,
      algorithmOverride: algorithmFromFlag(flags),
    }),
    flagsService(flags),
    webhooksService({
      db: database.db,
      events,
      catalogue,
      config: config.webhooks,
      secretKey: config.secretKey,
      production: config.environment === "production",
      logger,
      gate: notificationsFromFlag(flags),
    }),
    knowledgeService({
      db: database.db,
      events,
      limits: {
        timeZone: config.knowledge.timeZone,
        maxContentBytes: config.knowledge.maxContentBytes,
        pattern: { minThoughts: config.knowledge.patternMinThoughts, windowMs: config.knowledge.patternWindowMs },
      },
      insightIntervalMs: config.knowledge.insightIntervalMs,
      searchRankLimit: config.knowledge.searchRankLimit,
      logger,
    }),
  ];
}

export interface MainOptions {
  /** Extra services served beside the product ones (tests use this). */
  readonly extraServices?: (dependencies: ServiceDependencies) => readonly ServiceBinding[];
}

export async function main(env: NodeJS.ProcessEnv, options: MainOptions = {}): Promise<SumServer> {
  const parsed = parseConfig(env);
  if (parsed.errors) {
    process.stderr.write(`SUM cannot start; fix these environment variables:\n  ${parsed.errors.join("\n  ")}\n`);
    process.exit(2);
  }
  const config: Config = parsed.config;
  const logger = createLogger({ level: config.logLevel });
  if (config.secretKeyIsDefault) logger.warn("SECRET_KEY is not set; using the development default key");
  for (const deprecation of config.deprecations) logger.warn(deprecation);

  let server: SumServer;
  try {
    server = await startSumServer({
      config,
      logger,
      services: (dependencies) => [...productServices(dependencies), ...(options.extraServices?.(dependencies) ?? [])],
    });
  } catch (error) {
    logger.fatal({ err: error }, "SUM failed to start");
    logger.flush();
    process.exitCode = 1;
    throw error;
  }
  exitOnSignals(server, logger);
  return server;
}

function exitOnSignals(server: SumServer, logger: Logger): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, "second signal; exiting now");
      logger.flush();
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, "signal received");
    server.shutdown().then(
      () => {
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.env).catch(() => {
    process.exitCode = 1;
  });
}
