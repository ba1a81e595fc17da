/**
 * Serves service bindings on the native gRPC port through @grpc/grpc-js,
 * running the same middleware chain as the HTTP port. Errors leave as gRPC
 * statuses (Connect's codes are the gRPC numbers), undecodable requests as
 * INVALID_ARGUMENT, and streams are cancelled when the server shuts down.
 */
import { once } from "node:events";
import type { Readable } from "node:stream";
import type { DescMethod, Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  Metadata,
  type Server,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type StatusObject,
  type status as Status,
  type sendUnaryData,
} from "@grpc/grpc-js";
import { chainHandler } from "../rpc/middleware-chain.js";
import { methodPath, type Middleware, type RpcCall, type RpcHandler } from "../rpc/rpc-call.js";
import type { ServiceBinding } from "../rpc/service-binding.js";
import { GrpcCallContext } from "./grpc-call-context.js";
import { UndecodableRequest, serviceDefinition } from "./grpc-codec.js";

type Request = Message | UndecodableRequest;

export interface GrpcAdapterOptions {
  /** Aborted when the server shuts down: open streams end with UNAVAILABLE. */
  readonly shutdownSignal: AbortSignal;
}

export function addGrpcServices(
  server: Server,
  bindings: readonly ServiceBinding[],
  chain: readonly Middleware[],
  options: GrpcAdapterOptions,
): void {
  for (const binding of bindings) {
    const checked: ServiceBinding = { ...binding, invoke: (method) => refuseUndecodable(binding.invoke(method)) };
    const implementation: Record<string, unknown> = {};
    for (const method of binding.service.methods) {
      implementation[method.name] = grpcMethod(method, chainHandler(checked, method, chain), options);
    }
    server.addService(serviceDefinition(binding.service), implementation as never);
  }
}

function refuseUndecodable(next: RpcHandler): RpcHandler {
  return (call) => {
    if (call.request instanceof UndecodableRequest) {
      return Promise.reject(invalidMessage(call.request));
    }
    return next(call);
  };
}

function invalidMessage(failure: UndecodableRequest): ConnectError {
  return new ConnectError(`invalid request message: ${failure.reason}`, Code.InvalidArgument);
}

function grpcMethod(method: DescMethod, handler: RpcHandler, options: GrpcAdapterOptions) {
  const path = methodPath(method);
  const service = method.parent;
  const rpcCall = (request: RpcCall["request"], context: GrpcCallContext): RpcCall => ({
    service,
    method,
    path,
    request,
    context,
    abort: context.abort,
  });

  switch (method.methodKind) {
    case "unary":
      return (call: ServerUnaryCall<Request, Message>, callback: sendUnaryData<Message>) => {
        const context = new GrpcCallContext(call);
        respondUnary(handler(rpcCall(call.request as Message, context)) as Promise<Message>, context, callback);
      };
    case "client_streaming":
      return (call: ServerReadableStream<Request, Message>, callback: sendUnaryData<Message>) => {
        const context = new GrpcCallContext(call);
        respondUnary(handler(rpcCall(decodedMessages(call), context)) as Promise<Message>, context, callback);
      };
    case "server_streaming":
      return (call: ServerWritableStream<Request, Message>) => {
        const context = new GrpcCallContext(call);
        const stop = context.abort.abortOnShutdown(options.shutdownSignal);
        void respondStream(handler(rpcCall(call.request as Message, context)) as AsyncIterable<Message>, context, call).finally(stop);
      };
    case "bidi_streaming":
      return (call: ServerDuplexStream<Request, Message>) => {
        const context = new GrpcCallContext(call);
        const stop = context.abort.abortOnShutdown(options.shutdownSignal);
        void respondStream(handler(rpcCall(decodedMessages(call), context)) as AsyncIterable<Message>, context, call).finally(stop);
      };
  }
}

function respondUnary(outcome: Promise<Message>, context: GrpcCallContext, callback: sendUnaryData<Message>): void {
  outcome.then(
    (message) => {
      context.finish();
      context.flushHeader();
      callback(null, message, context.trailerMetadata());
    },
    (error: unknown) => {
      context.finish();
      context.flushHeader();
      callback(toStatus(error, context));
    },
  );
}

async function respondStream(
  outcome: AsyncIterable<Message>,
  context: GrpcCallContext,
  call: ServerWritableStream<Request, Message> | ServerDuplexStream<Request, Message>,
): Promise<void> {
  try {
    for await (const message of outcome) {
      context.flushHeader();
      if (!call.write(message)) await Promise.race([once(call, "drain"), once(context.signal, "abort")]);
      if (context.abort.abortReason !== undefined) break;
    }
    context.flushHeader();
    call.end(context.trailerMetadata());
  } catch (error) {
    context.flushHeader();
    call.emit("error", toStatus(error, context));
  } finally {
    context.finish();
  }
}

async function* decodedMessages(stream: Readable): AsyncGenerator<Message> {
  // Not `for await (… of stream)`: that destroys the stream when the loop ends,
  // and on a duplex call that also kills the response side before its status is sent.
  for await (const item of stream.iterator({ destroyOnReturn: false })) {
    if (item instanceof UndecodableRequest) throw invalidMessage(item);
    yield item as Message;
  }
}

function toStatus(error: unknown, context: GrpcCallContext): Partial<StatusObject> {
  const failure = error instanceof ConnectError ? error : new ConnectError("internal error", Code.Internal);
  const trailer = context.trailerMetadata(failure.metadata) ?? new Metadata();
  return { code: failure.code as number as Status, details: failure.rawMessage, metadata: trailer };
}
