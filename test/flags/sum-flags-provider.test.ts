/**
 * The in-process OpenFeature provider (clients/flags) against a real
 * server: it evaluates from its WatchFlags snapshot with the server's
 * evaluator, agrees with Evaluate, and follows changes.
 */
import { create, fromJson } from "@bufbuild/protobuf";
import { FieldMaskSchema, ValueSchema } from "@bufbuild/protobuf/wkt";
import { OpenFeature, ProviderEvents } from "@openfeature/server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SumFlagsProvider } from "../../clients/flags/sum-flags-provider.js";
import { ConstraintOperator, FlagSchema, FlagsService, FlagType } from "../../gen/sum/v1/flags_pb.js";
import { productServices } from "../../src/main.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

let sum: TestServer;

beforeAll(async () => {
  sum = await startTestServer({ env: { SUMMARIZE_WORKERS: "0", LOG_LEVEL: "warn" }, services: productServices });
  const flags = sum.client(FlagsService, "connect-json-http1");
  await flags.createFlag({
    flag: create(FlagSchema, {
      key: "local.rollout",
      type: FlagType.BOOLEAN,
      enabled: true,
      rules: [
        { constraints: [{ contextField: "country", operator: ConstraintOperator.IN, values: ["NO", "SE"] }], rollout: { percentage: 50 } },
      ],
    }),
  });
  await flags.createFlag({
    flag: create(FlagSchema, {
      key: "local.button",
      type: FlagType.VARIANT,
      enabled: true,
      variants: ["red", "green", "blue"].map((name) => ({ name, value: fromJson(ValueSchema, name) })),
      split: { variants: [{ variant: "red", weight: 34 }, { variant: "green", weight: 33 }, { variant: "blue", weight: 33 }] },
    }),
  });
});

afterAll(async () => {
  await OpenFeature.close();
  await sum?.stop();
});

describe("SumFlagsProvider", () => {
  it("evaluates in-process exactly as the server's Evaluate does, and follows changes", async () => {
    const provider = new SumFlagsProvider({ transport: sum.transport("connect-binary-h2c") });
    await OpenFeature.setProviderAndWait("sum-local", provider);
    const client = OpenFeature.getClient("sum-local");
    const remote = sum.client(FlagsService, "connect-binary-h2c");
    expect(provider.keys()).toEqual(expect.arrayContaining(["local.rollout", "local.button", "summarization_algorithm"]));

    for (let user = 0; user < 60; user++) {
      const context = { targetingKey: `user-${user}`, country: user % 3 === 0 ? "DK" : "NO" };
      const local = await client.getBooleanDetails("local.rollout", false, context);
      const server = (await remote.evaluate({ flagKey: "local.rollout", context: { targetingKey: context.targetingKey, attributes: { country: context.country } } })).evaluation!;
      expect(local.value).toBe(server.value!.kind.value);
      const button = await client.getStringDetails("local.button", "none", context);
      const serverButton = (await remote.evaluate({ flagKey: "local.button", context: { targetingKey: context.targetingKey } })).evaluation!;
      expect([button.value, button.variant, button.reason]).toEqual([serverButton.variant, serverButton.variant, "SPLIT"]);
    }
    // Off without an off variant: the caller's default with reason DISABLED, as OFREP's omitted value.
    const algorithm = await client.getStringDetails("summarization_algorithm", "ALGORITHM_LEAD", { targetingKey: "x" });
    expect([algorithm.value, algorithm.reason, algorithm.errorCode]).toEqual(["ALGORITHM_LEAD", "DISABLED", undefined]);
    // A split on the targeting key without one: TARGETING_KEY_MISSING and the caller's default.
    const keyless = await client.getStringDetails("local.button", "none", {});
    expect([keyless.value, keyless.reason, keyless.errorCode]).toEqual(["none", "ERROR", "TARGETING_KEY_MISSING"]);
    const missing = await client.getBooleanDetails("local.missing", true, { targetingKey: "x" });
    expect([missing.value, missing.errorCode]).toEqual([true, "FLAG_NOT_FOUND"]);
    const mismatch = await client.getNumberDetails("local.button", 3, { targetingKey: "x" });
    expect([mismatch.value, mismatch.errorCode]).toEqual([3, "TYPE_MISMATCH"]);

    const changed = new Promise<void>((resolve) => client.addHandler(ProviderEvents.ConfigurationChanged, () => resolve()));
    const current = (await remote.getFlag({ key: "local.rollout" })).flag!;
    await remote.updateFlag({ flag: { key: current.key, version: current.version, enabled: false }, updateMask: create(FieldMaskSchema, { paths: ["enabled"] }) });
    await changed;
    const off = await client.getBooleanDetails("local.rollout", true, { targetingKey: "user-1", country: "NO" });
    expect([off.value, off.reason]).toEqual([false, "DISABLED"]);
    await OpenFeature.clearProviders();
  });
});
