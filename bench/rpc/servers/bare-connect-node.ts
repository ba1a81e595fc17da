/**
 * Peer for the RPC benchmark: a bare connect-node server answering
 * TestingService/Echo, with an h2c listener and an HTTP/1.1 listener and no
 * middleware, policies or logging.
 */
import http from "node:http";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { EchoResponseSchema, TestingService } from "../../../test/gen/sum/testing/v1/testing_service_pb.js";

const handler = connectNodeAdapter({
  routes(router) {
    router.service(TestingService, {
      echo: (request) => create(EchoResponseSchema, { message: request.message, payload: request.payload }),
    });
  },
});
const h2c = http2.createServer(handler).listen(Number(process.env["H2C_PORT"] ?? 0), "127.0.0.1");
const http1 = http.createServer(handler).listen(Number(process.env["HTTP1_PORT"] ?? 0), "127.0.0.1");
await Promise.all([new Promise((resolve) => h2c.once("listening", resolve)), new Promise((resolve) => http1.once("listening", resolve))]);
process.stdout.write(
  `${JSON.stringify({ msg: "ready", h2cPort: (h2c.address() as AddressInfo).port, http1Port: (http1.address() as AddressInfo).port })}\n`,
);
