/**
 * Targeting constraints compiled into predicates once, when a flag enters
 * the snapshot, with Unleash's operator semantics: values are trimmed and
 * empty ones dropped, a missing field fails every operator but NOT_IN,
 * `inverted` negates the result, `case_insensitive` applies to the string
 * operators and REGEX (and, in SUM, to IN/NOT_IN).
 */
import { RE2JS } from "re2js";
import { ConstraintOperator, type Constraint } from "../../gen/sum/v1/flags_pb.js";
import { fieldReader, type EvaluationContext, type EvaluationEnvironment } from "./evaluation-context.js";
import { inRange, parseIpAddress, parseIpRange, type IpRange } from "./ip-range.js";
import { compareSemanticVersions, parseSemanticVersion } from "./semantic-version.js";

export type ConstraintPredicate = (context: EvaluationContext, environment: EvaluationEnvironment) => boolean;

/** A compiled constraint, or why it cannot be compiled (the rule, for a field path). */
export type CompiledConstraint = { predicate: ConstraintPredicate; error?: undefined } | { predicate?: undefined; error: string };

const SINGLE_VALUE = new Set<ConstraintOperator>([
  ConstraintOperator.NUM_EQ,
  ConstraintOperator.NUM_GT,
  ConstraintOperator.NUM_GTE,
  ConstraintOperator.NUM_LT,
  ConstraintOperator.NUM_LTE,
  ConstraintOperator.DATE_AFTER,
  ConstraintOperator.DATE_BEFORE,
  ConstraintOperator.SEMVER_EQ,
  ConstraintOperator.SEMVER_GT,
  ConstraintOperator.SEMVER_GTE,
  ConstraintOperator.SEMVER_LT,
  ConstraintOperator.SEMVER_LTE,
  ConstraintOperator.REGEX,
]);

/** The context time field DATE_* constraints read when they name none. */
export const CURRENT_TIME_FIELD = "currentTime";

export function compileConstraint(constraint: Constraint): CompiledConstraint {
  const operator = constraint.operator;
  const values = constraint.values.map((value) => value.trim()).filter((value) => value !== "");
  if (SINGLE_VALUE.has(operator) && values.length !== 1) {
    return { error: `values: ${ConstraintOperator[operator]} takes exactly one value, got ${values.length}` };
  }
  const compiled = compileOperator(constraint, operator, values);
  if (compiled.error !== undefined) return compiled;
  const test = compiled.predicate;
  return constraint.inverted ? { predicate: (context, environment) => !test(context, environment) } : compiled;
}

function compileOperator(constraint: Constraint, operator: ConstraintOperator, values: string[]): CompiledConstraint {
  const fold = constraint.caseInsensitive;
  const read = fieldReader(operator === ConstraintOperator.DATE_AFTER || operator === ConstraintOperator.DATE_BEFORE
    ? constraint.contextField || CURRENT_TIME_FIELD
    : constraint.contextField);
  const value = values[0] ?? "";
  switch (operator) {
    case ConstraintOperator.IN:
    case ConstraintOperator.NOT_IN: {
      const set = new Set(fold ? values.map((v) => v.toLocaleLowerCase()) : values);
      const wanted = operator === ConstraintOperator.IN;
      return {
        predicate: (context) => {
          const field = read(context);
          return (field !== undefined && set.has(fold ? field.toLocaleLowerCase() : field)) === wanted;
        },
      };
    }
    case ConstraintOperator.STR_CONTAINS:
    case ConstraintOperator.STR_STARTS_WITH:
    case ConstraintOperator.STR_ENDS_WITH: {
      const needles = fold ? values.map((v) => v.toLocaleLowerCase()) : values;
      const matches =
        operator === ConstraintOperator.STR_CONTAINS
          ? (field: string, needle: string) => field.includes(needle)
          : operator === ConstraintOperator.STR_STARTS_WITH
            ? (field: string, needle: string) => field.startsWith(needle)
            : (field: string, needle: string) => field.endsWith(needle);
      return {
        predicate: (context) => {
          let field = read(context);
          if (field === undefined) return false;
          if (fold) field = field.toLocaleLowerCase();
          for (const needle of needles) if (matches(field, needle)) return true;
          return false;
        },
      };
    }
    case ConstraintOperator.NUM_EQ:
    case ConstraintOperator.NUM_GT:
    case ConstraintOperator.NUM_GTE:
    case ConstraintOperator.NUM_LT:
    case ConstraintOperator.NUM_LTE: {
      const target = Number(value);
      if (Number.isNaN(target)) return { error: `values[0]: must be a number, got "${value}"` };
      const compare = numberComparison(operator);
      return {
        predicate: (context) => {
          const field = Number(read(context));
          return !Number.isNaN(field) && compare(field, target);
        },
      };
    }
    case ConstraintOperator.DATE_AFTER:
    case ConstraintOperator.DATE_BEFORE: {
      const target = Date.parse(value);
      if (Number.isNaN(target)) return { error: `values[0]: must be an RFC 3339 date-time, got "${value}"` };
      const after = operator === ConstraintOperator.DATE_AFTER;
      return {
        predicate: (context, environment) => {
          const field = read(context);
          const time = field === undefined ? environment.now() : new Date(field).getTime();
          return after ? time > target : time < target;
        },
      };
    }
    case ConstraintOperator.SEMVER_EQ:
    case ConstraintOperator.SEMVER_GT:
    case ConstraintOperator.SEMVER_GTE:
    case ConstraintOperator.SEMVER_LT:
    case ConstraintOperator.SEMVER_LTE: {
      const target = parseSemanticVersion(value);
      if (target === undefined) return { error: `values[0]: must be a semantic version such as 1.2.3, got "${value}"` };
      const compare = numberComparison(operator);
      return {
        predicate: (context) => {
          const field = read(context);
          const version = field === undefined ? undefined : parseSemanticVersion(field);
          return version !== undefined && compare(compareSemanticVersions(version, target), 0);
        },
      };
    }
    case ConstraintOperator.REGEX: {
      let pattern: RE2JS;
      try {
        pattern = RE2JS.compile(value, fold ? RE2JS.CASE_INSENSITIVE : 0);
      } catch (error) {
        return { error: `values[0]: not a valid RE2 regular expression: ${error instanceof Error ? error.message : String(error)}` };
      }
      return {
        predicate: (context) => {
          const field = read(context);
          return field !== undefined && pattern.matcher(field).find();
        },
      };
    }
    case ConstraintOperator.IN_CIDR: {
      const ranges: IpRange[] = [];
      for (const [index, text] of values.entries()) {
        const range = parseIpRange(text);
        if (range === undefined) return { error: `values[${index}]: not an IP address or CIDR range, got "${text}"` };
        ranges.push(range);
      }
      return {
        predicate: (context) => {
          const field = read(context);
          const address = field === undefined ? undefined : parseIpAddress(field);
          if (address === undefined) return false;
          for (const range of ranges) if (inRange(address, range)) return true;
          return false;
        },
      };
    }
    default:
      return { error: `operator: unknown operator ${operator}` };
  }
}

function numberComparison(operator: ConstraintOperator): (a: number, b: number) => boolean {
  switch (operator) {
    case ConstraintOperator.NUM_GT:
    case ConstraintOperator.SEMVER_GT:
      return (a, b) => a > b;
    case ConstraintOperator.NUM_GTE:
    case ConstraintOperator.SEMVER_GTE:
      return (a, b) => a >= b;
    case ConstraintOperator.NUM_LT:
    case ConstraintOperator.SEMVER_LT:
      return (a, b) => a < b;
    case ConstraintOperator.NUM_LTE:
    case ConstraintOperator.SEMVER_LTE:
      return (a, b) => a <= b;
    default:
      return (a, b) => a === b;
  }
}
