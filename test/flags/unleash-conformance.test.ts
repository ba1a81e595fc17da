/**
 * The Unleash client specification over the wire: each file's toggles go
 * through ImportFlags, each case through Evaluate (Connect, binary, h2c),
 * against a real server with a real SQLite file. A toggle the file does
 * not define is NOT_FOUND, which is Unleash's fallback: disabled.
 */
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlagsService, type FlagEvaluation } from "../../gen/sum/v1/flags_pb.js";
import { productServices } from "../../src/main.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { specificationFiles, toSumContext, type UnleashContext } from "./support/unleash-specification.js";

let sum: TestServer;
let flags: Client<typeof FlagsService>;

beforeAll(async () => {
  sum = await startTestServer({ env: { SUMMARIZE_WORKERS: "0", LOG_LEVEL: "warn" }, services: productServices });
  flags = sum.client(FlagsService, "connect-binary-h2c");
});

afterAll(async () => {
  await sum?.stop();
});

async function evaluate(toggle: string, context: UnleashContext): Promise<FlagEvaluation | undefined> {
  const { targetingKey, attributes } = toSumContext(context);
  try {
    const response = await flags.evaluate({ flagKey: toggle, context: { targetingKey: targetingKey ?? "", attributes: attributes as never } });
    return response.evaluation;
  } catch (error) {
    if (error instanceof ConnectError && error.code === Code.NotFound) return undefined;
    throw error;
  }
}

for (const spec of specificationFiles()) {
  describe(spec.file, () => {
    // Files are imported one after another into the same server, so each file's describe imports its own state first.
    beforeAll(async () => {
      await flags.importFlags({ unleash: spec.state });
    });

    it.each(spec.tests.map((test) => [test.description, test] as const))("%s", async (_name, test) => {
      const evaluation = await evaluate(test.toggleName, test.context);
      expect(evaluation?.enabled ?? false).toBe(test.expectedResult);
    });

    it.each(spec.variantTests.map((test) => [test.description, test] as const))("variant: %s", async (_name, test) => {
      const evaluation = await evaluate(test.toggleName, test.context);
      const variant = evaluation?.variant ?? "";
      expect({ name: variant === "" ? "disabled" : variant, enabled: variant !== "", featureEnabled: evaluation?.enabled ?? false }).toEqual({
        name: test.expectedResult.name,
        enabled: test.expectedResult.enabled,
        featureEnabled: test.expectedResult.feature_enabled ?? evaluation?.enabled ?? false,
      });
      const payload = test.expectedResult.payload;
      if (payload !== undefined) {
        const value = evaluation!.value!.kind;
        expect(String(value.value)).toBe(payload.value);
        expect(value.case).toBe(payload.type === "number" ? "numberValue" : "stringValue");
      }
    });
  });
}
