/**
 * npm run bench:flags — in-process evaluations per second for four cases
 * (static flag; 10-rule targeting with IN + STR_STARTS_WITH; 50/50 rollout;
 * 3-way variant split), SUM's compiled evaluator side by side with
 * @openfeature/flagd-core and unleash-client in one run; then, over the
 * wire, EvaluateAll latency for 100 flags and WatchFlags commit-to-client
 * latency. Figures are appended to bench/RESULTS.md (`--no-append` only
 * prints).
 */
import { appendFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { clone, create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { FlagSchema, FlagsService } from "../../gen/sum/v1/flags_pb.js";
import { compileFlag, type CompiledFlag } from "../../src/flags/compiled-flag.js";
import type { EvaluationContext } from "../../src/flags/evaluation-context.js";
import { systemEnvironment } from "../../src/flags/flag-snapshot.js";
import { productServices } from "../../src/main.js";
import { parseConfig } from "../../src/platform/config/config.js";
import { createLogger } from "../../src/platform/logging/logger.js";
import { startSumServer } from "../../src/platform/server/sum-server.js";
import { CASES, FLAG_KEYS, RULES, flagdCore, rulePrefix, ruleCountries, sumFlags, unleashClient, type Case } from "./peers.js";

const TRIAL_MS = 400;
const TRIALS = 5;
const CONTEXTS = 1024;

interface Person {
  id: string;
  country: string;
  email: string;
}

/** 80% match one of the ten rules (spread over all of them), 20% match none. */
function people(): Person[] {
  return Array.from({ length: CONTEXTS }, (_, index) => {
    const rule = index % RULES;
    const matches = index % 5 !== 0;
    return {
      id: `user-${index * 7919}`,
      country: matches ? ruleCountries(rule)[index % 3]! : "ZZ",
      email: `${matches ? rulePrefix(rule) : "other-"}${index}@example.com`,
    };
  });
}

/** Evaluations per second: the median of TRIALS timed runs after a warm-up. */
function measure(run: (index: number) => unknown): number {
  let sink = 0;
  const loop = (ms: number) => {
    let count = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      for (let index = 0; index < 4096; index++) if (run(count + index)) sink++;
      count += 4096;
    }
    return count;
  };
  loop(200);
  const rates: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const started = performance.now();
    const count = loop(TRIAL_MS);
    rates.push(count / ((performance.now() - started) / 1000));
  }
  if (sink < 0) console.log(sink);
  return rates.sort((a, b) => a - b)[Math.floor(TRIALS / 2)]!;
}

async function inProcess(): Promise<Record<Case, Record<"sum" | "flagd" | "unleash", number>>> {
  const population = people();
  const sumContexts: EvaluationContext[] = population.map((p) => ({ targetingKey: p.id, attributes: { country: p.country, email: p.email } }));
  const flagdContexts = population.map((p) => ({ targetingKey: p.id, country: p.country, email: p.email }));
  const unleashContexts = population.map((p) => ({ userId: p.id, properties: { country: p.country, email: p.email } }));
  const mask = CONTEXTS - 1;

  const compiled = new Map<string, CompiledFlag>(sumFlags().map((flag) => [flag.key, compileFlag(flag)]));
  const lookup = (key: string) => compiled.get(key);
  const flagd = flagdCore();
  const unleash = await unleashClient();

  // Every system must agree on the targeting case before its speed means anything.
  for (const [index, person] of population.entries()) {
    const sum = compiled.get(FLAG_KEYS.targeting)!.evaluate(sumContexts[index]!, systemEnvironment, lookup).value;
    const viaFlagd = flagd.resolveBooleanEvaluation(FLAG_KEYS.targeting, false, flagdContexts[index]!).value;
    const viaUnleash = unleash.isEnabled(FLAG_KEYS.targeting, unleashContexts[index]!);
    if (sum !== viaFlagd || sum !== viaUnleash) throw new Error(`targeting disagrees for ${person.id}: ${sum} ${viaFlagd} ${viaUnleash}`);
  }

  const results = {} as Record<Case, Record<"sum" | "flagd" | "unleash", number>>;
  for (const name of CASES) {
    const key = FLAG_KEYS[name];
    const sum = (index: number) => compiled.get(key)!.evaluate(sumContexts[index & mask]!, systemEnvironment, lookup).enabled;
    const viaFlagd =
      name === "variant"
        ? (index: number) => flagd.resolveStringEvaluation(key, "none", flagdContexts[index & mask]!).value !== "none"
        : (index: number) => flagd.resolveBooleanEvaluation(key, false, flagdContexts[index & mask]!).value;
    const viaUnleash =
      name === "variant"
        ? (index: number) => unleash.getVariant(key, unleashContexts[index & mask]!).enabled
        : (index: number) => unleash.isEnabled(key, unleashContexts[index & mask]!);
    results[name] = { sum: measure(sum), flagd: measure(viaFlagd), unleash: measure(viaUnleash) };
  }
  unleash.destroy();
  return results;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function overTheWire() {
  const directory = mkdtempSync(join(tmpdir(), "sum-bench-flags-"));
  const parsed = parseConfig({ HOST: "127.0.0.1", PORT: "0", GRPC_PORT: "0", DATABASE_URL: join(directory, "sum.db"), LOG_LEVEL: "silent", SUMMARIZE_WORKERS: "0" });
  if (parsed.errors) throw new Error(parsed.errors.join("; "));
  const logger = createLogger({ level: "silent", destination: new Writable({ write: (_c, _e, done) => done() }) });
  const server = await startSumServer({ config: parsed.config, logger, services: productServices });
  const baseUrl = `http://127.0.0.1:${server.httpPort}`;
  const session = new Http2SessionManager(baseUrl);
  const grpcSession = new Http2SessionManager(`http://127.0.0.1:${server.grpcPort}`);
  const connect = createClient(FlagsService, createConnectTransport({ httpVersion: "2", baseUrl, sessionManager: session, useBinaryFormat: true }));
  const grpc = createClient(FlagsService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.grpcPort}`, sessionManager: grpcSession }));
  try {
    // 100 flags: 2 built-in, 98 copies of the four cases.
    const templates = sumFlags();
    for (let index = 0; index < 98; index++) {
      const flag = clone(FlagSchema, templates[index % templates.length]!);
      flag.key = `${flag.key}-${index}`;
      await connect.createFlag({ flag });
    }
    const context = { targetingKey: "user-42", attributes: { country: ruleCountries(3)[1]!, email: `${rulePrefix(3)}a@example.com` } };
    const latencies: Record<string, { p50: number; p99: number; flags: number }> = {};
    for (const [name, client] of [["Connect binary, h2c, HTTP port", connect], ["gRPC, native port", grpc]] as const) {
      let flags = 0;
      for (let index = 0; index < 200; index++) flags = (await client.evaluateAll({ context })).evaluations.length;
      const samples: number[] = [];
      for (let index = 0; index < 2000; index++) {
        const started = performance.now();
        await client.evaluateAll({ context });
        samples.push(performance.now() - started);
      }
      samples.sort((a, b) => a - b);
      latencies[name] = { p50: percentile(samples, 50), p99: percentile(samples, 99), flags };
    }

    // Watch: from the commit (the event log's commit hook, same process) to the change arriving at a client.
    const controller = new AbortController();
    const stream = connect.watchFlags({}, { signal: controller.signal })[Symbol.asyncIterator]();
    await stream.next();
    let committedAt = 0;
    const stop = server.events.onCommit(() => (committedAt = performance.now()));
    const watch: number[] = [];
    let flag = (await connect.getFlag({ key: `${FLAG_KEYS.static}-0` })).flag!;
    for (let index = 0; index < 100; index++) {
      const update = connect.updateFlag({
        flag: { key: flag.key, version: flag.version, enabled: !flag.enabled },
        updateMask: create(FieldMaskSchema, { paths: ["enabled"] }),
      });
      await stream.next();
      watch.push(performance.now() - committedAt);
      flag = (await update).flag!;
    }
    stop();
    controller.abort();
    await stream.return?.();
    watch.sort((a, b) => a - b);
    return { latencies, watch: { p50: percentile(watch, 50), p99: percentile(watch, 99), max: watch.at(-1)! } };
  } finally {
    session.abort();
    grpcSession.abort();
    await server.shutdown();
    rmSync(directory, { recursive: true, force: true });
  }
}

const millions = (rate: number) => `${(rate / 1e6).toFixed(2)}M`;
const ms = (value: number) => `${value.toFixed(2)} ms`;

const rates = await inProcess();
const wire = await overTheWire();
const labels: Record<Case, [string, string, string]> = {
  static: ["static flag", "static (`defaultVariant`, no targeting)", "`default` strategy"],
  targeting: ["10 rules, IN + STR_STARTS_WITH each", "`if` chain of 10 `in` + `starts_with`", "10 strategies with IN + STR_STARTS_WITH"],
  rollout: ["50% rollout", "`fractional` 50/50", "`flexibleRollout` 50%"],
  variant: ["3-way split", "`fractional` 34/33/33 (string)", "`getVariant`, 3 variants"],
};
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}, ${process.platform}/${process.arch}`;
const rows = CASES.map((name) => {
  const r = rates[name];
  const best = Math.max(r.flagd, r.unleash);
  return `| ${labels[name][0]} | ${millions(r.sum)} | ${millions(r.flagd)} | ${millions(r.unleash)} | ${(r.sum / best).toFixed(1)}× |`;
});
const section = [
  `## Flags — ${new Date().toISOString().slice(0, 10)}`,
  "",
  `Machine: ${machine}; one thread. In-process evaluations per second, median of ${TRIALS} runs of ${TRIAL_MS} ms after a warm-up, over ${CONTEXTS} distinct contexts (80% matching one of the ten targeting rules, spread over all ten). SUM: the compiled evaluator as the snapshot and the clients/flags provider call it (flag looked up by key). flagd: \`@openfeature/flagd-core\` resolve calls. Unleash: \`unleash-client\` \`isEnabled\`/\`getVariant\` fed from memory, metrics off. All three agree on every targeting context before timing.`,
  "",
  "| case | SUM | flagd-core | unleash-client | SUM ÷ faster peer |",
  "|---|---:|---:|---:|---:|",
  ...rows,
  "",
  `Peers' definitions: ${CASES.map((name) => `${name} — flagd ${labels[name][1]}, Unleash ${labels[name][2]}`).join("; ")}.`,
  "",
  `Over the wire (loopback, the client in the server's process), \`EvaluateAll\` for ${Object.values(wire.latencies)[0]!.flags} flags, 2000 calls after 200 warm-up calls:`,
  "",
  "| transport | p50 | p99 |",
  "|---|---:|---:|",
  ...Object.entries(wire.latencies).map(([name, l]) => `| ${name} | ${ms(l.p50)} | ${ms(l.p99)} |`),
  "",
  `\`WatchFlags\`: from the commit of an \`UpdateFlag\` to the change arriving at a Connect client, 100 updates: p50 ${ms(wire.watch.p50)}, p99 ${ms(wire.watch.p99)}, max ${ms(wire.watch.max)} (the issue's bound is 100 ms).`,
  "",
].join("\n");
console.log(section);
if (!process.argv.includes("--no-append")) appendFileSync(new URL("../../../bench/RESULTS.md", import.meta.url), `\n${section}`);
