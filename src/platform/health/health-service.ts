/**
 * grpc.health.v1.Health, as specified by gRPC's health-checking protocol:
 * Check answers NOT_FOUND for unknown services; Watch sends the current status
 * at once and then every change, reporting SERVICE_UNKNOWN for unknown names
 * and staying open; List reports every service.
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as Status,
  HealthListResponseSchema,
  type HealthCheckResponse,
} from "../../../gen/grpc/health/v1/health_pb.js";
import { bindService, type ServiceBinding } from "../rpc/service-binding.js";
import type { HealthRegistry, ServingStatus } from "./health-registry.js";

const WIRE_STATUS: Record<ServingStatus, Status> = {
  SERVING: Status.SERVING,
  NOT_SERVING: Status.NOT_SERVING,
};

function response(status: Status): HealthCheckResponse {
  return create(HealthCheckResponseSchema, { status });
}

export function healthService(registry: HealthRegistry): ServiceBinding {
  const wireStatus = (service: string): Status => {
    const status = registry.status(service);
    return status === undefined ? Status.SERVICE_UNKNOWN : WIRE_STATUS[status];
  };

  return bindService(Health, {
    async check(request) {
      const status = registry.status(request.service);
      if (status === undefined) {
        throw new ConnectError(`unknown service "${request.service}"`, Code.NotFound);
      }
      return response(WIRE_STATUS[status]);
    },

    async *watch(request, context) {
      let wake: (() => void) | undefined;
      let changed = true;
      const unsubscribe = registry.subscribe(() => {
        changed = true;
        wake?.();
      });
      const onAbort = () => wake?.();
      context.signal.addEventListener("abort", onAbort);
      try {
        let last: Status | undefined;
        while (!context.signal.aborted) {
          if (changed) {
            changed = false;
            const status = wireStatus(request.service);
            if (status !== last) {
              last = status;
              yield response(status);
            }
            continue;
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        unsubscribe();
        context.signal.removeEventListener("abort", onAbort);
      }
    },

    async list() {
      const statuses: Record<string, HealthCheckResponse> = {};
      for (const [service, status] of registry.all()) statuses[service] = response(WIRE_STATUS[status]);
      return create(HealthListResponseSchema, { statuses });
    },
  });
}
