/**
 * Runs SUM as a real child process (the real entry point plus the testing
 * service) and reads its JSON log to learn its ports.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);
const entry = new URL("./serve-with-testing-service.ts", import.meta.url).pathname;

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly logs: Record<string, unknown>[];
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  cleanup(): void;
}

export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const directory = mkdtempSync(join(tmpdir(), "sum-process-"));
  const child = spawn(process.execPath, ["--import", require.resolve("tsx"), entry], {
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: "0",
      GRPC_PORT: "0",
      DATABASE_URL: join(directory, "sum.db"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  const ports = new Promise<{ httpPort: number; grpcPort: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry["msg"] === "SUM is serving") resolve({ httpPort: entry["httpPort"] as number, grpcPort: entry["grpcPort"] as number });
      } catch {
        // not a log line
      }
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) => reject(new Error(`server exited with ${code} before serving: ${stderr}`)));
  });
  const { httpPort, grpcPort } = await ports;
  return {
    child,
    httpPort,
    grpcPort,
    logs,
    exited,
    cleanup() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
