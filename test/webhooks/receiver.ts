/**
 * A real HTTP receiver on a loopback port for webhook tests: records every
 * request (headers, exact body bytes, arrival time) and answers as the test
 * says, per request.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
  readonly path: string;
}

export type Responder = (request: ReceivedRequest, response: ServerResponse, index: number) => void | Promise<void>;

export interface Receiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  respond: Responder;
  /** Requests whose webhook-id is `id`. */
  byId(id: string): ReceivedRequest[];
  close(): Promise<void>;
}

export const ok: Responder = (_request, response) => {
  response.writeHead(204).end();
};

export async function startReceiver(respond: Responder = ok): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const receiver: Receiver = {
    url: "",
    requests,
    respond,
    byId: (id) => requests.filter((request) => request.headers["webhook-id"] === id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const received = { headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now(), path: request.url ?? "" };
      requests.push(received);
      void Promise.resolve(receiver.respond(received, response, requests.length - 1)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  (receiver as { url: string }).url = `http://127.0.0.1:${port}/hooks`;
  return receiver;
}
