/**
 * The outermost middleware: error mapping (step 1) and the per-call log line,
 * applied in one observation of the call's outcome because the log line needs
 * the mapped status code and every call pays for each layer of wrapping.
 * Each call is logged once with its method, protocol, port, status code and
 * duration; the fields fixed for a method on a protocol are serialised once,
 * in a CallLogLine per protocol and port.
 */
import { performance } from "node:perf_hooks";
import type { DescMethod, Message } from "@bufbuild/protobuf";
import type { ConnectError } from "@connectrpc/connect";
import { CallLogLine } from "../logging/call-log-line.js";
import { toConnectError, type ErrorMappingOptions } from "./error-mapping.js";
import { methodPath, returnsStream, type Middleware, type RpcCall, type RpcHandler } from "./rpc-call.js";
import { statusName } from "./status-codes.js";

export function callOutcome(options: ErrorMappingOptions): Middleware {
  return (next, method) => {
    const observed = new MethodOutcomes(next, method, options);
    return returnsStream(method) ? (call) => observed.stream(call) : (call) => observed.unary(call);
  };
}

class MethodOutcomes {
  private readonly path: string;
  /** Log lines by protocol, then port. */
  private readonly lines = new Map<string, Map<string, CallLogLine>>();

  constructor(
    private readonly next: RpcHandler,
    method: DescMethod,
    private readonly options: ErrorMappingOptions,
  ) {
    this.path = methodPath(method);
  }

  unary(call: RpcCall): Promise<Message> {
    const started = this.logging() ? performance.now() : 0;
    let outcome: Promise<Message>;
    try {
      outcome = this.next(call) as Promise<Message>;
    } catch (error) {
      outcome = Promise.reject(error);
    }
    return outcome.then(
      (message) => {
        if (started !== 0) this.log(call, started, undefined);
        return message;
      },
      (error: unknown) => {
        const mapped = this.map(call, error);
        if (started !== 0) this.log(call, started, mapped);
        throw mapped;
      },
    );
  }

  async *stream(call: RpcCall): AsyncGenerator<Message> {
    const started = this.logging() ? performance.now() : 0;
    let failure: ConnectError | undefined;
    try {
      yield* this.next(call) as AsyncIterable<Message>;
    } catch (error) {
      failure = this.map(call, error);
      throw failure;
    } finally {
      if (started !== 0) this.log(call, started, failure);
    }
  }

  private map(call: RpcCall, error: unknown): ConnectError {
    return toConnectError(error, call.abort.abortReason, this.path, this.options);
  }

  private logging(): boolean {
    return this.options.logger.isLevelEnabled("info");
  }

  private log(call: RpcCall, started: number, failure: ConnectError | undefined): void {
    const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    const line = this.lineFor(call.context.protocol, call.context.port);
    if (failure === undefined) line.write("OK", durationMs);
    else line.write(statusName(failure.code), durationMs, failure.rawMessage);
  }

  private lineFor(protocol: string, port: string): CallLogLine {
    let byPort = this.lines.get(protocol);
    if (byPort === undefined) this.lines.set(protocol, (byPort = new Map()));
    let line = byPort.get(port);
    if (line === undefined) {
      line = new CallLogLine(this.options.logger, { method: this.path, protocol, port });
      byPort.set(port, line);
    }
    return line;
  }
}
