/**
 * An endpoint's breaker and timeout around batches of attempts: one deadline
 * shared by attempts that start together, and each attempt's own deadline
 * once they have to wait for a half-open circuit's trial.
 */
import { describe, expect, it } from "vitest";
import { EndpointGuard } from "../../src/webhooks/endpoint-guards.js";

const options = { breakerFailures: 1, breakerHalfOpenMs: 50, attemptTimeoutMs: 300, onOpen: () => {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An attempt that answers after `ms`, or rejects when its deadline aborts first. */
const answerAfter = (ms: number, value: string) => (deadline: AbortSignal) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => resolve(value), ms);
    deadline.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("deadline"));
    });
  });

describe("EndpointGuard", () => {
  it("ends every attempt of a batch still running at the shared deadline", async () => {
    const guard = new EndpointGuard("wh_1", { ...options, breakerFailures: 5 });
    const results = await Promise.allSettled(guard.runAll([answerAfter(10, "fast"), answerAfter(1_000, "slow")]));
    expect(results[0]).toEqual({ status: "fulfilled", value: "fast" });
    expect(results[1]).toMatchObject({ status: "rejected", reason: new Error("deadline") });
  });

  it("gives attempts that wait for a half-open circuit's trial a deadline of their own", async () => {
    const opened: string[] = [];
    const guard = new EndpointGuard("wh_1", { ...options, onOpen: (id) => opened.push(id) });
    await expect(guard.runAll([async () => Promise.reject(new Error("down"))])[0]).rejects.toThrow("down");
    expect(opened).toEqual(["wh_1"]);
    await sleep(60);
    // The trial answers at 250 ms; the two behind it start then and need 100 ms more, past 300 ms from the batch's start.
    const results = await Promise.allSettled(guard.runAll([answerAfter(250, "trial"), answerAfter(100, "second"), answerAfter(100, "third")]));
    expect(results).toEqual([
      { status: "fulfilled", value: "trial" },
      { status: "fulfilled", value: "second" },
      { status: "fulfilled", value: "third" },
    ]);
    expect(opened).toEqual(["wh_1"]);
  });
});
