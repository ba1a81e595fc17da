/**
 * Middleware step 1, error mapping: every failure leaves as a ConnectError with
 * a status code and a message safe to show the caller. Unexpected errors are
 * logged once with an error id and their stack; the caller gets INTERNAL with
 * that id, plus the original message only outside production. The
 * call-outcome step applies it together with the per-call log line.
 */
import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { isDatabaseUnavailable } from "../database/database-errors.js";
import type { Logger } from "../logging/logger.js";

export interface ErrorMappingOptions {
  readonly production: boolean;
  readonly logger: Logger;
}

export function toConnectError(
  error: unknown,
  abortReason: ConnectError | undefined,
  path: string,
  options: ErrorMappingOptions,
): ConnectError {
  if (error instanceof ConnectError) return error;
  // The call was cancelled or its deadline passed; whatever the handler threw
  // on the way out is a consequence, not the cause.
  if (abortReason !== undefined) return abortReason;
  if (isDatabaseUnavailable(error)) {
    options.logger.warn({ method: path, err: error }, "database unavailable");
    return new ConnectError("database unavailable, retry later", Code.Unavailable);
  }
  const errorId = randomUUID();
  options.logger.error({ method: path, errorId, err: error }, "unexpected error");
  const detail = !options.production && error instanceof Error ? `: ${error.message}` : "";
  return new ConnectError(`internal error (error id ${errorId})${detail}`, Code.Internal);
}
