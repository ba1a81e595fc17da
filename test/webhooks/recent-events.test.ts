/**
 * Fan-out's memory of announced events: it answers only with an unbroken
 * run that continues the caller's cursor, and says "read the log" otherwise.
 */
import { describe, expect, it } from "vitest";
import type { CommittedEvent } from "../../src/platform/events/event-log.js";
import { RecentEvents } from "../../src/webhooks/recent-events.js";

const events = (from: number, to: number): CommittedEvent[] =>
  Array.from({ length: to - from + 1 }, (_, index) => ({ sequence: from + index, id: `e${from + index}`, type: "document.summarized", timestamp: "", data: "{}" }));
const sequences = (list: readonly CommittedEvent[] | undefined) => list?.map((event) => event.sequence);

describe("RecentEvents", () => {
  it("hands out announced events after a cursor, in batches, across commits", () => {
    const recent = new RecentEvents(100);
    recent.add(events(1, 3));
    recent.add(events(4, 5));
    expect(sequences(recent.after(0, 4))).toEqual([1, 2, 3, 4]);
    expect(sequences(recent.after(4, 4))).toEqual([5]);
    expect(sequences(recent.after(2, 10))).toBeUndefined();
  });

  it("says to read the log when the run does not start right after the cursor", () => {
    const recent = new RecentEvents(100);
    recent.add(events(10, 12));
    expect(recent.after(5, 10)).toBeUndefined();
    // Once the log has brought the cursor to the run, the run serves again.
    expect(sequences(recent.after(9, 10))).toEqual([10, 11, 12]);
  });

  it("starts afresh at a gap: the events before it are not handed out past the gap", () => {
    const recent = new RecentEvents(100);
    recent.add(events(1, 2));
    recent.add(events(5, 6)); // 3 and 4 were never announced
    expect(recent.after(2, 10)).toBeUndefined();
    expect(recent.after(0, 10)).toBeUndefined();
    expect(sequences(recent.after(4, 10))).toEqual([5, 6]);
  });

  it("forgets a run that outgrows its limit, then keeps the next commits", () => {
    const recent = new RecentEvents(5);
    recent.add(events(1, 4));
    recent.add(events(5, 7));
    expect(recent.after(0, 10)).toBeUndefined();
    recent.add(events(8, 9));
    expect(sequences(recent.after(7, 10))).toEqual([8, 9]);
  });

  it("keeps serving after many events were passed", () => {
    const recent = new RecentEvents(10_000);
    for (let start = 1; start <= 5_000; start += 100) recent.add(events(start, start + 99));
    let cursor = 0;
    for (;;) {
      const batch = recent.after(cursor, 300);
      if (batch === undefined) break;
      expect(batch[0]!.sequence).toBe(cursor + 1);
      cursor = batch.at(-1)!.sequence;
    }
    expect(cursor).toBe(5_000);
  });
});
