/**
 * The OpenFeature Remote Evaluation Protocol on the HTTP port, so
 * @openfeature/ofrep-provider works against SUM unchanged:
 * `POST /ofrep/v1/evaluate/flags/{key}` and `POST /ofrep/v1/evaluate/flags`
 * with `{"context": {"targetingKey": …, …attributes}}`. OFREP's string
 * vocabulary (reasons, error codes) is mapped here, at the edge.
 */
import { EvaluationReason } from "../../gen/sum/v1/flags_pb.js";
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

function success(flag: CompiledFlag, result: FlagResult) {
  return {
    key: flag.key,
    value: result.value,
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
        return { status: 200, body: success(flag, snapshot.evaluate(flag, parsed.context)) };
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
