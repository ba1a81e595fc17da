/**
 * Which context value a rollout or split hashes. SUM's default (empty) is
 * the targeting key alone; Unleash's "default" stickiness is the targeting key (Unleash's userId),
 * else the sessionId attribute, else a random draw; a split's default also
 * tries remoteAddress. "random" always draws.
 */
import { fieldReader, TARGETING_KEY_FIELD, type EvaluationContext, type EvaluationEnvironment } from "./evaluation-context.js";

export type StickinessReader = (context: EvaluationContext, environment: EvaluationEnvironment) => string | undefined;

export const RANDOM_STICKINESS = "random";
export const DEFAULT_STICKINESS = "default";

const nonEmpty = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * SUM's own default stickiness (empty): the targeting key alone. A context
 * without one cannot be bucketed; the evaluator answers TARGETING_KEY_MISSING
 * rather than rolling it at random. Unleash's "default" (what ImportFlags
 * maps Unleash's default to) keeps Unleash's fallbacks below.
 */
export function needsTargetingKey(stickiness: string): boolean {
  return stickiness === "";
}

/** Rollouts: a missing explicit field means the rule does not match. */
export function rolloutStickiness(stickiness: string): StickinessReader {
  const randomId = (environment: EvaluationEnvironment) => String(Math.round(environment.random() * 10_000) + 1);
  if (stickiness === "") return (context) => nonEmpty(context.targetingKey);
  if (stickiness === DEFAULT_STICKINESS) {
    return (context, environment) =>
      nonEmpty(context.targetingKey) ?? nonEmpty(context.attributes["sessionId"]) ?? randomId(environment);
  }
  if (stickiness === RANDOM_STICKINESS) return (_context, environment) => randomId(environment);
  const read = fieldReader(stickiness);
  return (context) => read(context);
}

/** Splits: a missing field falls back to a random draw, as Unleash's variant seed does. */
export function splitStickiness(stickiness: string): StickinessReader {
  const randomId = (environment: EvaluationEnvironment) => String(Math.round(environment.random() * 100_000));
  if (stickiness === "") return (context) => nonEmpty(context.targetingKey);
  if (stickiness === DEFAULT_STICKINESS) {
    return (context, environment) =>
      nonEmpty(context.targetingKey) ??
      nonEmpty(context.attributes["sessionId"]) ??
      nonEmpty(context.attributes["remoteAddress"]) ??
      randomId(environment);
  }
  if (stickiness === RANDOM_STICKINESS) return (_context, environment) => randomId(environment);
  const read = fieldReader(stickiness === TARGETING_KEY_FIELD ? TARGETING_KEY_FIELD : stickiness);
  return (context, environment) => {
    const value = read(context);
    return value ? value : randomId(environment);
  };
}
