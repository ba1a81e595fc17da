/**
 * The edges between protobuf messages and the evaluator's plain values:
 * request contexts in, FlagEvaluation messages out.
 */
import { create, fromJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import {
  EvaluationErrorCode,
  EvaluationReason,
  FlagEvaluationSchema,
  type EvaluationContext as EvaluationContextMessage,
  type FlagEvaluation,
} from "../../gen/sum/v1/flags_pb.js";
import type { CompiledFlag } from "./compiled-flag.js";
import type { EvaluationContext } from "./evaluation-context.js";
import type { FlagResult } from "./flag-result.js";

const EMPTY_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});

export function contextFromMessage(message: EvaluationContextMessage | undefined): EvaluationContext {
  if (message === undefined) return { targetingKey: undefined, attributes: EMPTY_ATTRIBUTES };
  return {
    targetingKey: message.targetingKey === "" ? undefined : message.targetingKey,
    attributes: message.attributes ?? EMPTY_ATTRIBUTES,
  };
}

export function evaluationMessage(flag: CompiledFlag, result: FlagResult): FlagEvaluation {
  return create(FlagEvaluationSchema, {
    flagKey: flag.key,
    value: fromJson(ValueSchema, result.value),
    variant: result.variant,
    reason: result.reason,
    errorCode: result.errorCode,
    errorMessage: result.errorMessage,
    enabled: result.enabled,
    type: flag.type,
    flagVersion: flag.version,
  });
}

export function typeMismatchMessage(flag: CompiledFlag, message: string): FlagEvaluation {
  return create(FlagEvaluationSchema, {
    flagKey: flag.key,
    value: fromJson(ValueSchema, null),
    reason: EvaluationReason.ERROR,
    errorCode: EvaluationErrorCode.TYPE_MISMATCH,
    errorMessage: message,
    type: flag.type,
    flagVersion: flag.version,
  });
}
