/**
 * The periodic insight job through a real server with a short interval:
 * captured thoughts lead to `insight.generated` with origin periodic, each
 * insight is published once (later runs without new thoughts add nothing,
 * nor does a restart on the same file), and GetInsights publishes nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KnowledgeService } from "../../gen/sum/v1/knowledge_pb.js";
import { productServices } from "../../src/main.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const INTERVAL_MS = 50;
const directory = mkdtempSync(join(tmpdir(), "sum-insight-job-"));
const env = { SUMMARIZE_WORKERS: "0", LOG_LEVEL: "warn", DATABASE_URL: join(directory, "knowledge.db"), KNOWLEDGE_INSIGHT_INTERVAL_MS: String(INTERVAL_MS) };
let sum: TestServer;

beforeAll(async () => {
  sum = await startTestServer({ env, services: productServices });
});

afterAll(async () => {
  await sum?.stop();
  rmSync(directory, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function periodicEvents(server: TestServer) {
  const events = await server.server.events.readAfter(0, 10_000, ["insight.generated"]);
  return events.filter((event) => event.data["origin"] === "periodic");
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(INTERVAL_MS);
  }
}

describe("periodic insight job", () => {
  it("publishes new insights once, in the event log, and never on a read", async () => {
    const knowledge = sum.client(KnowledgeService, "connect-json-http1");
    expect(await periodicEvents(sum)).toEqual([]);
    for (const content of [
      "Spaced repetition makes vocabulary stick for months.",
      "Spaced repetition apps schedule reviews just before forgetting.",
      "Spaced repetition works for programming concepts too.",
    ]) {
      await knowledge.captureThought({ content });
    }

    const first = await waitFor(() => periodicEvents(sum), (events) => events.some((event) => (event.data["keys"] as string[]).includes("top-concept:spaced repetition")));
    const keys = first.flatMap((event) => event.data["keys"] as string[]);
    expect(keys).toContain("top-concept:spaced repetition");
    expect(keys.some((key) => key.startsWith("peak-hour:"))).toBe(true);
    expect(keys.some((key) => key.startsWith("peak-day:"))).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
    const insights = first.flatMap((event) => event.data["insights"] as string[]);
    expect(insights.some((insight) => insight.includes("spaced repetition"))).toBe(true);

    // Several more runs without new thoughts publish nothing new.
    const sequence = await sum.server.events.latestSequence();
    await sleep(INTERVAL_MS * 6);
    expect(await sum.server.events.latestSequence()).toBe(sequence);

    // A read publishes nothing.
    const read = await knowledge.getInsights({});
    expect(read.topConcepts.map((concept) => concept.name)).toContain("spaced repetition");
    await sleep(INTERVAL_MS * 3);
    expect(await sum.server.events.latestSequence()).toBe(sequence);
  });

  it("remembers what it published across a restart on the same database", async () => {
    const before = (await periodicEvents(sum)).length;
    await sum.stop();
    sum = await startTestServer({ env, services: productServices });
    await sleep(INTERVAL_MS * 6);
    expect((await periodicEvents(sum)).length).toBe(before);
  });
});
