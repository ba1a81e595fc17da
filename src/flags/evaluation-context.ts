/**
 * The context a flag is evaluated for, as the evaluator reads it: a
 * targeting key and plain attribute values. Adapters convert protobuf
 * Structs and OFREP JSON into this once per call.
 */

export interface EvaluationContext {
  /** The caller's stable id; undefined when the caller gave none. */
  readonly targetingKey: string | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** The field name that reads the targeting key (OpenFeature's name). */
export const TARGETING_KEY_FIELD = "targetingKey";

/** Reads one context field as a string, as Unleash's `resolveContextValue` does. */
export type FieldReader = (context: EvaluationContext) => string | undefined;

const readTargetingKey: FieldReader = (context) => context.targetingKey;

export function fieldReader(field: string): FieldReader {
  if (field === TARGETING_KEY_FIELD || field === "") return readTargetingKey;
  return (context) => {
    const value = context.attributes[field];
    if (value === undefined || value === null) return undefined;
    return typeof value === "string" ? value : String(value);
  };
}

/** What an evaluation may use besides the context: given, never read from globals. */
export interface EvaluationEnvironment {
  /** Epoch milliseconds, for DATE_* constraints without a context time. */
  readonly now: () => number;
  /** [0, 1), for "random" stickiness. */
  readonly random: () => number;
}
