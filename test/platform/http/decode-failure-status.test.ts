import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";
import { describe, expect, it } from "vitest";
import { reportDecodeFailuresAsInvalidArgument } from "../../../src/platform/http/decode-failure-status.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function handlerReturning(response: () => UniversalServerResponse): UniversalHandler {
  const handler = async () => response();
  return Object.assign(handler, {
    protocolNames: ["test"],
    requestPath: "/x.Y/Z",
    allowedMethods: ["POST"],
    supportedContentTypes: () => true,
  }) as unknown as UniversalHandler;
}

async function* chunks(...parts: Uint8Array[]) {
  yield* parts;
}

function envelope(flags: number, payload: string): Uint8Array {
  const bytes = encoder.encode(payload);
  const out = new Uint8Array(5 + bytes.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, bytes.length);
  out.set(bytes, 5);
  return out;
}

async function collect(body: AsyncIterable<Uint8Array> | undefined): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of body ?? []) parts.push(part);
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const run = (response: () => UniversalServerResponse) =>
  reportDecodeFailuresAsInvalidArgument(handlerReturning(response))({} as Parameters<UniversalHandler>[0]);

describe("reportDecodeFailuresAsInvalidArgument", () => {
  it("Connect unary: 500 internal 'parse binary' becomes 400 invalid_argument", async () => {
    const body = JSON.stringify({ code: "internal", message: "parse binary: premature EOF" });
    const response = await run(() => ({
      status: 500,
      header: new Headers({ "content-type": "application/json", "content-length": String(body.length) }),
      body: chunks(encoder.encode(body)),
    }));
    expect(response.status).toBe(400);
    expect(response.header?.get("content-length")).toBeNull();
    expect(JSON.parse(decoder.decode(await collect(response.body)))).toEqual({ code: "invalid_argument", message: "parse binary: premature EOF" });
  });

  it("Connect unary: other internal errors pass unchanged", async () => {
    const body = JSON.stringify({ code: "internal", message: "internal error (error id x)" });
    const response = await run(() => ({ status: 500, header: new Headers({ "content-type": "application/json" }), body: chunks(encoder.encode(body)) }));
    expect(response.status).toBe(500);
    expect(decoder.decode(await collect(response.body))).toBe(body);
  });

  it("gRPC: the trailer status is rewritten once the body has ended", async () => {
    const trailer = new Headers();
    const response = await run(() => ({
      status: 200,
      header: new Headers({ "content-type": "application/grpc+proto" }),
      trailer,
      body: (async function* () {
        trailer.set("grpc-status", "13");
        trailer.set("grpc-message", encodeURIComponent("parse binary: invalid UTF-8"));
        yield new Uint8Array(0);
      })(),
    }));
    await collect(response.body);
    expect(trailer.get("grpc-status")).toBe("3");
  });

  it("gRPC-Web: the trailer frame is rewritten and data frames pass through, even split across chunks", async () => {
    const data = envelope(0, "payload");
    const trailerFrame = envelope(0x80, "grpc-status: 13\r\ngrpc-message: parse%20binary%3A%20bad\r\n");
    const joined = new Uint8Array([...data, ...trailerFrame]);
    const response = await run(() => ({
      status: 200,
      header: new Headers({ "content-type": "application/grpc-web+proto" }),
      body: chunks(joined.subarray(0, 7), joined.subarray(7)),
    }));
    const bytes = await collect(response.body);
    expect(bytes.subarray(0, data.length)).toEqual(data);
    expect(decoder.decode(bytes.subarray(data.length + 5))).toContain("grpc-status: 3");
  });

  it("Connect streaming: the end-stream error code is rewritten", async () => {
    const response = await run(() => ({
      status: 200,
      header: new Headers({ "content-type": "application/connect+proto" }),
      body: chunks(envelope(0b10, JSON.stringify({ error: { code: "internal", message: "parse binary: x" } }))),
    }));
    const bytes = await collect(response.body);
    expect(JSON.parse(decoder.decode(bytes.subarray(5)))).toEqual({ error: { code: "invalid_argument", message: "parse binary: x" } });
  });
});
