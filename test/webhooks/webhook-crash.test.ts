/**
 * At least once across kill -9: a child-process SUM server (the real entry
 * point) is killed with SIGKILL while delivering a burst of events published
 * by SummarizeService, then restarted on the same SQLite file; every event
 * arrives. Duplicates are allowed (and reported), losses are not.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { afterAll, expect, it } from "vitest";
import { SummarizeService } from "../../gen/sum/v1/summarize_pb.js";
import { WebhooksService } from "../../gen/sum/v1/webhooks_pb.js";
import { startServerProcess, type ServerProcess } from "../support/server-process.js";
import { waitFor } from "../support/wait-for.js";
import { startReceiver, type Receiver } from "./receiver.js";

const BATCHES = 6;
const PER_BATCH = 100;
const directory = mkdtempSync(join(tmpdir(), "sum-webhook-crash-"));
const env = {
  DATABASE_URL: join(directory, "sum.db"),
  // Info: the child announces its ports in the "SUM is serving" line.
  LOG_LEVEL: "info",
  SUMMARIZE_WORKERS: "0",
  WEBHOOKS_ALLOW_PRIVATE_NETWORKS: "true",
  WEBHOOKS_ENDPOINT_CONCURRENCY: "4",
  WEBHOOKS_POLL_INTERVAL_MS: "100",
  WEBHOOKS_RETRY_SCHEDULE: "0,100ms,200ms,400ms",
};
const servers: ServerProcess[] = [];
let receiver: Receiver | undefined;

afterAll(async () => {
  for (const server of servers) server.cleanup();
  await receiver?.close();
  rmSync(directory, { recursive: true, force: true });
});

function clients(server: ServerProcess) {
  const transport = createConnectTransport({ httpVersion: "1.1", baseUrl: `http://127.0.0.1:${server.httpPort}` });
  return { webhooks: createClient(WebhooksService, transport), summarize: createClient(SummarizeService, transport) };
}

it("delivers every event after the server is killed with SIGKILL mid-burst and restarted", async () => {
  // About 400 deliveries a second (4 connections, 10 ms each): the burst is still being delivered at the kill.
  receiver = await startReceiver((_request, response) => {
    setTimeout(() => response.writeHead(204).end(), 10).unref();
  });
  const first = await startServerProcess(env);
  servers.push(first);
  const { webhooks, summarize } = clients(first);
  await webhooks.createWebhook({ url: receiver.url, eventTypes: ["document.summarized"] });

  const documentIds: string[] = [];
  for (let batch = 0; batch < BATCHES; batch++) {
    const documents = Array.from({ length: PER_BATCH }, (_, index) => {
      const documentId = `doc-${batch}-${index}`;
      documentIds.push(documentId);
      return { documentId, text: `Document ${batch}-${index} is short. It has two sentences.` };
    });
    const response = await summarize.summarizeBatch({ documents });
    expect(response.results.every((result) => result.outcome.case === "response")).toBe(true);
  }
  await waitFor(() => receiver!.requests.length >= 100, 10_000, "deliveries under way");
  first.child.kill("SIGKILL");
  expect(await first.exited).toBe("SIGKILL");
  const beforeRestart = new Set(receiver.requests.map((request) => JSON.parse(request.body).data.documentId as string));
  expect(beforeRestart.size).toBeLessThan(documentIds.length);

  const second = await startServerProcess(env);
  servers.push(second);
  const received = () => new Set(receiver!.requests.map((request) => JSON.parse(request.body).data.documentId as string));
  await waitFor(() => received().size === documentIds.length, 20_000, "every event after restart");
  expect([...received()].sort()).toEqual([...documentIds].sort());
  const duplicates = receiver.requests.length - documentIds.length;
  // At most the attempts in flight (or not yet recorded) at the kill are sent again.
  expect(duplicates).toBeGreaterThanOrEqual(0);
  expect(duplicates).toBeLessThan(200);
  console.log(`crash drill: ${documentIds.length} events, ${beforeRestart.size} before the kill, 0 lost, ${duplicates} duplicates`);
}, 60_000);
