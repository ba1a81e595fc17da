/**
 * Outermost middleware: one structured log line per call with its method,
 * protocol, port, final status code and duration.
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
    return (call) => {
      if (!logger.isLevelEnabled("info")) return next(call);
      const started = performance.now();
      return observeOutcome(streaming, () => next(call), {
        mapError: (error) => error,
        settled: (error) => {
          const code = error === undefined ? 0 : error instanceof ConnectError ? error.code : 2;
          const line = {
            method: path,
            protocol: call.context.protocol,
            port: call.context.port,
            code: statusName(code),
            durationMs: Math.round((performance.now() - started) * 1000) / 1000,
          };
          if (code === 0) logger.info(line, "call");
          else logger.info({ ...line, error: (error as Error).message }, "call");
        },
      });
    };
  };
}
