/**
 * The events of the latest commits, as the event log announced them, so
 * fan-out takes what it was just told about instead of reading it back.
 * Only an unbroken run of sequences is kept: a gap (events published outside
 * EventLog.transaction, or a run that outgrew the limit while fan-out was
 * paused) starts it afresh, and fan-out reads from the log until its cursor
 * reaches the run.
 */
import type { CommittedEvent } from "../platform/events/event-log.js";

export class RecentEvents {
  private run: CommittedEvent[] = [];
  /** Index of the first event fan-out has not passed. */
  private start = 0;

  constructor(private readonly limit: number) {}

  add(committed: readonly CommittedEvent[]): void {
    const last = this.run.at(-1);
    if (last !== undefined && committed[0]!.sequence !== last.sequence + 1) this.clear();
    if (this.run.length - this.start + committed.length > this.limit) {
      this.clear();
      return;
    }
    for (const event of committed) this.run.push(event);
  }

  /**
   * Up to `limit` events after `cursor`, oldest first, when the run holds the
   * one right after it; undefined when the log must be read instead.
   */
  after(cursor: number, limit: number): CommittedEvent[] | undefined {
    while (this.start < this.run.length && this.run[this.start]!.sequence <= cursor) this.start++;
    if (this.start === this.run.length) {
      this.clear();
      return undefined;
    }
    if (this.run[this.start]!.sequence !== cursor + 1) return undefined;
    // Passed events are dropped in bulk, not one shift() at a time.
    if (this.start > 1024) {
      this.run = this.run.slice(this.start);
      this.start = 0;
    }
    return this.run.slice(this.start, this.start + limit);
  }

  /** Forgets every event: fan-out reads from the log until new commits continue its cursor. */
  clear(): void {
    this.run = [];
    this.start = 0;
  }
}
