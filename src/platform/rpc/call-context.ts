/**
 * The protocol-neutral context every service implementation receives, whichever
 * port and protocol carried the call.
 */
import { Code, ConnectError } from "@connectrpc/connect";

/** The protocol a call arrived with. `grpc` on the native port is served by @grpc/grpc-js. */
export type RpcProtocol = "connect" | "grpc" | "grpc-web";

/** Which listener accepted the call. */
export type RpcPort = "http" | "grpc";

/** Read access to request headers (gRPC metadata on the native port). */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface CallContext {
  readonly protocol: RpcProtocol;
  readonly port: RpcPort;
  /** Request headers; names are lower-case. */
  readonly requestHeader: HeaderReader;
  /** Headers sent before the first response message. */
  readonly responseHeader: Headers;
  /** Trailers sent with the final status. */
  readonly responseTrailer: Headers;
  /**
   * Aborted when the caller cancels, its deadline passes, a policy timeout
   * fires, or the server shuts down a stream. Long work must watch it.
   */
  readonly signal: AbortSignal;
  /** Absolute deadline in epoch milliseconds, when the caller set one. */
  readonly deadline: number | undefined;
  /** Address of the caller, as far as the transport knows it. */
  readonly peer: string | undefined;
}

/**
 * The adapter's side of a call's cancellation, shared with the deadline step.
 * The AbortSignal handlers see is created only when a handler reads it: a
 * fast unary call that never looks at its signal allocates no AbortController.
 *
 * @private Internal to SUM's server machinery.
 */
export class CallAbort {
  private controller: AbortController | undefined;
  private reason: ConnectError | undefined;
  /** The single listener the deadline step installs; called once, on abort. */
  onAbort: ((reason: ConnectError) => void) | undefined;

  /** @param parent a transport signal this call also follows (connect-node's per-call signal). */
  constructor(private readonly parent?: AbortSignal) {}

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
      else if (this.parent !== undefined) {
        if (this.parent.aborted) this.abort(fromAbortReason(this.parent.reason));
        else this.parent.addEventListener("abort", () => this.abort(fromAbortReason(this.parent!.reason)), { once: true });
      }
    }
    return this.controller.signal;
  }

  get abortReason(): ConnectError | undefined {
    return this.reason;
  }

  /**
   * Ends the call with UNAVAILABLE when `shutdownSignal` aborts (open streams
   * at shutdown); returns the function that stops listening.
   */
  abortOnShutdown(shutdownSignal: AbortSignal): () => void {
    const onShutdown = () => this.abort(new ConnectError("server is shutting down", Code.Unavailable));
    if (shutdownSignal.aborted) {
      onShutdown();
      return () => {};
    }
    shutdownSignal.addEventListener("abort", onShutdown, { once: true });
    return () => shutdownSignal.removeEventListener("abort", onShutdown);
  }

  abort(reason: ConnectError): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller?.abort(reason);
    const listener = this.onAbort;
    this.onAbort = undefined;
    listener?.(reason);
  }
}

function fromAbortReason(reason: unknown): ConnectError {
  return reason instanceof ConnectError ? reason : new ConnectError("call cancelled", Code.Canceled);
}
