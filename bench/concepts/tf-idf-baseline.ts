/**
 * The benchmark's simple baseline: every 1–3-word n-gram of content words
 * (no stop word, no punctuation inside), scored by term frequency in the
 * document × log(N / document frequency) over the evaluation set itself.
 */
import { tokenize } from "../../src/summarize/tokenizer.js";

const MAX_WORDS = 3;

/** The n-grams of one text: stem key → first surface form and count. */
export function contentNgrams(text: string): Map<string, { surface: string; count: number }> {
  const grams = new Map<string, { surface: string; count: number }>();
  const tokens = tokenize(text, "en");
  let run: (typeof tokens)[number][] = [];
  const flush = () => {
    for (let start = 0; start < run.length; start++) {
      for (let length = 1; length <= MAX_WORDS && start + length <= run.length; length++) {
        const words = run.slice(start, start + length);
        const key = words.map((word) => word.stem).join(" ");
        const entry = grams.get(key);
        if (entry === undefined) grams.set(key, { surface: words.map((word) => word.lower).join(" "), count: 1 });
        else entry.count += 1;
      }
    }
    run = [];
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const previous = tokens[i - 1];
    if (previous !== undefined && !/^\s*$/.test(text.slice(previous.end, token.start))) flush();
    if (token.isStopWord || /^\p{N}+$/u.test(token.lower)) flush();
    else run.push(token);
  }
  flush();
  return grams;
}

export class TfIdfBaseline {
  private readonly documentFrequency = new Map<string, number>();
  private readonly documents: number;

  constructor(texts: readonly string[]) {
    this.documents = texts.length;
    for (const text of texts) for (const key of contentNgrams(text).keys()) this.documentFrequency.set(key, (this.documentFrequency.get(key) ?? 0) + 1);
  }

  top(text: string, k: number): string[] {
    return [...contentNgrams(text)]
      .map(([key, { surface, count }]) => ({ surface, score: count * Math.log(this.documents / (this.documentFrequency.get(key) ?? 1)) }))
      .sort((a, b) => b.score - a.score || (a.surface < b.surface ? -1 : 1))
      .slice(0, k)
      .map((entry) => entry.surface);
  }
}
