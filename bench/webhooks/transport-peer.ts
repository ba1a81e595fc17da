/**
 * The peer the throughput target is set against: one undici client pushing
 * Standard-Webhooks-signed 1 KB POSTs over a pool of connections to the same
 * receiver, with no durable state, no fan-out and no retries — the transport
 * alone. SUM's bursts are reported as a share of its rate. It runs as its
 * own process (forked by run.ts, given the receiver's URL and the pool's
 * size as arguments), so it has a core's event loop to itself as SUM has.
 */
import { randomBytes } from "node:crypto";
import { Agent } from "undici";
import { sign } from "../../src/webhooks/webhook-signature.js";
import { eventData } from "./event-data.js";

class TransportPeer {
  private readonly agent: Agent;
  private readonly key = randomBytes(32);
  private readonly target: URL;
  private sent = 0;

  constructor(url: string, private readonly connections: number) {
    this.target = new URL(url);
    // Idle connections kept as long as SUM's own pool keeps them (webhook-sender.ts), so neither
    // reconnects between its bursts while the other one runs.
    this.agent = new Agent({ connections, keepAliveTimeout: 30_000 });
  }

  /** Sends `count` signed POSTs, `connections` at a time; resolves when every answer is read. */
  async push(count: number): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < count) {
        const index = next++;
        const id = `peer_${this.sent++}`;
        const timestamp = Math.floor(Date.now() / 1000);
        const body = Buffer.from(JSON.stringify({ type: "document.summarized", timestamp: new Date().toISOString(), data: eventData(index) }));
        const response = await this.agent.request({
          origin: this.target.origin,
          path: this.target.pathname,
          method: "POST",
          headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": sign(this.key, id, timestamp, body) },
          body,
        });
        await response.body.dump();
        if (response.statusCode < 200 || response.statusCode > 299) throw new Error(`peer POST answered ${response.statusCode}`);
      }
    };
    await Promise.all(Array.from({ length: this.connections }, lane));
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

const peer = new TransportPeer(process.argv[2]!, Number(process.argv[3]));
process.on("message", (message: { kind: string; count?: number }) => {
  if (message.kind === "push") {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    peer.push(message.count!).then(
      () => {
        const ms = performance.now() - started;
        const cpu = process.cpuUsage(cpuBefore);
        process.send!({ kind: "pushed", ms, cpuUs: cpu.user + cpu.system });
      },
      (error: unknown) => process.send!({ kind: "failed", error: error instanceof Error ? error.message : String(error) }),
    );
  } else if (message.kind === "stop") {
    void peer.close().then(() => process.exit(0));
  }
});
process.send!({ kind: "ready" });
