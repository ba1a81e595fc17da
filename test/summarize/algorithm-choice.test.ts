import { describe, expect, it } from "vitest";
import {
  AUTOMATIC,
  chooseAlgorithm,
  extractiveAlgorithms,
  isAlgorithmPreference,
  REDUNDANT_MIN_SENTENCES,
  type DocumentFeatures,
  type ExtractiveAlgorithm,
} from "../../src/summarize/algorithm-choice.js";
import { describeDocument } from "../../src/summarize/document-features.js";
import { tokenize } from "../../src/summarize/tokenizer.js";

describe("chooseAlgorithm", () => {
  const cases: [string, DocumentFeatures, ExtractiveAlgorithm][] = [
    ["a news-sized text asked for 3 sentences", { sentenceCount: 20, requestedSentences: 3, redundancy: 0.15 }, "lead"],
    ["a short text asked for 1 sentence", { sentenceCount: 4, requestedSentences: 1, redundancy: 0.4 }, "lead"],
    ["a news-sized text asked for 7 sentences", { sentenceCount: 17, requestedSentences: 7, redundancy: 0.15 }, "degree-centrality"],
    ["a long, repetitive collection of reviews", { sentenceCount: 100, requestedSentences: 2, redundancy: 0.35 }, "frequency"],
    ["a long, repetitive text asked for many sentences", { sentenceCount: 100, requestedSentences: 10, redundancy: 0.3 }, "frequency"],
    ["a long text that does not repeat itself", { sentenceCount: 100, requestedSentences: 2, redundancy: 0.2 }, "lead"],
    ["a repetitive text too short to judge", { sentenceCount: 29, requestedSentences: 5, redundancy: 0.5 }, "degree-centrality"],
  ];
  for (const [name, features, expected] of cases) {
    it(`picks ${expected} for ${name}`, () => {
      expect(chooseAlgorithm(features)).toBe(expected);
      expect(chooseAlgorithm(features, AUTOMATIC)).toBe(expected);
    });
  }

  it("returns the caller's algorithm whatever the features", () => {
    const features = { sentenceCount: 100, requestedSentences: 2, redundancy: 0.35 };
    for (const algorithm of extractiveAlgorithms) expect(chooseAlgorithm(features, algorithm)).toBe(algorithm);
  });

  it("keeps the six names the service's enum maps to, and adds degree-centrality", () => {
    expect([...extractiveAlgorithms].sort()).toEqual(["degree-centrality", "frequency", "klsum", "lead", "lexrank", "position-lexrank", "textrank"]);
  });

  it("recognises algorithm names and auto, and nothing else", () => {
    for (const value of [...extractiveAlgorithms, "auto"]) expect(isAlgorithmPreference(value)).toBe(true);
    for (const value of ["", "Lead", "sumbasic", "ALGORITHM_LEAD"]) expect(isAlgorithmPreference(value)).toBe(false);
  });
});

describe("describeDocument", () => {
  const sentences = (lines: string[]) => lines.map((line) => tokenize(line, "en"));

  const times = (lines: string[], count: number) => Array.from({ length: count }, (_, i) => lines[i % lines.length]!.replace(".", ` ${i}.`));

  it("measures repetition as nearest-neighbour overlap of content words", () => {
    const repeated = sentences(times(["The battery life is great.", "Great battery life.", "The screen is bright and sharp.", "Bright sharp screen."], 32));
    const varied = sentences(Array.from({ length: 32 }, (_, i) => `Word${i}a word${i}b word${i}c.`));
    expect(describeDocument(repeated, 1).redundancy).toBeGreaterThan(0.5);
    expect(describeDocument(varied, 1).redundancy).toBe(0);
  });

  it("counts sentences and carries the request", () => {
    expect(describeDocument(sentences(["One sentence here."]), 3)).toEqual({ sentenceCount: 1, requestedSentences: 3, redundancy: 0 });
  });

  it("leaves redundancy unmeasured below the length where the choice uses it", () => {
    const short = sentences(times(["The battery life is great.", "Great battery life."], REDUNDANT_MIN_SENTENCES - 1));
    expect(describeDocument(short, 1).redundancy).toBe(0);
  });
});
