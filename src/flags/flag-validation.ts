/**
 * Checks a flag definition before it is written: its own fields (by
 * compiling it) and its place among the other flags (prerequisites exist,
 * name their variants, and form no cycle). Every failure is
 * INVALID_ARGUMENT naming the field path, e.g.
 * `flag.rules[0].constraints[1].values[0]: not a valid RE2 regular expression`.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { FlagType, type Flag } from "../../gen/sum/v1/flags_pb.js";
import { compileFlag, type CompileOptions } from "./compiled-flag.js";
import { FlagDefinitionError } from "./flag-definition-error.js";

export const MAX_KEY_LENGTH = 200;
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 64;
export const MAX_DESCRIPTION_LENGTH = 2000;
const CONTROL = /[\u0000-\u001F\u007F]/;

export function invalidArgument(path: string, rule: string): ConnectError {
  return new ConnectError(`${path}: ${rule}`, Code.InvalidArgument);
}

export function checkFlagKey(key: string, path: string): void {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw invalidArgument(path, `must be 1–${MAX_KEY_LENGTH} characters, got ${key.length}`);
  if (CONTROL.test(key)) throw invalidArgument(path, "must not contain control characters");
}

/**
 * Throws INVALID_ARGUMENT unless `flag` may be stored beside `others`
 * (every flag as it will be after the write, `flag` included or not).
 */
export interface CheckOptions extends CompileOptions {
  /** Prerequisites may name variants their flag lacks (never met), as Unleash dependencies may. */
  readonly anyPrerequisiteVariant?: boolean;
}

export function checkFlag(flag: Flag, others: ReadonlyMap<string, Flag>, prefix: string, options: CheckOptions = {}): void {
  checkFlagKey(flag.key, `${prefix}key`);
  if (flag.description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalidArgument(`${prefix}description`, `at most ${MAX_DESCRIPTION_LENGTH} characters, got ${flag.description.length}`);
  }
  if (flag.tags.length > MAX_TAGS) throw invalidArgument(`${prefix}tags`, `at most ${MAX_TAGS} tags, got ${flag.tags.length}`);
  for (const [index, tag] of flag.tags.entries()) {
    if (tag.length === 0 || tag.length > MAX_TAG_LENGTH || CONTROL.test(tag)) {
      throw invalidArgument(`${prefix}tags[${index}]`, `must be 1–${MAX_TAG_LENGTH} characters without control characters`);
    }
  }
  try {
    compileFlag(flag, options);
  } catch (error) {
    if (error instanceof FlagDefinitionError) throw invalidArgument(`${prefix}${error.path}`, error.rule);
    throw error;
  }
  if (flag.type === FlagType.KILL_SWITCH && flag.offVariant !== "") {
    const off = flag.variants.find((variant) => variant.name === flag.offVariant);
    if (off?.value?.kind.case !== "boolValue" || off.value.kind.value !== false) {
      throw invalidArgument(`${prefix}off_variant`, "a kill switch's off variant must serve false: a tripped kill switch is always off");
    }
  }
  const view = new Map(others);
  view.set(flag.key, flag);
  for (const [index, prerequisite] of flag.prerequisites.entries()) {
    const path = `${prefix}prerequisites[${index}]`;
    if (prerequisite.flagKey === flag.key) throw invalidArgument(`${path}.flag_key`, "a flag cannot depend on itself");
    const parent = view.get(prerequisite.flagKey);
    if (parent === undefined) throw invalidArgument(`${path}.flag_key`, `no flag "${prerequisite.flagKey}"`);
    const names = new Set(parent.variants.map((variant) => variant.name));
    for (const [position, variant] of prerequisite.variants.entries()) {
      if (variant !== "" && !names.has(variant) && !options.anyPrerequisiteVariant) {
        throw invalidArgument(`${path}.variants[${position}]`, `flag "${parent.key}" has no variant "${variant}"`);
      }
    }
    const cycle = pathBack(prerequisite.flagKey, flag.key, view, new Set());
    if (cycle !== undefined) {
      throw invalidArgument(`${path}.flag_key`, `prerequisites would form a cycle: ${[flag.key, ...cycle].join(" → ")}`);
    }
  }
}

/** The chain of prerequisites from `from` back to `target`, if there is one. */
function pathBack(from: string, target: string, view: ReadonlyMap<string, Flag>, seen: Set<string>): string[] | undefined {
  if (from === target) return [from];
  if (seen.has(from)) return undefined;
  seen.add(from);
  for (const prerequisite of view.get(from)?.prerequisites ?? []) {
    const rest = pathBack(prerequisite.flagKey, target, view, seen);
    if (rest !== undefined) return [from, ...rest];
  }
  return undefined;
}

/**
 * The split totals CreateFlag requires (100 or 1000), for the splits in the
 * fields an update names: an imported flag keeps Unleash's own totals in the
 * fields an update leaves alone.
 */
export function checkSplitTotals(flag: Flag, fields: readonly string[], prefix: string): void {
  const check = (variants: readonly { weight: number }[], path: string) => {
    if (variants.length === 0) return;
    const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
    if (total !== 100 && total !== 1000) throw invalidArgument(path, `weights must add up to 100 or 1000, got ${total}`);
  };
  if (fields.includes("split") && flag.split !== undefined) check(flag.split.variants, `${prefix}split.variants`);
  if (fields.includes("rules")) {
    for (const [index, rule] of flag.rules.entries()) {
      if (rule.serve.case === "split") check(rule.serve.value.variants, `${prefix}rules[${index}].split.variants`);
    }
  }
}

/**
 * Refuses a change of `before` into `after` that removes a variant another
 * flag's prerequisite requires, naming the dependent's field path; the
 * dependent has to change first, or its prerequisite could never be met.
 */
export function checkDependentsKeepVariants(before: Flag, after: Flag, others: ReadonlyMap<string, Flag>, prefix: string): void {
  const had = new Set(before.variants.map((variant) => variant.name));
  const has = new Set(after.variants.map((variant) => variant.name));
  for (const dependent of others.values()) {
    for (const [index, prerequisite] of dependent.prerequisites.entries()) {
      if (prerequisite.flagKey !== after.key) continue;
      for (const [position, name] of prerequisite.variants.entries()) {
        if (name !== "" && had.has(name) && !has.has(name)) {
          throw invalidArgument(
            `${prefix}variants`,
            `removes variant "${name}", which flag "${dependent.key}" requires at ${dependent.key}.prerequisites[${index}].variants[${position}]; change that flag first`,
          );
        }
      }
    }
  }
}
