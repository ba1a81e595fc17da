/**
 * A flag compiled for evaluation: constraints turned into predicates,
 * variant values converted to JSON, every fixed outcome pre-built as a
 * shared result, and the group prefixes that rollouts and splits hash
 * computed once. Compiling is also how a definition is checked: whatever
 * cannot be compiled is a FlagDefinitionError naming the field.
 */
import { toJson, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { ConstraintOperator, EvaluationErrorCode, EvaluationReason, FlagType, type Flag, type Split, type Target } from "../../gen/sum/v1/flags_pb.js";
import { compileConstraint, type ConstraintPredicate } from "./constraint-operators.js";
import { fieldReader, type EvaluationContext, type EvaluationEnvironment, type FieldReader } from "./evaluation-context.js";
import { FlagDefinitionError } from "./flag-definition-error.js";
import { flagResult, type FlagResult } from "./flag-result.js";
import { implicitValue, valueMismatch } from "./flag-types.js";
import { normalizedValue, ROLLOUT_SEED, VARIANT_SEED } from "./murmur-hash.js";
import { needsTargetingKey, rolloutStickiness, splitStickiness, type StickinessReader } from "./stickiness.js";

/** Finds another compiled flag, for prerequisites. */
export type FlagLookup = (key: string) => CompiledFlag | undefined;

export interface CompiledFlag {
  readonly key: string;
  readonly type: FlagType;
  readonly version: bigint;
  readonly definition: Flag;
  evaluate(context: EvaluationContext, environment: EvaluationEnvironment, flags: FlagLookup): FlagResult;
}

export interface CompileOptions {
  /** Splits may have any positive total weight (imported Unleash variants keep theirs). */
  readonly anyTotalWeight?: boolean;
}

/** Prerequisite chains longer than this evaluate as unmet; cycles are refused at write time anyway. */
const MAX_PREREQUISITE_DEPTH = 16;

interface CompiledTarget {
  readonly read: FieldReader;
  readonly values: ReadonlySet<string>;
  /** undefined: on without a fixed variant. */
  readonly variant: VariantOutcome | undefined;
}

interface VariantOutcome {
  readonly name: string;
  readonly value: JsonValue;
}

interface CompiledSplit {
  /** SUM's default stickiness: without a targeting key the split cannot choose. */
  readonly needsKey: boolean;
  readonly prefix: string;
  readonly total: number;
  readonly stickiness: StickinessReader;
  readonly upTo: readonly number[];
  readonly results: readonly FlagResult[];
  readonly overrides: readonly { read: FieldReader; values: ReadonlySet<string>; result: FlagResult }[];
}

interface CompiledRollout {
  /** SUM's default stickiness on a partial rollout: without a targeting key the rule cannot decide. */
  readonly needsKey: boolean;
  /** 100% on SUM's default stickiness: every context, with a targeting key or not. */
  readonly everyone: boolean;
  readonly percentage: number;
  readonly prefix: string;
  readonly stickiness: StickinessReader;
}

type Serve = (context: EvaluationContext, environment: EvaluationEnvironment) => FlagResult;

export function compileFlag(flag: Flag, options: CompileOptions = {}): CompiledFlag {
  const type = flag.type;
  if (FlagType[type] === undefined || type === FlagType.UNSPECIFIED) throw new FlagDefinitionError("type", `must be a known flag type, got ${type}`);

  const variants = new Map<string, VariantOutcome>();
  for (const [index, variant] of flag.variants.entries()) {
    const path = `variants[${index}]`;
    if (variant.name === "" || variant.name.length > 200) throw new FlagDefinitionError(`${path}.name`, "must be 1–200 characters");
    if (variants.has(variant.name)) throw new FlagDefinitionError(`${path}.name`, `duplicate variant "${variant.name}"`);
    const value = variant.value === undefined ? undefined : toJson(ValueSchema, variant.value);
    if (value !== undefined || type !== FlagType.VARIANT) {
      const mismatch = valueMismatch(type, value ?? null);
      if (mismatch !== undefined) throw new FlagDefinitionError(`${path}.value`, mismatch);
    }
    variants.set(variant.name, { name: variant.name, value: value ?? variant.name });
  }
  const variantNamed = (name: string, path: string): VariantOutcome => {
    const found = variants.get(name);
    if (found === undefined) throw new FlagDefinitionError(path, `no variant named "${name}"`);
    return found;
  };
  const onWith = (outcome: VariantOutcome | undefined, reason: EvaluationReason): FlagResult =>
    outcome === undefined ? flagResult(implicitValue(type, true), "", reason, true) : flagResult(outcome.value, outcome.name, reason, true);

  const off = flag.offVariant === "" ? undefined : variantNamed(flag.offVariant, "off_variant");
  // A kill switch that is off serves false, whatever its off variant's value: a tripped kill switch must never
  // serve true. Writes refuse such an off variant (checkFlag); this keeps one stored earlier from serving it.
  const offResult = (reason: EvaluationReason) =>
    off === undefined
      ? flagResult(implicitValue(type, false), "", reason, false)
      : flagResult(type === FlagType.KILL_SWITCH ? false : off.value, off.name, reason, false);
  const disabled = offResult(EvaluationReason.DISABLED);
  const fallback = flag.defaultVariant === "" ? undefined : variantNamed(flag.defaultVariant, "default_variant");
  /** A rollout or split on SUM's default stickiness met a context without a targeting key: the flag's default value. */
  const keyMissing: FlagResult = Object.freeze({
    ...(fallback === undefined ? offResult(EvaluationReason.ERROR) : flagResult(fallback.value, fallback.name, EvaluationReason.ERROR, false)),
    enabled: false,
    errorCode: EvaluationErrorCode.TARGETING_KEY_MISSING,
    errorMessage: `flag "${flag.key}" buckets by the targeting key and the context has none`,
  });

  const flagSplit = flag.split === undefined || flag.split.variants.length === 0
    ? undefined
    : compileSplit(flag.split, "split", flag.key, variantNamed, options);
  /** The flag is on and nothing fixed a variant: its split, else its default variant. */
  const onServe = (reason: EvaluationReason): Serve => {
    const plain = onWith(fallback, reason);
    if (flagSplit === undefined) return () => plain;
    const noVariant = onWith(undefined, reason);
    return (context, environment) => chooseVariant(flagSplit, context, environment, keyMissing) ?? noVariant;
  };

  const targets: CompiledTarget[] = flag.targets.map((target, index) => compileTarget(target, `targets[${index}]`, variantNamed));
  const targetServes = targets.map((target) =>
    target.variant === undefined ? onServe(EvaluationReason.TARGETING_MATCH) : constant(onWith(target.variant, EvaluationReason.TARGETING_MATCH)),
  );

  const rules = flag.rules.map((rule, index) => {
    const path = `rules[${index}]`;
    const constraints: ConstraintPredicate[] = rule.constraints.map((constraint, position) => {
      const compiled = compileConstraint(constraint);
      if (compiled.error !== undefined) throw new FlagDefinitionError(`${path}.constraints[${position}].${compiled.error.split(":")[0]}`, compiled.error.slice(compiled.error.indexOf(":") + 2));
      return compiled.predicate;
    });
    let rollout: CompiledRollout | undefined;
    if (rule.rollout !== undefined) {
      if (rule.rollout.percentage > 100) throw new FlagDefinitionError(`${path}.rollout.percentage`, `must be between 0 and 100, got ${rule.rollout.percentage}`);
      rollout = {
        needsKey: needsTargetingKey(rule.rollout.stickiness) && rule.rollout.percentage > 0 && rule.rollout.percentage < 100,
        everyone: needsTargetingKey(rule.rollout.stickiness) && rule.rollout.percentage === 100,
        percentage: rule.rollout.percentage,
        prefix: `${rule.rollout.groupId === "" ? flag.key : rule.rollout.groupId}:`,
        stickiness: rolloutStickiness(rule.rollout.stickiness),
      };
    }
    let serve: Serve;
    if (rule.serve.case === "variant") {
      serve = constant(onWith(variantNamed(rule.serve.value, `${path}.variant`), EvaluationReason.TARGETING_MATCH));
    } else if (rule.serve.case === "split" && rule.serve.value.variants.length > 0) {
      const split = compileSplit(rule.serve.value, `${path}.split`, flag.key, variantNamed, options);
      const otherwise = onServe(EvaluationReason.TARGETING_MATCH);
      serve = (context, environment) => chooseVariant(split, context, environment, keyMissing) ?? otherwise(context, environment);
    } else {
      serve = onServe(EvaluationReason.TARGETING_MATCH);
    }
    return { constraints, rollout, serve };
  });
  if (type === FlagType.PERCENTAGE && !rules.some((rule) => rule.rollout !== undefined)) {
    throw new FlagDefinitionError("rules", "a percentage flag needs at least one rule with a rollout");
  }

  const ruleIndex = indexRules(flag);
  const targeted = targets.length > 0 || rules.length > 0;
  const unmatched: Serve = fallback === undefined ? constant(offResult(EvaluationReason.DEFAULT)) : onServe(EvaluationReason.DEFAULT);
  const untargeted: Serve = onServe(flagSplit === undefined ? EvaluationReason.STATIC : EvaluationReason.SPLIT);
  const prerequisites = flag.prerequisites.map((prerequisite) => ({
    key: prerequisite.flagKey,
    variants: prerequisite.variants.length === 0 ? undefined : new Set(prerequisite.variants),
    off: prerequisite.off,
  }));

  const enabled = flag.enabled;
  const evaluateAt = (context: EvaluationContext, environment: EvaluationEnvironment, flags: FlagLookup, depth: number): FlagResult => {
    if (!enabled) return disabled;
    for (const prerequisite of prerequisites) {
      const parent = depth < MAX_PREREQUISITE_DEPTH ? (flags(prerequisite.key) as CompiledFlagImpl | undefined) : undefined;
      if (parent === undefined) return disabled;
      const outcome = parent.evaluateAt(context, environment, flags, depth + 1);
      const met = prerequisite.off
        ? !outcome.enabled
        : outcome.enabled && (prerequisite.variants === undefined || prerequisite.variants.has(outcome.variant));
      if (!met) return disabled;
    }
    if (!targeted) return untargeted(context, environment);
    for (let index = 0; index < targets.length; index++) {
      const target = targets[index]!;
      const value = target.read(context);
      if (value !== undefined && target.values.has(value)) return targetServes[index]!(context, environment);
    }
    const candidates = ruleIndex === undefined ? undefined : ruleIndex.byValue.get(ruleIndex.read(context) as string) ?? ruleIndex.others;
    const count = candidates === undefined ? rules.length : candidates.length;
    for (let position = 0; position < count; position++) {
      const rule = rules[candidates === undefined ? position : candidates[position]!]!;
      if (!allHold(rule.constraints, context, environment)) continue;
      if (rule.rollout !== undefined) {
        if (rule.rollout.needsKey && context.targetingKey === undefined) return keyMissing;
        if (!inRollout(rule.rollout, context, environment)) continue;
      }
      return rule.serve(context, environment);
    }
    return unmatched(context, environment);
  };

  const compiled: CompiledFlagImpl = {
    key: flag.key,
    type,
    version: flag.version,
    definition: flag,
    evaluateAt,
    evaluate: (context, environment, flags) => evaluateAt(context, environment, flags, 0),
  };
  return compiled;
}

interface CompiledFlagImpl extends CompiledFlag {
  evaluateAt(context: EvaluationContext, environment: EvaluationEnvironment, flags: FlagLookup, depth: number): FlagResult;
}

/**
 * Which rules can match a context, by the value of the context field most
 * rules test with a plain IN: a rule whose IN on that field lacks the value
 * cannot match, so it is not visited. Rules without such an IN are always
 * candidates; order is kept, so the first matching rule still wins.
 */
interface RuleIndex {
  readonly read: FieldReader;
  readonly byValue: ReadonlyMap<string, readonly number[]>;
  /** Candidates when the field is missing or holds a value no IN lists. */
  readonly others: readonly number[];
}

function indexRules(flag: Flag): RuleIndex | undefined {
  if (flag.rules.length < 4) return undefined;
  const plainIn = (rule: Flag["rules"][number], field: string) =>
    rule.constraints.find((c) => c.operator === ConstraintOperator.IN && !c.inverted && !c.caseInsensitive && c.contextField === field);
  const usage = new Map<string, number>();
  for (const rule of flag.rules) {
    const fields = new Set(rule.constraints.filter((c) => c.operator === ConstraintOperator.IN && !c.inverted && !c.caseInsensitive).map((c) => c.contextField));
    for (const field of fields) usage.set(field, (usage.get(field) ?? 0) + 1);
  }
  const [field, used] = [...usage].sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
  if (used < flag.rules.length / 2) return undefined;
  const others: number[] = [];
  const values = new Set<string>();
  const sets = flag.rules.map((rule, index) => {
    const constraint = plainIn(rule, field);
    if (constraint === undefined) others.push(index);
    const set = constraint === undefined ? undefined : new Set(constraint.values.map((value) => value.trim()).filter((value) => value !== ""));
    for (const value of set ?? []) values.add(value);
    return set;
  });
  const byValue = new Map<string, number[]>();
  for (const value of values) {
    byValue.set(value, flag.rules.flatMap((_, index) => (sets[index] === undefined || sets[index]!.has(value) ? [index] : [])));
  }
  return { read: fieldReader(field), byValue, others };
}

function constant(result: FlagResult): Serve {
  return () => result;
}

function allHold(constraints: readonly ConstraintPredicate[], context: EvaluationContext, environment: EvaluationEnvironment): boolean {
  for (const constraint of constraints) if (!constraint(context, environment)) return false;
  return true;
}

/** Unleash's flexibleRollout: bucket 1–100 of "groupId:value", in when at most the percentage. */
function inRollout(rollout: CompiledRollout, context: EvaluationContext, environment: EvaluationEnvironment): boolean {
  if (rollout.percentage === 0) return false;
  if (rollout.everyone) return true;
  const value = rollout.stickiness(context, environment);
  if (value === undefined || value === "") return false;
  return normalizedValue(rollout.prefix, value, 100, ROLLOUT_SEED) <= rollout.percentage;
}

function compileTarget(target: Target, path: string, variantNamed: (name: string, path: string) => VariantOutcome): CompiledTarget {
  if (target.values.length === 0) throw new FlagDefinitionError(`${path}.values`, "must hold at least one value");
  return {
    read: fieldReader(target.contextField),
    values: new Set(target.values),
    variant: target.variant === "" ? undefined : variantNamed(target.variant, `${path}.variant`),
  };
}

function compileSplit(
  split: Split,
  path: string,
  flagKey: string,
  variantNamed: (name: string, path: string) => VariantOutcome,
  options: CompileOptions,
): CompiledSplit {
  let total = 0;
  const upTo: number[] = [];
  const results: FlagResult[] = [];
  for (const [index, weighted] of split.variants.entries()) {
    const variant = variantNamed(weighted.variant, `${path}.variants[${index}].variant`);
    total += weighted.weight;
    upTo.push(weighted.weight === 0 ? -1 : total);
    results.push(flagResult(variant.value, variant.name, EvaluationReason.SPLIT, true));
  }
  if (total <= 0) throw new FlagDefinitionError(`${path}.variants`, "weights must add up to more than 0");
  if (!options.anyTotalWeight && total !== 100 && total !== 1000) {
    throw new FlagDefinitionError(`${path}.variants`, `weights must add up to 100 or 1000, got ${total}`);
  }
  const overrides = split.overrides.map((override, index) => {
    const target = compileTarget(override, `${path}.overrides[${index}]`, variantNamed);
    const variant = target.variant ?? variantNamed("", `${path}.overrides[${index}].variant`);
    return { read: target.read, values: target.values, result: flagResult(variant.value, variant.name, EvaluationReason.TARGETING_MATCH, true) };
  });
  return {
    needsKey: needsTargetingKey(split.stickiness),
    prefix: `${split.groupId === "" ? flagKey : split.groupId}:`,
    total,
    stickiness: splitStickiness(split.stickiness),
    upTo,
    results,
    overrides,
  };
}

/** Unleash's selectVariantDefinition: overrides, then the weighted bucket 1…total. */
function chooseVariant(split: CompiledSplit, context: EvaluationContext, environment: EvaluationEnvironment, keyMissing: FlagResult): FlagResult | undefined {
  for (const override of split.overrides) {
    const value = override.read(context);
    if (value !== undefined && override.values.has(value)) return override.result;
  }
  if (split.needsKey && context.targetingKey === undefined) return keyMissing;
  const seed = split.stickiness(context, environment) ?? "";
  const target = normalizedValue(split.prefix, seed, split.total, VARIANT_SEED);
  for (let index = 0; index < split.upTo.length; index++) {
    if (split.upTo[index]! >= target) return split.results[index];
  }
  return undefined;
}
