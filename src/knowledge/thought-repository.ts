/**
 * Thoughts and their indexes in the shared database (kysely): the thought
 * row, its tags, the concept → thought inverted index, connections in both
 * directions, and the running counts that concept listings and insights
 * read (so neither scans every thought). Writes take the caller's
 * transaction so events commit with them.
 */
import { sql, type Kysely, type Selectable } from "kysely";
import type { DatabaseExecutor as Executor } from "../platform/database/database.js";
import type { DatabaseSchema, ThoughtsTable } from "../platform/database/schema.js";
import type { ConceptWeight } from "./concept-names.js";
import { mergeSearchIndex } from "./search-index-merging.js";
import type { IndexRow, RelatedThought } from "./thought-similarity.js";

export type { Executor };

export type ThoughtRow = Selectable<ThoughtsTable>;

export type NewThoughtRow = Omit<ThoughtsTable, "seq" | "version">;

export interface ConnectionRow {
  otherId: string;
  similarity: number;
  shared: string;
}

/** Filters already checked and normalised; seq bounds come from the time range. */
export interface ThoughtQuery {
  readonly tag?: string;
  readonly concept?: string;
  readonly source?: string;
  /** Inclusive lower and exclusive upper seq bounds. */
  readonly minSeq?: number;
  readonly maxSeq?: number;
}

/** The UTC day of an RFC 3339 time. */
export const dayOf = (time: string): string => time.slice(0, 10);

/** Adds to connection counts (a thought's row is created with its first connection); rows in seq order. */
export async function addConnectionCounts(trx: Executor, counts: readonly { seq: number; count: number }[]): Promise<void> {
  if (counts.length === 0) return;
  await trx
    .insertInto("thought_connection_counts")
    .values(counts as { seq: number; count: number }[])
    .onConflict((conflict) => conflict.column("seq").doUpdateSet({ count: sql`count + excluded.count` }))
    .execute();
}

/**
 * The two places a thought stands in a link: under its own seq (its links
 * to older thoughts), or as the older thought (links from newer ones).
 */
const LINK_SIDES = [
  { key: "newer_seq", other: "older_seq" },
  { key: "older_seq", other: "newer_seq" },
] as const;

/** `seq`'s links on one side, most similar first (then newest), at most `limit` when given. */
function linksOn(executor: Executor, side: (typeof LINK_SIDES)[number], seq: number, limit?: number) {
  let query = executor
    .selectFrom("thought_links")
    .select([sql.ref<number>(side.other).as("other"), "similarity", "shared"])
    .where(side.key, "=", seq)
    .orderBy("similarity", "desc")
    .orderBy(side.other, "desc");
  if (limit !== undefined) query = query.limit(limit);
  return query.execute();
}

/** One page of search results, and whether only the query's newest matches were ranked. */
export interface SearchPage {
  readonly rows: readonly (ThoughtRow & { snippet: string; rank: number })[];
  readonly newestOnly: boolean;
}

export class ThoughtRepository {
  constructor(readonly db: Kysely<DatabaseSchema>) {}

  // Each write that changes the full-text index (by trigger) also pays its share of merging it.

  async insert(trx: Executor, row: NewThoughtRow): Promise<number> {
    const { seq } = await trx.insertInto("thoughts").values(row).returning("seq").executeTakeFirstOrThrow();
    await mergeSearchIndex(trx);
    return seq;
  }

  byId(id: string, executor: Executor = this.db): Promise<ThoughtRow | undefined> {
    return executor.selectFrom("thoughts").selectAll().where("id", "=", id).executeTakeFirst();
  }

  byRequestId(requestId: string, executor: Executor = this.db): Promise<ThoughtRow | undefined> {
    return executor.selectFrom("thoughts").selectAll().where("request_id", "=", requestId).executeTakeFirst();
  }

  async bySeqs(seqs: readonly number[], executor: Executor = this.db): Promise<Map<number, ThoughtRow>> {
    if (seqs.length === 0) return new Map();
    const rows = await executor.selectFrom("thoughts").selectAll().where("seq", "in", seqs).execute();
    return new Map(rows.map((row) => [row.seq, row]));
  }

  async replaceContent(trx: Executor, seq: number, row: Partial<NewThoughtRow> & { version?: number }): Promise<void> {
    await trx.updateTable("thoughts").set(row).where("seq", "=", seq).execute();
    if (row.content !== undefined) await mergeSearchIndex(trx);
  }

  async deleteRow(trx: Executor, seq: number): Promise<void> {
    await trx.deleteFrom("thoughts").where("seq", "=", seq).execute();
    await mergeSearchIndex(trx);
  }

  /** Adds the thought's tags, inverted-index rows, concept counts and activity count. */
  async index(trx: Executor, row: { seq: number; tags: readonly string[]; concepts: ReadonlyMap<string, number>; createdAt: string; hour: number; weekday: number }): Promise<void> {
    if (row.tags.length > 0) {
      await trx.insertInto("thought_tags").values(row.tags.map((tag) => ({ tag, thought_seq: row.seq }))).execute();
    }
    if (row.concepts.size > 0) {
      const names = [...row.concepts.keys()];
      await trx
        .insertInto("thought_concepts")
        .values([...row.concepts].map(([concept, weight]) => ({ concept, thought_seq: row.seq, weight })))
        .execute();
      await trx
        .insertInto("concepts")
        .values(names.map((name) => ({ name, thought_count: 1, first_seen: row.createdAt, last_seen: row.createdAt })))
        .onConflict((conflict) =>
          conflict.column("name").doUpdateSet({
            thought_count: sql`thought_count + 1`,
            first_seen: sql`min(first_seen, excluded.first_seen)`,
            last_seen: sql`max(last_seen, excluded.last_seen)`,
          }),
        )
        .execute();
      const day = dayOf(row.createdAt);
      await trx
        .insertInto("concept_days")
        .values(names.map((concept) => ({ concept, day, count: 1 })))
        .onConflict((conflict) => conflict.columns(["concept", "day"]).doUpdateSet({ count: sql`count + 1` }))
        .execute();
    }
    await trx
      .insertInto("thought_activity")
      .values({ weekday: row.weekday, hour: row.hour, count: 1 })
      .onConflict((conflict) => conflict.columns(["weekday", "hour"]).doUpdateSet({ count: sql`count + 1` }))
      .execute();
  }

  /** Undoes `index` for a stored row. */
  async unindex(trx: Executor, row: ThoughtRow): Promise<void> {
    const names = (JSON.parse(row.concepts) as ConceptWeight[]).map((concept) => concept.name);
    await trx.deleteFrom("thought_tags").where("thought_seq", "=", row.seq).where("tag", "in", [...(JSON.parse(row.tags) as string[]), ""]).execute();
    if (names.length > 0) {
      await trx.deleteFrom("thought_concepts").where("thought_seq", "=", row.seq).where("concept", "in", names).execute();
      await trx.updateTable("concepts").set({ thought_count: sql`thought_count - 1` }).where("name", "in", names).execute();
      await trx.deleteFrom("concepts").where("name", "in", names).where("thought_count", "<=", 0).execute();
      const day = dayOf(row.created_at);
      await trx.updateTable("concept_days").set({ count: sql`count - 1` }).where("day", "=", day).where("concept", "in", names).execute();
      await trx.deleteFrom("concept_days").where("day", "=", day).where("concept", "in", names).where("count", "<=", 0).execute();
    }
    await trx
      .updateTable("thought_activity")
      .set({ count: sql`count - 1` })
      .where("weekday", "=", row.local_weekday)
      .where("hour", "=", row.local_hour)
      .execute();
  }

  /** Inverted-index rows of the most recent thoughts of each concept, `perConcept` at most each. */
  async candidates(executor: Executor, concepts: readonly string[], perConcept: number, excludeSeq: number): Promise<IndexRow[]> {
    const rows: IndexRow[] = [];
    for (const concept of concepts) {
      const found = await executor
        .selectFrom("thought_concepts")
        .select(["concept", "thought_seq", "weight"])
        .where("concept", "=", concept)
        .where("thought_seq", "!=", excludeSeq)
        .orderBy("thought_seq", "desc")
        .limit(perConcept)
        .execute();
      for (const row of found) rows.push({ concept: row.concept, thoughtSeq: row.thought_seq, weight: row.weight });
    }
    return rows;
  }

  /**
   * Stores `seq`'s connections, once each, under the newer thought of the
   * pair (a new capture's own seq, so its links append), and counts them on
   * both thoughts.
   */
  async connect(trx: Executor, seq: number, related: readonly RelatedThought[]): Promise<void> {
    if (related.length === 0) return;
    const rows = related.map((other) => ({
      newer_seq: Math.max(seq, other.thoughtSeq),
      older_seq: Math.min(seq, other.thoughtSeq),
      similarity: other.similarity,
      shared: JSON.stringify(other.shared),
    }));
    await trx.insertInto("thought_links").values(rows).execute();
    await addConnectionCounts(trx, [
      { seq, count: related.length },
      ...related.map((other) => ({ seq: other.thoughtSeq, count: 1 })),
    ]);
  }

  /** Removes every connection of `seq`, either side, and uncounts them on the other thoughts. */
  async disconnect(trx: Executor, seq: number): Promise<void> {
    const others: number[] = [];
    for (const side of LINK_SIDES) others.push(...(await linksOn(trx, side, seq)).map((row) => row.other));
    if (others.length === 0) return;
    for (const side of LINK_SIDES) await trx.deleteFrom("thought_links").where(side.key, "=", seq).execute();
    await trx.updateTable("thought_connection_counts").set({ count: sql`count - 1` }).where("seq", "in", others).execute();
    await trx.deleteFrom("thought_connection_counts").where((eb) => eb.or([eb("seq", "=", seq), eb.and([eb("seq", "in", others), eb("count", "<=", 0)])])).execute();
  }

  /** The connections of `seq`, either side of the link, most similar first (then newest). */
  async connectionsOf(seq: number, limit: number, executor: Executor = this.db): Promise<ConnectionRow[]> {
    // Each side read through its own key, best first, then merged.
    const both = [];
    for (const side of LINK_SIDES) both.push(...(await linksOn(executor, side, seq, limit)));
    const best = both.sort((a, b) => b.similarity - a.similarity || b.other - a.other).slice(0, limit);
    if (best.length === 0) return [];
    const ids = new Map(
      (await executor.selectFrom("thoughts").select(["seq", "id"]).where("seq", "in", best.map((row) => row.other)).execute()).map((row) => [row.seq, row.id]),
    );
    return best.flatMap((row) => {
      const otherId = ids.get(row.other);
      return otherId === undefined ? [] : [{ otherId, similarity: row.similarity, shared: row.shared }];
    });
  }

  /** The first seq captured at or after `time` (one past the last when none). */
  async seqAtOrAfter(time: string, executor: Executor = this.db): Promise<number> {
    // The first by capture time through the index (seq follows capture order), not min(seq) over the whole range.
    const row = await executor.selectFrom("thoughts").select("seq").where("created_at", ">=", time).orderBy("created_at").limit(1).executeTakeFirst();
    if (row !== undefined) return row.seq;
    const last = await executor.selectFrom("thoughts").select((eb) => eb.fn.max("seq").as("seq")).executeTakeFirst();
    return Number(last?.seq ?? 0) + 1;
  }

  /** Thoughts newest first, before `beforeSeq` (0 = from the newest), driven by the most selective index. */
  async page(query: ThoughtQuery, beforeSeq: number, limit: number): Promise<ThoughtRow[]> {
    let upper = beforeSeq > 0 ? beforeSeq : Number.MAX_SAFE_INTEGER;
    if (query.maxSeq !== undefined) upper = Math.min(upper, query.maxSeq);
    const lower = query.minSeq ?? 0;
    let select = this.db.selectFrom("thoughts as t").selectAll("t");
    let seqColumn: "t.seq" | "tt.thought_seq" | "tc.thought_seq" = "t.seq";
    if (query.concept !== undefined) {
      select = select.innerJoin("thought_concepts as tc", "tc.thought_seq", "t.seq").where("tc.concept", "=", query.concept);
      seqColumn = "tc.thought_seq";
    }
    if (query.tag !== undefined) {
      select = select.innerJoin("thought_tags as tt", "tt.thought_seq", "t.seq").where("tt.tag", "=", query.tag);
      if (seqColumn === "t.seq") seqColumn = "tt.thought_seq";
    }
    if (query.source !== undefined) select = select.where("t.source", "=", query.source);
    const ordered = sql.ref(seqColumn);
    return select.where(ordered, "<", upper).where(ordered, ">=", lower).orderBy(ordered, "desc").limit(limit).execute();
  }

  /**
   * BM25-ranked matches of an FTS5 query with their snippets; `offset` pages.
   * BM25 costs far more per match than finding the match, so one search
   * ranks at most `rankLimit` matches: a query that matches more (a common
   * word in a large collection) is ranked within its newest `rankLimit`
   * matches, found by walking the index newest first without scoring, and
   * `newestOnly` says so. Then the page's rows and snippets are read for its
   * few rowids only.
   */
  async search(match: string, query: ThoughtQuery, offset: number, limit: number, rankLimit: number): Promise<SearchPage> {
    const matching = sql.join(
      [
        sql`thoughts_fts match ${match}`,
        ...(query.tag === undefined ? [] : [sql`exists (select 1 from thought_tags where tag = ${query.tag} and thought_seq = f.rowid)`]),
        ...(query.concept === undefined ? [] : [sql`exists (select 1 from thought_concepts where concept = ${query.concept} and thought_seq = f.rowid)`]),
        ...(query.source === undefined ? [] : [sql`exists (select 1 from thoughts where seq = f.rowid and source = ${query.source})`]),
        ...(query.minSeq === undefined ? [] : [sql`f.rowid >= ${query.minSeq}`]),
        ...(query.maxSeq === undefined ? [] : [sql`f.rowid < ${query.maxSeq}`]),
      ],
      sql` and `,
    );
    // The rankLimit-th newest match, and whether any is older.
    const edge = await sql<{ seq: number }>`
      select f.rowid as seq from thoughts_fts as f where ${matching}
      order by f.rowid desc limit 2 offset ${rankLimit - 1}`.execute(this.db);
    const oldest = edge.rows.length === 2 ? edge.rows[0]!.seq : undefined;
    // bm25() rather than ORDER BY rank: FTS5's rank ordering scores every match before it applies the rowid bound.
    const ranked = await sql<{ seq: number; rank: number }>`
      select seq, rank from (
        select f.rowid as seq, bm25(thoughts_fts) as rank from thoughts_fts as f
        where ${matching} ${oldest === undefined ? sql`` : sql`and f.rowid >= ${oldest}`})
      order by rank, seq desc limit ${limit} offset ${offset}`.execute(this.db);
    const newestOnly = oldest !== undefined;
    if (ranked.rows.length === 0) return { rows: [], newestOnly };
    const page = await sql<ThoughtRow & { snippet: string }>`
      select t.*, snippet(thoughts_fts, 0, '<mark>', '</mark>', '…', 16) as snippet
      from thoughts_fts join thoughts as t on t.seq = thoughts_fts.rowid
      where thoughts_fts match ${match} and thoughts_fts.rowid in (${sql.join(ranked.rows.map((row) => row.seq))})`.execute(this.db);
    const bySeq = new Map(page.rows.map((row) => [row.seq, row]));
    // A thought deleted between the reads is left out.
    const rows = ranked.rows.flatMap(({ seq, rank }) => {
      const row = bySeq.get(seq);
      return row === undefined ? [] : [{ ...row, rank }];
    });
    return { rows, newestOnly };
  }

  /** How many thoughts with `concept` have seq ≥ `fromSeq`. */
  async conceptCountSince(executor: Executor, concept: string, fromSeq: number): Promise<number> {
    const row = await executor
      .selectFrom("thought_concepts")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("concept", "=", concept)
      .where("thought_seq", ">=", fromSeq)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /** Thoughts with `concept`, most recent first. */
  async withConcept(executor: Executor, concept: string, limit: number): Promise<ThoughtRow[]> {
    return executor
      .selectFrom("thought_concepts as tc")
      .innerJoin("thoughts as t", "t.seq", "tc.thought_seq")
      .selectAll("t")
      .where("tc.concept", "=", concept)
      .orderBy("tc.thought_seq", "desc")
      .limit(limit)
      .execute();
  }

  async count(executor: Executor = this.db): Promise<number> {
    const row = await executor.selectFrom("thought_activity").select((eb) => eb.fn.sum<number>("count").as("count")).executeTakeFirst();
    return Number(row?.count ?? 0);
  }
}
