/**
 * Serves service bindings on the HTTP port through connect-node: Connect,
 * gRPC-Web and gRPC share one router, and every method runs the same
 * middleware chain as on the native gRPC port.
 */
import type { DescMethod, Message } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import type { UniversalHandler } from "@connectrpc/connect/protocol";
import { CallAbort, type CallContext, type RpcProtocol } from "../rpc/call-context.js";
import { chainHandler } from "../rpc/middleware-chain.js";
import { methodPath, returnsStream, type Middleware, type RpcHandler } from "../rpc/rpc-call.js";
import type { ServiceBinding } from "../rpc/service-binding.js";
import { reportDecodeFailuresAsInvalidArgument } from "./decode-failure-status.js";

export interface ConnectAdapterOptions {
  /** Aborted when the server shuts down: open streams end with UNAVAILABLE while unary calls finish. */
  readonly shutdownSignal: AbortSignal;
}

export function connectRoutes(
  bindings: readonly ServiceBinding[],
  chain: readonly Middleware[],
  options: ConnectAdapterOptions,
): (router: ConnectRouter) => void {
  return (router) => {
    for (const binding of bindings) {
      const implementation: Record<string, (request: never, context: HandlerContext) => unknown> = {};
      for (const method of binding.service.methods) {
        implementation[method.localName] = connectMethod(method, chainHandler(binding, method, chain), options.shutdownSignal);
      }
      router.service(binding.service, implementation as never);
    }
    // connect-node builds its routing table from router.handlers after this callback returns.
    const handlers = router.handlers as UniversalHandler[];
    for (let i = 0; i < handlers.length; i++) handlers[i] = reportDecodeFailuresAsInvalidArgument(handlers[i]!);
  };
}

function connectMethod(method: DescMethod, handler: RpcHandler, shutdownSignal: AbortSignal) {
  const path = methodPath(method);
  const service = method.parent;
  const streaming = returnsStream(method);
  return (request: Message | AsyncIterable<Message>, context: HandlerContext) => {
    const abort = new CallAbort(context.signal);
    if (streaming) {
      const stop = abort.abortOnShutdown(shutdownSignal);
      // connect-node aborts the call's signal when the call ends, however it ends.
      context.signal.addEventListener("abort", stop, { once: true });
    }
    return handler({ service, method, path, request, abort, context: new ConnectCallContext(context, abort) });
  };
}

/**
 * A class, not an object literal: a literal with a `get signal()` accessor
 * gets a fresh hidden class (map) per call, allocated in old space and
 * pointing at the call's young objects, so every completed call's graph
 * survived the next scavenge and GC time per call more than doubled.
 */
class ConnectCallContext implements CallContext {
  readonly protocol: RpcProtocol;
  readonly port = "http";
  readonly requestHeader: Headers;
  readonly responseHeader: Headers;
  readonly responseTrailer: Headers;
  readonly deadline: number | undefined;
  readonly peer = undefined;

  constructor(
    context: HandlerContext,
    private readonly abort: CallAbort,
  ) {
    this.protocol = context.protocolName as RpcProtocol;
    this.requestHeader = context.requestHeader;
    this.responseHeader = context.responseHeader;
    this.responseTrailer = context.responseTrailer;
    const timeoutMs = context.timeoutMs();
    this.deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }
}
