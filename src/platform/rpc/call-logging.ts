/**
 * Outermost middleware: one structured log line per call with its method,
 * protocol, port, final status code and duration. The fields that never
 * change for a method on a protocol live in a cached pino child logger, so
 * they are serialised once rather than on every call.
 */
import { performance } from "node:perf_hooks";
import { ConnectError } from "@connectrpc/connect";
import type { Logger } from "../logging/logger.js";
import { observeOutcome } from "./outcome.js";
import { methodPath, returnsStream, type Middleware } from "./rpc-call.js";
import { statusName } from "./status-codes.js";

export function callLogging(logger: Logger): Middleware {
  return (next, method) => {
    const streaming = returnsStream(method);
    const path = methodPath(method);
    const loggers = new Map<string, Logger>();
    const loggerFor = (protocol: string, port: string) => {
      const key = `${protocol} ${port}`;
      let child = loggers.get(key);
      if (child === undefined) {
        child = logger.child({ method: path, protocol, port });
        loggers.set(key, child);
      }
      return child;
    };
    return (call) => {
      if (!logger.isLevelEnabled("info")) return next(call);
      const started = performance.now();
      return observeOutcome(streaming, () => next(call), {
        mapError: (error) => error,
        settled: (error) => {
          const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
          const callLogger = loggerFor(call.context.protocol, call.context.port);
          if (error === undefined) {
            callLogger.info({ code: "OK", durationMs }, "call");
            return;
          }
          const code = statusName(error instanceof ConnectError ? error.code : 2);
          callLogger.info({ code, durationMs, error: (error as Error).message }, "call");
        },
      });
    };
  };
}
