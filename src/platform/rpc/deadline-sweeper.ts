/**
 * One coarse timer for every running call's deadline, instead of a timer (and
 * its allocations) per call. Running calls sit in an intrusive doubly linked
 * list — adding and removing are a few pointer writes, with no hashing or
 * rehashing on the hot path — and a sweep every `resolutionMs` walks the list
 * (as long as the number of calls in flight) and ends those whose moment has
 * passed. Caller deadlines are also enforced exactly by the transports; this
 * sweeper is what cancels the handler's work and enforces policy time limits.
 */
export abstract class SweepEntry {
  /** Epoch milliseconds after which `expire` runs. */
  expiresAt = Infinity;
  /** @private list links, owned by the sweeper. */
  previous: SweepEntry | undefined;
  /** @private */
  next: SweepEntry | undefined;
  /** @private */
  listed = false;

  /** Called once when the deadline passes while the entry is still listed. */
  abstract expire(): void;
}

export class DeadlineSweeper {
  private head: SweepEntry | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly resolutionMs = 25) {}

  add(entry: SweepEntry): void {
    entry.listed = true;
    entry.previous = undefined;
    entry.next = this.head;
    if (this.head !== undefined) this.head.previous = entry;
    this.head = entry;
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.resolutionMs);
      this.timer.unref();
    }
  }

  remove(entry: SweepEntry): void {
    if (!entry.listed) return;
    entry.listed = false;
    if (entry.previous !== undefined) entry.previous.next = entry.next;
    else this.head = entry.next;
    if (entry.next !== undefined) entry.next.previous = entry.previous;
    entry.previous = entry.next = undefined;
  }

  /** Stops the timer and forgets every entry. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (let entry = this.head; entry !== undefined; entry = entry.next) entry.listed = false;
    this.head = undefined;
  }

  private sweep(): void {
    if (this.head === undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = Date.now();
    let entry: SweepEntry | undefined = this.head;
    while (entry !== undefined) {
      const next: SweepEntry | undefined = entry.next;
      if (entry.expiresAt <= now) {
        this.remove(entry);
        entry.expire();
      }
      entry = next;
    }
  }
}
