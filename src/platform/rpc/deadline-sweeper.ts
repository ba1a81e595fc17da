/**
 * One coarse timer for every running call's deadline, instead of a timer (and
 * its allocations) per call. Calls register the moment they must end by; a
 * sweep every `resolutionMs` ends the ones whose moment has passed. Caller
 * deadlines are also enforced exactly by the transports themselves; this
 * sweeper is what cancels the handler's work and enforces policy time limits.
 */
export interface SweepEntry {
  readonly expiresAt: number;
  readonly expire: () => void;
}

export class DeadlineSweeper {
  private readonly entries = new Set<SweepEntry>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly resolutionMs = 25) {}

  add(expiresAt: number, expire: () => void): SweepEntry {
    const entry = { expiresAt, expire };
    this.entries.add(entry);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.resolutionMs);
      this.timer.unref();
    }
    return entry;
  }

  remove(entry: SweepEntry): void {
    this.entries.delete(entry);
  }

  /** Stops the timer; entries left are dropped. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.entries.clear();
  }

  private sweep(): void {
    if (this.entries.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = Date.now();
    for (const entry of this.entries) {
      if (entry.expiresAt <= now) {
        this.entries.delete(entry);
        entry.expire();
      }
    }
  }
}
