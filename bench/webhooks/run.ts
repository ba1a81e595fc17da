/**
 * `npm run bench:webhooks`: webhook delivery with durable state, in one run:
 * 1. throughput — after a warm-up burst, three bursts of 1 KB events published
 *    straight into the event log (in-process, as services publish them: 100
 *    per transaction, the event loop free between transactions as it is
 *    between requests) and delivered signed to a local receiver (its own
 *    process); deliveries per second from the first commit to the last arrival,
 *    the median of the three. Each burst is paired with one by the transport
 *    peer (transport-peer.ts: undici alone pushing signed POSTs to the same
 *    receiver), so SUM is also reported as a share of what the transport does
 *    on the machine at that moment. The receiver is the bare one; the same
 *    pairs against a node:http receiver follow, for comparison;
 * 2. sustained rate — 10,000 events/s offered for 10 s (100 per transaction
 *    on a timetable): the rate delivered and the commit → arrival lag, which
 *    grows when SUM cannot keep up;
 * 3. latency — events published one per transaction at 500 events/s;
 *    event commit → receiver arrival, p50/p99;
 * 4. crash drill — a child SUM server is killed with SIGKILL during a
 *    10,000-event burst and restarted on the same database; events committed
 *    vs. arrived (lost) and arrivals beyond one per event (duplicates).
 * Figures are appended to bench/RESULTS.md (`--no-append` only prints).
 * Options: --events N (throughput burst, default 50000), --rate N (sustained run, default 10000), --seconds N (latency run, default 10).
 */
import { fork, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, totalmem, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { WebhooksService } from "../../gen/sum/v1/webhooks_pb.js";
import { productServices } from "../../src/main.js";
import { parseConfig } from "../../src/platform/config/config.js";
import { createLogger } from "../../src/platform/logging/logger.js";
import { startSumServer, type SumServer } from "../../src/platform/server/sum-server.js";
import { eventData } from "./event-data.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const BURST = option("events", 50_000);
const WARM_UP = 5_000;
const BURST_RUNS = 3;
const LATENCY_SECONDS = option("seconds", 10);
const LATENCY_RATE = 500;
const SUSTAINED_RATE = option("rate", 10_000);
const SUSTAINED_SECONDS = 10;
// Per-endpoint concurrency (default 32) raised for one endpoint taking every event: attempts in flight, not CPU, bound
// a steady stream at 64 (the serving and delivery threads and the receiver share two cores, so each attempt
// also waits its turn for one; see RESULTS).
const CONNECTIONS = 256;
const CRASH_EVENTS = 10_000;
const scratch = mkdtempSync(join(tmpdir(), "sum-bench-webhooks-"));

const benchEnv = (databaseFile: string): Record<string, string> => ({
  HOST: "127.0.0.1",
  PORT: "0",
  GRPC_PORT: "0",
  DATABASE_URL: join(scratch, databaseFile),
  LOG_LEVEL: "warn",
  SUMMARIZE_WORKERS: "0",
  WEBHOOKS_ALLOW_PRIVATE_NETWORKS: "true",
  WEBHOOKS_CONCURRENCY: "256",
  WEBHOOKS_ENDPOINT_CONCURRENCY: String(CONNECTIONS),
  WEBHOOKS_POLL_INTERVAL_MS: "200",
});

// ── the receiver process ──────────────────────────────────────────────────

type ReceiverKind = "bare" | "node-http";

interface ReceiverProcess {
  readonly url: string;
  ask<T>(kind: string): Promise<T>;
  stop(): Promise<void>;
}

async function startReceiver(kind: ReceiverKind): Promise<ReceiverProcess> {
  const child = fork(join(here, "receiver.js"), [kind], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message: { port: number }) => resolve(message.port));
    child.once("exit", (code) => reject(new Error(`${kind} receiver exited with ${code} before listening`)));
  });
  const ask = <T>(request: string) =>
    new Promise<T>((resolve) => {
      const onMessage = (message: { kind: string }) => {
        if (message.kind !== request) return;
        child.off("message", onMessage);
        resolve(message as T);
      };
      child.on("message", onMessage);
      child.send({ kind: request });
    });
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    ask,
    stop: async () => {
      child.send({ kind: "stop" });
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

/**
 * Waits until `expected` distinct messages have arrived. A timed run that
 * times out ends the benchmark (its stragglers would land in the next run's
 * count); the crash drill, which counts what is lost, takes the count as it is.
 */
async function untilReceived(
  receiver: ReceiverProcess,
  expected: number,
  timeoutMs: number,
  onTimeout: "throw" | "count" = "throw",
): Promise<{ unique: number; total: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await receiver.ask<{ unique: number; total: number }>("count");
    if (count.unique >= expected || (Date.now() > deadline && onTimeout === "count")) return count;
    if (Date.now() > deadline) throw new Error(`${count.unique} of ${expected} messages arrived within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface PeerProcess {
  /** Sends `count` signed POSTs; resolves with the wall time and the peer's CPU time they took. */
  push(count: number): Promise<{ ms: number; cpuUs: number }>;
  stop(): Promise<void>;
}

/** The transport peer's process, pointed at one receiver. */
async function startPeer(url: string): Promise<PeerProcess> {
  const child = fork(join(here, "transport-peer.js"), [url, String(CONNECTIONS)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  await new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`transport peer exited with ${code} before it was ready`)));
  });
  return {
    push: (count) =>
      new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`transport peer exited with ${code} during a burst`));
        const onMessage = (message: { kind: string; ms?: number; cpuUs?: number; error?: string }) => {
          if (message.kind !== "pushed" && message.kind !== "failed") return;
          child.off("message", onMessage);
          child.off("exit", onExit);
          if (message.kind === "pushed") resolve({ ms: message.ms!, cpuUs: message.cpuUs! });
          else reject(new Error(`transport peer failed: ${message.error}`));
        };
        child.on("message", onMessage);
        child.once("exit", onExit);
        child.send({ kind: "push", count });
      }),
    stop: async () => {
      child.send({ kind: "stop" });
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

/** Registers `url` for the benchmark's events; returns the webhook's id. */
async function register(httpPort: number, url: string): Promise<string> {
  const { webhook } = await webhooksClient(httpPort).createWebhook({ url, eventTypes: ["document.summarized"] });
  return webhook!.id;
}

const webhooksClient = (httpPort: number) =>
  createClient(WebhooksService, createConnectTransport({ httpVersion: "1.1", baseUrl: `http://127.0.0.1:${httpPort}` }));

const cpuMicros = (usage: NodeJS.CpuUsage) => usage.user + usage.system;
const receiverCpu = async (receiver: ReceiverProcess) => cpuMicros((await receiver.ask<{ cpu: NodeJS.CpuUsage }>("cpu")).cpu);

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

// ── 1–3: throughput, sustained rate and latency, SUM in this process ─────

async function inProcessRuns(bare: ReceiverProcess, nodeHttp: ReceiverProcess) {
  const parsed = parseConfig(benchEnv("sum.db"));
  if (parsed.errors) throw new Error(parsed.errors.join("; "));
  const server: SumServer = await startSumServer({ config: parsed.config, logger: createLogger({ level: "warn" }), services: productServices });
  const events = server.events;

  // Services publish from request handlers, so the event loop runs between their transactions; a loop
  // of transactions with no turn of it between would hold up every reply (and every delivery outcome).
  const publishBurst = async (count: number) => {
    for (let published = 0; published < count; published += 100) {
      await events.transaction(async (trx) => {
        for (let index = published; index < Math.min(count, published + 100); index++) {
          await events.publish(trx, { type: "document.summarized", data: eventData(index) });
        }
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  // Bursts against one receiver, each followed by the transport peer's burst to it (the shared cores
  // swing a single run by a fifth, so the two are interleaved and SUM's share is taken pair by pair).
  // CPU time of this process (publisher and SUM) and of the receiver per delivery say what the loaded
  // cores hide.
  const pairedBursts = async (receiver: ReceiverProcess) => {
    const webhookId = await register(server.httpPort, receiver.url);
    const peer = await startPeer(receiver.url);
    // Warm-up: compiled code, pooled connections and a grown heap, as a serving process has them.
    await publishBurst(WARM_UP);
    await untilReceived(receiver, WARM_UP, 60_000);
    await peer.push(WARM_UP);
    await receiver.ask("reset");
    const pairs = [];
    for (let run = 0; run < BURST_RUNS; run++) {
      const cpuBefore = process.cpuUsage();
      const receiverBefore = await receiverCpu(receiver);
      const started = performance.now();
      await publishBurst(BURST);
      const publishedMs = performance.now() - started;
      const arrived = await untilReceived(receiver, BURST, 120_000);
      const deliveredMs = performance.now() - started;
      const cpu = cpuMicros(process.cpuUsage(cpuBefore));
      const receiverUs = (await receiverCpu(receiver)) - receiverBefore;
      await receiver.ask("reset");

      const peerBurst = await peer.push(BURST);
      await receiver.ask("reset");
      const rate = (arrived.unique / deliveredMs) * 1000;
      const peerRate = (BURST / peerBurst.ms) * 1000;
      pairs.push({
        rate,
        peerRate,
        share: rate / peerRate,
        delivered: arrived.unique,
        duplicates: arrived.total - arrived.unique,
        publishedMs,
        deliveredMs,
        cpuUsPerDelivery: cpu / arrived.unique,
        receiverUsPerDelivery: receiverUs / arrived.unique,
        peerCpuUsPerPost: peerBurst.cpuUs / BURST,
      });
    }
    await peer.stop();
    await webhooksClient(server.httpPort).deleteWebhook({ id: webhookId });
    return pairs.sort((a, b) => a.rate - b.rate);
  };
  const bursts = await pairedBursts(bare);
  const nodeHttpBursts = await pairedBursts(nodeHttp);
  await register(server.httpPort, bare.url);

  // Events on a fixed timetable, `perTransaction` at a time; commit → arrival for the events of every
  // `sampleEvery`-th transaction (holding every id of a 100,000-event run would load this process's
  // heap, which is SUM's, with what the measure itself keeps).
  const steady = async (rate: number, seconds: number, perTransaction: number, sampleEvery: number) => {
    const committedAt = new Map<string, number>();
    const total = rate * seconds;
    const cpuStart = process.cpuUsage();
    const steadyStart = performance.now();
    for (let published = 0, transaction = 0; published < total; published += perTransaction, transaction++) {
      const wait = steadyStart + (published / rate) * 1000 - performance.now();
      await new Promise((resolve) => (wait > 1 ? setTimeout(resolve, wait) : setImmediate(resolve)));
      const sampled = transaction % sampleEvery === 0;
      const ids = await events.transaction(async (trx) => {
        const stored: string[] = [];
        for (let index = published; index < Math.min(total, published + perTransaction); index++) {
          const { id } = await events.publish(trx, { type: "document.summarized", data: eventData(index, { steady: true }) });
          if (sampled) stored.push(id);
        }
        return stored;
      });
      const at = performance.timeOrigin + performance.now();
      for (const id of ids) committedAt.set(id, at);
    }
    const achievedRate = total / ((performance.now() - steadyStart) / 1000);
    const arrived = await untilReceived(bare, total, 120_000);
    const deliveredRate = arrived.unique / ((performance.now() - steadyStart) / 1000);
    const cpu = cpuMicros(process.cpuUsage(cpuStart));
    const { arrivals } = await bare.ask<{ arrivals: [string, number][] }>("arrivals");
    const latencies = arrivals
      .filter(([id]) => committedAt.has(id))
      .map(([id, at]) => at - committedAt.get(id)!)
      .sort((a, b) => a - b);
    await bare.ask("reset");
    return {
      events: total,
      delivered: arrived.unique,
      sampled: latencies.length,
      achievedRate,
      deliveredRate,
      cpuUsPerDelivery: cpu / total,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1)!,
    };
  };
  const sustained = await steady(SUSTAINED_RATE, SUSTAINED_SECONDS, 100, 10);
  const latency = await steady(LATENCY_RATE, LATENCY_SECONDS, 1, 1);
  await server.shutdown();
  return {
    bursts,
    nodeHttpBursts,
    sustained,
    latency,
  };
}

// ── 4: crash drill, SUM in a child process ────────────────────────────────

function startCrashServer(): Promise<{ child: ChildProcess; httpPort: number }> {
  const child = fork(join(here, "crash-server.js"), [], {
    env: { ...process.env, ...benchEnv("crash.db") },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (message: { kind: string; httpPort: number }) => resolve({ child, httpPort: message.httpPort }));
    child.once("exit", (code) => reject(new Error(`crash server exited with ${code}`)));
  });
}

async function crashDrill(receiver: ReceiverProcess) {
  const first = await startCrashServer();
  await register(first.httpPort, receiver.url);
  let committed = 0;
  first.child.on("message", (message: { kind: string; count?: number }) => {
    if (message.kind === "committed") committed = message.count!;
  });
  first.child.send({ kind: "burst", events: CRASH_EVENTS, batch: 10 });
  // Kill once deliveries are under way and the burst is still being published.
  const underWay = async () => committed >= CRASH_EVENTS || (committed >= CRASH_EVENTS * 0.4 && (await receiver.ask<{ unique: number }>("count")).unique > 0);
  while (!(await underWay())) await new Promise((resolve) => setTimeout(resolve, 2));
  first.child.kill("SIGKILL");
  await new Promise((resolve) => first.child.once("exit", resolve));
  const atKill = await receiver.ask<{ unique: number; total: number }>("count");
  // What the log holds is the truth: every committed event must arrive.
  const database = new BetterSqlite3(join(scratch, "crash.db"), { readonly: true });
  const inLog = (database.prepare("select count(*) as n from events where type = 'document.summarized'").get() as { n: number }).n;
  database.close();

  const restartedAt = performance.now();
  const second = await startCrashServer();
  const after = await untilReceived(receiver, inLog, 60_000, "count");
  const recoveryMs = performance.now() - restartedAt;
  second.child.kill("SIGTERM");
  await new Promise((resolve) => second.child.once("exit", resolve));
  return {
    published: committed,
    inLog,
    beforeKill: atKill.unique,
    arrived: after.unique,
    lost: inLog - after.unique,
    duplicates: after.total - after.unique,
    recoveryMs,
  };
}

const loadBefore = loadavg()[0]!;
const bare = await startReceiver("bare");
const nodeHttp = await startReceiver("node-http");
let results: { runs: Awaited<ReturnType<typeof inProcessRuns>>; crash: Awaited<ReturnType<typeof crashDrill>> };
try {
  const runs = await inProcessRuns(bare, nodeHttp);
  const crash = await crashDrill(bare);
  results = { runs, crash };
} finally {
  await Promise.all([bare.stop(), nodeHttp.stop()]);
  rmSync(scratch, { recursive: true, force: true });
}

const { bursts, nodeHttpBursts, sustained, latency } = results.runs;
const crash = results.crash;
const fixed = (value: number, digits = 1) => value.toFixed(digits);
const perSecond = (rate: number) => `${Math.round(rate).toLocaleString("en-US")}/s`;
const middle = <T>(values: readonly T[]) => values[Math.floor(values.length / 2)]!;
const medianOf = (values: readonly number[]) => middle([...values].sort((a, b) => a - b));
type Burst = (typeof bursts)[number];
const burstCell = (pairs: readonly Burst[]) => {
  const median = middle(pairs);
  return (
    `**${perSecond(median.rate)}** (all ${pairs.length}: ${pairs.map((b) => perSecond(b.rate)).join(", ")}; the median burst: ` +
    `${median.delivered.toLocaleString("en-US")} delivered in ${fixed(median.deliveredMs / 1000, 2)} s, publishing alone ${fixed(median.publishedMs / 1000, 2)} s, ` +
    `${pairs.reduce((sum, b) => sum + b.duplicates, 0)} duplicates in all; per delivery, CPU of SUM's process ${fixed(median.cpuUsPerDelivery, 0)} µs (publishing included) ` +
    `and of the receiver ${fixed(median.receiverUsPerDelivery, 0)} µs). Transport peer in the same pairs: ${perSecond(medianOf(pairs.map((b) => b.peerRate)))} ` +
    `(${fixed(medianOf(pairs.map((b) => b.peerCpuUsPerPost)), 0)} µs CPU per POST); SUM at **${fixed(medianOf(pairs.map((b) => b.share)) * 100, 0)} %** of it (median of the pairs' ratios)`
  );
};
const section = [
  `## Webhook delivery (\`npm run bench:webhooks\`, ${new Date().toISOString().slice(0, 10)})`,
  "",
  `Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ` +
    `1-minute load average ${fixed(loadBefore, 1)} before and ${fixed(loadavg()[0]!, 1)} after the run (other work on the machine shares its cores).`,
  `SUM (in-process server, SQLite WAL file, the real dispatcher: fan-out and batched outcome writes on the serving thread; signing, breakers and an undici pool of ${CONNECTIONS} connections on its delivery thread)`,
  "delivers to a receiver in its own process, on the same cores: the bare receiver (node:net, reads each request's head and body, answers 204) unless a row says node:http.",
  `The transport peer is undici alone (${CONNECTIONS} connections) pushing signed 1 KB POSTs to the same receiver, with no durable state: each SUM burst is paired with one of its bursts.`,
  "",
  "| measure | result | target |",
  "|---|---|---|",
  `| burst: signed deliveries/s, ${BURST.toLocaleString("en-US")} × 1 KB events published as fast as they commit (after ${WARM_UP.toLocaleString("en-US")} to warm up), durable state; median of ${BURST_RUNS} bursts | ${burstCell(bursts)} | ≥ 10,000/s |`,
  `| bursts as above to a node:http receiver, after their own warm-up (for comparison: it spends more of the shared cores per request) | ${burstCell(nodeHttpBursts)} | — |`,
  `| sustained: ${SUSTAINED_RATE.toLocaleString("en-US")} events/s offered for ${SUSTAINED_SECONDS} s (100 per transaction) | published at ${perSecond(sustained.achievedRate)}, **delivered ${perSecond(sustained.deliveredRate)}** (first commit to last arrival; ${sustained.delivered.toLocaleString("en-US")} of ${sustained.events.toLocaleString("en-US")}); lag (every 10th transaction's events, ${sustained.sampled.toLocaleString("en-US")}) p50 ${fixed(sustained.p50, 1)} ms, p99 ${fixed(sustained.p99, 1)} ms, max ${fixed(sustained.max, 1)} ms; SUM process CPU ${fixed(sustained.cpuUsPerDelivery, 0)} µs per delivery | keeps up with ≥ 10,000/s |`,
  `| event commit → receiver latency at ${LATENCY_RATE} events/s (${latency.delivered}/${latency.events} events, achieved ${fixed(latency.achievedRate, 0)}/s) | p50 **${fixed(latency.p50, 2)} ms**, p99 **${fixed(latency.p99, 2)} ms** (max ${fixed(latency.max, 1)} ms) | p99 < 50 ms |`,
  `| crash drill: SIGKILL during a ${CRASH_EVENTS.toLocaleString("en-US")}-event burst, restart | ${crash.inLog.toLocaleString("en-US")} events committed before the kill (${crash.beforeKill.toLocaleString("en-US")} delivered by then); after restart **${crash.lost} lost**, **${crash.duplicates} duplicates**; all delivered ${fixed(crash.recoveryMs / 1000, 1)} s after the restart began | 0 lost |`,
  "",
].join("\n");
console.log(section);
if (!args.includes("--no-append")) appendFileSync(join(repoRoot, "bench", "RESULTS.md"), `\n${section}`);
