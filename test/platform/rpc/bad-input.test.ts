import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestingService } from "../../gen/sum/testing/v1/testing_service_pb.js";
import { GrpcJsClient } from "../../support/grpc-js-client.js";
import { startTestServer, type TestServer } from "../../support/test-server.js";

const MAX_REQUEST_BYTES = 64 * 1024;
const ECHO = "/sum.testing.v1.TestingService/Echo";
/** EchoRequest with field 1 (string message) holding the bytes FF FE: not UTF-8. */
const INVALID_UTF8 = Buffer.from([0x0a, 0x02, 0xff, 0xfe]);
/** Field 1 claims 16 bytes but 2 follow. */
const TRUNCATED = Buffer.from([0x0a, 0x10, 0x61, 0x62]);

let sum: TestServer;
let native: GrpcJsClient;
/** A @grpc/grpc-js client pointed at the HTTP port: gRPC through connect-node. */
let grpcOverHttpPort: GrpcJsClient;

beforeAll(async () => {
  sum = await startTestServer({ env: { MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES) } });
  native = new GrpcJsClient(sum.grpcAddress);
  grpcOverHttpPort = new GrpcJsClient(sum.httpUrl.replace("http://", ""));
});

afterAll(async () => {
  native.close();
  grpcOverHttpPort.close();
  await sum.stop();
});

async function post(path: string, contentType: string, body: string | Buffer) {
  const response = await fetch(`${sum.httpUrl}${path}`, { method: "POST", headers: { "content-type": contentType }, body });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : (JSON.parse(text) as { code: string; message: string }) };
}

function envelope(flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = flags;
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

const codeOf = (error: unknown) => (error as { code: number }).code;

async function expectStillServing() {
  const viaHttp = await sum.client(TestingService, "connect-json-http1").echo({ message: "still here" });
  expect(viaHttp.message).toBe("still here");
  const viaNative = await native.unary(TestingService.method.echo, { message: "still here" });
  expect(viaNative.response.message).toBe("still here");
}

describe("bad input gets a clear error and the server keeps serving", () => {
  it("malformed JSON → INVALID_ARGUMENT (400)", async () => {
    const result = await post(ECHO, "application/json", '{"message": ');
    expect(result.status).toBe(400);
    expect(result.body?.code).toBe("invalid_argument");
    await expectStillServing();
  });

  it("JSON with a value of the wrong type → INVALID_ARGUMENT naming the field", async () => {
    const wrongType = await post(ECHO, "application/json", '{"message": 42}');
    expect(wrongType.status).toBe(400);
    expect(wrongType.body?.message).toContain("sum.testing.v1.EchoRequest.message");
  });

  it("JSON with unknown fields is accepted, so newer clients keep working with older servers", async () => {
    const unknown = await post(ECHO, "application/json", '{"message": "m", "addedLater": 1}');
    expect(unknown.status).toBe(200);
  });

  it("a content type the server does not speak → 415", async () => {
    const result = await post(ECHO, "text/plain", "hello");
    expect(result.status).toBe(415);
    await expectStillServing();
  });

  it("garbage protobuf bytes → INVALID_ARGUMENT on both ports", async () => {
    const binary = await post(ECHO, "application/proto", TRUNCATED);
    expect(binary.status).toBe(400);
    expect(binary.body?.code).toBe("invalid_argument");
    expect(codeOf(await native.unaryRaw(ECHO, TRUNCATED).catch((e: unknown) => e))).toBe(Code.InvalidArgument);
    expect(codeOf(await grpcOverHttpPort.unaryRaw(ECHO, TRUNCATED).catch((e: unknown) => e))).toBe(Code.InvalidArgument);
    await expectStillServing();
  });

  it("invalid UTF-8 in a string field → INVALID_ARGUMENT on both ports", async () => {
    const binary = await post(ECHO, "application/proto", INVALID_UTF8);
    expect(binary.status).toBe(400);
    expect(binary.body?.code).toBe("invalid_argument");
    const viaNative = await native.unaryRaw(ECHO, INVALID_UTF8).catch((e: unknown) => e);
    expect(codeOf(viaNative)).toBe(Code.InvalidArgument);
    expect((viaNative as Error).message).toContain("invalid request message");
    expect(codeOf(await grpcOverHttpPort.unaryRaw(ECHO, INVALID_UTF8).catch((e: unknown) => e))).toBe(Code.InvalidArgument);
    await expectStillServing();
  });

  it("garbage protobuf is INVALID_ARGUMENT over gRPC-Web and Connect streaming too", async () => {
    const grpcWeb = await fetch(`${sum.httpUrl}${ECHO}`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
      body: envelope(0, TRUNCATED),
    });
    const grpcWebStatus = grpcWeb.headers.get("grpc-status") ?? /grpc-status:\s*(\d+)/.exec(Buffer.from(await grpcWeb.arrayBuffer()).toString("latin1"))?.[1];
    expect(grpcWebStatus).toBe(String(Code.InvalidArgument));

    const connectStream = await fetch(`${sum.httpUrl}/sum.testing.v1.TestingService/Count`, {
      method: "POST",
      headers: { "content-type": "application/connect+proto" },
      body: envelope(0, TRUNCATED),
    });
    const frames = Buffer.from(await connectStream.arrayBuffer());
    expect(frames[0]).toBe(0b10); // the end-stream message
    const endStream = JSON.parse(frames.subarray(5).toString("utf8")) as { error?: { code: string } };
    expect(endStream.error?.code).toBe("invalid_argument");
    await expectStillServing();
  });

  it("a body over MAX_REQUEST_BYTES → RESOURCE_EXHAUSTED on both ports", async () => {
    const big = "x".repeat(MAX_REQUEST_BYTES + 1024);
    const json = await post(ECHO, "application/json", JSON.stringify({ message: big }));
    expect(json.body?.code).toBe("resource_exhausted");
    const h2 = await sum
      .client(TestingService, "connect-binary-h2c")
      .echo({ message: big })
      .catch((e: unknown) => e);
    expect(ConnectError.from(h2).code).toBe(Code.ResourceExhausted);
    const viaNative = await native.unary(TestingService.method.echo, { message: big }).catch((e: unknown) => e);
    expect(codeOf(viaNative)).toBe(Code.ResourceExhausted);
    await expectStillServing();
  });

  it("an unknown method → UNIMPLEMENTED (404 over Connect)", async () => {
    const connect = await post("/sum.testing.v1.TestingService/Nope", "application/json", "{}");
    expect(connect.status).toBe(404);
    const viaNative = await native.unaryRaw("/sum.testing.v1.TestingService/Nope", Buffer.alloc(0)).catch((e: unknown) => e);
    expect(codeOf(viaNative)).toBe(Code.Unimplemented);
    const viaGrpc = await grpcOverHttpPort.unaryRaw("/no.Such/Method", Buffer.alloc(0)).catch((e: unknown) => e);
    expect(codeOf(viaGrpc)).toBe(Code.Unimplemented);
    await expectStillServing();
  });
});

describe("unexpected errors", () => {
  it("leave as INTERNAL with an error id that is logged with the stack", async () => {
    const error = ConnectError.from(await sum.client(TestingService, "connect-json-http1").fail({}).catch((e: unknown) => e));
    expect(error.code).toBe(Code.Internal);
    const id = /error id ([0-9a-f-]{36})/.exec(error.rawMessage)?.[1];
    expect(id).toBeDefined();
    const logged = sum.logs.find((line) => line["errorId"] === id);
    expect(logged?.["level"]).toBe(50); // pino's numeric level for error
    expect(JSON.stringify(logged?.["err"])).toContain("testing-service");
  });

  it("never show internal details in production", async () => {
    const production = await startTestServer({ env: { ENVIRONMENT: "production", SECRET_KEY: "k".repeat(40) } });
    try {
      const viaHttp = ConnectError.from(
        await production.client(TestingService, "connect-json-http1").fail({}).catch((e: unknown) => e),
      );
      expect(viaHttp.code).toBe(Code.Internal);
      expect(viaHttp.rawMessage).toMatch(/^internal error \(error id [0-9a-f-]{36}\)$/);
      const client = new GrpcJsClient(production.grpcAddress);
      const viaNative = (await client.unary(TestingService.method.fail, {}).catch((e: unknown) => e)) as { details: string };
      client.close();
      expect(viaNative.details).toMatch(/^internal error \(error id [0-9a-f-]{36}\)$/);
      expect(viaNative.details).not.toContain("SELECT");
    } finally {
      await production.stop();
    }
  });
});
