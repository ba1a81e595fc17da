import { describe, expect, it } from "vitest";
import { parseKeys } from "../../../bench/concepts/keyphrase-datasets.js";
import { meanScores, scoreAtK, stemmedForm } from "../../../bench/concepts/keyphrase-metrics.js";

describe("stemmedForm", () => {
  it("matches inflections and ignores case and spacing", () => {
    expect(stemmedForm("Neural  Networks")).toBe(stemmedForm("neural network"));
    expect(stemmedForm("image coding")).not.toBe(stemmedForm("image code book"));
  });
});

describe("scoreAtK", () => {
  const gold = ["neural networks", "image compression", "wavelets", "absent phrase"];

  const cases = [
    { name: "two of five correct", predicted: ["neural network", "filters", "Image Compression", "design", "gain"], k: 5, precision: 2 / 5, recall: 2 / 4 },
    { name: "only the top k count", predicted: ["filters", "design", "wavelets"], k: 2, precision: 0, recall: 0 },
    { name: "fewer predictions than k divide by what was returned", predicted: ["wavelet"], k: 5, precision: 1, recall: 1 / 4 },
    { name: "stemmed duplicates count once", predicted: ["wavelets", "wavelet", "filters"], k: 2, precision: 1 / 2, recall: 1 / 4 },
    { name: "nothing predicted", predicted: [], k: 5, precision: 0, recall: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const score = scoreAtK(c.predicted, gold, c.k);
      expect(score.precision).toBeCloseTo(c.precision, 10);
      expect(score.recall).toBeCloseTo(c.recall, 10);
      const f1 = c.precision + c.recall === 0 ? 0 : (2 * c.precision * c.recall) / (c.precision + c.recall);
      expect(score.f1).toBeCloseTo(f1, 10);
    });
  }

  it("averages documents, not phrases", () => {
    const mean = meanScores([
      { precision: 1, recall: 1, f1: 1 },
      { precision: 0, recall: 0, f1: 0 },
    ]);
    expect(mean.f1).toBe(0.5);
  });
});

describe("parseKeys", () => {
  it("reads one phrase a line, collapsing tab-wrapped whitespace", () => {
    expect(parseKeys("high-performance wavelets\nprototype \tfilters\r\n\n\tfilter banks\r\n")).toEqual(["high-performance wavelets", "prototype filters", "filter banks"]);
  });
});
