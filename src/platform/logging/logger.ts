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

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: "sum" },
      formatters: { level: (label) => ({ level: label }) },
    },
    // Buffered asynchronous writes: one write per ~8 KiB of log lines instead
    // of one per call, which matters at tens of thousands of calls a second.
    // The buffer is flushed on shutdown and when the process exits.
    options.destination ?? pino.destination({ sync: false, minLength: 8192 }),
  );
}
