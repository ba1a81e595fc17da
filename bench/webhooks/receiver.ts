/**
 * The benchmark's webhook receiver, run as its own process so it does not
 * share a core's event loop with SUM: answers 204 at once and records, per
 * message id, how often and when (epoch ms, sub-millisecond) it arrived.
 * The parent asks for the records over IPC.
 *
 * Two kinds (argv[2]): `bare` (the default) reads requests straight off
 * node:net (bare-http-requests.ts), the lean receiver the throughput target
 * is set against; `node-http` is a node:http server, which spends about
 * twice the CPU per request on the cores SUM shares.
 */
import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server } from "node:net";
import { BareHttpRequests } from "./bare-http-requests.js";

const arrivals = new Map<string, number[]>();
let total = 0;

function arrived(id: string | undefined): void {
  const at = performance.timeOrigin + performance.now();
  if (id !== undefined && id !== "") {
    const seen = arrivals.get(id);
    if (seen === undefined) arrivals.set(id, [at]);
    else seen.push(at);
  }
  total++;
}

const NO_CONTENT = Buffer.from("HTTP/1.1 204 No Content\r\nconnection: keep-alive\r\n\r\n");

function bareServer(): Server {
  return createNetServer((socket) => {
    socket.setNoDelay(true);
    const requests = new BareHttpRequests();
    socket.on("data", (chunk) => {
      let ids: string[];
      try {
        ids = requests.feed(chunk);
      } catch (error) {
        console.error(`bare receiver: ${(error as Error).message}`);
        socket.destroy();
        return;
      }
      for (const id of ids) arrived(id);
      // Answers to requests that came in one read go out in one write.
      if (ids.length === 1) socket.write(NO_CONTENT);
      else if (ids.length > 1) socket.write(Buffer.concat(ids.map(() => NO_CONTENT)));
    });
    socket.on("error", () => {});
  });
}

function nodeHttpServer(): Server {
  const server = createHttpServer((request, response) => {
    const id = request.headers["webhook-id"];
    request.on("data", () => {});
    request.on("end", () => {
      arrived(typeof id === "string" ? id : undefined);
      response.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

const server = process.argv[2] === "node-http" ? nodeHttpServer() : bareServer();
server.listen(0, "127.0.0.1", () => {
  process.send!({ kind: "listening", port: (server.address() as AddressInfo).port });
});

process.on("message", (message: { kind: string }) => {
  if (message.kind === "count") process.send!({ kind: "count", unique: arrivals.size, total });
  else if (message.kind === "arrivals") process.send!({ kind: "arrivals", arrivals: [...arrivals.entries()].map(([id, times]) => [id, times[0]]) });
  else if (message.kind === "cpu") process.send!({ kind: "cpu", cpu: process.cpuUsage() });
  else if (message.kind === "reset") {
    arrivals.clear();
    total = 0;
    process.send!({ kind: "reset" });
  } else if (message.kind === "stop") process.exit(0);
});
