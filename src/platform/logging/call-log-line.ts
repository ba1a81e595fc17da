/**
 * The one log line every call writes, in exactly the JSON a pino child
 * logger would write (same level number, time, base and field order), but
 * built from a prefix serialised once per method, protocol and port and
 * written straight to the logger's destination. At tens of thousands of
 * calls a second the generic path's per-call object, serialisation and
 * string building were a measured share of the server's allocations; this
 * line allocates one string.
 */
import { pino } from "pino";
import type { Logger } from "./logger.js";

/** pino's number for "info". */
const INFO = 30;

interface Destination {
  write(line: string): unknown;
}

export class CallLogLine {
  private readonly destination: Destination;
  private readonly afterTime: string;

  constructor(logger: Logger, fields: { readonly method: string; readonly protocol: string; readonly port: string }) {
    this.destination = (logger as unknown as Record<symbol, Destination>)[pino.symbols.streamSym]!;
    // The root logger's bindings (`"service":"sum"`, with its leading comma) as pino serialised them.
    const bindings = (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? "";
    this.afterTime =
      `${bindings},"method":${JSON.stringify(fields.method)},"protocol":${JSON.stringify(fields.protocol)},` +
      `"port":${JSON.stringify(fields.port)},"code":"`;
  }

  write(code: string, durationMs: number, error?: string): void {
    const errorField = error === undefined ? "" : `,"error":${JSON.stringify(error)}`;
    this.destination.write(`{"level":${INFO},"time":${Date.now()}${this.afterTime}${code}","durationMs":${durationMs}${errorField},"msg":"call"}\n`);
  }
}
