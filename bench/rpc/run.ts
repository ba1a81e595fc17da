/**
 * `npm run bench:rpc`: unary throughput and latency of SUM's full stack on
 * both ports, side by side in one run with a bare @grpc/grpc-js server and a
 * bare connect-node server answering the same RPC with the same codec.
 *
 * The comparison is made in interleaved pairs: all servers stay up (idle when
 * not loaded), and each round loads the bare peer and SUM back to back, in
 * alternating order, so drift in a shared machine's load hits both sides of a
 * pair alike. The ratio reported is the median of the per-pair ratios. On a
 * machine with two or more cores the servers are pinned to one core and the
 * load generator (h2load or wrk, another process) to another.
 *
 * Needs h2load, wrk and taskset: `apt-get install -y nghttp2-client wrk util-linux`.
 * Options: --seconds N (per run, default 6), --rounds N (pairs per scenario, default 5),
 *          --profile (also writes a CPU profile of SUM under gRPC load and lists its hot spots),
 *          --no-append (print the table without adding it to bench/RESULTS.md).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, totalmem, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { EchoRequestSchema } from "../../test/gen/sum/testing/v1/testing_service_pb.js";
import { cpuSeconds } from "./cpu-time.js";
import { h2load, pinLoadGenerators, wrk, type LoadResult } from "./load.js";
import { hotSpots } from "./profile-summary.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const seconds = option("seconds", 6);
const rounds = option("rounds", 5);
const profile = args.includes("--profile");
const append = !args.includes("--no-append");
const WARM_UP_SECONDS = 3;
/** Servers on the first core, load generators on the others (when there are others). */
const SERVER_CPU = cpus().length >= 2 ? "0" : undefined;
pinLoadGenerators(cpus().length >= 2 ? `1-${cpus().length - 1}` : undefined);

for (const tool of ["h2load", "wrk", "taskset"]) {
  if (spawnSync("which", [tool]).status !== 0) {
    console.error(`${tool} is missing: apt-get install -y nghttp2-client wrk util-linux`);
    process.exit(1);
  }
}

const scratch = mkdtempSync(join(tmpdir(), "sum-bench-"));
const request = create(EchoRequestSchema, { message: "hello, SUM" });
const protoBody = toBinary(EchoRequestSchema, request);
const grpcBody = new Uint8Array(5 + protoBody.length);
new DataView(grpcBody.buffer).setUint32(1, protoBody.length);
grpcBody.set(protoBody, 5);
const jsonBody = toJsonString(EchoRequestSchema, request);
const ECHO = "/sum.testing.v1.TestingService/Echo";

interface Started {
  readonly child: ChildProcess;
  readonly ports: Record<string, number>;
}

async function startServer(script: string, env: Record<string, string>, extraNodeArgs: string[] = []): Promise<Started> {
  // SUM's per-call log goes to /dev/null: still produced and written, as in
  // production, but not read by this process, which shares a core with the load generator.
  const logsToNull = script === "sum.js";
  const command = [process.execPath, ...extraNodeArgs, join(here, "servers", script)];
  const [file, ...argv] = SERVER_CPU === undefined ? command : ["taskset", "-c", SERVER_CPU, ...command];
  const child = spawn(file!, argv, {
    env: { ...process.env, ...env },
    stdio: ["ignore", logsToNull ? "ignore" : "pipe", "pipe"],
    cwd: scratch,
  });
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const onLine = (line: string) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry["msg"] === "ready") resolve(entry as unknown as Record<string, number>);
      } catch {
        // not JSON
      }
    };
    if (child.stdout) createInterface({ input: child.stdout }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, ports };
}

async function stop(started: Started): Promise<void> {
  const exited = new Promise((resolve) => started.child.once("exit", resolve));
  started.child.kill("SIGTERM");
  await exited;
}

const grpcHeaders = { "content-type": "application/grpc", te: "trailers" };
const connectProtoHeaders = { "content-type": "application/proto" };
const connectJsonHeaders = { "content-type": "application/json" };
const h2 = { seconds, clients: 8, streamsPerClient: 16, scratch };

/** Loads one server for `seconds` and reports what it sustained. */
type LoadRun = (ports: Record<string, number>, seconds: number) => Promise<LoadResult>;

const grpcLoad = (port: number, duration = seconds) =>
  h2load({ ...h2, seconds: duration, url: `http://127.0.0.1:${port}${ECHO}`, body: grpcBody, headers: grpcHeaders });
const connectBinaryLoad = (port: number, duration = seconds) =>
  h2load({ ...h2, seconds: duration, url: `http://127.0.0.1:${port}${ECHO}`, body: protoBody, headers: connectProtoHeaders });
const connectJsonLoad = (port: number, duration = seconds) =>
  wrk({ url: `http://127.0.0.1:${port}${ECHO}`, body: jsonBody, headers: connectJsonHeaders, seconds: duration, connections: 32, scratch });

/** A server process and the scenarios it answers. */
interface Target {
  readonly server: string;
  readonly env: Record<string, string>;
}

const bareGrpc: Target = { server: "bare-grpc-js.js", env: {} };
const bareConnect: Target = { server: "bare-connect-node.js", env: {} };
const sum: Target = {
  server: "sum.js",
  env: { PORT: "0", GRPC_PORT: "0", HOST: "127.0.0.1", DATABASE_URL: join(scratch, "sum.db") },
};

/** One comparison: the bare peer and SUM on the same protocol, with SUM's target ratio. */
interface Pair {
  readonly protocol: string;
  readonly target: number;
  readonly bare: { readonly name: string; readonly server: Target; readonly run: LoadRun };
  readonly sum: { readonly name: string; readonly run: LoadRun };
}

const pairs: Pair[] = [
  {
    protocol: "gRPC",
    target: 0.8,
    bare: { name: "bare grpc-js · gRPC", server: bareGrpc, run: (p, s) => grpcLoad(p["grpcPort"]!, s) },
    sum: { name: "SUM gRPC port · gRPC", run: (p, s) => grpcLoad(p["grpcPort"]!, s) },
  },
  {
    protocol: "Connect binary h2c",
    target: 0.9,
    bare: { name: "bare connect-node · Connect binary h2c", server: bareConnect, run: (p, s) => connectBinaryLoad(p["h2cPort"]!, s) },
    sum: { name: "SUM HTTP port · Connect binary h2c", run: (p, s) => connectBinaryLoad(p["httpPort"]!, s) },
  },
  {
    protocol: "Connect JSON HTTP/1.1",
    target: 0.9,
    bare: { name: "bare connect-node · Connect JSON HTTP/1.1", server: bareConnect, run: (p, s) => connectJsonLoad(p["http1Port"]!, s) },
    sum: { name: "SUM HTTP port · Connect JSON HTTP/1.1", run: (p, s) => connectJsonLoad(p["httpPort"]!, s) },
  },
  {
    protocol: "gRPC h2c (HTTP port)",
    target: 0.9,
    bare: { name: "bare connect-node · gRPC h2c", server: bareConnect, run: (p, s) => grpcLoad(p["h2cPort"]!, s) },
    sum: { name: "SUM HTTP port · gRPC h2c", run: (p, s) => grpcLoad(p["httpPort"]!, s) },
  },
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const log = (name: string, result: Measured) =>
  console.log(
    `${name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ` +
      `${result.cpuMicrosPerRequest.toFixed(1)} µs CPU/request, failed ${result.failed}`,
  );

const servers = new Map<Target, Started>();
for (const target of [bareGrpc, bareConnect, sum]) servers.set(target, await startServer(target.server, target.env));

/** A load run and the server CPU it cost. */
interface Measured extends LoadResult {
  /** Server CPU microseconds per request served. */
  readonly cpuMicrosPerRequest: number;
}

async function measure(server: Started, run: LoadRun): Promise<Measured> {
  const before = cpuSeconds(server.child.pid!);
  const result = await run(server.ports, seconds);
  const used = cpuSeconds(server.child.pid!) - before;
  return { ...result, cpuMicrosPerRequest: (used * 1e6) / Math.max(1, result.requestsPerSecond * seconds) };
}

interface PairResult {
  readonly pair: Pair;
  readonly bare: Measured[];
  readonly sum: Measured[];
  /** SUM req/s ÷ bare req/s, per pair. */
  readonly ratios: number[];
  /** Bare CPU per request ÷ SUM CPU per request, per pair: SUM's capacity relative to the peer's. */
  readonly cpuRatios: number[];
}
const pairResults: PairResult[] = [];
for (const pair of pairs) {
  const bareServer = servers.get(pair.bare.server)!;
  const sumServer = servers.get(sum)!;
  // JIT and connection set-up on both sides before anything is counted.
  await pair.bare.run(bareServer.ports, WARM_UP_SECONDS).catch(() => undefined);
  await pair.sum.run(sumServer.ports, WARM_UP_SECONDS).catch(() => undefined);
  const result: PairResult = { pair, bare: [], sum: [], ratios: [], cpuRatios: [] };
  for (let round = 0; round < rounds; round++) {
    const runBare = async () => (result.bare[round] = await measure(bareServer, pair.bare.run));
    const runSum = async () => (result.sum[round] = await measure(sumServer, pair.sum.run));
    if (round % 2 === 0) await runBare().then(runSum);
    else await runSum().then(runBare);
    const bareRun = result.bare[round]!;
    const sumRun = result.sum[round]!;
    log(`pair ${round + 1} · ${pair.bare.name}`, bareRun);
    log(`pair ${round + 1} · ${pair.sum.name}`, sumRun);
    result.ratios.push(sumRun.requestsPerSecond / bareRun.requestsPerSecond);
    result.cpuRatios.push(bareRun.cpuMicrosPerRequest / sumRun.cpuMicrosPerRequest);
  }
  pairResults.push(result);
}
for (const started of servers.values()) await stop(started);

const row = (name: string, all: Measured[], ratio: string, cpuRatio: string, target: string) =>
  `| ${name} | ${median(all.map((r) => r.requestsPerSecond)).toFixed(0)} | ${median(all.map((r) => r.p50Ms)).toFixed(2)} | ` +
  `${median(all.map((r) => r.p99Ms)).toFixed(2)} | ${median(all.map((r) => r.cpuMicrosPerRequest)).toFixed(1)} | ` +
  `${all.reduce((sum, r) => sum + r.failed, 0)} | ${ratio} | ${cpuRatio} | ${target} |`;
const spread = (ratios: number[]) => `**${percent(median(ratios))}** (${percent(Math.min(...ratios))}–${percent(Math.max(...ratios))})`;
const percent = (value: number) => `${(value * 100).toFixed(0)}%`;

let hotSpotText = "";
if (profile) {
  const profileDir = join(scratch, "profile");
  mkdirSync(profileDir);
  const started = await startServer(sum.server, sum.env, ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]);
  await grpcLoad(started.ports["grpcPort"]!);
  await stop(started);
  const file = readdirSync(profileDir).find((name) => name.endsWith(".cpuprofile"));
  if (file) hotSpotText = hotSpots(JSON.parse(readFileSync(join(profileDir, file), "utf8")), 15);
}

const h2loadVersion = spawnSync("h2load", ["--version"]).stdout.toString().trim();
const lines = [
  "",
  `## RPC benchmark — ${new Date().toISOString().slice(0, 10)}`,
  "",
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${h2loadVersion}, wrk. ` +
    `Tiny unary RPC (TestingService/Echo, ${protoBody.length}-byte request); each server in its own process` +
    `${SERVER_CPU === undefined ? "" : ` pinned to CPU ${SERVER_CPU}`}, load from another${SERVER_CPU === undefined ? "" : " pinned to the other CPUs"}; ` +
    `h2load ${h2.clients} connections × ${h2.streamsPerClient} streams, wrk 32 connections; per protocol ${rounds} interleaved pairs (bare, SUM) × ${seconds} s ` +
    `after a ${WARM_UP_SECONDS} s warm-up of each; req/s, latencies and CPU per request are medians of the runs, each ratio is the median of the per-pair ratios. ` +
    `CPU per request is the server process's user + system time (from /proc) over the requests it served: its inverse is the server's capacity, and it does not move when other work takes the core for a while, which req/s does on a shared machine. ` +
    `SUM runs its full middleware chain and default policies, LOG_LEVEL=info (one log line per call, written to /dev/null), tracing off.`,
  "",
  "| server · protocol | req/s | p50 ms | p99 ms | server µs CPU / request | failed | req/s vs bare (median of pairs, range) | requests per CPU-second vs bare | target |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...pairResults.flatMap(({ pair, bare, sum: own, ratios, cpuRatios }) => [
    row(pair.bare.name, bare, "—", "—", ""),
    row(pair.sum.name, own, spread(ratios), spread(cpuRatios), `≥ ${percent(pair.target)}`),
  ]),
  ...(hotSpotText ? ["", "CPU profile of SUM under gRPC load (self time, top 15):", "", "```", hotSpotText, "```"] : []),
  "",
];
const resultsFile = join(repoRoot, "bench", "RESULTS.md");
if (append) {
  if (!existsSync(resultsFile)) appendFileSync(resultsFile, "# SUM benchmark results\n\nNewest runs at the bottom. Each section says how it was measured.\n");
  appendFileSync(resultsFile, lines.join("\n"));
}
console.log(lines.join("\n"));
rmSync(scratch, { recursive: true, force: true });
