/**
 * The pure parts of enrichment: concept names, automatic tags, importance,
 * local time, similarity and the pattern rule.
 */
import { describe, expect, it } from "vitest";
import { automaticTags, timeOfDay } from "../../src/knowledge/automatic-tags.js";
import { normaliseConcept } from "../../src/knowledge/concept-names.js";
import { importance } from "../../src/knowledge/importance.js";
import { isTimeZone, localTime } from "../../src/knowledge/local-time.js";
import { patternReached } from "../../src/knowledge/pattern-detection.js";
import { relatedThoughts, unitWeights } from "../../src/knowledge/thought-similarity.js";
import { ftsQuery } from "../../src/knowledge/knowledge-validation.js";

describe("concept names", () => {
  it.each([
    ["Neural  Networks", "neural network"],
    ["graph databases", "graph database"],
    ["categories", "category"],
    ["analysis", "analysis"],
    ["status", "status"],
    ["classes", "class"],
    ["NASA", "nasa"],
  ])("%s → %s", (phrase, name) => expect(normaliseConcept(phrase)).toBe(name));
});

describe("automatic tags", () => {
  it.each([
    ["How does this work", 9, ["question", "morning"]],
    ["It turns out caching was the problem.", 13, ["insight", "afternoon"]],
    ["Call the dentist about Tuesday.", 18, ["action-item", "evening"]],
    ["I need to finish the report", 23, ["action-item", "night"]],
    ["I feel so frustrated with this build.", 4, ["emotional", "night"]],
    ["The sky is blue.", 12, ["afternoon"]],
  ] as const)("%s at %i h", (content, hour, tags) => expect(automaticTags(content, hour)).toEqual(tags));

  it("splits the day at 5, 12, 17 and 21", () => {
    expect([4, 5, 11, 12, 16, 17, 20, 21].map(timeOfDay)).toEqual(["night", "morning", "morning", "afternoon", "afternoon", "evening", "evening", "night"]);
  });
});

describe("importance", () => {
  it("follows the documented formula and stays within 0–1", () => {
    expect(importance(50, 2, [])).toBeCloseTo(0.4 * 0.5 + 0.25 * 0.4, 6);
    expect(importance(300, 9, ["insight", "action-item", "question", "emotional"])).toBe(1);
    expect(importance(0, 0, [])).toBe(0);
  });
});

describe("local time", () => {
  it("computes hour and weekday in the zone and refuses unknown zones", () => {
    const moment = new Date("2024-03-03T23:30:00Z"); // a Sunday in UTC
    expect(localTime(moment, "UTC")).toEqual({ hour: 23, weekday: 0 });
    expect(localTime(moment, "Asia/Tokyo")).toEqual({ hour: 8, weekday: 1 });
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});

describe("similarity", () => {
  it("is the cosine of unit concept weights, bounded, and ignores weak overlaps", () => {
    const own = unitWeights([
      { name: "a", weight: 1 },
      { name: "b", weight: 1 },
    ]);
    const related = relatedThoughts(own, [
      { concept: "a", thoughtSeq: 1, weight: Math.SQRT1_2 },
      { concept: "b", thoughtSeq: 1, weight: Math.SQRT1_2 },
      { concept: "a", thoughtSeq: 2, weight: 0.1 },
    ]);
    expect(related).toEqual([{ thoughtSeq: 1, similarity: 1, shared: ["a", "b"] }]);
  });
});

describe("pattern rule", () => {
  it("fires at the threshold and at each doubling", () => {
    const rule = { minThoughts: 3, windowMs: 86_400_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 12, 13, 24].filter((count) => patternReached(count, rule))).toEqual([3, 6, 12, 24]);
  });
});

describe("search queries", () => {
  it("quotes every word and phrase so FTS5 syntax cannot leak in", () => {
    expect(ftsQuery('kubernetes "liveness probe" OR NEAR(x)')).toBe('"kubernetes" "liveness probe" "OR" "NEAR x"');
  });
});
