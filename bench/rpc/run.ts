/**
 * `npm run bench:rpc`: unary throughput and latency of SUM's full stack on
 * both ports, side by side in one run with a bare @grpc/grpc-js server and a
 * bare connect-node server answering the same RPC with the same codec.
 * Each server runs alone in its own process while h2load or wrk loads it from
 * another. Medians of several rounds are appended to bench/RESULTS.md.
 *
 * Needs h2load and wrk: `apt-get install -y nghttp2-client wrk`.
 * Options: --seconds N (per round, default 10), --rounds N (default 3),
 *          --profile (also writes a CPU profile of SUM under gRPC load and lists its hot spots).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, totalmem, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { EchoRequestSchema } from "../../test/gen/sum/testing/v1/testing_service_pb.js";
import { h2load, wrk, type LoadResult } from "./load.js";
import { hotSpots } from "./profile-summary.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const seconds = option("seconds", 10);
const rounds = option("rounds", 3);
const profile = args.includes("--profile");
const WARM_UP_SECONDS = 3;

for (const tool of ["h2load", "wrk"]) {
  if (spawnSync("which", [tool]).status !== 0) {
    console.error(`${tool} is missing: apt-get install -y nghttp2-client wrk`);
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
  const child = spawn(process.execPath, [...extraNodeArgs, join(here, "servers", script)], {
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

type Scenario = { name: string; peer: string; run: (ports: Record<string, number>, seconds: number) => Promise<LoadResult> };

const grpcLoad = (port: number, duration = seconds) =>
  h2load({ ...h2, seconds: duration, url: `http://127.0.0.1:${port}${ECHO}`, body: grpcBody, headers: grpcHeaders });
const connectBinaryLoad = (port: number, duration = seconds) =>
  h2load({ ...h2, seconds: duration, url: `http://127.0.0.1:${port}${ECHO}`, body: protoBody, headers: connectProtoHeaders });
const connectJsonLoad = (port: number, duration = seconds) =>
  wrk({ url: `http://127.0.0.1:${port}${ECHO}`, body: jsonBody, headers: connectJsonHeaders, seconds: duration, connections: 32, scratch });

const targets: { server: string; env: Record<string, string>; scenarios: Scenario[] }[] = [
  {
    server: "bare-grpc-js.js",
    env: {},
    scenarios: [{ name: "bare grpc-js · gRPC", peer: "grpc", run: (p, s) => grpcLoad(p["grpcPort"]!, s) }],
  },
  {
    server: "bare-connect-node.js",
    env: {},
    scenarios: [
      { name: "bare connect-node · Connect binary h2c", peer: "connect-binary", run: (p, s) => connectBinaryLoad(p["h2cPort"]!, s) },
      { name: "bare connect-node · Connect JSON HTTP/1.1", peer: "connect-json", run: (p, s) => connectJsonLoad(p["http1Port"]!, s) },
      { name: "bare connect-node · gRPC h2c", peer: "connect-grpc", run: (p, s) => grpcLoad(p["h2cPort"]!, s) },
    ],
  },
  {
    server: "sum.js",
    env: { PORT: "0", GRPC_PORT: "0", HOST: "127.0.0.1", DATABASE_URL: join(scratch, "sum.db") },
    scenarios: [
      { name: "SUM gRPC port · gRPC", peer: "grpc", run: (p, s) => grpcLoad(p["grpcPort"]!, s) },
      { name: "SUM HTTP port · Connect binary h2c", peer: "connect-binary", run: (p, s) => connectBinaryLoad(p["httpPort"]!, s) },
      { name: "SUM HTTP port · Connect JSON HTTP/1.1", peer: "connect-json", run: (p, s) => connectJsonLoad(p["httpPort"]!, s) },
      { name: "SUM HTTP port · gRPC h2c", peer: "connect-grpc", run: (p, s) => grpcLoad(p["httpPort"]!, s) },
    ],
  },
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = new Map<string, { peer: string; rounds: LoadResult[] }>();

for (let round = 1; round <= rounds; round++) {
  for (const target of targets) {
    const started = await startServer(target.server, target.env);
    for (const scenario of target.scenarios) {
      await scenario.run(started.ports, WARM_UP_SECONDS).catch(() => undefined); // JIT and connection set-up
      const result = await scenario.run(started.ports, seconds);
      const entry = results.get(scenario.name) ?? { peer: scenario.peer, rounds: [] };
      entry.rounds.push(result);
      results.set(scenario.name, entry);
      console.log(
        `round ${round} · ${scenario.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, failed ${result.failed}`,
      );
    }
    await stop(started);
  }
}

const summary = [...results].map(([name, { peer, rounds: all }]) => ({
  name,
  peer,
  rps: median(all.map((r) => r.requestsPerSecond)),
  p50: median(all.map((r) => r.p50Ms)),
  p99: median(all.map((r) => r.p99Ms)),
  failed: all.reduce((sum, r) => sum + r.failed, 0),
}));
const bare = (peer: string) => summary.find((row) => row.peer === peer && row.name.startsWith("bare"))!;
const targetsByPeer: Record<string, number> = { grpc: 0.8, "connect-binary": 0.9, "connect-json": 0.9, "connect-grpc": 0.9 };

let hotSpotText = "";
if (profile) {
  const profileDir = join(scratch, "profile");
  mkdirSync(profileDir);
  const sum = targets[2]!;
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
    `Tiny unary RPC (TestingService/Echo, ${protoBody.length}-byte request); each server alone in its own process, load from another; ` +
    `h2load ${h2.clients} connections × ${h2.streamsPerClient} streams, wrk 32 connections; ${rounds} rounds × ${seconds} s, each after a ${WARM_UP_SECONDS} s warm-up; medians. ` +
    `SUM runs its full middleware chain and default policies, LOG_LEVEL=info (one log line per call, written to /dev/null), tracing off.`,
  "",
  "| server · protocol | req/s | p50 ms | p99 ms | failed | vs bare peer | target |",
  "|---|---:|---:|---:|---:|---:|---:|",
  ...summary.map((row) => {
    const peer = bare(row.peer);
    const ratio = row.name.startsWith("bare") ? "—" : `${((row.rps / peer.rps) * 100).toFixed(0)}%`;
    const target = row.name.startsWith("bare") ? "" : `≥ ${(targetsByPeer[row.peer]! * 100).toFixed(0)}%`;
    return `| ${row.name} | ${row.rps.toFixed(0)} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${row.failed} | ${ratio} | ${target} |`;
  }),
  ...(hotSpotText ? ["", "CPU profile of SUM under gRPC load (self time, top 15):", "", "```", hotSpotText, "```"] : []),
  "",
];
const resultsFile = join(repoRoot, "bench", "RESULTS.md");
if (!existsSync(resultsFile)) appendFileSync(resultsFile, "# SUM benchmark results\n\nNewest runs at the bottom. Each section says how it was measured.\n");
appendFileSync(resultsFile, lines.join("\n"));
console.log(lines.join("\n"));
rmSync(scratch, { recursive: true, force: true });
