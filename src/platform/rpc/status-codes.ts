/**
 * Status-code vocabulary shared by logs, metrics and adapters. Connect's `Code`
 * values are the gRPC status numbers, so one enum serves both ports.
 */
import { Code } from "@connectrpc/connect";

const NAMES: Record<number, string> = {
  0: "OK",
  [Code.Canceled]: "CANCELLED",
  [Code.Unknown]: "UNKNOWN",
  [Code.InvalidArgument]: "INVALID_ARGUMENT",
  [Code.DeadlineExceeded]: "DEADLINE_EXCEEDED",
  [Code.NotFound]: "NOT_FOUND",
  [Code.AlreadyExists]: "ALREADY_EXISTS",
  [Code.PermissionDenied]: "PERMISSION_DENIED",
  [Code.ResourceExhausted]: "RESOURCE_EXHAUSTED",
  [Code.FailedPrecondition]: "FAILED_PRECONDITION",
  [Code.Aborted]: "ABORTED",
  [Code.OutOfRange]: "OUT_OF_RANGE",
  [Code.Unimplemented]: "UNIMPLEMENTED",
  [Code.Internal]: "INTERNAL",
  [Code.Unavailable]: "UNAVAILABLE",
  [Code.DataLoss]: "DATA_LOSS",
  [Code.Unauthenticated]: "UNAUTHENTICATED",
};

/** The canonical gRPC name of a status code, e.g. `INVALID_ARGUMENT`; 0 is `OK`. */
export function statusName(code: number): string {
  return NAMES[code] ?? `CODE_${code}`;
}
