/**
 * The dispatcher's delivery thread on its own: a real thread POSTing to real
 * loopback receivers. Signatures are checked with the `standardwebhooks`
 * reference package; a thread that dies is replaced and what it held is
 * reported lost, so the dispatcher sends it again.
 */
import { randomBytes } from "node:crypto";
import type { Worker } from "node:worker_threads";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { DeliveryThreadClient } from "../../src/webhooks/delivery-thread-client.js";
import type { AttemptOutcome, AttemptRequest, EndpointSpec } from "../../src/webhooks/delivery-thread-protocol.js";
import { waitFor } from "../support/wait-for.js";
import { startReceiver, type Receiver } from "./receiver.js";

const settings = { connectionsPerOrigin: 8, allowPrivateNetworks: true, attemptTimeoutMs: 2_000, breakerFailures: 3, breakerHalfOpenMs: 60_000 };

interface Harness {
  readonly thread: DeliveryThreadClient;
  readonly outcomes: AttemptOutcome[];
  readonly opened: string[];
  readonly failures: unknown[];
  /** Resolves once `count` outcomes have arrived. */
  until(count: number): Promise<AttemptOutcome[]>;
}

const open: { thread: DeliveryThreadClient; receivers: Receiver[] }[] = [];
afterEach(async () => {
  for (const { thread, receivers } of open.splice(0)) {
    await thread.close();
    for (const receiver of receivers) await receiver.close();
  }
});

function harness(...receivers: Receiver[]): Harness {
  return harnessWith({}, ...receivers);
}

function harnessWith(overrides: Partial<typeof settings>, ...receivers: Receiver[]): Harness {
  const outcomes: AttemptOutcome[] = [];
  const opened: string[] = [];
  const failures: unknown[] = [];
  const thread = new DeliveryThreadClient({ ...settings, ...overrides }, {
    onOutcomes: (batch) => {
      outcomes.push(...batch);
    },
    onCircuitOpened: (webhookId) => opened.push(webhookId),
    onThreadFailure: (error) => failures.push(error),
  });
  open.push({ thread, receivers });
  const until = async (count: number) => {
    await waitFor(() => outcomes.length >= count, 10_000, `${count} outcomes`);
    return outcomes;
  };
  return { thread, outcomes, opened, failures, until };
}

function endpoint(id: string, url: string, previousKey?: Buffer): EndpointSpec & { secret: string; previousSecret?: string } {
  const key = randomBytes(32);
  return {
    id,
    url,
    headers: { "x-tenant": "acme", "webhook-signature": "forged" },
    key,
    previousKey,
    previousUntil: previousKey === undefined ? 0 : Date.now() + 60_000,
    secret: `whsec_${key.toString("base64")}`,
    ...(previousKey === undefined ? {} : { previousSecret: `whsec_${previousKey.toString("base64")}` }),
  };
}

const request = (messageId: number, webhookId: string, data: unknown = { n: messageId }): AttemptRequest => ({
  messageId,
  webhookId,
  eventId: `evt_${messageId}`,
  eventType: "document.summarized",
  eventTimestamp: "2026-12-04T10:00:00.000Z",
  data: JSON.stringify(data),
});

describe("delivery thread", () => {
  it("POSTs each submitted attempt signed, with the webhook's extra headers, and reports every answer", async () => {
    const receiver = await startReceiver();
    const { thread, until } = harness(receiver);
    const spec = endpoint("wh_1", receiver.url);
    thread.setEndpoints([spec]);
    for (let id = 1; id <= 40; id++) thread.submit(request(id, "wh_1", { n: id, text: "é ✓" }));
    const outcomes = await until(40);

    expect(outcomes.map((outcome) => outcome.messageId).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ kind: "answered", status: 204 });
      if (outcome.kind === "answered") expect(outcome.latencyMs).toBeGreaterThan(0);
    }
    const verifier = new StandardWebhook(spec.secret);
    expect(receiver.requests).toHaveLength(40);
    for (const received of receiver.requests) {
      expect(received.headers["x-tenant"]).toBe("acme");
      const payload = verifier.verify(received.body, received.headers as Record<string, string>) as { type: string; data: { n: number; text: string } };
      expect(payload.type).toBe("document.summarized");
      expect(received.headers["webhook-id"]).toBe(`evt_${payload.data.n}`);
      expect(payload.data.text).toBe("é ✓");
    }
  });

  it("signs with both keys while the previous secret's grace period lasts", async () => {
    const receiver = await startReceiver();
    const { thread, until } = harness(receiver);
    const previous = randomBytes(32);
    const spec = endpoint("wh_1", receiver.url, previous);
    thread.setEndpoints([spec]);
    thread.submit(request(1, "wh_1"));
    await until(1);
    const [received] = receiver.requests;
    expect(String(received!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    for (const secret of [spec.secret, spec.previousSecret!]) {
      expect(() => new StandardWebhook(secret).verify(received!.body, received!.headers as Record<string, string>)).not.toThrow();
    }
  });

  it("reports non-2xx answers with status, Retry-After and the reason; opens the breaker; drops unknown endpoints", async () => {
    const busy = await startReceiver((_request, response) => {
      response.writeHead(429, { "retry-after": "7" }).end();
    });
    const moved = await startReceiver((_request, response) => {
      response.writeHead(301, { location: "https://elsewhere.example/hooks" }).end();
    });
    const { thread, until, opened } = harness(busy, moved);
    thread.setEndpoints([endpoint("busy", busy.url), endpoint("moved", moved.url)]);
    thread.submit(request(1, "busy"));
    thread.submit(request(2, "moved"));
    thread.submit(request(3, "nobody"));
    const outcomes = await until(3);
    const byId = new Map(outcomes.map((outcome) => [outcome.messageId, outcome]));
    expect(byId.get(1)).toMatchObject({ kind: "rejected", status: 429, retryAfter: "7", error: "HTTP 429" });
    expect(byId.get(2)).toMatchObject({ kind: "rejected", status: 301, error: "redirect not followed (HTTP 301 to https://elsewhere.example/hooks)" });
    expect(byId.get(3)).toEqual({ messageId: 3, kind: "dropped" });

    // Two more failures reach the breaker's threshold of 3; the next attempt is not made.
    thread.submit(request(4, "busy"));
    thread.submit(request(5, "busy"));
    await until(5);
    thread.submit(request(6, "busy"));
    const [sixth] = (await until(6)).filter((outcome) => outcome.messageId === 6);
    expect(sixth).toMatchObject({ kind: "deferred" });
    expect(opened).toEqual(["busy"]);
    expect(busy.requests).toHaveLength(3);

    // A reset breaker lets attempts through again.
    thread.resetGuard("busy");
    thread.submit(request(7, "busy"));
    const [seventh] = (await until(7)).filter((outcome) => outcome.messageId === 7);
    expect(seventh).toMatchObject({ kind: "rejected", status: 429 });
  });

  it("attempts handed over together share one deadline: each still waiting is reported timed out, its request given up, and counted by the breaker", async () => {
    const abandoned: number[] = [];
    const hung = await startReceiver((_request, response, index) => {
      // Never answers; the response closes unfinished only when SUM gives the request up.
      response.on("close", () => abandoned.push(index));
    });
    const fast = await startReceiver();
    // Two connections for four attempts: two of them time out still waiting for one.
    const { thread, until, opened } = harnessWith({ attemptTimeoutMs: 300, connectionsPerOrigin: 2 }, hung, fast);
    thread.setEndpoints([endpoint("hung", hung.url), endpoint("fast", fast.url)]);
    const submittedAt = Date.now();
    for (let id = 1; id <= 4; id++) thread.submit(request(id, "hung"));
    thread.submit(request(5, "fast"));
    const outcomes = await until(5);
    const elapsed = Date.now() - submittedAt;

    const byId = new Map(outcomes.map((outcome) => [outcome.messageId, outcome]));
    expect(byId.get(5)).toMatchObject({ kind: "answered", status: 204 });
    for (let id = 1; id <= 4; id++) {
      expect(byId.get(id)).toMatchObject({ kind: "failed", error: "timed out after 300ms" });
      const outcome = byId.get(id)!;
      if (outcome.kind === "failed") expect(outcome.latencyMs).toBeGreaterThanOrEqual(290);
    }
    // Undici's own timeouts (the backstop) would take over a second longer.
    expect(elapsed).toBeLessThan(1_300);
    await waitFor(() => abandoned.length === 2, 5_000, "both hung requests given up");
    expect(hung.requests).toHaveLength(2);
    expect(opened).toEqual(["hung"]);
  });

  it("reports a connection failure as failed, with the transport's reason", async () => {
    const receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close();
    const { thread, until } = harness();
    thread.setEndpoints([endpoint("gone", url)]);
    thread.submit(request(1, "gone"));
    const [outcome] = await until(1);
    expect(outcome).toMatchObject({ kind: "failed" });
    if (outcome!.kind === "failed") expect(outcome!.error).toMatch(/ECONNREFUSED/);
  });

  it("replaces a thread that dies: what it held is reported lost, the new one has the endpoints", async () => {
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = await startReceiver(async (_request, response) => {
      await held;
      response.writeHead(204).end();
    });
    const { thread, until, failures } = harness(slow);
    thread.setEndpoints([endpoint("slow", slow.url)]);
    thread.submit(request(1, "slow"));
    thread.submit(request(2, "slow"));
    await waitFor(() => slow.requests.length === 2, 5_000, "both requests at the receiver");

    // Simulates a crash of the thread (nothing in SUM terminates it but close()).
    await (thread as unknown as { worker: Worker }).worker.terminate();
    const lost = await until(2);
    expect(failures).toHaveLength(1);
    for (const outcome of lost) {
      expect(outcome).toMatchObject({ kind: "lost" });
      if (outcome.kind === "lost") expect(outcome.error).toMatch(/^delivery thread failed: /);
    }
    release!();
    // Submitted while the replacement has not started yet: held for it.
    thread.submit(request(3, "slow"));
    const [third] = (await until(3)).filter((outcome) => outcome.messageId === 3);
    expect(third).toMatchObject({ kind: "answered", status: 204 });
  });

  it("close(): an attempt cut off by the closing pool is reported failed before it resolves; nothing is sent after", async () => {
    const slow = await startReceiver((_request, response) => {
      setTimeout(() => response.writeHead(204).end(), 500);
    });
    const { thread, outcomes } = harness(slow);
    thread.setEndpoints([endpoint("slow", slow.url)]);
    thread.submit(request(1, "slow"));
    await waitFor(() => slow.requests.length === 1, 5_000, "the request at the receiver");
    await thread.close();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ messageId: 1, kind: "failed" });
    thread.submit(request(2, "slow"));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(outcomes).toHaveLength(1);
    expect(slow.requests).toHaveLength(1);
  });
});
