/**
 * The in-memory snapshot every evaluation reads: compiled flags by key,
 * refreshed after each commit that published `flag.changed` (the event
 * log's commit hook, then the events after the snapshot's cursor), never
 * the database per call. Subscribers (watch streams) hear each change once
 * it is in the snapshot.
 */
import type { Flag } from "../../gen/sum/v1/flags_pb.js";
import type { EventLog } from "../platform/events/event-log.js";
import type { Logger } from "../platform/logging/logger.js";
import { compileFlag, type CompiledFlag } from "./compiled-flag.js";
import type { EvaluationContext, EvaluationEnvironment } from "./evaluation-context.js";
import { FLAG_CHANGED } from "./flag-events.js";
import type { FlagRepository } from "./flag-repository.js";
import type { FlagResult } from "./flag-result.js";

export type SnapshotChange = { readonly sequence: number } & ({ readonly flag: Flag; readonly deleted?: undefined } | { readonly flag?: undefined; readonly deleted: string });

export const systemEnvironment: EvaluationEnvironment = { now: Date.now, random: Math.random };

const EVENT_BATCH = 500;

export class FlagSnapshot {
  private readonly byKey = new Map<string, CompiledFlag>();
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
    this.stopListening = this.events.onCommit(() => void this.refresh());
  }

  stop(): void {
    this.stopListening?.();
    this.listeners.clear();
  }

  /** Applies the flag changes committed since the last refresh; resolves once they are in the snapshot. */
  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.applyNewEvents()).catch((error: unknown) => {
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

  evaluate(flag: CompiledFlag, context: EvaluationContext): FlagResult {
    return flag.evaluate(context, this.environment, this.lookup);
  }

  /** Every flag in key order. */
  all(): readonly CompiledFlag[] {
    return this.ordered;
  }

  subscribe(listener: (change: SnapshotChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async applyNewEvents(): Promise<void> {
    for (;;) {
      const events = await this.events.readAfter(this.cursor, EVENT_BATCH, [FLAG_CHANGED]);
      if (events.length === 0) return;
      const changes: SnapshotChange[] = [];
      for (const event of events) {
        const key = String(event.data["flagKey"] ?? "");
        const flag = await this.repository.get(key);
        if (flag === undefined) {
          if (this.byKey.delete(key)) changes.push({ sequence: event.sequence, deleted: key });
        } else if (this.byKey.get(key)?.version !== flag.version) {
          if (this.put(flag)) changes.push({ sequence: event.sequence, flag });
        }
        this.cursor = event.sequence;
      }
      this.reorder();
      for (const change of changes) for (const listener of [...this.listeners]) listener(change);
      if (events.length < EVENT_BATCH) return;
    }
  }

  private put(flag: Flag): boolean {
    try {
      this.byKey.set(flag.key, compileFlag(flag, { anyTotalWeight: true }));
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
