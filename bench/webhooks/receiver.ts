/**
 * The benchmark's webhook receiver, run as its own process so it does not
 * share a core's event loop with SUM: answers 204 at once and records, per
 * message id, how often and when (epoch ms, sub-millisecond) it arrived.
 * The parent asks for the records over IPC.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const arrivals = new Map<string, number[]>();
let total = 0;

const server = createServer((request, response) => {
  const id = request.headers["webhook-id"];
  request.on("data", () => {});
  request.on("end", () => {
    const at = performance.timeOrigin + performance.now();
    if (typeof id === "string") {
      const seen = arrivals.get(id);
      if (seen === undefined) arrivals.set(id, [at]);
      else seen.push(at);
    }
    total++;
    response.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;

server.listen(0, "127.0.0.1", () => {
  process.send!({ kind: "listening", port: (server.address() as AddressInfo).port });
});

process.on("message", (message: { kind: string }) => {
  if (message.kind === "count") process.send!({ kind: "count", unique: arrivals.size, total });
  else if (message.kind === "arrivals") process.send!({ kind: "arrivals", arrivals: [...arrivals.entries()].map(([id, times]) => [id, times[0]]) });
  else if (message.kind === "reset") {
    arrivals.clear();
    total = 0;
    process.send!({ kind: "reset" });
  } else if (message.kind === "stop") server.close(() => process.exit(0));
});
