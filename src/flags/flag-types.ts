/**
 * What each flag type may serve, and how the OpenFeature/OFREP vocabulary
 * names the types at the edge.
 */
import type { JsonValue } from "@bufbuild/protobuf";
import { FlagType } from "../../gen/sum/v1/flags_pb.js";

/** Boolean, percentage and kill-switch flags all serve true or false. */
export function isBooleanType(type: FlagType): boolean {
  return type === FlagType.BOOLEAN || type === FlagType.PERCENTAGE || type === FlagType.KILL_SWITCH;
}

/** Why `value` cannot be a variant value of a `type` flag; undefined when it fits. */
export function valueMismatch(type: FlagType, value: JsonValue | undefined): string | undefined {
  if (isBooleanType(type)) return typeof value === "boolean" ? undefined : `must be a bool for a ${typeName(type)} flag`;
  if (type === FlagType.CONFIG) {
    return value !== null && typeof value === "object" ? undefined : "must be a JSON object or list for a config flag";
  }
  return value === null ? "must not be null; leave it unset to serve the variant's name" : undefined;
}

/** The value served when a flag is on or off without a variant. */
export function implicitValue(type: FlagType, on: boolean): JsonValue {
  return isBooleanType(type) ? on : null;
}

/** Whether a caller expecting `expected` can take a `actual` flag's value. */
export function typeAccepts(expected: FlagType, actual: FlagType): boolean {
  if (expected === FlagType.UNSPECIFIED || expected === actual) return true;
  return isBooleanType(expected) && isBooleanType(actual);
}

export function typeName(type: FlagType): string {
  return (FlagType[type] ?? String(type)).toLowerCase().replace("_", " ");
}
