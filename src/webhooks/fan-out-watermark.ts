/**
 * Fan-out keeps a new message in memory until its first outcome, and only
 * then writes its row (most messages are delivered at the first attempt, so
 * most are written once, in their final state). The durable dispatch cursor
 * may therefore move only past events whose messages are all written: this
 * tracks, in fan-out order, how many messages of each event are still
 * unwritten. After a crash fan-out starts again at the cursor, and the
 * events up to `fannedOut` as last recorded are checked for rows written
 * before it.
 */
export class FanOutWatermark {
  /** Events with unwritten messages, in fan-out (sequence) order; `head` is the first live one. */
  private events: { readonly sequence: number; open: number }[] = [];
  private readonly bySequence = new Map<number, { readonly sequence: number; open: number }>();
  private head = 0;
  private last: number;

  constructor(cursor: number) {
    this.last = cursor;
  }

  /** The newest event fanned out. */
  get fannedOut(): number {
    return this.last;
  }

  /** Records an event as fanned out, with how many of its messages are held unwritten (0 for none). */
  fanOut(sequence: number, unwritten: number): void {
    this.last = sequence;
    if (unwritten === 0) return;
    const entry = { sequence, open: unwritten };
    this.events.push(entry);
    this.bySequence.set(sequence, entry);
  }

  /** One message of the event at `sequence` was written, or will never be (its webhook is gone). */
  settle(sequence: number): void {
    const entry = this.bySequence.get(sequence);
    if (entry === undefined) throw new Error(`no unwritten message of event ${sequence}`);
    entry.open--;
    if (entry.open > 0) return;
    this.bySequence.delete(sequence);
    // Settled events behind a long-held one are dropped in bulk, so memory follows what is open, not what was fanned out.
    const live = this.events.length - this.head;
    if (live > 4096 && this.bySequence.size * 2 < live) {
      const open = [];
      for (let index = this.head; index < this.events.length; index++) if (this.events[index]!.open > 0) open.push(this.events[index]!);
      this.events = open;
      this.head = 0;
    }
  }

  /** The durable cursor: every event at or below it has all its messages written. */
  get cursor(): number {
    while (this.head < this.events.length && this.events[this.head]!.open === 0) this.head++;
    if (this.head > 1024) {
      this.events.splice(0, this.head);
      this.head = 0;
    }
    const first = this.events[this.head];
    return first === undefined ? this.last : first.sequence - 1;
  }
}
