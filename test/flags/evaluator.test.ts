/**
 * The evaluator's pieces as tables of cases: the hash against
 * unleash-client-node's own, every constraint operator, semantic versions,
 * IP ranges, and each flag type's outcomes.
 */
import { createRequire } from "node:module";
import { create, fromJson, type MessageInitShape } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { ConstraintOperator as Op, ConstraintSchema, EvaluationReason, FlagSchema, FlagType } from "../../gen/sum/v1/flags_pb.js";
import { compileFlag } from "../../src/flags/compiled-flag.js";
import { compileConstraint } from "../../src/flags/constraint-operators.js";
import { inRange, parseIpAddress, parseIpRange } from "../../src/flags/ip-range.js";
import { murmurHash3, normalizedValue, ROLLOUT_SEED, VARIANT_SEED } from "../../src/flags/murmur-hash.js";
import { compareSemanticVersions, parseSemanticVersion } from "../../src/flags/semantic-version.js";

const unleashUtil = createRequire(import.meta.url)("unleash-client/lib/strategy/util.js") as {
  normalizedStrategyValue(id: string, groupId: string): number;
  normalizedVariantValue(id: string, groupId: string, normalizer: number): number;
};
const environment = { now: () => Date.parse("2026-06-01T00:00:00Z"), random: () => 0.5 };

describe("MurmurHash3 bucketing", () => {
  it("matches the reference vectors of MurmurHash3 x86_32", () => {
    expect(murmurHash3("", 0)).toBe(0);
    expect(murmurHash3("", 1)).toBe(0x514e28b7);
    expect(murmurHash3("hello", 0)).toBe(0x248bfa47);
    expect(murmurHash3("The quick brown fox jumps over the lazy dog", 0)).toBe(0x2e4ff723);
  });

  it("puts every id in the bucket unleash-client-node puts it, non-ASCII ids included", () => {
    const ids = ["", "1", "user-42", "123e4567-e89b-12d3-a456-426614174000", "ærøskøbing", "用户", "🙂 emoji", "a".repeat(257)];
    for (let index = 0; index < 500; index++) ids.push(`user-${index}`, String(index * 7919));
    for (const group of ["", "flag.a", "Feature.flexible.rollout", "ünïcode"]) {
      for (const id of ids) {
        expect(normalizedValue(`${group}:`, id, 100, ROLLOUT_SEED), `${group}:${id}`).toBe(unleashUtil.normalizedStrategyValue(id, group));
        expect(normalizedValue(`${group}:`, id, 1000, VARIANT_SEED)).toBe(unleashUtil.normalizedVariantValue(id, group, 1000));
      }
    }
  });
});

describe("constraint operators", () => {
  type Case = [MessageInitShape<typeof ConstraintSchema>, Record<string, unknown>, boolean];
  const ctx = (attributes: Record<string, unknown>, targetingKey?: string) => ({ targetingKey, attributes });
  const cases: Case[] = [
    [{ contextField: "plan", operator: Op.IN, values: ["pro", " team "] }, { plan: "team" }, true],
    [{ contextField: "plan", operator: Op.IN, values: ["pro"] }, { plan: "PRO" }, false],
    [{ contextField: "plan", operator: Op.IN, values: ["pro"], caseInsensitive: true }, { plan: "PRO" }, true],
    [{ contextField: "plan", operator: Op.IN, values: ["pro"] }, {}, false],
    [{ contextField: "plan", operator: Op.NOT_IN, values: ["pro"] }, {}, true],
    [{ contextField: "plan", operator: Op.NOT_IN, values: ["pro"] }, { plan: "pro" }, false],
    [{ contextField: "plan", operator: Op.IN, values: ["pro"], inverted: true }, { plan: "pro" }, false],
    [{ contextField: "email", operator: Op.STR_CONTAINS, values: ["@sum"] }, { email: "a@sum.example" }, true],
    [{ contextField: "email", operator: Op.STR_STARTS_WITH, values: ["ann", "bob"] }, { email: "bob@x" }, true],
    [{ contextField: "email", operator: Op.STR_ENDS_WITH, values: [".EXAMPLE"], caseInsensitive: true }, { email: "a@sum.example" }, true],
    [{ contextField: "email", operator: Op.STR_ENDS_WITH, values: [".EXAMPLE"] }, { email: "a@sum.example" }, false],
    [{ contextField: "age", operator: Op.NUM_EQ, values: ["30"] }, { age: 30 }, true],
    [{ contextField: "age", operator: Op.NUM_GT, values: ["30"] }, { age: "30.5" }, true],
    [{ contextField: "age", operator: Op.NUM_GTE, values: ["30"] }, { age: 30 }, true],
    [{ contextField: "age", operator: Op.NUM_LT, values: ["30"] }, { age: "abc" }, false],
    [{ contextField: "age", operator: Op.NUM_LTE, values: ["30"] }, { age: 29 }, true],
    [{ contextField: "currentTime", operator: Op.DATE_AFTER, values: ["2026-01-01T00:00:00Z"] }, {}, true],
    [{ contextField: "currentTime", operator: Op.DATE_BEFORE, values: ["2026-01-01T00:00:00Z"] }, { currentTime: "2025-12-31T23:00:00Z" }, true],
    [{ contextField: "version", operator: Op.SEMVER_EQ, values: ["1.2.3"] }, { version: "1.2.3+build.9" }, true],
    [{ contextField: "version", operator: Op.SEMVER_GT, values: ["1.2.3"] }, { version: "1.10.0" }, true],
    [{ contextField: "version", operator: Op.SEMVER_GTE, values: ["2.0.0-rc.1"] }, { version: "2.0.0-beta.9" }, false],
    [{ contextField: "version", operator: Op.SEMVER_LT, values: ["2.0.0"] }, { version: "2.0.0-rc.1" }, true],
    [{ contextField: "version", operator: Op.SEMVER_LTE, values: ["2.0.0"] }, { version: "v1.0.0" }, false],
    [{ contextField: "email", operator: Op.REGEX, values: ["^[a-z]+@sum\\.example$"] }, { email: "ann@sum.example" }, true],
    [{ contextField: "email", operator: Op.REGEX, values: ["^ANN"], caseInsensitive: true }, { email: "ann@sum.example" }, true],
    [{ contextField: "ip", operator: Op.IN_CIDR, values: ["10.0.0.0/8", "2001:db8::/32"] }, { ip: "10.20.30.40" }, true],
    [{ contextField: "ip", operator: Op.IN_CIDR, values: ["10.0.0.0/8", "2001:db8::/32"] }, { ip: "2001:db8:1::5" }, true],
    [{ contextField: "ip", operator: Op.IN_CIDR, values: ["10.0.0.0/8"] }, { ip: "11.0.0.1" }, false],
  ];
  it.each(cases)("%j with %j → %s", (constraint, attributes, expected) => {
    const compiled = compileConstraint(create(ConstraintSchema, constraint));
    expect(compiled.error).toBeUndefined();
    expect(compiled.predicate!(ctx(attributes), environment)).toBe(expected);
  });

  it("reads targetingKey as the context's targeting key", () => {
    const compiled = compileConstraint(create(ConstraintSchema, { contextField: "targetingKey", operator: Op.IN, values: ["u1"] }));
    expect(compiled.predicate!(ctx({}, "u1"), environment)).toBe(true);
  });

  const invalid: [MessageInitShape<typeof ConstraintSchema>, string][] = [
    [{ contextField: "a", operator: Op.NUM_GT, values: ["ten"] }, 'values[0]: must be a number, got "ten"'],
    [{ contextField: "a", operator: Op.NUM_GT, values: ["1", "2"] }, "values: NUM_GT takes exactly one value, got 2"],
    [{ contextField: "a", operator: Op.DATE_AFTER, values: ["someday"] }, 'values[0]: must be an RFC 3339 date-time, got "someday"'],
    [{ contextField: "a", operator: Op.SEMVER_EQ, values: ["1.2"] }, 'values[0]: must be a semantic version such as 1.2.3, got "1.2"'],
    [{ contextField: "a", operator: Op.IN_CIDR, values: ["300.1.1.1"] }, 'values[0]: not an IP address or CIDR range, got "300.1.1.1"'],
    [{ contextField: "a", operator: 42 as Op, values: [] }, "operator: unknown operator 42"],
  ];
  it.each(invalid)("refuses %j", (constraint, message) => {
    expect(compileConstraint(create(ConstraintSchema, constraint)).error).toBe(message);
  });
});

describe("semantic versions and IP ranges", () => {
  it("orders versions by SemVer 2.0 precedence", () => {
    const ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0"];
    for (let index = 1; index < ordered.length; index++) {
      expect(compareSemanticVersions(parseSemanticVersion(ordered[index - 1]!)!, parseSemanticVersion(ordered[index]!)!)).toBeLessThan(0);
    }
    expect(parseSemanticVersion("01.2.3")).toBeUndefined();
  });

  it("parses IPv4, IPv6 (compressed, embedded IPv4) and prefixes", () => {
    expect(inRange(parseIpAddress("::ffff:192.168.1.1")!, parseIpRange("::ffff:192.168.0.0/112")!)).toBe(true);
    expect(inRange(parseIpAddress("192.168.1.1")!, parseIpRange("::ffff:192.168.0.0/112")!)).toBe(false);
    expect(parseIpRange("2001:db8::/129")).toBeUndefined();
    expect(parseIpAddress("1:2:3:4:5:6:7:8:9")).toBeUndefined();
    expect(inRange(parseIpAddress("0.0.0.0")!, parseIpRange("0.0.0.0/0")!)).toBe(true);
  });
});

describe("flag types", () => {
  const value = (json: Parameters<typeof fromJson<typeof ValueSchema>>[1]) => fromJson(ValueSchema, json);
  const evaluate = (init: MessageInitShape<typeof FlagSchema>, targetingKey = "u1", attributes: Record<string, unknown> = {}) =>
    compileFlag(create(FlagSchema, { key: "f", ...init })).evaluate({ targetingKey, attributes }, environment, () => undefined);

  it("boolean: on is true, off is false, static without rules", () => {
    expect(evaluate({ type: FlagType.BOOLEAN, enabled: true })).toMatchObject({ value: true, reason: EvaluationReason.STATIC, enabled: true });
    expect(evaluate({ type: FlagType.BOOLEAN, enabled: false })).toMatchObject({ value: false, reason: EvaluationReason.DISABLED, enabled: false });
  });

  it("kill switch: tripped is false whatever its targets say", () => {
    const flag = { type: FlagType.KILL_SWITCH, targets: [{ values: ["u1"] }] };
    expect(evaluate({ ...flag, enabled: false })).toMatchObject({ value: false, reason: EvaluationReason.DISABLED });
    expect(evaluate({ ...flag, enabled: true })).toMatchObject({ value: true, reason: EvaluationReason.TARGETING_MATCH });
  });

  it("kill switch: tripped or unmet is false even with an off variant stored as true and rules that match", () => {
    const flag = {
      type: FlagType.KILL_SWITCH,
      variants: [{ name: "on", value: value(true) }, { name: "stuck", value: value(true) }],
      offVariant: "stuck",
      defaultVariant: "on",
      rules: [{ constraints: [{ contextField: "plan", operator: Op.IN, values: ["pro"] }], serve: { case: "variant" as const, value: "on" } }],
    };
    expect(evaluate({ ...flag, enabled: false }, "u1", { plan: "pro" })).toMatchObject({ value: false, reason: EvaluationReason.DISABLED, enabled: false });
    const unmet = compileFlag(create(FlagSchema, { key: "k", ...flag, enabled: true, prerequisites: [{ flagKey: "gone" }] }));
    expect(unmet.evaluate({ targetingKey: "u1", attributes: { plan: "pro" } }, environment, () => undefined)).toMatchObject({ value: false, enabled: false });
    expect(evaluate({ ...flag, enabled: true }, "u1", { plan: "pro" })).toMatchObject({ value: true, reason: EvaluationReason.TARGETING_MATCH });
  });

  it("percentage: in or out of the rollout by the hashed targeting key, DEFAULT when out", () => {
    const flag = { type: FlagType.PERCENTAGE, enabled: true, rules: [{ rollout: { percentage: 30 } }] };
    let on = 0;
    for (let user = 0; user < 1000; user++) {
      const result = evaluate(flag, `user-${user}`);
      if (result.enabled) on++;
      else expect(result.reason).toBe(EvaluationReason.DEFAULT);
    }
    expect(on).toBeGreaterThan(250);
    expect(on).toBeLessThan(350);
  });

  it("variant: a weighted split, the variant's name when it has no value", () => {
    const flag = {
      type: FlagType.VARIANT,
      enabled: true,
      variants: [{ name: "a" }, { name: "b", value: value(2) }],
      split: { variants: [{ variant: "a", weight: 500 }, { variant: "b", weight: 500 }] },
    };
    const seen = new Map<unknown, number>();
    for (let user = 0; user < 400; user++) {
      const result = evaluate(flag, `user-${user}`);
      expect(result.reason).toBe(EvaluationReason.SPLIT);
      seen.set(result.value, (seen.get(result.value) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual([2, "a"]);
    expect(seen.get("a")).toBeGreaterThan(150);
  });

  it("config: JSON values, off variant when disabled", () => {
    const flag = { type: FlagType.CONFIG, variants: [{ name: "on", value: value({ limit: 5 }) }, { name: "off", value: value({ limit: 0 }) }], defaultVariant: "on", offVariant: "off" };
    expect(evaluate({ ...flag, enabled: true }).value).toEqual({ limit: 5 });
    expect(evaluate({ ...flag, enabled: false })).toMatchObject({ value: { limit: 0 }, variant: "off", enabled: false });
  });

  it("prerequisites: the child is on only while its prerequisite serves a required variant", () => {
    const parent = compileFlag(create(FlagSchema, { key: "p", type: FlagType.VARIANT, enabled: true, variants: [{ name: "x" }, { name: "y" }], targets: [{ variant: "x", values: ["u1"] }], defaultVariant: "y" }));
    const child = compileFlag(create(FlagSchema, { key: "c", type: FlagType.BOOLEAN, enabled: true, prerequisites: [{ flagKey: "p", variants: ["x"] }] }));
    const lookup = (key: string) => (key === "p" ? parent : undefined);
    expect(child.evaluate({ targetingKey: "u1", attributes: {} }, environment, lookup).value).toBe(true);
    expect(child.evaluate({ targetingKey: "u2", attributes: {} }, environment, lookup)).toMatchObject({ value: false, reason: EvaluationReason.DISABLED });
  });

  it("visits only the rules whose IN can match, and still serves the first matching rule", () => {
    const rules = [
      { constraints: [{ contextField: "country", operator: Op.IN, values: ["NO", "SE"] }], variant: "a" },
      { constraints: [{ contextField: "plan", operator: Op.IN, values: ["pro"] }], variant: "b" },
      { constraints: [{ contextField: "country", operator: Op.IN, values: ["SE", "DK"] }, { contextField: "plan", operator: Op.IN, values: ["team"] }], variant: "c" },
      { constraints: [{ contextField: "country", operator: Op.IN, values: ["FI"], inverted: true }], variant: "d" },
      { constraints: [{ contextField: "country", operator: Op.IN, values: ["DK"] }], variant: "e" },
    ].map(({ variant, constraints }) => ({ constraints, serve: { case: "variant" as const, value: variant } }));
    const variants = ["a", "b", "c", "d", "e"].map((name) => ({ name }));
    const indexed = compileFlag(create(FlagSchema, { key: "i", type: FlagType.VARIANT, enabled: true, variants, rules }));
    const single = rules.map((rule) => compileFlag(create(FlagSchema, { key: "i", type: FlagType.VARIANT, enabled: true, variants, rules: [rule] })));
    for (const country of ["NO", "SE", "DK", "FI", "US", undefined]) {
      for (const plan of ["pro", "team", undefined]) {
        const context = { targetingKey: "u", attributes: { ...(country && { country }), ...(plan && { plan }) } };
        const expected = single.map((flag) => flag.evaluate(context, environment, () => undefined)).find((result) => result.enabled)?.variant ?? "";
        expect(indexed.evaluate(context, environment, () => undefined).variant, `${country} ${plan}`).toBe(expected);
      }
    }
  });

  it("returns the same frozen result for static outcomes (no allocation per evaluation)", () => {
    const flag = compileFlag(create(FlagSchema, { key: "s", type: FlagType.BOOLEAN, enabled: true }));
    const first = flag.evaluate({ targetingKey: "a", attributes: {} }, environment, () => undefined);
    expect(flag.evaluate({ targetingKey: "b", attributes: {} }, environment, () => undefined)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
