/**
 * The snapshot switches per batch of committed events: while it reads the
 * flags of a multi-flag commit (an import), readers see none of them, and
 * the cursor that new watch streams start from does not move past flags
 * they would not get in their first message.
 */
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EvaluationErrorCode, EvaluationReason, FlagSchema, FlagType, type Flag } from "../../gen/sum/v1/flags_pb.js";
import type { CompiledFlag } from "../../src/flags/compiled-flag.js";
import type { FlagRepository } from "../../src/flags/flag-repository.js";
import { FlagSnapshot } from "../../src/flags/flag-snapshot.js";
import type { CommittedEvent, EventLog, StoredEvent } from "../../src/platform/events/event-log.js";
import type { Logger } from "../../src/platform/logging/logger.js";

describe("FlagSnapshot", () => {
  it("applies a multi-event commit atomically: no reader sees part of it", async () => {
    const stored = new Map<string, Flag>();
    const events: StoredEvent[] = [];
    let releaseSecond: () => void = () => {};
    const secondRead = new Promise<void>((resolve) => (releaseSecond = resolve));
    let reachedSecond: () => void = () => {};
    const atSecond = new Promise<void>((resolve) => (reachedSecond = resolve));
    const repository = {
      all: async () => [...stored.values()],
      get: async (key: string) => {
        if (key === "import.b") {
          reachedSecond();
          await secondRead;
        }
        return stored.get(key);
      },
    } as unknown as FlagRepository;
    const log = {
      latestSequence: async () => events.at(-1)?.sequence ?? 0,
      readAfter: async (cursor: number) => events.filter((event) => event.sequence > cursor),
      onCommit: () => () => {},
    } as unknown as EventLog;
    const logger = { error: () => {} } as unknown as Logger;
    const snapshot = new FlagSnapshot(repository, log, logger);
    await snapshot.start();

    // One commit writes two flags, as ImportFlags does.
    for (const [sequence, key] of [[1, "import.a"], [2, "import.b"]] as const) {
      stored.set(key, create(FlagSchema, { key, type: FlagType.BOOLEAN, enabled: true, version: 1n }));
      events.push({ sequence, id: String(sequence), type: "flag.changed", timestamp: "", data: { flagKey: key } });
    }
    const heard: string[] = [];
    snapshot.subscribe((change) => heard.push(change.flag?.key ?? ""));
    const refreshed = snapshot.refresh();
    await atSecond;
    // Mid-batch: the first flag has been read, the second not yet.
    expect(snapshot.get("import.a")).toBeUndefined();
    expect(snapshot.all()).toHaveLength(0);
    expect(snapshot.sequence).toBe(0);
    expect(heard).toEqual([]);
    releaseSecond();
    await refreshed;
    expect(snapshot.all().map((flag) => flag.key)).toEqual(["import.a", "import.b"]);
    expect(snapshot.get("import.a")).toBeDefined();
    expect(snapshot.sequence).toBe(2);
    expect(heard).toEqual(["import.a", "import.b"]);
  });

  it("follows commits without flag changes by moving its cursor, reading the log only for a flag change or after a gap", async () => {
    const stored = new Map<string, Flag>();
    const events: StoredEvent[] = [];
    let reads = 0;
    let listener: (committed: readonly CommittedEvent[]) => void = () => {};
    const repository = { all: async () => [], get: async (key: string) => stored.get(key) } as unknown as FlagRepository;
    const log = {
      latestSequence: async () => events.at(-1)?.sequence ?? 0,
      readAfter: async (cursor: number, _limit: number, types: readonly string[]) => {
        reads++;
        return events.filter((event) => event.sequence > cursor && types.includes(event.type));
      },
      onCommit: (follow: typeof listener) => {
        listener = follow;
        return () => {};
      },
    } as unknown as EventLog;
    const snapshot = new FlagSnapshot(repository, log, { error: () => {} } as unknown as Logger);
    await snapshot.start();
    const commit = async (...list: [number, string, string?][]) => {
      const committed = list.map(([sequence, type, flagKey]) => {
        events.push({ sequence, id: String(sequence), type, timestamp: "", data: flagKey === undefined ? {} : { flagKey } });
        return { sequence, id: String(sequence), type, timestamp: "", data: "{}" };
      });
      listener(committed);
      // The fake log answers at once: a few turns of the event loop let the snapshot's chain settle.
      for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    };
    const readsBefore = reads;
    await commit([1, "document.summarized"], [2, "thought.captured"]);
    await commit([3, "document.summarized"]);
    expect(snapshot.sequence).toBe(3);
    expect(reads).toBe(readsBefore);

    stored.set("beta", create(FlagSchema, { key: "beta", type: FlagType.BOOLEAN, enabled: true, version: 1n }));
    await commit([4, "document.summarized"], [5, "flag.changed", "beta"]);
    expect(snapshot.get("beta")).toBeDefined();
    expect(snapshot.sequence).toBe(5);
    const readsAfterFlag = reads;
    expect(readsAfterFlag).toBeGreaterThan(readsBefore);

    // Sequence 6 was published outside EventLog.transaction: nobody announced it.
    stored.set("gamma", create(FlagSchema, { key: "gamma", type: FlagType.BOOLEAN, enabled: true, version: 1n }));
    events.push({ sequence: 6, id: "6", type: "flag.changed", timestamp: "", data: { flagKey: "gamma" } });
    await commit([7, "document.summarized"]);
    expect(reads).toBeGreaterThan(readsAfterFlag);
    expect(snapshot.get("gamma")).toBeDefined();
    expect(snapshot.sequence).toBe(7);
  });

  it("turns an unexpected evaluator failure into ERROR with GENERAL instead of failing the call", async () => {
    const repository = { all: async () => [] } as unknown as FlagRepository;
    const log = { latestSequence: async () => 0, onCommit: () => () => {} } as unknown as EventLog;
    const logged: unknown[] = [];
    const snapshot = new FlagSnapshot(repository, log, { error: (entry: unknown) => logged.push(entry) } as unknown as Logger);
    await snapshot.start();
    const broken = { key: "broken", evaluate: () => { throw new TypeError("boom"); } } as unknown as CompiledFlag;
    const result = snapshot.evaluate(broken, { targetingKey: "u", attributes: {} });
    expect([result.reason, result.errorCode, result.value]).toEqual([EvaluationReason.ERROR, EvaluationErrorCode.GENERAL, null]);
    expect(logged).toHaveLength(1);
  });
});
