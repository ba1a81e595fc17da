/**
 * Peer for the RPC benchmark: a bare @grpc/grpc-js server answering
 * TestingService/Echo with the same protobuf-es codec SUM uses, and nothing
 * else (no middleware, no policies, no logging).
 */
import { create } from "@bufbuild/protobuf";
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import { serviceDefinition } from "../../../src/platform/grpc/grpc-codec.js";
import { EchoResponseSchema, TestingService, type EchoRequest, type EchoResponse } from "../../../test/gen/sum/testing/v1/testing_service_pb.js";

const server = new Server();
const notUsed = () => {
  throw new Error("not part of the benchmark");
};
server.addService(serviceDefinition(TestingService), {
  echo(call: ServerUnaryCall<EchoRequest, EchoResponse>, callback: sendUnaryData<EchoResponse>) {
    callback(null, create(EchoResponseSchema, { message: call.request.message, payload: call.request.payload }));
  },
  sleep: notUsed,
  count: notUsed,
  fail: notUsed,
});
server.bindAsync(`127.0.0.1:${process.env["GRPC_PORT"] ?? "0"}`, ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`${JSON.stringify({ msg: "ready", grpcPort: port })}\n`);
});
