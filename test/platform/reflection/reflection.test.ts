import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerReflection } from "../../../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1alpha } from "../../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { bufCurl } from "../../support/buf-curl.js";
import { startTestServer, type TestServer } from "../../support/test-server.js";

let sum: TestServer;

beforeAll(async () => {
  sum = await startTestServer();
});

afterAll(async () => {
  await sum.stop();
});

const expectedServices = [
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
  "sum.testing.v1.TestingService",
];

describe("server reflection through buf curl (no .proto files)", () => {
  const ports = () => [
    { name: "native gRPC port", url: `http://${sum.grpcAddress}` },
    { name: "HTTP port", url: sum.httpUrl },
  ];

  for (const reflectProtocol of ["grpc-v1", "grpc-v1alpha"]) {
    it(`lists services on both ports with --reflect-protocol ${reflectProtocol}`, async () => {
      for (const port of ports()) {
        const result = await bufCurl([
          "--http2-prior-knowledge",
          "--protocol",
          "grpc",
          "--reflect-protocol",
          reflectProtocol,
          "--list-services",
          port.url,
        ]);
        expect(result.stderr, port.name).toBe("");
        expect(result.stdout.trim().split("\n").sort(), port.name).toEqual(expectedServices);
      }
    });
  }

  it("describes a service's methods and calls one resolved by reflection", async () => {
    for (const port of ports()) {
      const methods = await bufCurl(["--http2-prior-knowledge", "--protocol", "grpc", "--list-methods", port.url]);
      expect(methods.stderr, port.name).toBe("");
      const testing = methods.stdout.split("\n").filter((line) => line.startsWith("sum.testing.v1."));
      expect(testing, port.name).toEqual([
        "sum.testing.v1.TestingService/Count",
        "sum.testing.v1.TestingService/Echo",
        "sum.testing.v1.TestingService/Fail",
        "sum.testing.v1.TestingService/Sleep",
      ]);
      const check = await bufCurl(["--http2-prior-knowledge", "--protocol", "grpc", "-d", '{"service":""}', `${port.url}/grpc.health.v1.Health/Check`]);
      expect(check.code, check.stderr).toBe(0);
      expect(JSON.parse(check.stdout)).toEqual({ status: "SERVING" });
      const echo = await bufCurl(["--http2-prior-knowledge", "--protocol", "grpc", "-d", '{"message":"via reflection"}', `${port.url}/sum.testing.v1.TestingService/Echo`]);
      expect(echo.code, echo.stderr).toBe(0);
      expect(JSON.parse(echo.stdout)).toEqual({ message: "via reflection" });
    }
  });
});

describe("reflection answers", () => {
  it("returns a file with its dependencies by name and by symbol", async () => {
    const client = sum.client(ServerReflection, "grpc-h2c");
    async function* requests() {
      yield { messageRequest: { case: "fileByFilename" as const, value: "grpc/health/v1/health.proto" } };
      yield { messageRequest: { case: "fileContainingSymbol" as const, value: "sum.testing.v1.TestingService.Echo" } };
      yield { messageRequest: { case: "fileContainingSymbol" as const, value: "no.such.Symbol" } };
      yield { messageRequest: { case: "fileByFilename" as const, value: "missing.proto" } };
    }
    const responses = [];
    for await (const response of client.serverReflectionInfo(requests())) responses.push(response);
    expect(responses).toHaveLength(4);

    const byName = responses[0]!.messageResponse;
    expect(byName.case).toBe("fileDescriptorResponse");
    if (byName.case !== "fileDescriptorResponse") return;
    const names = byName.value.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name);
    expect(names[0]).toBe("grpc/health/v1/health.proto");

    const bySymbol = responses[1]!.messageResponse;
    if (bySymbol.case !== "fileDescriptorResponse") throw new Error(`unexpected ${bySymbol.case}`);
    const first = fromBinary(FileDescriptorProtoSchema, bySymbol.value.fileDescriptorProto[0]!);
    expect(first.name).toBe("sum/testing/v1/testing_service.proto");
    expect(first.service.map((service) => service.name)).toEqual(["TestingService"]);

    for (const missing of responses.slice(2)) {
      expect(missing.messageResponse.case).toBe("errorResponse");
      if (missing.messageResponse.case === "errorResponse") expect(missing.messageResponse.value.errorCode).toBe(5);
    }
  });

  it("answers v1alpha requests with the same content", async () => {
    const client = sum.client(ServerReflectionV1alpha, "grpc-h2c");
    async function* requests() {
      yield { host: "h", messageRequest: { case: "listServices" as const, value: "" } };
    }
    for await (const response of client.serverReflectionInfo(requests())) {
      expect(response.validHost).toBe("h");
      expect(response.originalRequest?.messageRequest.case).toBe("listServices");
      if (response.messageResponse.case !== "listServicesResponse") throw new Error("expected a service list");
      expect(response.messageResponse.value.service.map((service) => service.name).sort()).toEqual(expectedServices);
    }
  });
});
