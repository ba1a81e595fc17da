import { describe, expect, it } from "vitest";
import { stopWordLanguages, stopWords } from "../../src/summarize/stop-words.js";
import { tokenize } from "../../src/summarize/tokenizer.js";

describe("tokenize", () => {
  it("finds words with offsets, keeping inner apostrophes and hyphens", () => {
    const text = "State-of-the-art models don't fail, 3 times.";
    const tokens = tokenize(text, "en");
    expect(tokens.map((token) => token.text)).toEqual(["State-of-the-art", "models", "don't", "fail", "3", "times"]);
    for (const token of tokens) expect(text.slice(token.start, token.end)).toBe(token.text);
  });

  it("stems English with Porter and marks stop words", () => {
    const tokens = tokenize("The runners were running quickly to the company's offices", "en");
    const byWord = Object.fromEntries(tokens.map((token) => [token.lower, token]));
    expect(byWord["runners"]?.stem).toBe("runner");
    expect(byWord["running"]?.stem).toBe("run");
    expect(byWord["offices"]?.stem).toBe("offic");
    expect(byWord["company's"]?.stem).toBe("compani");
    expect(byWord["the"]?.isStopWord).toBe(true);
    expect(byWord["runners"]?.isStopWord).toBe(false);
  });

  it("leaves numbers as they are", () => {
    expect(tokenize("In 2004 profits rose", "en")[1]?.stem).toBe("2004");
  });

  it("uses each language's stop words and does not stem without a stemmer", () => {
    const tokens = tokenize("Die Katzen schlafen und träumen", "de");
    expect(tokens.map((token) => [token.lower, token.stem, token.isStopWord])).toEqual([
      ["die", "die", true],
      ["katzen", "katzen", false],
      ["schlafen", "schlafen", false],
      ["und", "und", true],
      ["träumen", "träumen", false],
    ]);
  });

  it("handles scripts beyond Latin", () => {
    expect(tokenize("Привет, мир! こんにちは", "ru").map((token) => token.text)).toEqual(["Привет", "мир", "こんにちは"]);
  });
});

describe("tokenize, word edges", () => {
  // Each case is what /[\p{L}\p{N}]+(?:['\u2019-][\p{L}\p{N}]+)*/gu finds.
  const cases: [string, string[]][] = [
    ["a--b", ["a", "b"]],
    ["x'y'z 'tis rock-'n'-roll", ["x'y'z", "tis", "rock", "n", "roll"]],
    ["end- -start trailing'", ["end", "start", "trailing"]],
    ["l\u2019homme d\u00e9j\u00e0-vu", ["l\u2019homme", "d\u00e9j\u00e0-vu"]],
    ["\u{1D400}\u{1D401}c-d \u{1F600}x", ["\u{1D400}\u{1D401}c-d", "x"]],
    ["\ud800abc \udc00", ["abc"]],
    ["1,000.50 \u0661\u0662", ["1", "000", "50", "\u0661\u0662"]],
  ];
  for (const [text, words] of cases) {
    it(`splits ${JSON.stringify(text)}`, () => {
      const regexWords = [...text.matchAll(/[\p{L}\p{N}]+(?:['\u2019-][\p{L}\p{N}]+)*/gu)].map((match) => match[0]);
      expect(regexWords).toEqual(words);
      expect(tokenize(text, "en").map((token) => token.text)).toEqual(words);
    });
  }
});

describe("tokenize, repeated words", () => {
  it("gives every occurrence of a word the same forms, kept apart per language", () => {
    const english = tokenize("Running dogs. Running cats. running", "en");
    expect(english.map((token) => token.stem)).toEqual(["run", "dog", "run", "cat", "run"]);
    expect(english.map((token) => token.start)).toEqual([0, 8, 14, 22, 28]);
    // The same surface form in another language is neither stemmed nor an English stop word.
    expect(tokenize("Running the", "de").map((token) => [token.stem, token.isStopWord])).toEqual([
      ["running", false],
      ["the", false],
    ]);
    expect(tokenize("Running the", "en").map((token) => [token.stem, token.isStopWord])).toEqual([
      ["run", false],
      ["the", true],
    ]);
  });
});

describe("stopWords", () => {
  it("covers many languages and is empty for unknown ones", () => {
    expect(stopWordLanguages.length).toBeGreaterThanOrEqual(50);
    expect(stopWords("fr").has("le")).toBe(true);
    expect(stopWords("xx").size).toBe(0);
  });
});
