/**
 * SUM as a real server process (dist/src/main.js, its own SQLite file, log at
 * info to a pipe that is drained) and a gRPC client on its native port, for
 * latency measured through the whole service.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { SummarizeRequestSchema, SummarizeService } from "../../gen/sum/v1/summarize_pb.js";
import { repoRoot } from "./inputs.js";

export interface ServiceClient {
  /** Over the one HTTP/2 connection all small calls share. */
  summarize(text: string, maxSentences: number): Promise<void>;
  /** Over a connection of its own, as a different caller would send it. */
  summarizeAlone(text: string, maxSentences: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startService(): Promise<ServiceClient> {
  const directory = mkdtempSync(join(tmpdir(), "sum-speed-"));
  const child = spawn(process.execPath, [join(repoRoot, "dist", "src", "main.js")], {
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", GRPC_PORT: "0", DATABASE_URL: join(directory, "sum.db"), LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const grpcPort = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (!line.includes("SUM is serving")) return;
      resolve((JSON.parse(line) as { grpcPort: number }).grpcPort);
      // Keep draining the per-call log lines, unread.
      lines.removeAllListeners("line");
    });
    void exited.then(() => reject(new Error("SUM exited before serving")));
  });
  const connect = () => createClient(SummarizeService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${grpcPort}` }));
  const shared = connect();
  return {
    async summarize(text, maxSentences) {
      await shared.summarize(create(SummarizeRequestSchema, { text, maxSentences }));
    },
    async summarizeAlone(text, maxSentences) {
      await connect().summarize(create(SummarizeRequestSchema, { text, maxSentences }));
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
