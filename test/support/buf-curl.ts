/** Runs the `buf curl` CLI (a dev dependency) against a SUM listener, as a user would. */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const bufBinary = join(dirname(require.resolve("@bufbuild/buf/package.json")), "bin", "buf");

export interface BufCurlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function bufCurl(args: readonly string[]): Promise<BufCurlResult> {
  return new Promise((resolve, reject) => {
    // stdin closed: with an open pipe buf waits for input it will never get.
    const child = spawn(bufBinary, ["curl", ...args], { stdio: ["ignore", "pipe", "pipe"], timeout: 15_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
