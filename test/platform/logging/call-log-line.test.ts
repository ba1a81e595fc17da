import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CallLogLine } from "../../../src/platform/logging/call-log-line.js";
import { createLogger } from "../../../src/platform/logging/logger.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter((line) => line !== ""));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "info", destination }) };
}

/** The line with its time set aside, which differs between two writes. */
const withoutTime = (line: string) => {
  const parsed = JSON.parse(line) as Record<string, unknown>;
  expect(typeof parsed["time"]).toBe("number");
  return line.replace(/"time":\d+/, '"time":0');
};

describe("CallLogLine", () => {
  const fields = { method: "/sum.v1.SummarizeService/Summarize", protocol: "grpc-web", port: "http" };

  it("writes exactly what a pino child logger writes for a successful call", async () => {
    const { lines, logger } = capture();
    logger.child(fields).info({ code: "OK", durationMs: 1.234 }, "call");
    new CallLogLine(logger, fields).write("OK", 1.234);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(2);
    expect(withoutTime(lines[1]!)).toBe(withoutTime(lines[0]!));
  });

  it("writes the error message escaped, as pino does", async () => {
    const { lines, logger } = capture();
    const error = 'text: "quoted" \\ and a line\nbreak';
    logger.child(fields).info({ code: "INVALID_ARGUMENT", durationMs: 0.5, error }, "call");
    new CallLogLine(logger, fields).write("INVALID_ARGUMENT", 0.5, error);
    await new Promise((resolve) => setImmediate(resolve));
    expect(withoutTime(lines[1]!)).toBe(withoutTime(lines[0]!));
    expect((JSON.parse(lines[1]!) as { error: string }).error).toBe(error);
  });
});
