/**
 * connect-node reports a request that fails to decode as protobuf binary
 * (truncated bytes, invalid UTF-8 in a string field) as INTERNAL
 * ("parse binary: …"), while the same failure in JSON is INVALID_ARGUMENT and
 * the native gRPC port answers INVALID_ARGUMENT too. The request is what is
 * wrong, so SUM rewrites that one status to INVALID_ARGUMENT on the way out,
 * in each protocol's own encoding: Connect unary (HTTP status and JSON body),
 * Connect streaming (end-stream message), gRPC (trailers) and gRPC-Web
 * (trailer frame). Nothing else is touched.
 */
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";

const PARSE_FAILURE = "parse binary:";
const GRPC_INTERNAL = "13";
const GRPC_INVALID_ARGUMENT = "3";
/** Envelope flags: Connect's end-stream message and gRPC-Web's trailer frame. */
const CONNECT_END_STREAM = 0b10;
const GRPC_WEB_TRAILER = 0x80;

export function reportDecodeFailuresAsInvalidArgument(handler: UniversalHandler): UniversalHandler {
  // One `then` per call, answered synchronously for every response but a
  // Connect unary error: this runs on every call, so it adds no async layer.
  const wrapped = (request: Parameters<UniversalHandler>[0]) => handler(request).then(rewrite);
  return Object.assign(wrapped, handler) as UniversalHandler;
}

function rewrite(response: UniversalServerResponse): UniversalServerResponse | Promise<UniversalServerResponse> {
  const body = response.body;
  if (body === undefined) return response;
  const contentType = response.header?.get("content-type") ?? "";
  if (contentType.startsWith("application/grpc-web")) {
    return { ...response, body: mapEnvelopes(body, GRPC_WEB_TRAILER, rewriteGrpcWebTrailer) };
  }
  if (contentType.startsWith("application/grpc")) {
    return { ...response, body: fixTrailerAfter(body, response.trailer) };
  }
  if (contentType.startsWith("application/connect+")) {
    return { ...response, body: mapEnvelopes(body, CONNECT_END_STREAM, rewriteEndStream) };
  }
  if (response.status === 500 && contentType.startsWith("application/json")) return rewriteUnaryError(response, body);
  return response;
}

/** Connect unary: the status goes out before the body, so the (small) error body is read first. */
async function rewriteUnaryError(response: UniversalServerResponse, body: AsyncIterable<Uint8Array>): Promise<UniversalServerResponse> {
  const bytes = await readAll(body);
  const error = parseJson(bytes) as { code?: string; message?: string } | undefined;
  if (error?.code === "internal" && error.message?.startsWith(PARSE_FAILURE)) {
    const header = new Headers(response.header);
    header.delete("content-length");
    return { ...response, status: 400, header, body: once(encodeJson({ ...error, code: "invalid_argument" })) };
  }
  return { ...response, body: once(bytes) };
}

async function* fixTrailerAfter(body: AsyncIterable<Uint8Array>, trailer: Headers | undefined): AsyncGenerator<Uint8Array> {
  yield* body;
  // The trailer is final once the body has ended; the adapter writes it after that.
  if (trailer?.get("grpc-status") === GRPC_INTERNAL && isParseFailure(trailer.get("grpc-message"))) {
    trailer.set("grpc-status", GRPC_INVALID_ARGUMENT);
  }
}

function rewriteGrpcWebTrailer(payload: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(payload);
  const message = /^grpc-message:\s*(.*)$/im.exec(text)?.[1];
  if (!/^grpc-status:\s*13\s*$/im.test(text) || !isParseFailure(message ?? null)) return payload;
  return new TextEncoder().encode(text.replace(/^grpc-status:\s*13\s*$/im, `grpc-status: ${GRPC_INVALID_ARGUMENT}`));
}

function rewriteEndStream(payload: Uint8Array): Uint8Array {
  const endStream = parseJson(payload) as { error?: { code?: string; message?: string } } | undefined;
  const error = endStream?.error;
  if (error?.code !== "internal" || !error.message?.startsWith(PARSE_FAILURE)) return payload;
  return encodeJson({ ...endStream, error: { ...error, code: "invalid_argument" } });
}

/**
 * Rewrites the payload of envelopes whose flags include `flag`. connect-node
 * sends each envelope as its own chunk, but chunks are re-split here anyway
 * so a rewrite never depends on that.
 */
async function* mapEnvelopes(
  body: AsyncIterable<Uint8Array>,
  flag: number,
  map: (payload: Uint8Array) => Uint8Array,
): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array = new Uint8Array(0);
  for await (const chunk of body) {
    pending = concat(pending, chunk);
    const out: Uint8Array[] = [];
    while (pending.length >= 5) {
      const length = new DataView(pending.buffer, pending.byteOffset + 1, 4).getUint32(0);
      if (pending.length < 5 + length) break;
      const flags = pending[0]!;
      const payload = pending.subarray(5, 5 + length);
      out.push((flags & flag) === flag ? envelope(flags, map(payload)) : pending.subarray(0, 5 + length));
      pending = pending.subarray(5 + length);
    }
    if (out.length > 0) yield concat(...out) as Uint8Array<ArrayBuffer>;
  }
  if (pending.length > 0) yield pending;
}

function envelope(flags: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(5 + payload.length);
  bytes[0] = flags;
  new DataView(bytes.buffer).setUint32(1, payload.length);
  bytes.set(payload, 5);
  return bytes;
}

function isParseFailure(grpcMessage: string | null): boolean {
  if (grpcMessage === null) return false;
  try {
    return decodeURIComponent(grpcMessage).startsWith(PARSE_FAILURE);
  } catch {
    return false;
  }
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return concat(...chunks);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
