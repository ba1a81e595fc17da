import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rouge, rougeTokens, type RougeScore } from "../../../bench/quality/rouge.js";

const read = (file: string) => readFileSync(new URL(`../../../../shared/data/rouge/${file}`, import.meta.url), "utf8");
const triple = (score: RougeScore) => [score.precision, score.recall, score.f1];

describe("ROUGE with rouge-score conventions", () => {
  it("tokenizes like rouge-score: lower-case, non-alphanumerics split, stems only tokens over 3 characters", () => {
    expect(rougeTokens("The runners' RUNNING-shoes, 3.5 km!", false)).toEqual(["the", "runners", "running", "shoes", "3", "5", "km"]);
    expect(rougeTokens("The runners' RUNNING-shoes, 3.5 km!", true)).toEqual(["the", "runner", "run", "shoe", "3", "5", "km"]);
  });

  it("reproduces the ROUGE-1.5.5 values of Google's rouge test data", () => {
    const targets = read("target.txt").split("\n");
    const predictions = read("prediction.txt").split("\n");
    const first = rouge(predictions[0]!, targets[0]!, { stem: false });
    expect(triple(first.rouge1).map((v) => v.toFixed(5))).toEqual(["0.68750", "0.40741", "0.51163"]);
    expect(triple(first.rouge2).map((v) => v.toFixed(5))).toEqual(["0.53333", "0.30769", "0.39024"]);
    expect(rouge(predictions[1]!, targets[1]!, { stem: false }).rouge1.f1.toFixed(5)).toBe("0.50000");
    const stemmed = rouge(predictions[1]!, targets[1]!, { stem: true });
    expect(triple(stemmed.rouge1).map((v) => v.toFixed(5))).toEqual(["0.69231", "0.42857", "0.52941"]);
    expect(stemmed.rouge2.f1.toFixed(5)).toBe("0.36364");
    const multi = rouge(read("prediction_multi.0.txt").replace(/\n$/, ""), read("target_multi.0.txt").replace(/\n$/, ""), { stem: true });
    expect(triple(multi.rougeLsum).map((v) => v.toFixed(5))).toEqual(["0.66667", "0.36538", "0.47205"]);
  });

  it("matches the rouge-score clone on all 300 CNN/DM fixture pairs, stemmed and not", () => {
    type Triples = Record<"rouge1" | "rouge2" | "rougeL" | "rougeLsum", [number, number, number]>;
    const fixtures = JSON.parse(read("rouge_reference_fixtures.json")) as {
      items: { prediction: string; reference: string; rouge_score_stemmed: Triples; rouge_score_nostem: Triples }[];
    };
    expect(fixtures.items).toHaveLength(300);
    const mismatches: string[] = [];
    fixtures.items.forEach((item, index) => {
      for (const stem of [true, false]) {
        const expected = stem ? item.rouge_score_stemmed : item.rouge_score_nostem;
        const got = rouge(item.prediction, item.reference, { stem });
        for (const metric of ["rouge1", "rouge2", "rougeL", "rougeLsum"] as const) {
          const [precision, recall, f1] = expected[metric];
          const actual = got[metric];
          const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6;
          if (!close(actual.precision, precision) || !close(actual.recall, recall) || !close(actual.f1, f1)) {
            mismatches.push(`item ${index} ${metric} stem=${stem}`);
          }
        }
      }
    });
    expect(mismatches).toEqual([]);
  });
});
