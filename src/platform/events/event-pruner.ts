/**
 * Enforces the event log's retention: events older than the configured number
 * of days are deleted at start-up and then hourly.
 */
import type { Logger } from "../logging/logger.js";
import type { EventLog } from "./event-log.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface EventPrunerOptions {
  readonly retentionDays: number;
  readonly intervalMs?: number;
  readonly now?: () => Date;
}

export function startEventPruner(log: EventLog, logger: Logger, options: EventPrunerOptions): { stop(): void } {
  const now = options.now ?? (() => new Date());
  const prune = async () => {
    try {
      const cutoff = new Date(now().getTime() - options.retentionDays * DAY_MS);
      const removed = await log.pruneBefore(cutoff);
      if (removed > 0) logger.info({ removed, cutoff: cutoff.toISOString() }, "pruned events past retention");
    } catch (error) {
      logger.warn({ err: error }, "event pruning failed; will retry");
    }
  };
  void prune();
  const timer = setInterval(() => void prune(), options.intervalMs ?? 60 * 60 * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
