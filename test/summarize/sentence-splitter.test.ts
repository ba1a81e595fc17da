import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sentenceSpans, splitSentences } from "../../src/summarize/sentence-splitter.js";

const sbdData = (file: string) => new URL(`../../../shared/data/sbd/${file}`, import.meta.url);
const texts = (input: string) => splitSentences(input).map((span) => span.text);

describe("splitSentences", () => {
  const cases: [string, string[]][] = [
    ["One. Two? Three! Four…", ["One.", "Two?", "Three!", "Four…"]],
    ["Mr. Smith met Dr. Jones.", ["Mr. Smith met Dr. Jones."]],
    ["See Fig. 3 and No. 7 on Jan. 5.", ["See Fig. 3 and No. 7 on Jan. 5."]],
    ["He left the U.S. Europe was next.", ["He left the U.S.", "Europe was next."]],
    ["The U.S. Department of Energy agreed.", ["The U.S. Department of Energy agreed."]],
    ["It was -3.2 C. Roads froze.", ["It was -3.2 C.", "Roads froze."]],
    ["J. R. R. Tolkien wrote it.", ["J. R. R. Tolkien wrote it."]],
    ['"Stop!" she shouted. It stopped.', ['"Stop!" she shouted.', "It stopped."]],
    ['He said, "We won." Then he left.', ['He said, "We won."', "Then he left."]],
    ["Visit example.com/a.html today. Bye.", ["Visit example.com/a.html today.", "Bye."]],
    ["Prices rose 3.5% in Q3. Analysts cheered.", ["Prices rose 3.5% in Q3.", "Analysts cheered."]],
    ["Wait... What?", ["Wait...", "What?"]],
    ["A title without a stop\n\nThe body starts here. It goes on.", ["A title without a stop", "The body starts here.", "It goes on."]],
    ["Lines wrapped\nby an editor stay together.", ["Lines wrapped\nby an editor stay together."]],
    ["one review per line .\nbut this one starts in lower case .", ["one review per line .", "but this one starts in lower case ."]],
    ["Items:\n- first item\n- second item", ["Items:", "- first item", "- second item"]],
    ["no terminal punctuation", ["no terminal punctuation"]],
    ["   ", []],
    ["", []],
  ];
  for (const [input, expected] of cases) {
    it(`splits ${JSON.stringify(input)}`, () => expect(texts(input)).toEqual(expected));
  }

  it("gives offsets that point at each sentence in the input", () => {
    const input = "  First one.  Second one?\n\nThird, after a blank line!  ";
    const spans = splitSentences(input);
    expect(spans.map((span) => [span.start, span.end])).toEqual([
      [2, 12],
      [14, 25],
      [27, 53],
    ]);
    for (const span of spans) expect(input.slice(span.start, span.end)).toBe(span.text);
  });

  it("is deterministic", () => {
    const input = "Dr. A. Smith arrived at 5 p.m. on Monday. He left at 6. Nobody saw him.";
    expect(splitSentences(input)).toEqual(splitSentences(input));
  });

  it("gets all 25 hand-made hard cases exactly right (sbd 22/25, Intl.Segmenter 19/25)", () => {
    const cases = JSON.parse(readFileSync(sbdData("hard25_abbrev_cases.json"), "utf8")) as string[][];
    const wrong = cases.filter((gold) => JSON.stringify(texts(gold.join(" "))) !== JSON.stringify(gold));
    expect(wrong).toEqual([]);
  });

  it("agrees with the BBC gold sentences (precision and recall ≥ 0.99)", () => {
    const documents = JSON.parse(readFileSync(sbdData("bbc100_sentences_gold.json"), "utf8")) as { text: string; sents: string[] }[];
    let matched = 0;
    let produced = 0;
    let gold = 0;
    for (const document of documents) {
      const expected = new Set(document.sents.map((sentence) => sentence.trim()));
      const got = texts(document.text);
      matched += got.filter((sentence) => expected.has(sentence)).length;
      produced += got.length;
      gold += expected.size;
    }
    expect(matched / produced).toBeGreaterThanOrEqual(0.99);
    expect(matched / gold).toBeGreaterThanOrEqual(0.99);
  });
});

describe("sentenceSpans", () => {
  it("yields exactly the sentences splitSentences returns, even when interleaved with other splitting", () => {
    const documents = JSON.parse(readFileSync(sbdData("bbc100_sentences_gold.json"), "utf8")) as { text: string }[];
    const text = documents.map((document) => document.text).join("\n\n");
    const streamed = [];
    for (const span of sentenceSpans(text)) {
      splitSentences("Interleaved. Splitting must not disturb the stream.");
      streamed.push(span);
    }
    expect(streamed).toEqual(splitSentences(text));
  });
});
