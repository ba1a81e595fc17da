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
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
