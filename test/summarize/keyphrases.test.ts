import { describe, expect, it } from "vitest";
import { extractKeyphrases, KeyphraseMethod } from "../../src/summarize/keyphrases.js";

const PARAGRAPH = `Solar panels convert sunlight into electricity. Modern solar panels reach an efficiency of
over twenty percent, and the price of solar energy has fallen sharply. Battery storage lets households
keep the electricity their solar panels produce during the day and use it at night. Grid operators
worry that cheap battery storage and rooftop solar panels will change how the electricity grid is run.`;

describe("extractKeyphrases", () => {
  it("finds the topic of an English paragraph first", () => {
    const phrases = extractKeyphrases(PARAGRAPH, { language: "en", max: 8 }).map((k) => k.phrase);
    expect(phrases[0]).toContain("solar panels");
    expect(phrases).toContain("battery storage");
    expect(phrases.some((phrase) => phrase.includes("electricity"))).toBe(true);
  });

  it("merges inflections by stem and keeps the most frequent surface form", () => {
    const phrases = extractKeyphrases("A neural network, in short. Neural networks, again; more neural networks!", { language: "en" }).map((k) => k.phrase);
    expect(phrases.filter((phrase) => phrase.startsWith("neural"))).toEqual(["neural networks"]);
  });

  it("gives sensible tags for a ten-word thought", () => {
    const phrases = extractKeyphrases("Ask the landlord about fixing the broken kitchen window tomorrow", { language: "en" }).map((k) => k.phrase);
    expect(phrases.length).toBeGreaterThan(0);
    expect(phrases.some((phrase) => phrase.includes("landlord"))).toBe(true);
    expect(phrases.some((phrase) => phrase.includes("kitchen window"))).toBe(true);
    expect(phrases).not.toContain("the");
  });

  it("keeps acronyms and mixed-case names, lower-cases the rest", () => {
    const phrases = extractKeyphrases("NASA launched the GraphQL gateway. The NASA Gateway team praised GraphQL.", { language: "en" }).map((k) => k.phrase);
    expect(phrases.join(" ")).toContain("NASA");
    expect(phrases.join(" ")).toContain("GraphQL");
    expect(phrases.join(" ")).not.toMatch(/\bThe\b|\bGateway\b/);
  });

  it("works for German without a stemmer", () => {
    const text = "Die Bundesregierung plant neue Regeln für Elektroautos. Elektroautos sollen günstiger werden, sagt die Bundesregierung.";
    const phrases = extractKeyphrases(text, { language: "de" }).map((k) => k.phrase);
    expect(phrases).toContain("elektroautos");
    expect(phrases).toContain("bundesregierung");
    expect(phrases).not.toContain("die");
  });

  it("works for French", () => {
    const text = "Le gouvernement présente une réforme des retraites. La réforme des retraites divise les syndicats.";
    const phrases = extractKeyphrases(text, { language: "fr" }).map((k) => k.phrase);
    expect(phrases.some((phrase) => phrase.includes("retraites"))).toBe(true);
    expect(phrases).not.toContain("le");
  });

  it("honours max", () => {
    expect(extractKeyphrases(PARAGRAPH, { language: "en", max: 3 })).toHaveLength(3);
    expect(extractKeyphrases(PARAGRAPH, { language: "en", max: 0 })).toEqual([]);
  });

  for (const method of Object.values(KeyphraseMethod)) {
    it(`${method}: scores lie in 0..1, best first, the best is 1`, () => {
      const keyphrases = extractKeyphrases(PARAGRAPH, { language: "en", max: 20, method });
      expect(keyphrases[0]!.score).toBe(1);
      for (const [i, keyphrase] of keyphrases.entries()) {
        expect(keyphrase.score).toBeGreaterThanOrEqual(0);
        expect(keyphrase.score).toBeLessThanOrEqual(1);
        if (i > 0) expect(keyphrase.score).toBeLessThanOrEqual(keyphrases[i - 1]!.score);
      }
    });
  }

  it("is deterministic", () => {
    const runs = Array.from({ length: 3 }, () => JSON.stringify(extractKeyphrases(PARAGRAPH, { language: "en", max: 20 })));
    expect(new Set(runs).size).toBe(1);
  });

  it("returns nothing for text without content words", () => {
    expect(extractKeyphrases("", { language: "en" })).toEqual([]);
    expect(extractKeyphrases("it is what it is, 42", { language: "en" })).toEqual([]);
  });

  it("returns no duplicate phrases", () => {
    const phrases = extractKeyphrases(PARAGRAPH, { language: "en", max: 50 }).map((k) => k.phrase.toLowerCase());
    expect(new Set(phrases).size).toBe(phrases.length);
  });
});
