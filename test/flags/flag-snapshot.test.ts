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
import type { EventLog, StoredEvent } from "../../src/platform/events/event-log.js";
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
