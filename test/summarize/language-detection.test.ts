import { describe, expect, it } from "vitest";
import { languageSamples } from "../../bench/concepts/language-samples.js";
import { detectLanguage, UNDETERMINED_LANGUAGE } from "../../src/summarize/language-detection.js";

describe("detectLanguage", () => {
  for (const { language, text } of languageSamples) {
    it(`detects ${language}: ${text.slice(0, 40)}`, () => {
      expect(detectLanguage(text)).toBe(language);
    });
  }

  const tooLittle = ["", "   ", "ok", "1234 5678 !!", "https://x.io"];
  for (const text of tooLittle) {
    it(`is undetermined for ${JSON.stringify(text)}`, () => {
      expect(detectLanguage(text)).toBe(UNDETERMINED_LANGUAGE);
    });
  }

  it("returns the fallback when unsure", () => {
    expect(detectLanguage("ok", { fallback: "en" })).toBe("en");
  });

  it("ignores the fallback when sure", () => {
    expect(detectLanguage("Der Ausschuss hat seine Entscheidung verschoben.", { fallback: "en" })).toBe("de");
  });

  it("samples long texts and still finds their language", () => {
    const french = languageSamples.filter((s) => s.language === "fr").map((s) => s.text).join(" ");
    const long = `${french} `.repeat(5_000);
    expect(long.length).toBeGreaterThan(1_000_000);
    expect(detectLanguage(long)).toBe("fr");
  });

  it("is deterministic", () => {
    const text = "Notre nouvelle couche de stockage enregistre chaque événement.";
    expect(new Set(Array.from({ length: 5 }, () => detectLanguage(text))).size).toBe(1);
  });
});
