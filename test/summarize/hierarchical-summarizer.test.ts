import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { summarizeExtractive, type ScoredSentence } from "../../src/summarize/extractive-summarizer.js";
import { MAX_SENTENCE_CHARS, summarizeHierarchical } from "../../src/summarize/hierarchical-summarizer.js";
import { splitSentences } from "../../src/summarize/sentence-splitter.js";

const documents = (JSON.parse(readFileSync(new URL("../../../shared/data/summarization/bbc100.json", import.meta.url), "utf8")) as { src: string }[]).map(
  (document) => document.src,
);
const longText = documents.join("\n\n");
const algorithms = ["auto", "lead", "textrank", "lexrank", "position-lexrank", "klsum", "frequency"] as const;

function expectOffsetsValid(text: string, sentences: readonly ScoredSentence[]): void {
  const spans = splitSentences(text);
  for (const sentence of sentences) {
    expect(text.slice(sentence.start, sentence.end)).toBe(sentence.text);
    expect(spans[sentence.index]?.start).toBe(sentence.start);
  }
  const indices = sentences.map((sentence) => sentence.index);
  expect(indices).toEqual([...indices].sort((a, b) => a - b));
}

describe("summarizeHierarchical", () => {
  it("gives exactly summarizeExtractive's result for a document within one chunk", async () => {
    for (const text of documents.slice(0, 25)) {
      for (const algorithm of algorithms) {
        const options = { algorithm, maxSentences: 3, language: "en" };
        expect(await summarizeHierarchical(text, options)).toEqual(summarizeExtractive(text, options));
      }
    }
  });

  it("picks sentences of a long document with their original offsets and indices", async () => {
    expect(splitSentences(longText).length).toBeGreaterThan(1000);
    for (const algorithm of algorithms) {
      const picked = await summarizeHierarchical(longText, { algorithm, maxSentences: 4, language: "en" });
      expect(picked).toHaveLength(4);
      expectOffsetsValid(longText, picked);
    }
  });

  it("reports progress once per chunk with that chunk's candidates", async () => {
    const sentences = splitSentences(longText).length;
    const calls: [number, number][] = [];
    await summarizeHierarchical(longText, { algorithm: "lexrank", maxSentences: 2, language: "en", chunkSentences: 50 }, {
      onProgress: (chunksDone, chunksTotal, partial) => {
        calls.push([chunksDone, chunksTotal]);
        expect(partial.length).toBeLessThanOrEqual(2);
        expectOffsetsValid(longText, partial);
        for (const sentence of partial) expect(Math.floor(sentence.index / 50)).toBe(chunksDone - 1);
      },
    });
    const total = Math.ceil(sentences / 50);
    expect(calls).toEqual(Array.from({ length: total }, (_, chunk) => [chunk + 1, total]));
  });

  it("stops between chunks when the signal aborts", async () => {
    const controller = new AbortController();
    let chunks = 0;
    const run = summarizeHierarchical(longText, { algorithm: "textrank", maxSentences: 3, language: "en" }, {
      signal: controller.signal,
      onProgress: (chunksDone) => {
        chunks = chunksDone;
        if (chunksDone === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    expect(chunks).toBe(2);
  });

  it("rejects at once when the signal is already aborted", async () => {
    await expect(summarizeHierarchical(longText, { maxSentences: 3, language: "en" }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: "AbortError",
    });
  });

  it("cuts a text without sentence ends into bounded pieces that keep their offsets", async () => {
    const unpunctuated = Array.from({ length: 6000 }, (_, index) => `word${index % 97} and other${index % 13}`).join(" ");
    const progress: number[] = [];
    const picked = await summarizeHierarchical(unpunctuated, { algorithm: "lexrank", maxSentences: 2, language: "en" }, {
      onProgress: (chunksDone) => progress.push(chunksDone),
    });
    expect(picked.length).toBeGreaterThan(0);
    for (const sentence of picked) {
      expect(unpunctuated.slice(sentence.start, sentence.end)).toBe(sentence.text);
      expect(sentence.text.length).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
    }
    expect(progress).toEqual([1]);
  });

  it("widens chunks to four times the requested sentences, so every level narrows the candidates", async () => {
    const calls: number[] = [];
    await summarizeHierarchical(longText, { algorithm: "lead", maxSentences: 30, language: "en", chunkSentences: 10 }, {
      onProgress: (_, chunksTotal) => calls.push(chunksTotal),
    });
    expect(calls[0]).toBe(Math.ceil(splitSentences(longText).length / 120));
  });
});
