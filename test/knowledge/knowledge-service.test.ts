/**
 * KnowledgeService through real clients: Connect JSON on the HTTP port, a
 * plain grpc-js client and `buf curl` with reflection on the native port;
 * enrichment persisted across a restart on the same SQLite file,
 * connections, search ranking on a labelled set, densify, events (and their
 * erasure on delete), the watch stream, and every kind of bad input.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KnowledgeService, ThoughtChangeKind, type Thought } from "../../gen/sum/v1/knowledge_pb.js";
import { productServices } from "../../src/main.js";
import { bufCurl } from "../support/buf-curl.js";
import { GrpcJsClient } from "../support/grpc-js-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const directory = mkdtempSync(join(tmpdir(), "sum-knowledge-"));
const env = { SUMMARIZE_WORKERS: "0", LOG_LEVEL: "warn", DATABASE_URL: join(directory, "knowledge.db"), KNOWLEDGE_TIMEZONE: "Asia/Tokyo" };
let sum: TestServer;
let knowledge: Client<typeof KnowledgeService>;

beforeAll(async () => {
  sum = await startTestServer({ env, services: productServices });
  knowledge = sum.client(KnowledgeService, "connect-json-http1");
});

afterAll(async () => {
  await sum?.stop();
  rmSync(directory, { recursive: true, force: true });
});

async function expectCode(work: Promise<unknown>, code: Code, message?: RegExp): Promise<void> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConnectError);
  expect((error as ConnectError).code).toBe(code);
  if (message !== undefined) expect((error as ConnectError).rawMessage).toMatch(message);
}

const capture = async (content: string, extra: { tags?: string[]; source?: string; timeZone?: string } = {}): Promise<Thought> =>
  (await knowledge.captureThought({ content, ...extra })).thought!;

const expectedTimeOfDay = (zone: string): string => {
  const hour = Number(new Intl.DateTimeFormat("en-US", { timeZone: zone, hour: "numeric", hourCycle: "h23" }).format(new Date())) % 24;
  return hour >= 5 && hour < 12 ? "morning" : hour >= 12 && hour < 17 ? "afternoon" : hour >= 17 && hour < 21 ? "evening" : "night";
};

describe("capture and enrichment", () => {
  it("stores concepts, caller and automatic tags, importance, word count and metadata, visible after a restart", async () => {
    const thought = (
      await knowledge.captureThought({
        content: "Why do graph databases make knowledge management easier? I need to try a graph database for my notes tomorrow. I am so excited!",
        source: "voice",
        tags: ["Research", "research"],
        metadata: { device: "phone", battery: 0.5 },
        timeZone: "America/New_York",
      })
    ).thought!;
    expect(thought.id).not.toBe("");
    expect(thought.source).toBe("voice");
    expect(thought.concepts.map((concept) => concept.name)).toContain("graph database");
    expect(thought.concepts[0]!.weight).toBe(1);
    expect(thought.tags).toEqual(["research", "question", "action-item", "emotional", expectedTimeOfDay("America/New_York")]);
    expect(thought.wordCount).toBe(23n);
    // 0.4·23/100 + 0.25·min(1, concepts/5) + question 0.1 + action 0.15 + emotional 0.05
    const expected = 0.4 * 0.23 + 0.25 * Math.min(1, thought.concepts.length / 5) + 0.3;
    expect(thought.importance).toBeCloseTo(expected, 3);
    expect(thought.metadata).toEqual({ device: "phone", battery: 0.5 });
    expect(thought.timeZone).toBe("America/New_York");

    const defaultZone = await capture("Plain observation about the weather today.");
    expect(defaultZone.timeZone).toBe("Asia/Tokyo");
    expect(defaultZone.tags).toEqual([expectedTimeOfDay("Asia/Tokyo")]);
    expect(defaultZone.source).toBe("direct");

    await sum.stop();
    sum = await startTestServer({ env, services: productServices });
    knowledge = sum.client(KnowledgeService, "connect-json-http1");
    const again = (await knowledge.getThought({ id: thought.id })).thought!;
    expect(again.concepts).toEqual(thought.concepts);
    expect(again.tags).toEqual(thought.tags);
    expect(again.importance).toBe(thought.importance);
    expect(again.metadata).toEqual(thought.metadata);
    expect(again.createTime).toEqual(thought.createTime);
  });

  it("returns the first thought for a repeated request_id", async () => {
    const first = (await knowledge.captureThought({ content: "Idempotent capture of a thought.", requestId: "req-1" })).thought!;
    const second = (await knowledge.captureThought({ content: "Idempotent capture of a thought.", requestId: "req-1" })).thought!;
    expect(second.id).toBe(first.id);
  });
});

describe("connections", () => {
  it("connects thoughts that share concepts, in both directions, and not unrelated ones", async () => {
    const a = await capture("Sourdough bread needs a lively starter and a long cold fermentation.");
    const b = await capture("My sourdough starter doubled overnight, so the cold fermentation can begin.");
    const unrelated = await capture("Quarterly tax filing deadlines for small businesses changed this year.");
    const bConnections = b.connections.map((connection) => connection.thoughtId);
    expect(bConnections).toContain(a.id);
    expect(bConnections).not.toContain(unrelated.id);
    const link = b.connections.find((connection) => connection.thoughtId === a.id)!;
    expect(link.similarity).toBeGreaterThan(0.15);
    expect(link.similarity).toBeLessThanOrEqual(1);
    expect(link.sharedConcepts.length).toBeGreaterThan(0);
    expect(unrelated.connections.map((connection) => connection.thoughtId)).not.toContain(a.id);
    const aNow = (await knowledge.getThought({ id: a.id })).thought!;
    expect(aNow.connections.map((connection) => connection.thoughtId)).toContain(b.id);

    await knowledge.deleteThought({ id: b.id });
    const aAfter = (await knowledge.getThought({ id: a.id })).thought!;
    expect(aAfter.connections.map((connection) => connection.thoughtId)).not.toContain(b.id);
    await expectCode(knowledge.getThought({ id: b.id }), Code.NotFound, /^id: thought ".+" not found$/);
  });
});

describe("search", () => {
  it("ranks a labelled set: the thought about the query first, snippets highlighted, filters applied", async () => {
    const best = await capture("Kubernetes probes: the kubernetes readiness probe gates traffic, the kubernetes liveness probe restarts pods.", { tags: ["ops"] });
    const partial = await capture("A long essay about gardening, tomatoes, compost and sunlight, which mentions kubernetes once in passing.", { source: "email" });
    await capture("Nothing about containers here: a recipe for lemon cake.");
    const { results } = await knowledge.searchThoughts({ query: "kubernetes probe" });
    expect(results.map((result) => result.thought!.id)).toEqual([best.id]);
    const broad = await knowledge.searchThoughts({ query: "kubernetes" });
    expect(broad.results.map((result) => result.thought!.id)).toEqual([best.id, partial.id]);
    expect(broad.results[0]!.score).toBeGreaterThan(broad.results[1]!.score);
    expect(broad.rankedNewestOnly).toBe(false);
    expect(broad.results[0]!.snippet).toContain("<mark>Kubernetes</mark>");
    const filtered = await knowledge.searchThoughts({ query: "kubernetes", filter: { tag: "ops" } });
    expect(filtered.results.map((result) => result.thought!.id)).toEqual([best.id]);
    const bySource = await knowledge.searchThoughts({ query: "kubernetes", filter: { source: "email" } });
    expect(bySource.results.map((result) => result.thought!.id)).toEqual([partial.id]);
    const concept = best.concepts.find((candidate) => !partial.concepts.some((other) => other.name === candidate.name))!.name;
    const byConcept = await knowledge.searchThoughts({ query: "kubernetes", filter: { concept } });
    expect(byConcept.results.map((result) => result.thought!.id)).toEqual([best.id]);
    const later = await knowledge.searchThoughts({ query: "kubernetes", filter: { startTime: timestampFromDate(new Date(Date.now() + 60_000)) } });
    expect(later.results).toEqual([]);
    const earlier = await knowledge.searchThoughts({ query: "kubernetes", filter: { endTime: timestampFromDate(new Date(Date.now() + 60_000)), tag: "ops" } });
    expect(earlier.results.map((result) => result.thought!.id)).toEqual([best.id]);
    const paged = await knowledge.searchThoughts({ query: "kubernetes", pageSize: 1 });
    expect(paged.results).toHaveLength(1);
    const next = await knowledge.searchThoughts({ query: "kubernetes", pageSize: 1, pageToken: paged.nextPageToken });
    expect(next.results.map((result) => result.thought!.id)).toEqual([partial.id]);
    expect(next.nextPageToken).toBe("");
    const phrase = await knowledge.searchThoughts({ query: '"liveness probe"' });
    expect(phrase.results.map((result) => result.thought!.id)).toEqual([best.id]);
  });
});

describe("list, update and concepts", () => {
  it("lists newest first with filters and pages, updates with a mask and re-enriches", async () => {
    const first = await capture("Marathon training: long runs build endurance slowly.", { source: "import", tags: ["running"] });
    const second = await capture("Interval training for the marathon improves pace.", { source: "import", tags: ["running"] });
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await knowledge.listThoughts({ pageSize: 1, pageToken, filter: { tag: "running" } });
      seen.push(...page.thoughts.map((thought) => thought.id));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(seen).toEqual([second.id, first.id]);
    const bySource = await knowledge.listThoughts({ filter: { source: "import" } });
    expect(bySource.thoughts.map((thought) => thought.id)).toEqual([second.id, first.id]);
    const byConcept = await knowledge.listThoughts({ filter: { concept: "Marathon Trainings" } });
    expect(byConcept.thoughts.map((thought) => thought.id)).toContain(first.id);
    const future = await knowledge.listThoughts({ filter: { startTime: timestampFromDate(new Date(Date.now() + 60_000)) } });
    expect(future.thoughts).toEqual([]);
    const past = await knowledge.listThoughts({ filter: { endTime: timestampFromDate(new Date(Date.now() + 60_000)), source: "import" } });
    expect(past.thoughts).toHaveLength(2);

    const updated = (
      await knowledge.updateThought({
        thought: { id: first.id, content: "Did I realize that recovery weeks matter for marathon training?", source: "ignored" },
        updateMask: create(FieldMaskSchema, { paths: ["content"] }),
      })
    ).thought!;
    expect(updated.source).toBe("import");
    expect(updated.tags).toContain("running");
    expect(updated.tags).toContain("question");
    expect(updated.tags).toContain("insight");
    expect(updated.updateTime!.seconds >= updated.createTime!.seconds).toBe(true);
    expect((await knowledge.searchThoughts({ query: "recovery weeks" })).results.map((result) => result.thought!.id)).toEqual([first.id]);
    expect((await knowledge.searchThoughts({ query: "endurance" })).results).toEqual([]);

    const { concepts } = await knowledge.listConcepts({});
    const marathon = concepts.find((concept) => concept.name === "marathon training" || concept.name === "marathon");
    expect(marathon).toBeDefined();
    expect(marathon!.thoughtCount).toBeGreaterThanOrEqual(1n);
    const insights = await knowledge.getInsights({});
    expect(insights.thoughtCount).toBeGreaterThan(0n);
    expect(insights.peakHours.length).toBeGreaterThan(0);
    expect(insights.topConcepts.length).toBeGreaterThan(0);
  });
});

describe("densify", () => {
  it("summarizes a concept's thoughts into a shorter stored cluster made of their sentences", async () => {
    const contents = [
      "Spaced repetition makes vocabulary stick. Reviewing words just before forgetting them is the key. I used flashcards every morning on the train.",
      "Spaced repetition works for programming concepts too. Anki decks with code snippets helped me learn Rust lifetimes. The daily habit matters more than the session length.",
      "Spaced repetition needs honest grading. Marking a card easy when it was hard ruins the schedule. Short sessions keep the habit alive.",
    ];
    const ids: string[] = [];
    for (const content of contents) ids.push((await capture(content)).id);
    const { opportunities } = await knowledge.listDensifyOpportunities({});
    expect(opportunities.map((opportunity) => opportunity.concept)).toContain("spaced repetition");
    const cluster = (await knowledge.densify({ concept: "Spaced Repetition" })).cluster!;
    expect(cluster.concept).toBe("spaced repetition");
    expect([...cluster.thoughtIds].sort()).toEqual([...ids].sort());
    expect(cluster.compressedWordCount).toBeLessThan(cluster.originalWordCount);
    expect(cluster.compressionRatio).toBeCloseTo(Number(cluster.compressedWordCount) / Number(cluster.originalWordCount), 3);
    const all = contents.join(" ");
    for (const insight of cluster.keyInsights) expect(all).toContain(insight);
    expect(cluster.summary.length).toBeGreaterThan(0);
    expect((await knowledge.getCluster({ id: cluster.id })).cluster).toEqual(cluster);
    const listed = await knowledge.listClusters({ concept: "spaced repetition" });
    expect(listed.clusters.map((entry) => entry.id)).toEqual([cluster.id]);

    const events = await sum.server.events.readAfter(0, 10_000, ["knowledge.densified", "insight.generated", "pattern.detected"]);
    expect(events.some((event) => event.type === "knowledge.densified" && event.data["clusterId"] === cluster.id)).toBe(true);
    expect(events.some((event) => event.type === "insight.generated" && event.data["clusterId"] === cluster.id)).toBe(true);
    // The third thought with the concept within 24 h crossed the threshold.
    expect(events.some((event) => event.type === "pattern.detected" && event.data["concept"] === "spaced repetition" && event.data["thoughtCount"] === 3)).toBe(true);

    // Deleting a thought deletes the clusters quoting it and erases its words from stored events.
    await knowledge.deleteThought({ id: ids[0]! });
    await expectCode(knowledge.getCluster({ id: cluster.id }), Code.NotFound);
    const after = await sum.server.events.readAfter(0, 10_000);
    const captured = after.find((event) => event.type === "thought.captured" && event.data["thoughtId"] === ids[0]);
    expect(captured?.data).toEqual({ thoughtId: ids[0], source: "direct", importance: expect.any(Number), redacted: true });
    const densified = after.find((event) => event.type === "knowledge.densified" && event.data["clusterId"] === cluster.id);
    expect(densified?.data["summary"]).toBeUndefined();
    expect(densified?.data["redacted"]).toBe(true);
    expect(JSON.stringify(after)).not.toContain("flashcards every morning");
    expect(after.at(-1)).toMatchObject({ type: "thought.deleted", data: { thoughtId: ids[0] } });
    await expectCode(knowledge.densify({ concept: "no such concept anywhere" }), Code.NotFound, /^concept: /);
  });
});

describe("watch", () => {
  it("streams captures, updates and deletions as they commit", async () => {
    const controller = new AbortController();
    const received: { kind: ThoughtChangeKind; id: string; content: string | undefined }[] = [];
    const stream = (async () => {
      for await (const change of knowledge.watchThoughts({}, { signal: controller.signal })) {
        received.push({ kind: change.kind, id: change.thoughtId, content: change.thought?.content });
        if (received.length === 3) controller.abort();
      }
    })().catch((error: unknown) => {
      if (!(error instanceof ConnectError && error.code === Code.Canceled)) throw error;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const thought = await capture("Watching thoughts arrive live.");
    await knowledge.updateThought({ thought: { id: thought.id, tags: ["live"] }, updateMask: create(FieldMaskSchema, { paths: ["tags"] }) });
    await knowledge.deleteThought({ id: thought.id });
    await stream;
    expect(received.map((change) => [change.kind, change.id])).toEqual([
      [ThoughtChangeKind.CAPTURED, thought.id],
      [ThoughtChangeKind.UPDATED, thought.id],
      [ThoughtChangeKind.DELETED, thought.id],
    ]);
  });
});

describe("native gRPC port", () => {
  it("serves grpc-js clients and buf curl through reflection", async () => {
    const grpc = new GrpcJsClient(sum.grpcAddress);
    try {
      const { response } = await grpc.unary(KnowledgeService.method.captureThought, { content: "Captured over native gRPC about tidal energy." });
      expect(response.thought!.concepts.length).toBeGreaterThan(0);
      const result = await bufCurl([
        "--http2-prior-knowledge",
        "--protocol",
        "grpc",
        "-d",
        JSON.stringify({ query: "tidal energy" }),
        `http://${sum.grpcAddress}/sum.v1.KnowledgeService/SearchThoughts`,
      ]);
      expect(result.stderr).toBe("");
      const body = JSON.parse(result.stdout) as { results: { thought: { id: string } }[] };
      expect(body.results[0]!.thought.id).toBe(response.thought!.id);
    } finally {
      grpc.close();
    }
  });
});

describe("bad input", () => {
  const huge = "word ".repeat(20_000);
  const cases: [string, () => Promise<unknown>, Code, RegExp][] = [
    ["empty content", () => knowledge.captureThought({ content: "  " }), Code.InvalidArgument, /^content: required/],
    ["content over the limit", () => knowledge.captureThought({ content: huge }), Code.InvalidArgument, /^content: at most 65536 UTF-8 bytes, got 100000$/],
    ["bad source", () => knowledge.captureThought({ content: "x", source: "Not A Word" }), Code.InvalidArgument, /^source: /],
    ["empty tag", () => knowledge.captureThought({ content: "x", tags: ["ok", " "] }), Code.InvalidArgument, /^tags\[1\]: /],
    ["unknown zone", () => knowledge.captureThought({ content: "x", timeZone: "Mars/Olympus" }), Code.InvalidArgument, /^time_zone: not an IANA time zone/],
    ["missing id", () => knowledge.getThought({ id: "" }), Code.InvalidArgument, /^id: required$/],
    ["unknown id", () => knowledge.getThought({ id: "nope" }), Code.NotFound, /^id: thought "nope" not found$/],
    ["delete unknown", () => knowledge.deleteThought({ id: "nope" }), Code.NotFound, /^id: /],
    ["update unknown", () => knowledge.updateThought({ thought: { id: "nope", content: "x" } }), Code.NotFound, /^thought\.id: /],
    ["update bad mask", () => knowledge.updateThought({ thought: { id: "nope" }, updateMask: create(FieldMaskSchema, { paths: ["importance"] }) }), Code.InvalidArgument, /^update_mask\.paths\[0\]: /],
    ["update empty content", () => knowledge.updateThought({ thought: { id: "nope", content: "" }, updateMask: create(FieldMaskSchema, { paths: ["content"] }) }), Code.InvalidArgument, /^thought\.content: required/],
    ["malformed page token", () => knowledge.listThoughts({ pageToken: "%%%" }), Code.InvalidArgument, /^page_token: /],
    ["token of another method", () => knowledge.listThoughts({ pageToken: Buffer.from("search:20").toString("base64url") }), Code.InvalidArgument, /^page_token: /],
    ["page size", () => knowledge.listThoughts({ pageSize: 5000 }), Code.InvalidArgument, /^page_size: /],
    ["bad filter source", () => knowledge.listThoughts({ filter: { source: "A B" } }), Code.InvalidArgument, /^filter\.source: /],
    ["inverted time range", () => knowledge.listThoughts({ filter: { startTime: timestampFromDate(new Date(2000)), endTime: timestampFromDate(new Date(1000)) } }), Code.InvalidArgument, /^filter\.end_time: /],
    ["empty query", () => knowledge.searchThoughts({ query: "" }), Code.InvalidArgument, /^query: required$/],
    ["query without words", () => knowledge.searchThoughts({ query: "*** ()" }), Code.InvalidArgument, /^query: must contain at least one word$/],
    ["search page token", () => knowledge.searchThoughts({ query: "x", pageToken: "abc" }), Code.InvalidArgument, /^page_token: /],
    ["concepts page token", () => knowledge.listConcepts({ pageToken: Buffer.from("concepts:x").toString("base64url") }), Code.InvalidArgument, /^page_token: /],
    ["densify without concept", () => knowledge.densify({ concept: " " }), Code.InvalidArgument, /^concept: required$/],
    ["unknown cluster", () => knowledge.getCluster({ id: "nope" }), Code.NotFound, /^id: cluster "nope" not found$/],
  ];
  it.each(cases)("%s", async (_name, call, code, message) => {
    await expectCode(call(), code, message);
  });

  it("writes nothing when a capture is refused", async () => {
    const before = (await sum.server.events.latestSequence());
    await expectCode(knowledge.captureThought({ content: "ok", tags: Array.from({ length: 21 }, (_, index) => `t${index}`) }), Code.InvalidArgument, /^tags: at most 20/);
    expect(await sum.server.events.latestSequence()).toBe(before);
  });
});
