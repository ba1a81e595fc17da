/**
 * One flag's outcome for one context: OpenFeature's evaluation details
 * (value, variant, reason, error) plus whether the flag was on (Unleash's
 * `feature_enabled`). Compiled flags hand out shared, frozen results, so
 * an evaluation allocates nothing for static outcomes.
 */
import type { JsonValue } from "@bufbuild/protobuf";
import { EvaluationErrorCode, EvaluationReason } from "../../gen/sum/v1/flags_pb.js";

export interface FlagResult {
  readonly value: JsonValue;
  /** Empty when no variant was served. */
  readonly variant: string;
  readonly reason: EvaluationReason;
  readonly enabled: boolean;
  readonly errorCode: EvaluationErrorCode;
  readonly errorMessage: string;
}

export function flagResult(value: JsonValue, variant: string, reason: EvaluationReason, enabled: boolean): FlagResult {
  return Object.freeze({ value, variant, reason, enabled, errorCode: EvaluationErrorCode.UNSPECIFIED, errorMessage: "" });
}

export function errorResult(errorCode: EvaluationErrorCode, errorMessage: string): FlagResult {
  return Object.freeze({ value: null, variant: "", reason: EvaluationReason.ERROR, enabled: false, errorCode, errorMessage });
}
