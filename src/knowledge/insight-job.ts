/**
 * The periodic insight job: every KNOWLEDGE_INSIGHT_INTERVAL_MS it reads the
 * running counts (never a scan) and publishes `insight.generated` with
 * `origin: "periodic"` for insights it has not published before — a concept
 * newly among the top concepts, a new peak hour or peak weekday. What it
 * published is remembered in `knowledge_insights`, written in the same
 * transaction as the event, so a restart does not repeat an insight and a
 * failed run publishes nothing.
 */
import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../platform/database/schema.js";
import type { EventLog } from "../platform/events/event-log.js";
import type { Logger } from "../platform/logging/logger.js";
import type { ConceptRepository } from "./concept-repository.js";
import { periodicInsightsGenerated, type PeriodicInsight } from "./knowledge-events.js";
import { TOP_CONCEPTS } from "./knowledge-insights.js";

/** A concept counts as a top-concept insight once this many thoughts have it. */
export const INSIGHT_MIN_CONCEPT_THOUGHTS = 2;

const WEEKDAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** The insights the running counts show now, each under a stable key. */
export async function currentInsights(concepts: ConceptRepository): Promise<PeriodicInsight[]> {
  const found: PeriodicInsight[] = [];
  for (const row of await concepts.page(undefined, TOP_CONCEPTS, INSIGHT_MIN_CONCEPT_THOUGHTS)) {
    found.push({ key: `top-concept:${row.name}`, insight: `"${row.name}" is among your top ${TOP_CONCEPTS} concepts (${row.thought_count} thoughts)` });
  }
  const hours = new Map<number, number>();
  const weekdays = new Map<number, number>();
  for (const { hour, weekday, count } of await concepts.activity()) {
    hours.set(hour, (hours.get(hour) ?? 0) + count);
    weekdays.set(weekday, (weekdays.get(weekday) ?? 0) + count);
  }
  const peak = (counts: Map<number, number>) => [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
  const hour = peak(hours);
  if (hour !== undefined) found.push({ key: `peak-hour:${hour[0]}`, insight: `You capture most thoughts around ${String(hour[0]).padStart(2, "0")}:00 (${hour[1]} thoughts)` });
  const day = peak(weekdays);
  if (day !== undefined) found.push({ key: `peak-day:${day[0]}`, insight: `${WEEKDAY_NAMES[day[0]]} is your busiest day (${day[1]} thoughts)` });
  return found;
}

export interface InsightJobOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly events: EventLog;
  readonly concepts: ConceptRepository;
  /** 0 disables the timer; `run` still works. */
  readonly intervalMs: number;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

export class InsightJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: InsightJobOptions) {}

  start(): void {
    if (this.options.intervalMs <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.run().catch((error: unknown) => this.options.logger?.warn({ err: error }, "periodic insight job failed"));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass; resolves to how many new insights it published (runs never overlap). */
  run(): Promise<number> {
    if (this.running !== undefined) return this.running;
    this.running = this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const candidates = await currentInsights(this.options.concepts);
    if (candidates.length === 0) return 0;
    const publishedAt = (this.options.now?.() ?? new Date()).toISOString();
    return this.options.events.transaction(async (trx) => {
      const known = new Set(
        (await trx.selectFrom("knowledge_insights").select("key").where("key", "in", candidates.map((candidate) => candidate.key)).execute()).map((row) => row.key),
      );
      const fresh = candidates.filter((candidate) => !known.has(candidate.key));
      if (fresh.length === 0) return 0;
      await trx
        .insertInto("knowledge_insights")
        .values(fresh.map((candidate) => ({ key: candidate.key, insight: candidate.insight, published_at: publishedAt })))
        .execute();
      await this.options.events.publish(trx, periodicInsightsGenerated(fresh));
      return fresh.length;
    });
  }
}
