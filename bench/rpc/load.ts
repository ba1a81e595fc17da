/**
 * Drives load from a separate process: h2load (nghttp2-client) for gRPC and
 * Connect over h2c, wrk for Connect JSON over HTTP/1.1. Returns requests per
 * second and latency percentiles.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failed: number;
}

export interface H2Load {
  readonly url: string;
  readonly body: Uint8Array;
  readonly headers: Record<string, string>;
  readonly seconds: number;
  readonly clients: number;
  readonly streamsPerClient: number;
  readonly scratch: string;
}

/**
 * CPUs the load generator is pinned to (taskset), so it never competes with
 * the server under test for a core; undefined runs it unpinned.
 */
let loadCpus: string | undefined;
export function pinLoadGenerators(cpus: string | undefined): void {
  loadCpus = cpus;
}

function run(command: string, args: string[]): Promise<string> {
  const [file, argv] = loadCpus === undefined ? [command, args] : ["taskset", ["-c", loadCpus, command, ...args]];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export async function h2load(options: H2Load): Promise<LoadResult> {
  const bodyFile = join(options.scratch, "h2load-body.bin");
  const logFile = join(options.scratch, "h2load-log.tsv");
  writeFileSync(bodyFile, options.body);
  const headerArgs = Object.entries(options.headers).flatMap(([name, value]) => ["-H", `${name}: ${value}`]);
  const output = await run("h2load", [
    "-D",
    String(options.seconds),
    "-c",
    String(options.clients),
    "-m",
    String(options.streamsPerClient),
    "-t",
    "1",
    "-d",
    bodyFile,
    "--log-file",
    logFile,
    ...headerArgs,
    options.url,
  ]);
  const succeeded = Number(/(\d+) succeeded/.exec(output)?.[1] ?? 0);
  const failed = Number(/(\d+) failed/.exec(output)?.[1] ?? 0) + Number(/(\d+) errored/.exec(output)?.[1] ?? 0);
  // Each line: start time (µs since epoch), HTTP status, µs until the response ended.
  const latencies = readFileSync(logFile, "utf8")
    .trim()
    .split("\n")
    .map((line) => Number(line.split("\t")[2]) / 1000)
    .filter((value) => Number.isFinite(value))
    .sort((a, b) => a - b);
  return {
    requestsPerSecond: succeeded / options.seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    failed,
  };
}

export interface Wrk {
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly seconds: number;
  readonly connections: number;
  readonly scratch: string;
}

export async function wrk(options: Wrk): Promise<LoadResult> {
  const script = join(options.scratch, "wrk-post.lua");
  writeFileSync(
    script,
    [
      `wrk.method = "POST"`,
      `wrk.body = ${JSON.stringify(options.body)}`,
      ...Object.entries(options.headers).map(([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`),
      // Count non-2xx answers as failures.
      `local failures = 0`,
      `response = function(status) if status ~= 200 then failures = failures + 1 end end`,
      `done = function(summary) io.write(string.format("non2xx %d\\n", summary.errors.status)) end`,
    ].join("\n"),
  );
  const output = await run("wrk", [
    "-t",
    "1",
    "-c",
    String(options.connections),
    "-d",
    `${options.seconds}s`,
    "--latency",
    "-s",
    script,
    options.url,
  ]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0);
  return {
    requestsPerSecond: rps,
    p50Ms: wrkLatency(output, "50%"),
    p99Ms: wrkLatency(output, "99%"),
    failed: Number(/non2xx (\d+)/.exec(output)?.[1] ?? 0) + Number(/Socket errors:.*timeout (\d+)/.exec(output)?.[1] ?? 0),
  };
}

function wrkLatency(output: string, label: string): number {
  const match = new RegExp(`${label.replace("%", "%")}\\s+([\\d.]+)(us|ms|s)`).exec(output);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}
