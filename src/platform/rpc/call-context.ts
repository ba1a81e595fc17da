/**
 * The protocol-neutral context every service implementation receives, whichever
 * port and protocol carried the call.
 */

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

/** The same call seen through another abort signal (a policy's time limit, a shutdown link). */
export function withSignal(context: CallContext, signal: AbortSignal): CallContext {
  return {
    get protocol() {
      return context.protocol;
    },
    get port() {
      return context.port;
    },
    get requestHeader() {
      return context.requestHeader;
    },
    get responseHeader() {
      return context.responseHeader;
    },
    get responseTrailer() {
      return context.responseTrailer;
    },
    get deadline() {
      return context.deadline;
    },
    get peer() {
      return context.peer;
    },
    signal,
  };
}
