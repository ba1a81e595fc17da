/**
 * SUM's real entry point, full middleware chain and default policies, serving
 * TestingService/Echo with the same handler body as the bare peers (build the
 * response from the request, nothing else), so the comparison measures SUM's
 * machinery and not a different handler.
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { main } from "../../../src/main.js";
import { bindService } from "../../../src/platform/rpc/service-binding.js";
import { EchoResponseSchema, TestingService } from "../../../test/gen/sum/testing/v1/testing_service_pb.js";

const notBenchmarked = () => new ConnectError("not part of the benchmark", Code.Unimplemented);

const echoOnly = bindService(TestingService, {
  async echo(request) {
    return create(EchoResponseSchema, { message: request.message, payload: request.payload });
  },
  async sleep() {
    throw notBenchmarked();
  },
  // eslint-disable-next-line require-yield
  async *count() {
    throw notBenchmarked();
  },
  async fail() {
    throw notBenchmarked();
  },
});

const server = await main(process.env, { extraServices: () => [echoOnly] });
process.stderr.write(`${JSON.stringify({ msg: "ready", httpPort: server.httpPort, grpcPort: server.grpcPort })}\n`);
