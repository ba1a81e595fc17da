/**
 * How a service implementation is declared once and served on both ports:
 * protobuf-es messages in and out, SUM's CallContext beside them.
 */
import type {
  DescMethod,
  DescMethodBiDiStreaming,
  DescMethodClientStreaming,
  DescMethodServerStreaming,
  DescMethodUnary,
  DescService,
  Message,
  MessageShape,
} from "@bufbuild/protobuf";
import type { EventTypeSpec } from "../events/event-catalogue.js";
import type { HttpRoute } from "../http/http-routes.js";
import type { CallContext } from "./call-context.js";
import type { RpcHandler } from "./rpc-call.js";

export type MethodImplementation<M extends DescMethod> =
  M extends DescMethodUnary<infer I, infer O>
    ? (request: MessageShape<I>, context: CallContext) => Promise<MessageShape<O>>
    : M extends DescMethodServerStreaming<infer I, infer O>
      ? (request: MessageShape<I>, context: CallContext) => AsyncIterable<MessageShape<O>>
      : M extends DescMethodClientStreaming<infer I, infer O>
        ? (requests: AsyncIterable<MessageShape<I>>, context: CallContext) => Promise<MessageShape<O>>
        : M extends DescMethodBiDiStreaming<infer I, infer O>
          ? (requests: AsyncIterable<MessageShape<I>>, context: CallContext) => AsyncIterable<MessageShape<O>>
          : never;

export type ServiceImplementation<S extends DescService> = {
  [P in keyof S["method"]]: MethodImplementation<S["method"][P]>;
};

/** Something outside the process a service needs to do its work; health follows it. */
export type Dependency = "database";

export interface ServiceBinding {
  readonly service: DescService;
  /** Calls the implementation of one method; the adapters put the middleware chain in front. */
  readonly invoke: (method: DescMethod) => RpcHandler;
  readonly dependsOn: readonly Dependency[];
  /** Releases what the service holds (threads, timers) once its calls have ended; called at shutdown. */
  readonly close?: () => Promise<void>;
  /** The event types the service publishes. */
  readonly eventTypes: readonly EventTypeSpec[];
  /** Plain-HTTP routes the service serves on the HTTP port beside its RPCs (e.g. OFREP). */
  readonly httpRoutes: readonly HttpRoute[];
}

export interface BindOptions {
  readonly dependsOn?: readonly Dependency[];
  readonly close?: () => Promise<void>;
  readonly eventTypes?: readonly EventTypeSpec[];
  readonly httpRoutes?: readonly HttpRoute[];
}

export function bindService<S extends DescService>(
  service: S,
  implementation: ServiceImplementation<S>,
  options: BindOptions = {},
): ServiceBinding {
  const methods = implementation as unknown as Record<
    string,
    (request: unknown, context: CallContext) => Promise<Message> | AsyncIterable<Message>
  >;
  return {
    service,
    dependsOn: options.dependsOn ?? [],
    eventTypes: options.eventTypes ?? [],
    httpRoutes: options.httpRoutes ?? [],
    ...(options.close === undefined ? {} : { close: options.close }),
    invoke(method) {
      const fn = methods[method.localName];
      if (fn === undefined) {
        throw new Error(`${service.typeName} has no implementation for ${method.name}`);
      }
      return (call) => fn.call(implementation, call.request, call.context);
    },
  };
}
