/**
 * The in-memory snapshot every evaluation reads: compiled flags by key,
 * refreshed after each commit that published `flag.changed` (the event
 * log's commit hook, then the events after the snapshot's cursor), never
 * the database per call. Subscribers (watch streams) hear each change once
 * it is in the snapshot.
 */
import { EvaluationErrorCode, type Flag } from "../../gen/sum/v1/flags_pb.js";
import type { CommittedEvent, EventLog } from "../platform/events/event-log.js";
import type { Logger } from "../platform/logging/logger.js";
import { compileFlag, type CompiledFlag } from "./compiled-flag.js";
import type { EvaluationContext, EvaluationEnvironment } from "./evaluation-context.js";
import { FLAG_CHANGED } from "./flag-events.js";
import type { FlagRepository } from "./flag-repository.js";
import { errorResult, type FlagResult } from "./flag-result.js";

export type SnapshotChange = { readonly sequence: number } & ({ readonly flag: Flag; readonly deleted?: undefined } | { readonly flag?: undefined; readonly deleted: string });

export const systemEnvironment: EvaluationEnvironment = { now: Date.now, random: Math.random };

const EVENT_BATCH = 500;

export class FlagSnapshot {
  private byKey = new Map<string, CompiledFlag>();
  private ordered: CompiledFlag[] = [];
  private cursor = 0;
  private refreshing: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(change: SnapshotChange) => void>();
  private stopListening: (() => void) | undefined;
  readonly lookup = (key: string): CompiledFlag | undefined => this.byKey.get(key);

  constructor(
    private readonly repository: FlagRepository,
    private readonly events: EventLog,
    private readonly logger: Logger,
    private readonly environment: EvaluationEnvironment = systemEnvironment,
  ) {}

  /** Loads every flag and follows commits from then on. */
  async start(): Promise<void> {
    this.cursor = await this.events.latestSequence();
    for (const flag of await this.repository.all()) this.put(flag);
    this.reorder();
    this.stopListening = this.events.onCommit((committed) => this.follow(committed));
  }

  stop(): void {
    this.stopListening?.();
    this.listeners.clear();
  }

  /** Applies the flag changes committed since the last refresh; resolves once they are in the snapshot. */
  refresh(): Promise<void> {
    return this.then(() => this.applyNewEvents());
  }

  /**
   * Follows one commit. Most commits carry no flag change (every service
   * publishes into the same log): one that continues the cursor only moves
   * it, with no read. A flag change, or a gap (events published outside
   * EventLog.transaction), is read from the log.
   */
  private follow(committed: readonly CommittedEvent[]): void {
    if (committed.some((event) => event.type === FLAG_CHANGED)) {
      void this.refresh();
      return;
    }
    void this.then(() => {
      if (committed[0]!.sequence <= this.cursor + 1) this.cursor = Math.max(this.cursor, committed.at(-1)!.sequence);
      else return this.applyNewEvents();
    });
  }

  /** Runs `step` after the refreshes before it, in order. */
  private then(step: () => void | Promise<void>): Promise<void> {
    this.refreshing = this.refreshing.then(step).catch((error: unknown) => {
      this.logger.error({ err: error }, "flag snapshot refresh failed; retrying on the next commit");
    });
    return this.refreshing;
  }

  get sequence(): number {
    return this.cursor;
  }

  flags(): Flag[] {
    return this.ordered.map((compiled) => compiled.definition);
  }

  get(key: string): CompiledFlag | undefined {
    return this.byKey.get(key);
  }

  /** The flag's outcome; an unexpected failure of the evaluator is ERROR with GENERAL, never a failed call. */
  evaluate(flag: CompiledFlag, context: EvaluationContext): FlagResult {
    try {
      return flag.evaluate(context, this.environment, this.lookup);
    } catch (error) {
      this.logger.error({ err: error, flagKey: flag.key }, "flag evaluation failed");
      return errorResult(EvaluationErrorCode.GENERAL, `flag "${flag.key}" could not be evaluated`);
    }
  }

  /** Every flag in key order. */
  all(): readonly CompiledFlag[] {
    return this.ordered;
  }

  subscribe(listener: (change: SnapshotChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies a batch of events to a copy of the flags and switches to it at
   * once, with the cursor and the ordered list: between the reads of a batch
   * (a multi-flag commit such as an import) evaluations, EvaluateAll and new
   * watch streams see the flags entirely before or entirely after it, never
   * some of its flags, nor a cursor past flags not yet listed.
   */
  private async applyNewEvents(): Promise<void> {
    // Every event up to `latest` is committed and visible to the reads below. Once they find no more
    // flag changes the cursor moves to it, so the next refresh scans only newer events — without this
    // each commit of any service rescanned the whole log since the last flag change.
    const latest = await this.events.latestSequence();
    for (;;) {
      const events = await this.events.readAfter(this.cursor, EVENT_BATCH, [FLAG_CHANGED]);
      if (events.length === 0) {
        this.cursor = Math.max(this.cursor, latest);
        return;
      }
      const next = new Map(this.byKey);
      const changes: SnapshotChange[] = [];
      for (const event of events) {
        const key = String(event.data["flagKey"] ?? "");
        const flag = await this.repository.get(key);
        if (flag === undefined) {
          if (next.delete(key)) changes.push({ sequence: event.sequence, deleted: key });
        } else if (next.get(key)?.version !== flag.version) {
          if (this.put(flag, next)) changes.push({ sequence: event.sequence, flag });
        }
      }
      this.byKey = next;
      this.cursor = events.at(-1)!.sequence;
      this.reorder();
      for (const change of changes) for (const listener of [...this.listeners]) listener(change);
      if (events.length < EVENT_BATCH) {
        this.cursor = Math.max(this.cursor, latest);
        return;
      }
    }
  }

  private put(flag: Flag, into: Map<string, CompiledFlag> = this.byKey): boolean {
    try {
      into.set(flag.key, compileFlag(flag, { anyTotalWeight: true }));
      return true;
    } catch (error) {
      // Stored flags were checked when written; one that no longer compiles is left out, not served wrongly.
      this.logger.error({ err: error, flagKey: flag.key }, "stored flag does not compile; left out of the snapshot");
      return false;
    }
  }

  private reorder(): void {
    this.ordered = [...this.byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
