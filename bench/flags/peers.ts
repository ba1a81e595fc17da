/**
 * The benchmark's four cases stated once for each system: SUM flags,
 * flagd (@openfeature/flagd-core) and Unleash (unleash-client, fed from
 * memory through its repository interface, metrics off). Each system gets
 * the equivalent definition in its own format.
 */
import { EventEmitter } from "node:events";
import { create, fromJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { FlagdCore } from "@openfeature/flagd-core";
import { Unleash } from "unleash-client";
import { ConstraintOperator, FlagSchema, FlagType, type Flag } from "../../gen/sum/v1/flags_pb.js";

export const RULES = 10;
/** Rule i targets these countries and e-mail prefixes. */
export const ruleCountries = (rule: number) => [`C${rule}A`, `C${rule}B`, `C${rule}C`];
export const rulePrefix = (rule: number) => `team${rule}-`;

export const CASES = ["static", "targeting", "rollout", "variant"] as const;
export type Case = (typeof CASES)[number];

export const FLAG_KEYS: Record<Case, string> = {
  static: "bench-static",
  targeting: "bench-targeting",
  rollout: "bench-rollout",
  variant: "bench-variant",
};

export function sumFlags(): Flag[] {
  return [
    create(FlagSchema, { key: FLAG_KEYS.static, type: FlagType.BOOLEAN, enabled: true }),
    create(FlagSchema, {
      key: FLAG_KEYS.targeting,
      type: FlagType.BOOLEAN,
      enabled: true,
      rules: Array.from({ length: RULES }, (_, rule) => ({
        constraints: [
          { contextField: "country", operator: ConstraintOperator.IN, values: ruleCountries(rule) },
          { contextField: "email", operator: ConstraintOperator.STR_STARTS_WITH, values: [rulePrefix(rule)] },
        ],
      })),
    }),
    create(FlagSchema, { key: FLAG_KEYS.rollout, type: FlagType.PERCENTAGE, enabled: true, rules: [{ rollout: { percentage: 50 } }] }),
    create(FlagSchema, {
      key: FLAG_KEYS.variant,
      type: FlagType.VARIANT,
      enabled: true,
      variants: ["red", "green", "blue"].map((name) => ({ name, value: fromJson(ValueSchema, name) })),
      split: { variants: [{ variant: "red", weight: 34 }, { variant: "green", weight: 33 }, { variant: "blue", weight: 33 }] },
    }),
  ];
}

export function flagdCore(): FlagdCore {
  const onOff = { on: true, off: false };
  const core = new FlagdCore();
  let chain: unknown = false;
  for (let rule = RULES - 1; rule >= 0; rule--) {
    chain = {
      if: [
        { and: [{ in: [{ var: "country" }, ruleCountries(rule)] }, { starts_with: [{ var: "email" }, rulePrefix(rule)] }] },
        "on",
        chain === false ? "off" : chain,
      ],
    };
  }
  core.setConfigurations(
    JSON.stringify({
      flags: {
        [FLAG_KEYS.static]: { state: "ENABLED", variants: onOff, defaultVariant: "on" },
        [FLAG_KEYS.targeting]: { state: "ENABLED", variants: onOff, defaultVariant: "off", targeting: chain },
        [FLAG_KEYS.rollout]: { state: "ENABLED", variants: onOff, defaultVariant: "off", targeting: { fractional: [["on", 50], ["off", 50]] } },
        [FLAG_KEYS.variant]: {
          state: "ENABLED",
          variants: { red: "red", green: "green", blue: "blue" },
          defaultVariant: "red",
          targeting: { fractional: [["red", 34], ["green", 33], ["blue", 33]] },
        },
      },
    }),
  );
  return core;
}

class MemoryRepository extends EventEmitter {
  constructor(private readonly features: Map<string, unknown>) {
    super();
  }
  getToggle(name: string) {
    return this.features.get(name) as never;
  }
  getToggles() {
    return [...this.features.values()] as never[];
  }
  getTogglesWithSegmentData() {
    return this.getToggles();
  }
  getSegment() {
    return undefined;
  }
  stop() {}
  async start() {
    this.emit("ready");
    this.emit("changed", this.getToggles());
  }
}

export async function unleashClient(): Promise<Unleash> {
  const features = new Map<string, unknown>([
    [FLAG_KEYS.static, { name: FLAG_KEYS.static, enabled: true, strategies: [{ name: "default", parameters: {} }] }],
    [
      FLAG_KEYS.targeting,
      {
        name: FLAG_KEYS.targeting,
        enabled: true,
        strategies: Array.from({ length: RULES }, (_, rule) => ({
          name: "default",
          parameters: {},
          constraints: [
            { contextName: "country", operator: "IN", values: ruleCountries(rule) },
            { contextName: "email", operator: "STR_STARTS_WITH", values: [rulePrefix(rule)] },
          ],
        })),
      },
    ],
    [
      FLAG_KEYS.rollout,
      {
        name: FLAG_KEYS.rollout,
        enabled: true,
        strategies: [{ name: "flexibleRollout", parameters: { rollout: "50", stickiness: "default", groupId: FLAG_KEYS.rollout } }],
      },
    ],
    [
      FLAG_KEYS.variant,
      {
        name: FLAG_KEYS.variant,
        enabled: true,
        strategies: [{ name: "default", parameters: {} }],
        variants: [
          { name: "red", weight: 340, payload: { type: "string", value: "red" } },
          { name: "green", weight: 330, payload: { type: "string", value: "green" } },
          { name: "blue", weight: 330, payload: { type: "string", value: "blue" } },
        ],
      },
    ],
  ]);
  const unleash = new Unleash({
    appName: "sum-bench",
    url: "http://127.0.0.1:9/unused",
    disableMetrics: true,
    refreshInterval: 0,
    repository: new MemoryRepository(features) as never,
    skipInstanceCountWarning: true,
  });
  await new Promise<void>((resolve) => (unleash.isSynchronized() ? resolve() : unleash.once("ready", () => resolve())));
  return unleash;
}
