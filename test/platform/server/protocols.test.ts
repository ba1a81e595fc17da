import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestingService } from "../../gen/sum/testing/v1/testing_service_pb.js";
import { GrpcJsClient } from "../../support/grpc-js-client.js";
import { httpProtocols, startTestServer, type TestServer } from "../../support/test-server.js";

let sum: TestServer;
let grpc: GrpcJsClient;

beforeAll(async () => {
  sum = await startTestServer();
  grpc = new GrpcJsClient(sum.grpcAddress);
});

afterAll(async () => {
  grpc.close();
  await sum.stop();
});

describe("one implementation served on every protocol", () => {
  for (const protocol of httpProtocols) {
    it(`echoes over ${protocol} on the HTTP port`, async () => {
      const client = sum.client(TestingService, protocol);
      const payload = new Uint8Array([0, 1, 2, 255]);
      let tag: string | null = null;
      const response = await client.echo(
        { message: `hello ${protocol} ✓`, payload },
        { headers: { "x-echo-tag": protocol }, onHeader: (header) => (tag = header.get("x-echo-tag")) },
      );
      expect(response.message).toBe(`hello ${protocol} ✓`);
      expect(response.payload).toEqual(payload);
      expect(tag).toBe(protocol);
    });

    it(`streams over ${protocol}`, async () => {
      const client = sum.client(TestingService, protocol);
      const numbers: number[] = [];
      for await (const message of client.count({ count: 5 })) numbers.push(message.number);
      expect(numbers).toEqual([1, 2, 3, 4, 5]);
    });
  }

  it("echoes through a @grpc/grpc-js client on the native port, with metadata", async () => {
    const { response, header } = await grpc.unary(TestingService.method.echo, { message: "native" }, { metadata: { "x-echo-tag": "n1" } });
    expect(response.message).toBe("native");
    expect(header?.get("x-echo-tag")).toEqual(["n1"]);
  });

  it("streams through a @grpc/grpc-js client on the native port", async () => {
    const numbers: number[] = [];
    for await (const message of grpc.serverStream(TestingService.method.count, { count: 3 })) {
      numbers.push((message as { number: number }).number);
    }
    expect(numbers).toEqual([1, 2, 3]);
  });

  it("answers Connect JSON from plain curl-style HTTP/1.1 requests", async () => {
    const response = await fetch(`${sum.httpUrl}/sum.testing.v1.TestingService/Echo`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "plain" }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: "plain" });
  });

  it("reports failures with the same code on every protocol", async () => {
    for (const protocol of httpProtocols) {
      const error = await sum.client(TestingService, protocol).fail({}).catch((e: unknown) => e);
      expect(ConnectError.from(error).code, protocol).toBe(Code.Internal);
    }
    const native = await grpc.unary(TestingService.method.fail, {}).catch((e: unknown) => e);
    expect((native as { code: number }).code).toBe(Code.Internal);
  });

  it("logs every call with method, protocol, port, code and duration", async () => {
    await sum.client(TestingService, "grpc-h2c").echo({ message: "log me" });
    const line = sum.logs.find((entry) => entry["msg"] === "call" && entry["protocol"] === "grpc" && entry["port"] === "http");
    expect(line).toMatchObject({ method: "/sum.testing.v1.TestingService/Echo", code: "OK" });
    expect(typeof line?.["durationMs"]).toBe("number");
  });
});
