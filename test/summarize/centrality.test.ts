import { describe, expect, it } from "vitest";
import { centrality } from "../../src/summarize/centrality.js";
import { cosine, tfIdfVectors } from "../../src/summarize/tf-idf.js";
import { tokenize } from "../../src/summarize/tokenizer.js";

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe("centrality", () => {
  it("gives the hub of a star the highest score, and scores sum to 1", () => {
    const star = [
      [0, 1, 1, 1],
      [1, 0, 0, 0],
      [1, 0, 0, 0],
      [1, 0, 0, 0],
    ];
    const scores = centrality(star);
    expect(sum(scores)).toBeCloseTo(1, 9);
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    expect(scores[1]).toBeCloseTo(scores[2]!, 12);
  });

  it("scores a fully symmetric graph evenly and isolated nodes at the jump share", () => {
    expect(centrality([[0, 1, 1], [1, 0, 1], [1, 1, 0]]).map((score) => score.toFixed(6))).toEqual(["0.333333", "0.333333", "0.333333"]);
    const scores = centrality([[0, 0], [0, 0]]);
    expect(scores).toEqual([0.5, 0.5]);
  });

  it("drops edges under the threshold", () => {
    const weak = [
      [0, 0.05, 0.9],
      [0.05, 0, 0],
      [0.9, 0, 0],
    ];
    const kept = centrality(weak, { damping: 0.85, threshold: 0, tolerance: 1e-10, maxIterations: 500 });
    const cut = centrality(weak, { damping: 0.85, threshold: 0.1, tolerance: 1e-10, maxIterations: 500 });
    expect(cut[1]).toBeLessThan(kept[1]!);
  });

  it("is empty for no sentences", () => expect(centrality([])).toEqual([]));
});

describe("tf-idf cosine", () => {
  it("finds sentences that share rare content words similar and unrelated ones not", () => {
    const sentences = [
      "The central bank raised interest rates again.",
      "Interest rates were raised by the central bank.",
      "The football team won the cup final.",
    ].map((sentence) => tokenize(sentence, "en"));
    const vectors = tfIdfVectors(sentences);
    expect(cosine(vectors[0]!, vectors[1]!)).toBeGreaterThan(0.5);
    expect(cosine(vectors[0]!, vectors[2]!)).toBe(0);
    expect(cosine(vectors[0]!, vectors[0]!)).toBeCloseTo(1, 12);
  });
});
