import { describe, expect, it } from "vitest";
import { extractiveAlgorithms, summarizeExtractive } from "../../src/summarize/extractive-summarizer.js";

const article = [
  "The city council approved a new budget for public transport on Monday evening.",
  "The budget adds forty new buses and extends night services across the city.",
  "Scroll down for video.",
  "Council members argued for hours about the cost of the new bus routes.",
  "Transport officials said the new buses and night routes would start in spring.",
  "A local bakery also celebrated its fiftieth anniversary with free cakes for everyone.",
].join(" ");

describe("summarizeExtractive", () => {
  it("lead picks the first full sentences, skipping fragments, in document order with offsets", () => {
    const picked = summarizeExtractive(article, { algorithm: "lead", maxSentences: 3, language: "en" });
    expect(picked.map((sentence) => sentence.index)).toEqual([0, 1, 3]);
    for (const sentence of picked) expect(article.slice(sentence.start, sentence.end)).toBe(sentence.text);
  });

  it("lexrank prefers sentences that share content with the others over an off-topic one", () => {
    const picked = summarizeExtractive(article, { algorithm: "lexrank", maxSentences: 2, language: "en" });
    expect(picked.map((sentence) => sentence.index)).not.toContain(5);
  });

  it("textrank prefers sentences that share words with the others over an off-topic one", () => {
    const picked = summarizeExtractive(article, { algorithm: "textrank", maxSentences: 2, language: "en" });
    expect(picked.map((sentence) => sentence.index)).not.toContain(5);
  });

  it("degree-centrality prefers sentences that share words with the others over an off-topic one", () => {
    const picked = summarizeExtractive(article, { algorithm: "degree-centrality", maxSentences: 2, language: "en" });
    expect(picked.map((sentence) => sentence.index)).not.toContain(5);
  });

  it("degree-centrality scores each sentence by its total word overlap with the others", () => {
    const text = [
      "Harbour ferry strikes delay commuters, unions and operators said today.",
      "Harbour pilots joined the protest over pensions and longer shifts this week.",
      "Ferry timetables were cut across every route serving the islands.",
      "Commuters queued for buses instead, as trains were also full.",
      "Unions operators strikes delay commuters talks resume Friday, mediators confirmed.",
      "A violin recital filled the cathedral with music on Sunday evening.",
    ].join(" ");
    const scored = summarizeExtractive(text, { algorithm: "degree-centrality", maxSentences: 6, language: "en" });
    const byScore = [...scored].sort((a, b) => b.score - a.score).map((sentence) => sentence.index);
    // The sentence overlapping three others leads; the one that shares most with it comes next; the unrelated one scores nothing.
    expect(byScore.slice(0, 2)).toEqual([0, 4]);
    expect(scored[5]!.score).toBe(0);
  });

  it("auto (the default) takes a long summary by degree centrality", () => {
    const degree = summarizeExtractive(article, { algorithm: "degree-centrality", maxSentences: 4, language: "en" });
    expect(summarizeExtractive(article, { maxSentences: 4, language: "en" })).toEqual(degree);
  });

  it("klsum covers the reviews' common opinion before a one-off remark", () => {
    const reviews = [
      "The battery life is great.",
      "Battery life is really great on this phone.",
      "Great battery, lasts two days.",
      "The box was blue.",
    ].join("\n");
    const picked = summarizeExtractive(reviews, { algorithm: "klsum", maxSentences: 1, language: "en" });
    expect(picked[0]?.text).toContain("attery");
  });

  it("position-lexrank does not pick a near-duplicate of a sentence it already has", () => {
    const repeated = [
      "The storm closed every road into the valley on Tuesday morning.",
      "The storm closed every road into the valley on Tuesday morning, officials said.",
      "Rescue teams reached the stranded villages by helicopter later that day.",
      "Power was restored to most homes in the valley by Wednesday night.",
    ].join(" ");
    const picked = summarizeExtractive(repeated, { algorithm: "position-lexrank", maxSentences: 2, language: "en" });
    expect(picked.map((sentence) => sentence.index)).not.toEqual([0, 1]);
  });

  it("returns a text shorter than the request as it is", () => {
    const short = "Only one sentence here.";
    const picked = summarizeExtractive(short, { algorithm: "position-lexrank", maxSentences: 3, language: "en" });
    expect(picked.map((sentence) => sentence.text)).toEqual([short]);
  });

  it("frequency picks the sentence most typical of the reviews, then one saying something else", () => {
    const reviews = [
      "The battery life is great.",
      "The battery life is really great.",
      "The battery life is great on this phone.",
      "Shipping took three weeks because the courier lost the parcel in Rotterdam.",
      "The screen is bright.",
      "The screen is bright and sharp.",
    ].join("\n");
    const picked = summarizeExtractive(reviews, { algorithm: "frequency", maxSentences: 2, language: "en" });
    expect(picked).toHaveLength(2);
    expect(picked.map((sentence) => sentence.text).join(" ")).toContain("battery");
    expect(picked.map((sentence) => sentence.text).join(" ")).toContain("screen");
    expect(picked.map((sentence) => sentence.index)).not.toContain(3);
  });

  it("returns as many sentences as asked for, or all there are", () => {
    for (const algorithm of [...extractiveAlgorithms, "auto"] as const) {
      for (const maxSentences of [1, 2, 4]) {
        expect(summarizeExtractive(article, { algorithm, maxSentences, language: "en" })).toHaveLength(maxSentences);
      }
      expect(summarizeExtractive(article, { algorithm, maxSentences: 50, language: "en" })).toHaveLength(6);
    }
  });

  it("auto (the default) gives the lead of a news text for a short summary", () => {
    const lead = summarizeExtractive(article, { algorithm: "lead", maxSentences: 3, language: "en" });
    expect(summarizeExtractive(article, { maxSentences: 3, language: "en" })).toEqual(lead);
    expect(summarizeExtractive(article, { algorithm: "auto", maxSentences: 3, language: "en" })).toEqual(lead);
  });

  it("auto gives frequency's picks for a long, repetitive collection of reviews", () => {
    const opinions = ["battery life", "screen", "camera", "price", "sound"];
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) lines.push(`The ${opinions[i % 5]} of this phone is ${i % 2 === 0 ? "great" : "really good"}.`);
    const reviews = lines.join("\n");
    const frequency = summarizeExtractive(reviews, { algorithm: "frequency", maxSentences: 2, language: "en" });
    expect(summarizeExtractive(reviews, { maxSentences: 2, language: "en" })).toEqual(frequency);
    expect(frequency.map((sentence) => sentence.index)).not.toEqual([0, 1]);
  });

  it("is deterministic", () => {
    for (const algorithm of [...extractiveAlgorithms, "auto"] as const) {
      const first = summarizeExtractive(article, { algorithm, maxSentences: 3, language: "en" });
      expect(summarizeExtractive(article, { algorithm, maxSentences: 3, language: "en" })).toEqual(first);
    }
  });
});
