/**
 * One cleartext TCP listener that speaks HTTP/1.1 and HTTP/2 (h2c with prior
 * knowledge). Node's http2.createServer ignores `allowHTTP1` without TLS, so
 * each connection is sniffed for the HTTP/2 client preface and handed to an
 * HTTP/2 or an HTTP/1.1 server that share one request handler.
 */
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { connectNodeAdapter } from "@connectrpc/connect-node";

/** RFC 9113 §3.4: every HTTP/2 connection starts with these 24 octets. */
const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** The connect-node adapter's handler shape, which serves both HTTP versions. */
export type RequestHandler = ReturnType<typeof connectNodeAdapter>;

export interface DualProtocolServer {
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting connections and asks open ones to finish (GOAWAY / close when idle). */
  stopAccepting(): void;
  /** Destroys every connection still open. */
  destroyConnections(): void;
  /** Resolves when every connection has closed. */
  closed(): Promise<void>;
}

export function createDualProtocolServer(handler: RequestHandler): DualProtocolServer {
  // Requests in progress per HTTP/1.1 connection. http.Server tracks idle
  // connections only for sockets it accepted itself, so SUM keeps its own count.
  const http1Busy = new Map<net.Socket, number>();
  const http1 = http.createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
    const socket = request.socket;
    http1Busy.set(socket, (http1Busy.get(socket) ?? 0) + 1);
    if (!accepting) response.shouldKeepAlive = false;
    response.once("close", () => {
      const busy = (http1Busy.get(socket) ?? 1) - 1;
      http1Busy.set(socket, busy);
      if (busy === 0 && !accepting) socket.end();
    });
    handler(request, response);
  });
  const http2Server = http2.createServer({}, handler);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  let accepting = true;

  http2Server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    if (!accepting) session.close();
  });
  // A client that sends garbage on an h2 connection must not take the process down.
  http2Server.on("sessionError", () => {});
  http1.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });

  // As http.Server does for the sockets it accepts itself: without TCP_NODELAY,
  // Nagle's algorithm holds back small HTTP/1.1 responses until the client's
  // delayed ACK, tens of milliseconds per exchange on a keep-alive connection.
  const listener = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    routeBySniffing(socket, (isHttp2) => {
      if (!isHttp2) {
        http1Busy.set(socket, 0);
        socket.once("close", () => http1Busy.delete(socket));
      }
      (isHttp2 ? http2Server : http1).emit("connection", socket);
    });
  });

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        listener.once("error", reject);
        listener.listen(port, host, () => {
          listener.off("error", reject);
          resolve((listener.address() as net.AddressInfo).port);
        });
      });
    },
    stopAccepting() {
      accepting = false;
      listener.close();
      for (const session of sessions) session.close();
      // Idle keep-alive connections close now; busy ones once their request completes.
      for (const [socket, busy] of http1Busy) if (busy === 0) socket.end();
    },
    destroyConnections() {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
    closed() {
      if (sockets.size === 0 && !listener.listening) return Promise.resolve();
      return new Promise((resolve) => {
        const check = () => {
          if (sockets.size === 0) resolve();
          else setTimeout(check, 10);
        };
        check();
      });
    },
  };
}

/** Reads just enough of the connection to tell HTTP/2 from HTTP/1.1, then puts the bytes back. */
function routeBySniffing(socket: net.Socket, route: (isHttp2: boolean) => void): void {
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    const compared = Math.min(seen.length, HTTP2_PREFACE.length);
    const matches = seen.subarray(0, compared).equals(HTTP2_PREFACE.subarray(0, compared));
    if (matches && seen.length < HTTP2_PREFACE.length) return;
    socket.off("data", onData);
    socket.pause();
    socket.unshift(seen);
    route(matches);
    // The HTTP/2 session reads the unshifted bytes itself; the HTTP/1.1 parser needs the stream flowing.
    if (!matches) socket.resume();
  };
  socket.on("data", onData);
}
