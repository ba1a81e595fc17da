import { afterEach, describe, expect, it } from "vitest";
import { DeadlineSweeper, SweepEntry } from "../../../src/platform/rpc/deadline-sweeper.js";
import { waitFor } from "../../support/wait-for.js";

class Recorded extends SweepEntry {
  expired = 0;
  constructor(expiresAt: number) {
    super();
    this.expiresAt = expiresAt;
  }
  expire(): void {
    this.expired++;
  }
}

let sweeper: DeadlineSweeper;
afterEach(() => sweeper.stop());

describe("DeadlineSweeper", () => {
  it("expires entries whose moment has passed, once, and leaves the others", async () => {
    sweeper = new DeadlineSweeper(5);
    const soon = new Recorded(Date.now() + 20);
    const later = new Recorded(Date.now() + 60_000);
    sweeper.add(soon);
    sweeper.add(later);
    await waitFor(() => soon.expired === 1, 2_000, "expiry");
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(soon.expired).toBe(1);
    expect(later.expired).toBe(0);
  });

  it("never expires an entry removed in time, wherever it sits in the list", async () => {
    sweeper = new DeadlineSweeper(5);
    const entries = [0, 1, 2, 3, 4].map(() => new Recorded(Date.now() + 30));
    entries.forEach((entry) => sweeper.add(entry));
    // Remove the head, a middle entry and the tail.
    for (const index of [4, 2, 0]) sweeper.remove(entries[index]!);
    sweeper.remove(entries[2]!); // removing twice is harmless
    await waitFor(() => entries[1]!.expired === 1 && entries[3]!.expired === 1, 2_000, "expiry of the kept entries");
    expect(entries.map((entry) => entry.expired)).toEqual([0, 1, 0, 1, 0]);
  });

  it("an entry may be added again after it was removed", async () => {
    sweeper = new DeadlineSweeper(5);
    const entry = new Recorded(Date.now() + 10);
    sweeper.add(entry);
    sweeper.remove(entry);
    sweeper.add(entry);
    await waitFor(() => entry.expired === 1, 2_000, "expiry");
  });
});
