/**
 * The shape every middleware and every adapter agrees on: one call in, one
 * outcome out. Unary and client-streaming methods produce a promise of a
 * message; server-streaming and bidi methods produce an async iterable.
 */
import type { DescMethod, DescService, Message } from "@bufbuild/protobuf";
import type { CallAbort, CallContext } from "./call-context.js";

export interface RpcCall {
  readonly service: DescService;
  readonly method: DescMethod;
  /** `/package.Service/Method`, the path both ports route on. */
  readonly path: string;
  readonly context: CallContext;
  /** The call's cancellation, for the deadline step; handlers use `context.signal`. */
  readonly abort: CallAbort;
  /** A message, or an async iterable of messages for client-streaming and bidi methods. */
  readonly request: Message | AsyncIterable<Message>;
}

export type RpcOutcome = Promise<Message> | AsyncIterable<Message>;

export type RpcHandler = (call: RpcCall) => RpcOutcome;

/**
 * Wraps the handler of one method. It is called once per method when the
 * server starts, so per-method set-up (policy lookup, names) is not paid per call.
 */
export type Middleware = (next: RpcHandler, method: DescMethod) => RpcHandler;

export function takesStream(method: DescMethod): boolean {
  return method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming";
}

export function returnsStream(method: DescMethod): boolean {
  return method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming";
}

export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}
