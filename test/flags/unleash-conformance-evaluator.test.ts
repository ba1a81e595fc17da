/**
 * The Unleash client specification run straight through the import mapping
 * and the compiled evaluator (the same cases run over the wire in
 * unleash-conformance.test.ts).
 */
import { describe, expect, it } from "vitest";
import { compileFlag, type CompiledFlag } from "../../src/flags/compiled-flag.js";
import { importUnleash } from "../../src/flags/unleash-import.js";
import { specificationFiles, toSumContext } from "./support/unleash-specification.js";

const environment = { now: () => Date.now(), random: Math.random };

for (const spec of specificationFiles()) {
  describe(spec.file, () => {
    const { flags } = importUnleash(spec.state);
    const compiled = new Map<string, CompiledFlag>(flags.map((flag) => [flag.key, compileFlag(flag, { anyTotalWeight: true })]));
    const lookup = (key: string) => compiled.get(key);
    // A toggle the client does not know is off (Unleash's fallback); SUM answers FLAG_NOT_FOUND.
    const missing = { enabled: false, variant: "", value: null };
    const evaluate = (name: string, context: Parameters<typeof toSumContext>[0]) =>
      compiled.get(name)?.evaluate(toSumContext(context), environment, lookup) ?? missing;

    for (const test of spec.tests) {
      it(`${test.description}`, () => {
        expect(evaluate(test.toggleName, test.context).enabled).toBe(test.expectedResult);
      });
    }
    for (const test of spec.variantTests) {
      it(`variant: ${test.description}`, () => {
        const result = evaluate(test.toggleName, test.context);
        const name = result.variant === "" ? "disabled" : result.variant;
        expect({ name, enabled: result.variant !== "", feature_enabled: result.enabled }).toEqual({
          name: test.expectedResult.name,
          enabled: test.expectedResult.enabled,
          feature_enabled: test.expectedResult.feature_enabled ?? result.enabled,
        });
        if (test.expectedResult.payload !== undefined) expect(String(result.value)).toBe(test.expectedResult.payload.value);
      });
    }
  });
}

describe("05 gradualRolloutRandom, by distribution", () => {
  it("enables about half of the contexts at 50% and none at 0%", () => {
    const { flags } = importUnleash({
      features: [
        { name: "half", enabled: true, strategies: [{ name: "gradualRolloutRandom", parameters: { percentage: "50" } }] },
        { name: "none", enabled: true, strategies: [{ name: "gradualRolloutRandom", parameters: { percentage: "0" } }] },
      ],
    });
    const [half, none] = flags.map((flag) => compileFlag(flag));
    let on = 0;
    const draws = 4000;
    for (let index = 0; index < draws; index++) {
      if (half!.evaluate({ targetingKey: "same-user", attributes: {} }, environment, () => undefined).enabled) on++;
      expect(none!.evaluate({ targetingKey: "same-user", attributes: {} }, environment, () => undefined).enabled).toBe(false);
    }
    // Binomial(4000, 0.5): the standard deviation is about 32, so ±200 is over six of them.
    expect(on).toBeGreaterThan(draws / 2 - 200);
    expect(on).toBeLessThan(draws / 2 + 200);
  });
});
