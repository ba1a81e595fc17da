/**
 * Plain-HTTP routes that services contribute beside their RPCs (OFREP for
 * flags, for instance), served on the HTTP port through connect-node's
 * fallback before the probes. A route is a method and a path pattern with
 * `{name}` segments; its handler gets the decoded parameters and the body
 * (up to MAX_REQUEST_BYTES) and returns a JSON response.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";
import type { Logger } from "../logging/logger.js";

type Fallback = NonNullable<ConnectNodeAdapterOptions["fallback"]>;
type Request = Parameters<Fallback>[0];
type Response = Parameters<Fallback>[1];

export interface HttpRouteRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpRouteResponse {
  readonly status: number;
  /** Sent as JSON; absent sends no body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HttpRoute {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** e.g. "/ofrep/v1/evaluate/flags/{key}"; a `{name}` matches one non-empty, URL-decoded segment. */
  readonly path: string;
  handle(request: HttpRouteRequest): Promise<HttpRouteResponse> | HttpRouteResponse;
}

interface CompiledRoute {
  readonly route: HttpRoute;
  readonly segments: readonly ({ literal: string } | { param: string })[];
}

export interface HttpRouteTableOptions {
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

/** A fallback that serves `routes` and hands every other request to `next`. */
export function httpRouteTable(routes: readonly HttpRoute[], options: HttpRouteTableOptions, next: (request: Request, response: Response) => void) {
  const compiled: CompiledRoute[] = routes.map((route) => ({
    route,
    segments: route.path
      .split("/")
      .slice(1)
      .map((segment) => (/^\{\w+\}$/.test(segment) ? { param: segment.slice(1, -1) } : { literal: segment })),
  }));
  return (request: Request, response: Response): void => {
    const path = (request.url ?? "/").split("?")[0]!;
    const parts = path.split("/").slice(1);
    for (const candidate of compiled) {
      const params = match(candidate, parts);
      if (params === undefined) continue;
      if (request.method !== candidate.route.method) {
        send(response, { status: 405, body: { code: "method_not_allowed", message: `use ${candidate.route.method} for ${path}` }, headers: { allow: candidate.route.method } });
        return;
      }
      void serve(candidate.route, params, request, response, options);
      return;
    }
    next(request, response);
  };
}

function match(route: CompiledRoute, parts: readonly string[]): Record<string, string> | undefined {
  if (parts.length !== route.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of route.segments.entries()) {
    const part = parts[index]!;
    if ("literal" in segment) {
      if (part !== segment.literal) return undefined;
    } else {
      if (part === "") return undefined;
      try {
        params[segment.param] = decodeURIComponent(part);
      } catch {
        return undefined;
      }
    }
  }
  return params;
}

async function serve(route: HttpRoute, params: Record<string, string>, request: Request, response: Response, options: HttpRouteTableOptions) {
  try {
    const body = await readBody(request, options.maxBodyBytes);
    if (body === undefined) {
      send(response, { status: 413, body: { code: "too_large", message: `request body over ${options.maxBodyBytes} bytes` } });
      return;
    }
    send(response, await route.handle({ params, headers: request.headers, body }));
  } catch (error) {
    options.logger.error({ err: error, path: route.path }, "plain-HTTP route failed");
    send(response, { status: 500, body: { code: "internal", message: "internal error" } });
  }
}

function readBody(request: Request, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: Response, reply: HttpRouteResponse): void {
  const body = reply.body === undefined ? "" : JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    ...(reply.body === undefined ? {} : { "content-type": "application/json" }),
    "cache-control": "no-store",
    ...reply.headers,
  });
  response.end(body);
}
