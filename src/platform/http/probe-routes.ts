/**
 * Plain-HTTP probes for orchestrators that do not speak gRPC:
 * `GET /healthz` (liveness: the process serves requests) and
 * `GET /readyz` (readiness: the overall health status is SERVING).
 */
import type { ConnectNodeAdapterOptions } from "@connectrpc/connect-node";
import { OVERALL, type HealthRegistry } from "../health/health-registry.js";

type Fallback = NonNullable<ConnectNodeAdapterOptions["fallback"]>;
type Request = Parameters<Fallback>[0];
type Response = Parameters<Fallback>[1];

export function probeRoutes(health: HealthRegistry): (request: Request, response: Response) => void {
  return (request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const method = request.method ?? "GET";
    if ((path === "/healthz" || path === "/readyz") && (method === "GET" || method === "HEAD")) {
      const status = path === "/healthz" ? "SERVING" : health.status(OVERALL);
      const ok = status === "SERVING";
      const body = JSON.stringify({ status: path === "/healthz" ? "ok" : status === "SERVING" ? "ready" : "not ready" });
      sendJson(response, ok ? 200 : 503, method === "HEAD" ? "" : body);
      return;
    }
    sendJson(response, 404, JSON.stringify({ code: "not_found", message: `no route for ${method} ${path}` }));
  };
}

function sendJson(response: Response, status: number, body: string): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(body);
}
