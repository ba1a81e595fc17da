/**
 * FlagsService through real clients: Connect JSON and binary on the HTTP
 * port, a plain grpc-js client on the native port, the real OpenFeature
 * OFREP provider, and SummarizeService consulting summarization_algorithm.
 */
import { create, fromJson, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema, ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { OFREPProvider } from "@openfeature/ofrep-provider";
import { OpenFeature } from "@openfeature/server-sdk";
import { status as GrpcStatus, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConstraintOperator,
  EvaluationErrorCode,
  EvaluationReason,
  FlagChangeKind,
  FlagSchema,
  FlagsService,
  FlagType,
  type Flag,
  type WatchFlagsResponse,
} from "../../gen/sum/v1/flags_pb.js";
import { Algorithm, SummarizeService } from "../../gen/sum/v1/summarize_pb.js";
import { productServices } from "../../src/main.js";
import { GrpcJsClient } from "../support/grpc-js-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

let sum: TestServer;
let flags: Client<typeof FlagsService>;
let grpc: GrpcJsClient;

beforeAll(async () => {
  sum = await startTestServer({ env: { SUMMARIZE_WORKERS: "0", LOG_LEVEL: "warn" }, services: productServices });
  flags = sum.client(FlagsService, "connect-json-http1");
  grpc = new GrpcJsClient(sum.grpcAddress);
});

afterAll(async () => {
  grpc?.close();
  await OpenFeature.close();
  await sum?.stop();
});

const value = (json: Parameters<typeof fromJson<typeof ValueSchema>>[1]) => fromJson(ValueSchema, json);

function betaFlag(key: string): Flag {
  return create(FlagSchema, {
    key,
    type: FlagType.BOOLEAN,
    description: "beta",
    tags: ["beta", key],
    enabled: true,
    targets: [{ values: ["vip"] }],
    rules: [
      {
        name: "staff",
        constraints: [{ contextField: "email", operator: ConstraintOperator.STR_ENDS_WITH, values: ["@sum.example"] }],
      },
      { name: "half", rollout: { percentage: 50 } },
    ],
  });
}

async function expectCode(work: Promise<unknown>, code: Code, message?: RegExp): Promise<void> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConnectError);
  expect((error as ConnectError).code).toBe(code);
  if (message !== undefined) expect((error as ConnectError).rawMessage).toMatch(message);
}

describe("built-in flags", () => {
  it("creates summarization_algorithm and webhook_notifications on first start", async () => {
    const { flags: all } = await flags.listFlags({});
    const keys = all.map((flag) => flag.key);
    expect(keys).toContain("summarization_algorithm");
    expect(keys).toContain("webhook_notifications");
    const algorithm = all.find((flag) => flag.key === "summarization_algorithm")!;
    expect(algorithm.type).toBe(FlagType.VARIANT);
    expect(algorithm.variants.map((variant) => variant.name)).toContain("ALGORITHM_TEXTRANK");
  });
});

describe("CRUD", () => {
  it("creates, reads, lists by tag and page, updates with a mask and version, deletes", async () => {
    const created = (await flags.createFlag({ flag: betaFlag("crud.beta") }, { headers: { "x-user-id": "alice" } })).flag!;
    expect(created.version).toBe(1n);
    expect(created.createTime).toBeDefined();
    expect((await flags.getFlag({ key: "crud.beta" })).flag!.rules).toHaveLength(2);

    await flags.createFlag({ flag: betaFlag("crud.other") });
    const tagged = await flags.listFlags({ tag: "crud.beta" });
    expect(tagged.flags.map((flag) => flag.key)).toEqual(["crud.beta"]);
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await flags.listFlags({ pageSize: 1, pageToken, tag: "beta" });
      expect(page.flags.length).toBeLessThanOrEqual(1);
      seen.push(...page.flags.map((flag) => flag.key));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(seen).toEqual(["crud.beta", "crud.other"]);

    const updated = (
      await flags.updateFlag(
        { flag: { key: "crud.beta", version: 1n, enabled: false, description: "ignored: not in the mask" }, updateMask: create(FieldMaskSchema, { paths: ["enabled"] }) },
        { headers: { "x-user-id": "bob" } },
      )
    ).flag!;
    expect(updated.version).toBe(2n);
    expect(updated.enabled).toBe(false);
    expect(updated.description).toBe("beta");
    await expectCode(
      flags.updateFlag({ flag: { key: "crud.beta", version: 1n, enabled: true }, updateMask: create(FieldMaskSchema, { paths: ["enabled"] }) }),
      Code.Aborted,
      /flag\.version: 1 is stale; flag "crud\.beta" is at version 2/,
    );
    await expectCode(flags.updateFlag({ flag: { key: "crud.beta", version: 2n }, updateMask: create(FieldMaskSchema, { paths: ["key"] }) }), Code.InvalidArgument, /update_mask\.paths\[0\]/);

    await flags.deleteFlag({ key: "crud.other" });
    await expectCode(flags.getFlag({ key: "crud.other" }), Code.NotFound, /key: flag "crud\.other" not found/);
    await expectCode(flags.deleteFlag({ key: "crud.other" }), Code.NotFound);
    await expectCode(flags.createFlag({ flag: betaFlag("crud.beta") }), Code.AlreadyExists);

    const audit = await flags.listFlagAudit({ flagKey: "crud.beta" });
    expect(audit.entries.map((entry) => [entry.kind, entry.actor])).toEqual([
      [FlagChangeKind.UPDATED, "bob"],
      [FlagChangeKind.CREATED, "alice"],
    ]);
    expect(audit.entries[0]!.oldFlag!.enabled).toBe(true);
    expect(audit.entries[0]!.newFlag!.enabled).toBe(false);
    const deleted = await flags.listFlagAudit({ flagKey: "crud.other" });
    expect(deleted.entries.map((entry) => [entry.kind, entry.actor, entry.newFlag === undefined])).toEqual([
      [FlagChangeKind.DELETED, "anonymous", true],
      [FlagChangeKind.CREATED, "anonymous", false],
    ]);
  });

  it("returns the first result for a retried request_id", async () => {
    const first = await flags.createFlag({ flag: betaFlag("idempotent.one"), requestId: "req-1" });
    const again = await flags.createFlag({ flag: betaFlag("idempotent.one"), requestId: "req-1" });
    expect(again.flag!.version).toBe(first.flag!.version);
    expect((await flags.listFlagAudit({ flagKey: "idempotent.one" })).entries).toHaveLength(1);
  });

  it("publishes flag.changed in the event log for each change", async () => {
    await flags.createFlag({ flag: betaFlag("events.one") });
    const events = await sum.server.events.readAfter(0, 1000, ["flag.changed"]);
    expect(events.map((event) => event.data)).toContainEqual({ flagKey: "events.one", kind: "created", version: 1, actor: "anonymous" });
  });
});

describe("bad input", () => {
  const cases: [string, MessageInitShape<typeof FlagSchema>, RegExp][] = [
    ["an empty key", { key: "" }, /^flag\.key: must be 1–200 characters, got 0$/],
    ["no type", { type: FlagType.UNSPECIFIED }, /^type|^flag\.type: must be a known flag type/],
    [
      "an invalid regex",
      { rules: [{ constraints: [{ contextField: "email", operator: ConstraintOperator.REGEX, values: ["(unclosed"] }] }] },
      /^flag\.rules\[0\]\.constraints\[0\]\.values\[0\]: not a valid RE2 regular expression/,
    ],
    [
      "an invalid CIDR",
      { rules: [{ constraints: [{ contextField: "ip", operator: ConstraintOperator.IN_CIDR, values: ["10.0.0.0/8", "10.0.0.300/8"] }] }] },
      /^flag\.rules\[0\]\.constraints\[0\]\.values\[1\]: not an IP address or CIDR range, got "10\.0\.0\.300\/8"$/,
    ],
    [
      "an unknown operator",
      { rules: [{ constraints: [{ contextField: "ip", operator: 99 as ConstraintOperator, values: ["x"] }] }] },
      /^flag\.rules\[0\]\.constraints\[0\]\.operator: unknown operator 99$/,
    ],
    [
      "weights that do not add up",
      {
        type: FlagType.VARIANT,
        variants: [{ name: "a" }, { name: "b" }],
        split: { variants: [{ variant: "a", weight: 50 }, { variant: "b", weight: 40 }] },
      },
      /^flag\.split\.variants: weights must add up to 100 or 1000, got 90$/,
    ],
    ["a variant value that does not fit", { variants: [{ name: "on", value: value("yes") }] }, /^flag\.variants\[0\]\.value: must be a bool for a boolean flag$/],
    ["a rollout over 100%", { rules: [{ rollout: { percentage: 101 } }] }, /^flag\.rules\[0\]\.rollout\.percentage: must be between 0 and 100, got 101$/],
    ["a missing prerequisite", { prerequisites: [{ flagKey: "nope" }] }, /^flag\.prerequisites\[0\]\.flag_key: no flag "nope"$/],
    ["a default variant that does not exist", { defaultVariant: "ghost" }, /^flag\.default_variant: no variant named "ghost"$/],
  ];

  it.each(cases)("refuses %s with INVALID_ARGUMENT naming the field", async (_name, change, message) => {
    const flag = create(FlagSchema, { key: "bad.input", type: FlagType.BOOLEAN, enabled: true, ...change });
    await expectCode(flags.createFlag({ flag }), Code.InvalidArgument, message);
    await expectCode(flags.getFlag({ key: "bad.input" }), Code.NotFound);
  });

  it("refuses a kill switch whose off variant is not false, and serves a tripped kill switch as false over every client", async () => {
    const killSwitch = (offValue: boolean) =>
      create(FlagSchema, {
        key: `kill.${offValue}`,
        type: FlagType.KILL_SWITCH,
        enabled: false,
        variants: [{ name: "live", value: value(true) }, { name: "tripped", value: value(offValue) }],
        offVariant: "tripped",
        defaultVariant: "live",
        targets: [{ variant: "live", values: ["vip"] }],
        rules: [{ constraints: [{ contextField: "plan", operator: ConstraintOperator.IN, values: ["pro"] }], serve: { case: "variant", value: "live" } }],
      });
    await expectCode(flags.createFlag({ flag: killSwitch(true) }), Code.InvalidArgument, /^flag\.off_variant: a kill switch's off variant must serve false/);
    await expectCode(flags.getFlag({ key: "kill.true" }), Code.NotFound);
    await flags.createFlag({ flag: killSwitch(false) });
    const created = (await flags.getFlag({ key: "kill.false" })).flag!;
    await expectCode(
      flags.updateFlag({ flag: { key: created.key, version: created.version, variants: killSwitch(true).variants }, updateMask: create(FieldMaskSchema, { paths: ["variants"] }) }),
      Code.InvalidArgument,
      /^flag\.off_variant/,
    );
    for (const context of [{ targetingKey: "vip" }, { targetingKey: "x", attributes: { plan: "pro" } }]) {
      const evaluation = (await flags.evaluate({ flagKey: "kill.false", context })).evaluation!;
      expect([evaluation.value!.kind.value, evaluation.reason, evaluation.enabled]).toEqual([false, EvaluationReason.DISABLED, false]);
    }
  });

  it("refuses a prerequisite cycle at write time and leaves both flags as they were", async () => {
    await flags.createFlag({ flag: create(FlagSchema, { key: "cycle.a", type: FlagType.BOOLEAN, enabled: true }) });
    await flags.createFlag({ flag: create(FlagSchema, { key: "cycle.b", type: FlagType.BOOLEAN, enabled: true, prerequisites: [{ flagKey: "cycle.a" }] }) });
    await expectCode(
      flags.updateFlag({ flag: { key: "cycle.a", version: 1n, prerequisites: [{ flagKey: "cycle.b" }] }, updateMask: create(FieldMaskSchema, { paths: ["prerequisites"] }) }),
      Code.InvalidArgument,
      /^flag\.prerequisites\[0\]\.flag_key: prerequisites would form a cycle: cycle\.a → cycle\.b → cycle\.a$/,
    );
    expect((await flags.getFlag({ key: "cycle.a" })).flag!.version).toBe(1n);
    await expectCode(flags.deleteFlag({ key: "cycle.a" }), Code.FailedPrecondition, /"cycle\.b" depend on "cycle\.a"/);
  });

  it("updates an imported flag whose split keeps Unleash's total, checking only the masked fields by CreateFlag's rules", async () => {
    await flags.importFlags({
      unleash: {
        features: [
          { name: "imported.parent", enabled: true, strategies: [{ name: "default" }] },
          {
            name: "imported.split",
            enabled: true,
            strategies: [{ name: "default" }],
            variants: [
              { name: "a", weight: 500, stickiness: "default" },
              { name: "b", weight: 300, stickiness: "default" },
            ],
            dependencies: [{ feature: "imported.parent", variants: ["ghost"] }],
          },
        ],
      } as never,
    });
    const imported = (await flags.getFlag({ key: "imported.split" })).flag!;
    expect(imported.split!.variants.map((variant) => variant.weight)).toEqual([500, 300]);
    const described = (
      await flags.updateFlag({ flag: { key: imported.key, version: imported.version, description: "from Unleash" }, updateMask: create(FieldMaskSchema, { paths: ["description"] }) })
    ).flag!;
    expect([described.description, described.version]).toEqual(["from Unleash", imported.version + 1n]);
    const tagged = (
      await flags.updateFlag({ flag: { key: imported.key, version: described.version, tags: ["unleash"], enabled: false }, updateMask: create(FieldMaskSchema, { paths: ["tags", "enabled"] }) })
    ).flag!;
    expect(tagged.split!.variants.map((variant) => variant.weight)).toEqual([500, 300]);
    // A split the update sets, or prerequisites it sets, must meet CreateFlag's rules.
    await expectCode(
      flags.updateFlag({ flag: { key: imported.key, version: tagged.version, split: { variants: [{ variant: "a", weight: 50 }, { variant: "b", weight: 40 }] } }, updateMask: create(FieldMaskSchema, { paths: ["split"] }) }),
      Code.InvalidArgument,
      /^flag\.split\.variants: weights must add up to 100 or 1000, got 90$/,
    );
    await expectCode(
      flags.updateFlag({ flag: { key: imported.key, version: tagged.version, prerequisites: [{ flagKey: "imported.parent", variants: ["ghost"] }] }, updateMask: create(FieldMaskSchema, { paths: ["prerequisites"] }) }),
      Code.InvalidArgument,
      /^flag\.prerequisites\[0\]\.variants\[0\]: flag "imported\.parent" has no variant "ghost"$/,
    );
  });

  it("refuses a parent change that drops a variant a dependent requires, and a delete of a flag others depend on", async () => {
    await flags.createFlag({
      flag: create(FlagSchema, { key: "parent.theme", type: FlagType.VARIANT, enabled: true, variants: [{ name: "dark" }, { name: "light" }], defaultVariant: "light" }),
    });
    await flags.createFlag({
      flag: create(FlagSchema, { key: "child.widget", type: FlagType.BOOLEAN, enabled: true, prerequisites: [{ flagKey: "parent.theme", variants: ["light", "dark"] }] }),
    });
    await expectCode(
      flags.updateFlag({ flag: { key: "parent.theme", version: 1n, variants: [{ name: "light" }] }, updateMask: create(FieldMaskSchema, { paths: ["variants"] }) }),
      Code.InvalidArgument,
      /^flag\.variants: removes variant "dark", which flag "child\.widget" requires at child\.widget\.prerequisites\[0\]\.variants\[1\]/,
    );
    expect((await flags.getFlag({ key: "parent.theme" })).flag!.variants).toHaveLength(2);
    // Adding a variant, or changing anything else, is fine.
    await flags.updateFlag({ flag: { key: "parent.theme", version: 1n, variants: [{ name: "dark" }, { name: "light" }, { name: "sepia" }] }, updateMask: create(FieldMaskSchema, { paths: ["variants"] }) });
    await expectCode(flags.deleteFlag({ key: "parent.theme" }), Code.FailedPrecondition, /^key: flags "child\.widget" depend on "parent\.theme" \(child\.widget\.prerequisites\[0\]\.flag_key\)/);
  });

  it("writes nothing of an import in which one toggle is bad", async () => {
    const before = (await flags.listFlagAudit({ pageSize: 1 })).entries[0]!.id;
    await expectCode(
      flags.importFlags({
        unleash: {
          features: [
            { name: "import.good", enabled: true, strategies: [{ name: "default" }] },
            { name: "", enabled: true, strategies: [] },
          ],
        },
      }),
      Code.InvalidArgument,
      /^unleash\.features\[1\]\.name/,
    );
    await expectCode(flags.getFlag({ key: "import.good" }), Code.NotFound);
    expect((await flags.listFlagAudit({ pageSize: 1 })).entries[0]!.id).toBe(before);
  });
});

describe("Evaluate", () => {
  beforeAll(async () => {
    await flags.createFlag({ flag: betaFlag("eval.beta") });
    await flags.createFlag({
      flag: create(FlagSchema, {
        key: "eval.config",
        type: FlagType.CONFIG,
        enabled: true,
        variants: [{ name: "small", value: value({ limit: 10 }) }, { name: "large", value: value({ limit: 1000 }) }],
        defaultVariant: "small",
        targets: [{ variant: "large", contextField: "plan", values: ["enterprise"] }],
      }),
    });
  });

  it("serves targets, rules, rollouts and the off state over grpc-js", async () => {
    const evaluate = async (targetingKey: string, attributes: Record<string, string> = {}) =>
      (await grpc.unary(FlagsService.method.evaluate, { flagKey: "eval.beta", context: { targetingKey, attributes } })).response.evaluation!;
    const vip = await evaluate("vip");
    expect([vip.value!.kind.value, vip.reason, vip.enabled]).toEqual([true, EvaluationReason.TARGETING_MATCH, true]);
    const staff = await evaluate("someone", { email: "ann@sum.example" });
    expect(staff.reason).toBe(EvaluationReason.TARGETING_MATCH);
    let on = 0;
    for (let user = 0; user < 200; user++) if ((await evaluate(`user-${user}`)).enabled) on++;
    expect(on).toBeGreaterThan(70);
    expect(on).toBeLessThan(130);
    // The same user always lands in the same bucket.
    expect((await evaluate("user-7")).enabled).toBe((await evaluate("user-7")).enabled);
  });

  it("serves config values by group target, TYPE_MISMATCH for the wrong type, NOT_FOUND for a missing flag", async () => {
    const enterprise = (await flags.evaluate({ flagKey: "eval.config", context: { targetingKey: "x", attributes: { plan: "enterprise" } } })).evaluation!;
    expect([enterprise.variant, enterprise.value!.kind.case]).toEqual(["large", "structValue"]);
    const mismatch = (await flags.evaluate({ flagKey: "eval.config", expectedType: FlagType.BOOLEAN })).evaluation!;
    expect([mismatch.reason, mismatch.errorCode]).toEqual([EvaluationReason.ERROR, EvaluationErrorCode.TYPE_MISMATCH]);
    await expectCode(flags.evaluate({ flagKey: "eval.missing" }), Code.NotFound, /^flag_key: flag "eval\.missing" not found$/);
    const error = await grpc.unary(FlagsService.method.evaluate, { flagKey: "eval.missing" }).catch((caught: ServiceError) => caught);
    expect((error as ServiceError).code).toBe(GrpcStatus.NOT_FOUND);
  });

  it("answers TARGETING_KEY_MISSING with the flag's default when a rollout or split on the targeting key meets a context without one", async () => {
    await flags.createFlag({
      flag: create(FlagSchema, {
        key: "eval.keyed",
        type: FlagType.VARIANT,
        enabled: true,
        variants: [{ name: "a" }, { name: "b" }, { name: "plain" }],
        defaultVariant: "plain",
        rules: [{ constraints: [{ contextField: "plan", operator: ConstraintOperator.IN, values: ["pro"] }], rollout: { percentage: 50 } }],
        split: { variants: [{ variant: "a", weight: 50 }, { variant: "b", weight: 50 }] },
      }),
    });
    for (const attributes of [{}, { plan: "pro" }] as Record<string, string>[]) {
      const missing = (await grpc.unary(FlagsService.method.evaluate, { flagKey: "eval.keyed", context: { attributes } })).response.evaluation!;
      expect([missing.reason, missing.errorCode, missing.value!.kind.value, missing.variant, missing.enabled]).toEqual([
        EvaluationReason.ERROR,
        EvaluationErrorCode.TARGETING_KEY_MISSING,
        "plain",
        "plain",
        false,
      ]);
    }
    const keyed = (await flags.evaluate({ flagKey: "eval.keyed", context: { targetingKey: "user-1" } })).evaluation!;
    expect([keyed.reason, keyed.errorCode]).toEqual([EvaluationReason.SPLIT, EvaluationErrorCode.UNSPECIFIED]);
    // A flag that never buckets needs no key; nor does Unleash's own "default" stickiness, which falls back as Unleash does.
    expect((await flags.evaluate({ flagKey: "eval.config", context: {} })).evaluation!.errorCode).toBe(EvaluationErrorCode.UNSPECIFIED);
    await flags.importFlags({
      unleash: { features: [{ name: "eval.unleash", enabled: true, strategies: [{ name: "flexibleRollout", parameters: { rollout: "100", stickiness: "default", groupId: "g" } }] }] } as never,
    });
    const unleash = (await flags.evaluate({ flagKey: "eval.unleash", context: {} })).evaluation!;
    expect([unleash.enabled, unleash.errorCode]).toEqual([true, EvaluationErrorCode.UNSPECIFIED]);
  });

  it("EvaluateAll returns every flag in key order", async () => {
    const { evaluations } = await flags.evaluateAll({ context: { targetingKey: "vip" } });
    const keys = evaluations.map((evaluation) => evaluation.flagKey);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toContain("eval.beta");
    expect(evaluations.find((evaluation) => evaluation.flagKey === "eval.beta")!.reason).toBe(EvaluationReason.TARGETING_MATCH);
  });
});

describe("WatchFlags", () => {
  it("sends a snapshot, then each change soon after it commits", async () => {
    const controller = new AbortController();
    const stream = sum.client(FlagsService, "connect-binary-h2c").watchFlags({}, { signal: controller.signal })[Symbol.asyncIterator]();
    const first = (await stream.next()).value as WatchFlagsResponse;
    expect(first.event.case).toBe("snapshot");
    expect(first.event.case === "snapshot" && first.event.value.flags.some((flag) => flag.key === "summarization_algorithm")).toBe(true);

    const started = performance.now();
    await flags.createFlag({ flag: betaFlag("watch.one") });
    const changed = (await stream.next()).value as WatchFlagsResponse;
    expect(changed.event.case === "changed" && changed.event.value.key).toBe("watch.one");
    expect(changed.sequence).toBeGreaterThan(first.sequence);
    expect(performance.now() - started).toBeLessThan(1000);

    // The bar: each change arrives within 100 ms of its commit. Each latency is measured from
    // before the write is sent until the change reaches this stream, so it also counts the write's own
    // round trip and transaction: an upper bound on commit → arrival. The machine is shared (2 cores, other
    // suites running in parallel), so one scheduling hiccup must not fail the suite: the median of 7 changes
    // must be under 100 ms, and even the slowest under 500 ms — still far below the old 1 s bound.
    const latencies: number[] = [];
    let version = changed.event.case === "changed" ? changed.event.value.version : 1n;
    for (let index = 0; index < 7; index++) {
      const sent = performance.now();
      await flags.updateFlag({ flag: { key: "watch.one", version, description: `change ${index}` }, updateMask: create(FieldMaskSchema, { paths: ["description"] }) });
      const next = (await stream.next()).value as WatchFlagsResponse;
      latencies.push(performance.now() - sent);
      expect(next.event.case === "changed" && next.event.value.description).toBe(`change ${index}`);
      version = next.event.case === "changed" ? next.event.value.version : version;
    }
    latencies.sort((a, b) => a - b);
    expect(latencies[3]!, `latencies ${latencies.map((ms) => ms.toFixed(1)).join(", ")} ms`).toBeLessThan(100);
    expect(latencies[6]!).toBeLessThan(500);

    await flags.deleteFlag({ key: "watch.one" });
    const deleted = (await stream.next()).value as WatchFlagsResponse;
    expect(deleted.event).toEqual({ case: "deleted", value: "watch.one" });
    controller.abort();
    await stream.return?.();
  });
});

describe("OFREP with the OpenFeature SDK and OFREP provider", () => {
  it("evaluates booleans, objects, missing flags and type mismatches", async () => {
    await flags.createFlag({ flag: betaFlag("ofrep.beta") });
    await flags.createFlag({
      flag: create(FlagSchema, {
        key: "ofrep.theme",
        type: FlagType.VARIANT,
        enabled: true,
        variants: [{ name: "dark", value: value("dark") }, { name: "light", value: value("light") }],
        defaultVariant: "light",
        targets: [{ variant: "dark", values: ["night-owl"] }],
      }),
    });
    await OpenFeature.setProviderAndWait("sum-ofrep", new OFREPProvider({ baseUrl: sum.httpUrl }));
    const client = OpenFeature.getClient("sum-ofrep");

    const vip = await client.getBooleanDetails("ofrep.beta", false, { targetingKey: "vip" });
    expect([vip.value, vip.reason, vip.errorCode]).toEqual([true, "TARGETING_MATCH", undefined]);
    const staff = await client.getBooleanValue("ofrep.beta", false, { targetingKey: "x", email: "ann@sum.example" });
    expect(staff).toBe(true);
    const theme = await client.getStringDetails("ofrep.theme", "none", { targetingKey: "night-owl" });
    expect([theme.value, theme.variant]).toEqual(["dark", "dark"]);
    expect(await client.getStringValue("ofrep.theme", "none", { targetingKey: "someone" })).toBe("light");

    // Off without an off variant: no value, so the caller's default (never null, never TYPE_MISMATCH).
    await flags.createFlag({
      flag: create(FlagSchema, { key: "ofrep.off", type: FlagType.VARIANT, enabled: false, variants: [{ name: "dark" }, { name: "light" }] }),
    });
    const off = await client.getStringDetails("ofrep.off", "caller-default", { targetingKey: "x" });
    expect(off.value).toBe("caller-default");
    expect(off.errorCode).not.toBe("TYPE_MISMATCH");
    const algorithm = await client.getStringDetails("summarization_algorithm", "ALGORITHM_LEAD", { targetingKey: "x" });
    expect(algorithm.value).toBe("ALGORITHM_LEAD");
    expect(algorithm.errorCode).not.toBe("TYPE_MISMATCH");
    const config = await client.getObjectDetails("ofrep.off", { fallback: true }, { targetingKey: "x" });
    expect(config.value).toEqual({ fallback: true });

    // A split on the targeting key without one: TARGETING_KEY_MISSING, the caller's default.
    await flags.createFlag({
      flag: create(FlagSchema, {
        key: "ofrep.split",
        type: FlagType.VARIANT,
        enabled: true,
        variants: [{ name: "a" }, { name: "b" }],
        split: { variants: [{ variant: "a", weight: 50 }, { variant: "b", weight: 50 }] },
      }),
    });
    const keyless = await client.getStringDetails("ofrep.split", "none", {});
    expect([keyless.value, keyless.errorCode, keyless.reason]).toEqual(["none", "TARGETING_KEY_MISSING", "ERROR"]);

    const missing = await client.getBooleanDetails("ofrep.missing", false, { targetingKey: "x" });
    expect([missing.value, missing.errorCode]).toEqual([false, "FLAG_NOT_FOUND"]);
    const mismatch = await client.getNumberDetails("ofrep.theme", 7, { targetingKey: "x" });
    expect([mismatch.value, mismatch.errorCode]).toEqual([7, "TYPE_MISMATCH"]);
  });

  it("answers 404 FLAG_NOT_FOUND, 400 PARSE_ERROR and the bulk form over plain HTTP", async () => {
    const post = (path: string, body: string) => fetch(`${sum.httpUrl}${path}`, { method: "POST", body, headers: { "content-type": "application/json" } });
    const missing = await post("/ofrep/v1/evaluate/flags/nope", "{}");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ key: "nope", errorCode: "FLAG_NOT_FOUND" });
    const broken = await post("/ofrep/v1/evaluate/flags/ofrep.beta", "{not json");
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ errorCode: "PARSE_ERROR" });
    const off = await post("/ofrep/v1/evaluate/flags/summarization_algorithm", JSON.stringify({ context: { targetingKey: "x" } }));
    expect(off.status).toBe(200);
    const offBody = (await off.json()) as Record<string, unknown>;
    expect(offBody).toMatchObject({ key: "summarization_algorithm", reason: "DISABLED" });
    expect("value" in offBody).toBe(false);
    const keyless = await post("/ofrep/v1/evaluate/flags/ofrep.split", "{}");
    expect(keyless.status).toBe(400);
    expect(await keyless.json()).toMatchObject({ key: "ofrep.split", errorCode: "TARGETING_KEY_MISSING" });
    const bulk = await post("/ofrep/v1/evaluate/flags", JSON.stringify({ context: { targetingKey: "vip" } }));
    const body = (await bulk.json()) as { flags: { key: string; value: unknown }[] };
    expect(body.flags.find((flag) => flag.key === "ofrep.beta")?.value).toBe(true);
    expect((await fetch(`${sum.httpUrl}/healthz`)).status).toBe(200);
  });
});

describe("summarization_algorithm in SummarizeService", () => {
  const text = [
    "SUM turns long documents into short summaries for busy readers.",
    "Operators choose among several extractive algorithms for each caller.",
    "The lead algorithm keeps the opening sentences of the text.",
    "TextRank ranks sentences by their overlap with the other sentences.",
    "Feature flags let operators change the choice without a deploy.",
    "Each caller keeps the same variant because rollouts hash the caller id.",
  ].join(" ");

  it("forces the variant's algorithm for a targeted caller when the request leaves it automatic", async () => {
    const current = (await flags.getFlag({ key: "summarization_algorithm" })).flag!;
    await flags.updateFlag({
      flag: { key: current.key, version: current.version, enabled: true, targets: [{ variant: "ALGORITHM_TEXTRANK", values: ["tester"] }], defaultVariant: "" },
      updateMask: create(FieldMaskSchema, { paths: ["enabled", "targets", "default_variant"] }),
    });
    const summarize = sum.client(SummarizeService, "connect-binary-h2c");
    const forced = await summarize.summarize({ text, maxSentences: 2 }, { headers: { "x-user-id": "tester" } });
    expect(forced.stats!.algorithm).toBe(Algorithm.TEXTRANK);
    const explicit = await summarize.summarize({ text, maxSentences: 2, algorithm: Algorithm.LEAD }, { headers: { "x-user-id": "tester" } });
    expect(explicit.stats!.algorithm).toBe(Algorithm.LEAD);
    const automatic = await summarize.summarize({ text, maxSentences: 2 }, { headers: { "x-user-id": "someone-else" } });
    expect(automatic.stats!.algorithm).not.toBe(Algorithm.UNSPECIFIED);
    expect(automatic.stats!.algorithm).toBe(Algorithm.LEAD);
  });
});
