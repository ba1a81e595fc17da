/**
 * UpdateThought's optimistic concurrency over real clients (Connect JSON and
 * gRPC): a thought's version starts at 1 and goes up by one per update; a
 * stale expected version is ABORTED naming the current one and changes
 * nothing; no version means last write wins.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KnowledgeService } from "../../gen/sum/v1/knowledge_pb.js";
import { productServices } from "../../src/main.js";
import { startTestServer, type HttpProtocol, type TestServer } from "../support/test-server.js";

const directory = mkdtempSync(join(tmpdir(), "sum-thought-versions-"));
let sum: TestServer;

beforeAll(async () => {
  sum = await startTestServer({ env: { SUMMARIZE_WORKERS: "0", LOG_LEVEL: "warn", DATABASE_URL: join(directory, "knowledge.db") }, services: productServices });
});

afterAll(async () => {
  await sum?.stop();
  rmSync(directory, { recursive: true, force: true });
});

async function failure(work: Promise<unknown>): Promise<ConnectError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

const contentMask = create(FieldMaskSchema, { paths: ["content"] });

describe.each<HttpProtocol>(["connect-json-http1", "grpc-h2c"])("UpdateThought versions over %s", (protocol) => {
  it("counts versions, refuses a stale one with ABORTED and lets an unversioned write win", async () => {
    const knowledge = sum.client(KnowledgeService, protocol);
    const captured = (await knowledge.captureThought({ content: "Versioned notes about graph databases." })).thought!;
    expect(captured.version).toBe(1n);

    const second = (await knowledge.updateThought({ thought: { id: captured.id, content: "Versioned notes about graph databases, revised." }, updateMask: contentMask, version: 1n })).thought!;
    expect(second.version).toBe(2n);
    expect(second.content).toBe("Versioned notes about graph databases, revised.");

    // Another writer still holding version 1 is refused, and nothing changes.
    const events = await sum.server.events.latestSequence();
    const stale = await failure(knowledge.updateThought({ thought: { id: captured.id, content: "A stale overwrite." }, updateMask: contentMask, version: 1n }));
    expect(stale.code).toBe(Code.Aborted);
    expect(stale.rawMessage).toMatch(/^version: 1 is stale; .* is at version 2$/);
    const stored = (await knowledge.getThought({ id: captured.id })).thought!;
    expect(stored.content).toBe("Versioned notes about graph databases, revised.");
    expect(stored.version).toBe(2n);
    expect(await sum.server.events.latestSequence()).toBe(events);

    // Without a version the last write wins.
    const third = (await knowledge.updateThought({ thought: { id: captured.id, content: "Last write wins." }, updateMask: contentMask })).thought!;
    expect(third.version).toBe(3n);
    expect(third.content).toBe("Last write wins.");
    expect((await knowledge.listThoughts({})).thoughts.find((thought) => thought.id === captured.id)?.version).toBe(3n);

    const invalid = await failure(knowledge.updateThought({ thought: { id: captured.id, content: "x" }, updateMask: contentMask, version: 0n }));
    expect(invalid.code).toBe(Code.InvalidArgument);
    expect(invalid.rawMessage).toMatch(/^version: /);

    const missing = await failure(knowledge.updateThought({ thought: { id: "0190f3a2-7c1e-7d3a-9b1f-2c4d5e6f7a8b", content: "x" }, updateMask: contentMask, version: 1n }));
    expect(missing.code).toBe(Code.NotFound);
  });
});
