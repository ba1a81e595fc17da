import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { summarizeHierarchical } from "../../src/summarize/hierarchical-summarizer.js";
import { SummarizerPool } from "../../src/summarize/summarizer-pool.js";

const longText = (JSON.parse(readFileSync(new URL("../../../shared/data/summarization/bbc100.json", import.meta.url), "utf8")) as { src: string }[])
  .map((document) => document.src)
  .join("\n\n");
const options = { algorithm: "textrank", maxSentences: 3, language: "en" } as const;

describe("SummarizerPool", () => {
  let pool: SummarizerPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it("gives the in-process result and forwards progress from the thread", async () => {
    pool = new SummarizerPool({ size: 1 });
    const progress: number[] = [];
    const result = await pool.summarize(longText, options, { onProgress: (chunksDone) => progress.push(chunksDone) });
    expect(result).toEqual(await summarizeHierarchical(longText, options));
    expect(progress.length).toBeGreaterThan(10);
    expect(progress).toEqual(progress.map((_, index) => index + 1));
  });

  it("runs jobs on separate threads at the same time", async () => {
    pool = new SummarizerPool({ size: 2 });
    // Boot both threads first, so neither job below waits for a thread to start.
    const short = longText.slice(0, 3000);
    await Promise.all([pool.summarize(short, options), pool.summarize(short, options)]);
    const controller = new AbortController();
    const started = new Set<string>();
    let finishedBeforeBothStarted = false;
    const job = (name: string) =>
      pool!
        .summarize(longText.repeat(3), options, {
          signal: controller.signal,
          onProgress: () => {
            started.add(name);
            // Both are running at once: that is all this test needs to see.
            if (started.size === 2) controller.abort();
          },
        })
        .then(
          () => (finishedBeforeBothStarted ||= started.size < 2),
          () => undefined,
        );
    await Promise.all([job("a"), job("b")]);
    expect([...started].sort()).toEqual(["a", "b"]);
    expect(finishedBeforeBothStarted).toBe(false);
  });

  it("survives a job that throws and runs the next one", async () => {
    pool = new SummarizerPool({ size: 1 });
    await expect(pool.summarize("Some text here.", { algorithm: "no-such-algorithm" as "lead", maxSentences: 1, language: "en" })).rejects.toThrow();
    expect(await pool.summarize("One short sentence here. And another one.", { algorithm: "lead", maxSentences: 1, language: "en" })).toHaveLength(1);
  });

  it("rejects an aborted job with the signal's reason, running or queued, and keeps serving", async () => {
    pool = new SummarizerPool({ size: 1 });
    const running = new AbortController();
    const queued = new AbortController();
    const first = pool.summarize(longText, options, { signal: running.signal, onProgress: (chunksDone) => chunksDone === 2 && running.abort() });
    const second = pool.summarize(longText, options, { signal: queued.signal });
    const third = pool.summarize(longText.slice(0, 5000), options);
    const outcomes = Promise.allSettled([first, second]);
    queued.abort(new Error("caller went away"));
    const [firstOutcome, secondOutcome] = await outcomes;
    expect(firstOutcome).toMatchObject({ status: "rejected", reason: { name: "AbortError" } });
    expect(secondOutcome).toMatchObject({ status: "rejected", reason: { message: "caller went away" } });
    expect(await third).toHaveLength(3);
  });

  it("replaces a thread that does not stop within the grace period", async () => {
    pool = new SummarizerPool({ size: 1, cancelGraceMs: 0 });
    const controller = new AbortController();
    const first = pool.summarize(longText, options, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(first).rejects.toMatchObject({ name: "AbortError" });
    expect(await pool.summarize(longText.slice(0, 5000), options)).toHaveLength(3);
  });

  it("close() rejects what is pending, ends its threads, and refuses new work", async () => {
    pool = new SummarizerPool({ size: 1 });
    const running = pool.summarize(longText, options);
    const queued = pool.summarize(longText, options);
    const outcomes = Promise.allSettled([running, queued]);
    await pool.close();
    for (const outcome of await outcomes) expect(outcome).toMatchObject({ status: "rejected", reason: { message: "summarizer pool is closed" } });
    await expect(pool.summarize("Text.", options)).rejects.toThrow("summarizer pool is closed");
  });
});
