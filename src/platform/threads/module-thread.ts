/**
 * Starts a worker thread whose program is a module beside the caller:
 * dist/…/name.js when SUM runs compiled. Running from TypeScript sources
 * (vitest, tsx) the caller's URL ends in .ts; Node 20 cannot load TypeScript
 * and a thread inherits neither its parent's loader hooks nor `--import`, so
 * the thread starts from a small .mjs that registers tsx (a dev dependency,
 * present wherever sources run) and then imports the .ts entry.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/** `entry` is relative to `callerUrl` and named without extension ("./summarizer-worker"). */
export function startModuleThread(callerUrl: string, entry: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith(".ts")) return new Worker(new URL(`${entry}.js`, callerUrl), options);
  const source = new URL(`${entry}.ts`, callerUrl).href;
  return new Worker(new URL("./thread-from-source.mjs", import.meta.url), { ...options, argv: [...(options.argv ?? []), source] });
}
