/**
 * Maps Unleash feature toggles (the client API's features document, as
 * @unleash/client-specification states them) onto SUM flags, keeping
 * Unleash's evaluation: each strategy becomes a rule (its constraints and
 * segments' constraints, its rollout, its variants as a split), feature
 * variants become the flag's split, dependencies become prerequisites.
 * Where Unleash evaluates something SUM refuses to store (an unknown
 * operator, an invalid regex, a dependency cycle), the mapping keeps
 * Unleash's outcome in a form SUM accepts and says so in a warning.
 */
import { create, fromJson, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import {
  ConstraintOperator,
  ConstraintSchema,
  FlagSchema,
  FlagType,
  type Constraint,
  type Flag,
  type Rollout,
  type Split,
  type TargetingRule,
  type Variant,
} from "../../gen/sum/v1/flags_pb.js";
import { compileConstraint } from "./constraint-operators.js";
import { TARGETING_KEY_FIELD } from "./evaluation-context.js";
import { FlagDefinitionError } from "./flag-definition-error.js";
import { DEFAULT_STICKINESS, RANDOM_STICKINESS } from "./stickiness.js";

export interface UnleashImport {
  readonly flags: Flag[];
  readonly warnings: string[];
}

interface UnleashConstraint {
  contextName?: string;
  operator?: string;
  value?: string;
  values?: string[];
  inverted?: boolean;
  caseInsensitive?: boolean;
}
interface UnleashVariant {
  name: string;
  weight?: number;
  stickiness?: string;
  payload?: { type?: string; value?: string };
  overrides?: { contextName: string; values: string[] }[];
}
interface UnleashStrategy {
  name: string;
  parameters?: Record<string, string | undefined>;
  constraints?: UnleashConstraint[];
  segments?: number[];
  variants?: UnleashVariant[];
}
interface UnleashFeature {
  name: string;
  description?: string;
  enabled?: boolean;
  strategies?: UnleashStrategy[];
  variants?: UnleashVariant[];
  dependencies?: { feature: string; enabled?: boolean; variants?: string[] }[];
}

/** Unleash's name for the variant a feature serves when it has none. */
const UNLEASH_NO_VARIANT = "disabled";

export function importUnleash(document: JsonObject): UnleashImport {
  const features = document["features"];
  if (!Array.isArray(features)) throw new FlagDefinitionError("unleash.features", "must be a list of feature toggles");
  const segments = new Map<number, UnleashConstraint[]>();
  const rawSegments = document["segments"];
  if (Array.isArray(rawSegments)) {
    for (const segment of rawSegments as { id?: number; constraints?: UnleashConstraint[] }[]) {
      if (typeof segment?.id === "number") segments.set(segment.id, segment.constraints ?? []);
    }
  }
  const warnings: string[] = [];
  const byName = new Map<string, UnleashFeature>();
  for (const [index, raw] of (features as unknown[]).entries()) {
    const feature = raw as UnleashFeature;
    if (typeof feature?.name !== "string" || feature.name === "") throw new FlagDefinitionError(`unleash.features[${index}].name`, "must be a non-empty string");
    if (feature.strategies !== undefined && !Array.isArray(feature.strategies)) {
      throw new FlagDefinitionError(`unleash.features[${index}].strategies`, "must be a list");
    }
    byName.set(feature.name, feature);
  }
  const flags = [...byName.values()].map((feature) => mapFeature(feature, byName, segments, warnings));
  return { flags, warnings };
}

function mapFeature(
  feature: UnleashFeature,
  all: ReadonlyMap<string, UnleashFeature>,
  segments: ReadonlyMap<number, UnleashConstraint[]>,
  warnings: string[],
): Flag {
  const name = feature.name;
  const warn = (message: string) => warnings.push(`${name}: ${message}`);
  const variants = new Map<string, Variant>();
  const addVariants = (list: UnleashVariant[] | undefined) => {
    for (const variant of list ?? []) {
      const mapped = mapVariant(variant);
      const existing = variants.get(variant.name);
      if (existing === undefined) variants.set(variant.name, mapped);
      else if (JSON.stringify(existing.value) !== JSON.stringify(mapped.value)) {
        warn(`variant "${variant.name}" has different payloads in different places; the first is kept`);
      }
    }
  };
  addVariants(feature.variants);
  for (const strategy of feature.strategies ?? []) addVariants(strategy.variants);

  const rules = (feature.strategies ?? []).map((strategy, index) => mapStrategy(feature, strategy, index, segments, warn));

  let enabled = feature.enabled === true;
  const prerequisites: Flag["prerequisites"] = [];
  for (const dependency of feature.dependencies ?? []) {
    const parent = all.get(dependency.feature);
    if (parent === undefined || (parent.dependencies?.length ?? 0) > 0) {
      // Unleash never satisfies a dependency on a missing parent or on a parent that has dependencies of its own.
      warn(
        parent === undefined
          ? `depends on "${dependency.feature}", which is not in the import; Unleash never enables it, so it is imported disabled`
          : `depends on "${dependency.feature}", which has dependencies of its own; Unleash allows one level only and never enables it, so it is imported disabled`,
      );
      enabled = false;
      prerequisites.length = 0;
      break;
    }
    prerequisites.push({
      $typeName: "sum.v1.Prerequisite",
      flagKey: dependency.feature,
      variants: (dependency.variants ?? []).map((variant) => (variant === UNLEASH_NO_VARIANT ? "" : variant)),
      off: dependency.enabled === false,
    });
  }

  const featureVariants = feature.variants ?? [];
  return create(FlagSchema, {
    key: name,
    type: variants.size > 0 ? FlagType.VARIANT : FlagType.BOOLEAN,
    description: feature.description ?? "",
    enabled,
    variants: [...variants.values()],
    split: featureVariants.length === 0 ? undefined : mapSplit(featureVariants, featureVariants[0]?.stickiness ?? "", name),
    rules,
    prerequisites,
  });
}

function mapVariant(variant: UnleashVariant): Variant {
  const payload = variant.payload;
  let value: JsonValue | undefined;
  if (payload?.value !== undefined) {
    value = payload.value;
    if (payload.type === "number" && !Number.isNaN(Number(payload.value))) value = Number(payload.value);
    if (payload.type === "json") {
      try {
        value = JSON.parse(payload.value) as JsonValue;
      } catch {
        value = payload.value;
      }
    }
  }
  return {
    $typeName: "sum.v1.Variant",
    name: variant.name,
    value: value === undefined || value === null ? undefined : fromJson(ValueSchema, value),
    description: "",
  };
}

function mapSplit(variants: UnleashVariant[], stickiness: string, groupId: string): Split {
  return {
    $typeName: "sum.v1.Split",
    variants: variants.map((variant) => ({ $typeName: "sum.v1.WeightedVariant", variant: variant.name, weight: Math.max(0, Math.floor(variant.weight ?? 0)) })),
    stickiness: mapStickiness(stickiness),
    groupId,
    overrides: variants.flatMap((variant) =>
      (variant.overrides ?? []).map((override) => ({
        $typeName: "sum.v1.Target" as const,
        variant: variant.name,
        contextField: mapField(override.contextName),
        values: override.values,
      })),
    ),
  };
}

function mapStrategy(
  feature: UnleashFeature,
  strategy: UnleashStrategy,
  index: number,
  segments: ReadonlyMap<number, UnleashConstraint[]>,
  warn: (message: string) => void,
): TargetingRule {
  const where = `strategy ${index} (${strategy.name})`;
  const parameters = strategy.parameters ?? {};
  const constraints: Constraint[] = (strategy.constraints ?? []).map((constraint, position) => mapConstraint(constraint, `${where} constraint ${position}`, warn));
  for (const id of strategy.segments ?? []) {
    const segment = segments.get(id);
    if (segment === undefined) {
      warn(`${where} uses segment ${id}, which is not in the import; Unleash never matches it`);
      constraints.push(never());
    } else {
      constraints.push(...segment.map((constraint, position) => mapConstraint(constraint, `segment ${id} constraint ${position}`, warn)));
    }
  }
  const percentage = (raw: string | undefined) => {
    const value = Math.floor(Number(raw));
    return Number.isNaN(value) ? 0 : Math.min(100, Math.max(0, value));
  };
  const rollout = (percent: string | undefined, stickiness: string, groupId: string): Rollout => ({
    $typeName: "sum.v1.Rollout",
    percentage: percentage(percent),
    stickiness,
    groupId,
  });
  const list = (raw: string | undefined) => (raw === undefined ? [] : raw.split(/\s*,\s*/));
  let gate: Rollout | undefined;
  switch (strategy.name) {
    case "default":
      break;
    case "userWithId":
      constraints.push(constraint(TARGETING_KEY_FIELD, ConstraintOperator.IN, list(parameters["userIds"])));
      break;
    case "gradualRolloutUserId":
      gate = rollout(parameters["percentage"], TARGETING_KEY_FIELD, parameters["groupId"] || feature.name);
      break;
    case "gradualRolloutSessionId":
      gate = rollout(parameters["percentage"], "sessionId", parameters["groupId"] || feature.name);
      break;
    case "gradualRolloutRandom":
      gate = rollout(parameters["percentage"], RANDOM_STICKINESS, feature.name);
      break;
    case "flexibleRollout":
      gate = rollout(parameters["rollout"], mapStickiness(parameters["stickiness"] ?? ""), parameters["groupId"] || feature.name);
      break;
    case "remoteAddress":
      constraints.push(mapConstraint({ contextName: "remoteAddress", operator: "IN_CIDR", values: list(parameters["IPs"]) }, where, warn));
      break;
    default:
      warn(`${where}: SUM has no such strategy; Unleash skips strategies it does not know, so the rule never matches`);
      constraints.push(never());
  }
  const variants = strategy.variants ?? [];
  return {
    $typeName: "sum.v1.TargetingRule",
    name: strategy.name,
    constraints,
    rollout: gate,
    serve:
      variants.length === 0
        ? { case: undefined }
        : {
            case: "split",
            value: mapSplit(variants, variants[0]?.stickiness || parameters["stickiness"] || "", parameters["groupId"] ?? feature.name),
          },
  };
}

function mapConstraint(raw: UnleashConstraint, where: string, warn: (message: string) => void): Constraint {
  const operator = ConstraintOperator[(raw.operator ?? "") as keyof typeof ConstraintOperator];
  if (typeof operator !== "number" || operator === ConstraintOperator.UNSPECIFIED) {
    warn(`${where}: unknown operator "${raw.operator}"; Unleash never matches it`);
    return never();
  }
  const inOperator = operator === ConstraintOperator.IN || operator === ConstraintOperator.NOT_IN;
  const values = raw.values ?? (raw.value === undefined ? [] : [raw.value]);
  const single = raw.value === undefined ? values.slice(0, 1) : [raw.value];
  const multi = inOperator || operator === ConstraintOperator.IN_CIDR || operator >= ConstraintOperator.STR_CONTAINS && operator <= ConstraintOperator.STR_ENDS_WITH;
  const mapped = create(ConstraintSchema, {
    contextField: mapField(raw.contextName ?? ""),
    operator,
    values: multi ? values : single,
    inverted: raw.inverted === true,
    // Unleash's IN and NOT_IN compare exactly whatever caseInsensitive says.
    caseInsensitive: raw.caseInsensitive === true && !inOperator,
  });
  if (operator === ConstraintOperator.IN_CIDR) {
    const valid = mapped.values.filter((value) => compileConstraint({ ...mapped, values: [value] }).error === undefined);
    if (valid.length !== mapped.values.length) {
      warn(`${where}: ${mapped.values.length - valid.length} invalid CIDR value(s) dropped, as Unleash ignores them`);
      mapped.values = valid;
    }
  }
  const compiled = compileConstraint(mapped);
  if (compiled.error !== undefined) {
    // Unleash evaluates a constraint it cannot read as false, then applies `inverted`.
    warn(`${where}: ${compiled.error}; Unleash evaluates it as ${raw.inverted === true ? "always true" : "never true"}`);
    return raw.inverted === true ? always() : never();
  }
  return mapped;
}

/**
 * Unleash's stickiness in SUM's terms: its default (named or left empty) is SUM's explicit "default" —
 * userId, then sessionId (then remoteAddress for variants), then random — not SUM's own empty default,
 * which needs the targeting key.
 */
function mapStickiness(stickiness: string): string {
  return stickiness === "" || stickiness === DEFAULT_STICKINESS ? DEFAULT_STICKINESS : mapField(stickiness);
}

/** Unleash context names SUM spells differently: its userId is the targeting key. */
function mapField(field: string): string {
  if (field === "userId") return TARGETING_KEY_FIELD;
  if (field === DEFAULT_STICKINESS) return "";
  return field;
}

function constraint(contextField: string, operator: ConstraintOperator, values: string[]): Constraint {
  return create(ConstraintSchema, { contextField, operator, values });
}

/** IN with no values holds for no context. */
function never(): Constraint {
  return constraint(TARGETING_KEY_FIELD, ConstraintOperator.IN, []);
}

/** NOT_IN with no values holds for every context. */
function always(): Constraint {
  return constraint(TARGETING_KEY_FIELD, ConstraintOperator.NOT_IN, []);
}
