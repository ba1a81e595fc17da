/**
 * Concepts across all thoughts, read from the running counts the thought
 * repository keeps (concepts, concept_days, thought_activity), so listings
 * and insights cost the same at a thousand thoughts as at a million.
 */
import { sql, type Kysely } from "kysely";
import type { DatabaseSchema } from "../platform/database/schema.js";

export interface ConceptRow {
  name: string;
  thought_count: number;
  first_seen: string;
  last_seen: string;
}

export class ConceptRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Most used first, then by name; `after` is the previous page's last (count, name). */
  page(after: { count: number; name: string } | undefined, limit: number, minCount = 1): Promise<ConceptRow[]> {
    let query = this.db.selectFrom("concepts").selectAll().where("thought_count", ">=", minCount);
    if (after !== undefined) {
      query = query.where((eb) =>
        eb.or([eb("thought_count", "<", after.count), eb.and([eb("thought_count", "=", after.count), eb("name", ">", after.name)])]),
      );
    }
    return query.orderBy("thought_count", "desc").orderBy("name").limit(limit).execute();
  }

  get(name: string): Promise<ConceptRow | undefined> {
    return this.db.selectFrom("concepts").selectAll().where("name", "=", name).executeTakeFirst();
  }

  /** Thoughts per concept per day for `concepts` from `fromDay` (YYYY-MM-DD) on. */
  async days(concepts: readonly string[], fromDay: string): Promise<{ concept: string; day: string; count: number }[]> {
    if (concepts.length === 0) return [];
    return this.db.selectFrom("concept_days").selectAll().where("concept", "in", concepts).where("day", ">=", fromDay).execute();
  }

  /** Captures per local weekday and hour. */
  activity(): Promise<{ weekday: number; hour: number; count: number }[]> {
    return this.db.selectFrom("thought_activity").selectAll().where("count", ">", 0).execute();
  }

  /** The most connected thoughts. */
  mostConnected(limit: number): Promise<{ id: string; connection_count: number; content: string }[]> {
    return this.db
      .selectFrom("thought_connection_counts as c")
      .innerJoin("thoughts as t", "t.seq", "c.seq")
      .select(["t.id", "c.count as connection_count", sql<string>`substr(t.content, 1, 100)`.as("content")])
      .where("c.count", ">", 0)
      .orderBy("c.count", "desc")
      .orderBy("c.seq", "desc")
      .limit(limit)
      .execute();
  }
}
