/**
 * The OpenFeature Remote Evaluation Protocol on the HTTP port, so
 * @openfeature/ofrep-provider works against SUM unchanged:
 * `POST /ofrep/v1/evaluate/flags/{key}` and `POST /ofrep/v1/evaluate/flags`
 * with `{"context": {"targetingKey": …, …attributes}}`. OFREP's string
 * vocabulary (reasons, error codes) is mapped here, at the edge.
 */
import { EvaluationErrorCode, EvaluationReason } from "../../gen/sum/v1/flags_pb.js";
import type { HttpRoute, HttpRouteResponse } from "../platform/http/http-routes.js";
import type { CompiledFlag } from "./compiled-flag.js";
import type { EvaluationContext } from "./evaluation-context.js";
import type { FlagResult } from "./flag-result.js";
import type { FlagStore } from "./flag-store.js";

const REASONS: Record<number, string> = {
  [EvaluationReason.STATIC]: "STATIC",
  [EvaluationReason.DEFAULT]: "DEFAULT",
  [EvaluationReason.TARGETING_MATCH]: "TARGETING_MATCH",
  [EvaluationReason.SPLIT]: "SPLIT",
  [EvaluationReason.DISABLED]: "DISABLED",
  [EvaluationReason.ERROR]: "ERROR",
};

type ParsedContext = { context: EvaluationContext; error?: undefined } | { context?: undefined; error: string };

/** OFREP's request body: `{"context": {...}}`; an absent body or context is an empty context. */
export function parseOfrepContext(body: string): ParsedContext {
  if (body.trim() === "") return { context: { targetingKey: undefined, attributes: {} } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { error: "request body is not valid JSON" };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return { error: "request body must be a JSON object" };
  const raw = (parsed as { context?: unknown }).context ?? {};
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return { error: "context must be a JSON object" };
  const { targetingKey, ...attributes } = raw as Record<string, unknown>;
  if (targetingKey !== undefined && typeof targetingKey !== "string") return { error: "context.targetingKey must be a string" };
  return { context: { targetingKey: targetingKey === "" ? undefined : targetingKey, attributes } };
}

const ERROR_CODES: Record<number, string> = {
  [EvaluationErrorCode.FLAG_NOT_FOUND]: "FLAG_NOT_FOUND",
  [EvaluationErrorCode.TYPE_MISMATCH]: "TYPE_MISMATCH",
  [EvaluationErrorCode.PARSE_ERROR]: "PARSE_ERROR",
  [EvaluationErrorCode.TARGETING_KEY_MISSING]: "TARGETING_KEY_MISSING",
  [EvaluationErrorCode.GENERAL]: "GENERAL",
};

/** OFREP's status for a failed evaluation: the caller's context is at fault (400) or SUM is (500). */
function failureStatus(result: FlagResult): number {
  return result.errorCode === EvaluationErrorCode.GENERAL ? 500 : 400;
}

/**
 * A flag that serves no value for this context (a variant or config flag off
 * without an off variant) omits `value`, as OFREP says, so the provider
 * uses the caller's default; the reason (DISABLED, DEFAULT) still tells why.
 */
function success(flag: CompiledFlag, result: FlagResult) {
  if (result.errorCode !== EvaluationErrorCode.UNSPECIFIED) {
    return failure(flag.key, ERROR_CODES[result.errorCode] ?? "GENERAL", result.errorMessage);
  }
  return {
    key: flag.key,
    ...(result.value === null ? {} : { value: result.value }),
    reason: REASONS[result.reason] ?? "UNKNOWN",
    ...(result.variant === "" ? {} : { variant: result.variant }),
    metadata: { version: Number(flag.version), enabled: result.enabled },
  };
}

function failure(key: string, errorCode: string, errorDetails: string) {
  return { key, errorCode, errorDetails };
}

export function ofrepRoutes(store: FlagStore): HttpRoute[] {
  const snapshot = store.snapshot;
  const ready = async () => {
    if (!store.readyNow) await store.ready();
  };
  return [
    {
      method: "POST",
      path: "/ofrep/v1/evaluate/flags/{key}",
      async handle({ params, body }): Promise<HttpRouteResponse> {
        await ready();
        const key = params["key"]!;
        const parsed = parseOfrepContext(body);
        if (parsed.error !== undefined) return { status: 400, body: failure(key, "PARSE_ERROR", parsed.error) };
        const flag = snapshot.get(key);
        if (flag === undefined) return { status: 404, body: failure(key, "FLAG_NOT_FOUND", `flag "${key}" not found`) };
        const result = snapshot.evaluate(flag, parsed.context);
        return { status: result.errorCode === EvaluationErrorCode.UNSPECIFIED ? 200 : failureStatus(result), body: success(flag, result) };
      },
    },
    {
      method: "POST",
      path: "/ofrep/v1/evaluate/flags",
      async handle({ body }): Promise<HttpRouteResponse> {
        await ready();
        const parsed = parseOfrepContext(body);
        if (parsed.error !== undefined) return { status: 400, body: { errorCode: "PARSE_ERROR", errorDetails: parsed.error } };
        const context = parsed.context;
        return { status: 200, body: { flags: snapshot.all().map((flag) => success(flag, snapshot.evaluate(flag, context))) } };
      },
    },
  ];
}
