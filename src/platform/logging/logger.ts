/**
 * SUM's structured JSON logger (pino). One root logger is made by the
 * composition root; modules take it (or a child) as a dependency.
 */
import { pino, type Logger as PinoLogger, type DestinationStream } from "pino";
import type { LogLevel } from "../config/config.js";

export type Logger = PinoLogger;

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  readonly destination?: DestinationStream;
}

/** Longest a buffered log line waits before it is written. */
const FLUSH_INTERVAL_MS = 500;

export function createLogger(options: LoggerOptions): Logger {
  const logger = pino(
    {
      level: options.level,
      base: { service: "sum" },
      // pino default numeric levels: a label formatter would run on every line.
    },
    // Buffered asynchronous writes: one write per ~8 KiB of log lines instead
    // of one per call, which matters at tens of thousands of calls a second.
    // The buffer is flushed every FLUSH_INTERVAL_MS, after lifecycle lines,
    // on shutdown and when the process exits.
    options.destination ?? pino.destination({ sync: false, minLength: 8192 }),
  );
  if (options.destination === undefined) {
    setInterval(() => logger.flush(), FLUSH_INTERVAL_MS).unref();
  }
  return logger;
}
