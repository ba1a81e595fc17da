/**
 * Bulk loading of already-enriched thoughts (imports, benchmark seeding):
 * many thoughts in one transaction, with what capture writes — the row (and
 * so its FTS5 entry, by trigger), tags, the concept inverted index, the
 * running counts (concepts, concept days, activity) and connections (once
 * per pair, under the newer thought) with their counts — but no events, no
 * pattern detection and no idempotency (request) ids. Connections are found
 * as capture finds them (the most recent CANDIDATES_PER_CONCEPT index rows
 * of each concept, cosine ≥ MIN_SIMILARITY, best MAX_CONNECTIONS), from an
 * in-memory copy of those recent rows, primed from the database per
 * concept and dropped whenever something else wrote thoughts since this
 * loader's last batch.
 * Rows are written a few hundred per statement, running counts once per
 * batch. Thoughts must come in capture order (createdAt not decreasing,
 * and not before any stored thought), as seq follows capture time.
 */
import { sql, type Kysely } from "kysely";
import type { DatabaseSchema } from "../platform/database/schema.js";
import { countWords } from "../summarize/word-count.js";
import { automaticTags } from "./automatic-tags.js";
import type { ConceptWeight } from "./concept-names.js";
import { importance } from "./importance.js";
import { localTime } from "./local-time.js";
import { optimizeSearchIndex } from "./search-index-merging.js";
import type { Enrichment } from "./thought-enrichment.js";
import { addConnectionCounts, dayOf, type Executor } from "./thought-repository.js";
import { CANDIDATES_PER_CONCEPT, SimilarityScores, unitWeights } from "./thought-similarity.js";

export interface BulkThought {
  readonly id: string;
  readonly content: string;
  readonly source: string;
  readonly metadata: string;
  readonly timeZone: string;
  readonly createdAt: Date;
  readonly enrichment: Enrichment;
}

/** enrichThought with the concepts given (extracted earlier): tags, word count, importance and local time from the text and moment. */
export function enrichmentWithConcepts(content: string, concepts: readonly ConceptWeight[], callerTags: readonly string[], moment: Date, zone: string): Enrichment {
  const wordCount = countWords(content);
  const { hour, weekday } = localTime(moment, zone);
  const automatic = automaticTags(content, hour);
  return {
    concepts,
    tags: [...new Set([...callerTags, ...automatic])],
    wordCount,
    importance: importance(wordCount, concepts.length, automatic),
    localHour: hour,
    localWeekday: weekday,
  };
}

/** Rows per multi-row insert: well under SQLite's 32,766 bound parameters. */
const ROWS_PER_STATEMENT = 400;

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
};

interface Recent {
  /** Oldest first, at most CANDIDATES_PER_CONCEPT. */
  readonly seqs: number[];
  readonly weights: number[];
}

export class ThoughtBulkLoader {
  private readonly recent = new Map<string, Recent>();
  private lastSeq = -1;

  constructor(readonly db: Kysely<DatabaseSchema>) {}

  /** Stores `thoughts` in one transaction; returns their seqs. */
  async load(thoughts: readonly BulkThought[]): Promise<number[]> {
    return this.db.transaction().execute((trx) => this.insert(trx, thoughts));
  }

  /**
   * Ends an import: merges the full-text index into one segment. A large
   * import leaves big segments part-way through merging; without this, the
   * captures after it would each carry a step of those merges (capture p50
   * 13 ms and p99 63 ms after a 1M-thought import, against 9 and 14 ms after
   * optimizing, which took 6.5 s).
   */
  async finishImport(): Promise<void> {
    await optimizeSearchIndex(this.db);
  }

  /** Stores `thoughts` in the caller's transaction; returns their seqs. */
  async insert(trx: Executor, thoughts: readonly BulkThought[]): Promise<number[]> {
    if (thoughts.length === 0) return [];
    // The next seq AUTOINCREMENT would give, so a deleted thought's seq is never reused.
    const sequence = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'thoughts'`.execute(trx);
    const max = await trx.selectFrom("thoughts").select((eb) => eb.fn.max("seq").as("seq")).executeTakeFirst();
    const base = Math.max(Number(sequence.rows[0]?.seq ?? 0), Number(max?.seq ?? 0));
    // Someone else wrote (or deleted) thoughts since the last batch: recent rows are re-read from the index.
    if (base !== this.lastSeq) this.recent.clear();

    const connectionCounts = new Map<number, number>();
    const tagRows: { tag: string; thought_seq: number }[] = [];
    const conceptRows: { concept: string; thought_seq: number; weight: number }[] = [];
    const linkRows: { newer_seq: number; older_seq: number; similarity: number; shared: string }[] = [];
    const conceptCounts = new Map<string, { count: number; first: string; last: string }>();
    const dayCounts = new Map<string, { concept: string; day: string; count: number }>();
    const activity = new Map<string, { weekday: number; hour: number; count: number }>();
    const seqs: number[] = [];

    for (const [index, thought] of thoughts.entries()) {
      const seq = base + index + 1;
      seqs.push(seq);
      const { enrichment } = thought;
      const createdAt = thought.createdAt.toISOString();
      const weights = unitWeights(enrichment.concepts);
      // Candidates in the order capture reads them: concept by concept, newest first.
      const scores = new SimilarityScores();
      for (const [concept, weight] of weights) {
        const recent = this.recent.get(concept) ?? (await this.recentOf(trx, concept));
        for (let at = recent.seqs.length - 1; at >= 0; at--) scores.add(recent.seqs[at]!, concept, weight * recent.weights[at]!);
      }
      const related = scores.best();
      connectionCounts.set(seq, (connectionCounts.get(seq) ?? 0) + related.length);
      for (const other of related) {
        linkRows.push({ newer_seq: seq, older_seq: other.thoughtSeq, similarity: other.similarity, shared: JSON.stringify(other.shared) });
        connectionCounts.set(other.thoughtSeq, (connectionCounts.get(other.thoughtSeq) ?? 0) + 1);
      }
      for (const [concept, weight] of weights) {
        const recent = this.recent.get(concept)!;
        recent.seqs.push(seq);
        recent.weights.push(weight);
        if (recent.seqs.length > CANDIDATES_PER_CONCEPT) {
          recent.seqs.shift();
          recent.weights.shift();
        }
        conceptRows.push({ concept, thought_seq: seq, weight });
        const counted = conceptCounts.get(concept);
        if (counted === undefined) conceptCounts.set(concept, { count: 1, first: createdAt, last: createdAt });
        else {
          counted.count++;
          if (createdAt < counted.first) counted.first = createdAt;
          if (createdAt > counted.last) counted.last = createdAt;
        }
        const day = dayOf(createdAt);
        const dayKey = `${day}\u0000${concept}`;
        const dayCount = dayCounts.get(dayKey);
        if (dayCount === undefined) dayCounts.set(dayKey, { concept, day, count: 1 });
        else dayCount.count++;
      }
      for (const tag of enrichment.tags) tagRows.push({ tag, thought_seq: seq });
      const activityKey = `${enrichment.localWeekday}:${enrichment.localHour}`;
      const active = activity.get(activityKey);
      if (active === undefined) activity.set(activityKey, { weekday: enrichment.localWeekday, hour: enrichment.localHour, count: 1 });
      else active.count++;
    }

    const rows = thoughts.map((thought, index) => {
      const seq = base + index + 1;
      const createdAt = thought.createdAt.toISOString();
      return {
        seq,
        id: thought.id,
        content: thought.content,
        source: thought.source,
        tags: JSON.stringify(thought.enrichment.tags),
        concepts: JSON.stringify(thought.enrichment.concepts),
        metadata: thought.metadata,
        time_zone: thought.timeZone,
        local_hour: thought.enrichment.localHour,
        local_weekday: thought.enrichment.localWeekday,
        importance: thought.enrichment.importance,
        word_count: thought.enrichment.wordCount,
        request_id: null,
        created_at: createdAt,
        updated_at: createdAt,
      };
    });
    // Index rows in key order: B-tree inserts then walk the tree forward instead of jumping around it.
    tagRows.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : a.thought_seq - b.thought_seq));
    conceptRows.sort((a, b) => (a.concept < b.concept ? -1 : a.concept > b.concept ? 1 : a.thought_seq - b.thought_seq));
    // Links are keyed by the newer thought, this batch's: they append at the end of the table.
    linkRows.sort((a, b) => a.newer_seq - b.newer_seq || a.older_seq - b.older_seq);
    for (const chunk of chunks(rows, ROWS_PER_STATEMENT)) await trx.insertInto("thoughts").values(chunk).execute();
    for (const chunk of chunks(tagRows, ROWS_PER_STATEMENT)) await trx.insertInto("thought_tags").values(chunk).execute();
    for (const chunk of chunks(conceptRows, ROWS_PER_STATEMENT)) await trx.insertInto("thought_concepts").values(chunk).execute();
    for (const chunk of chunks(linkRows, ROWS_PER_STATEMENT)) await trx.insertInto("thought_links").values(chunk).execute();
    const counts = [...connectionCounts].filter(([, count]) => count > 0).map(([seq, count]) => ({ seq, count })).sort((a, b) => a.seq - b.seq);
    for (const chunk of chunks(counts, ROWS_PER_STATEMENT)) await addConnectionCounts(trx, chunk);

    const conceptValues = [...conceptCounts].map(([name, counted]) => ({ name, thought_count: counted.count, first_seen: counted.first, last_seen: counted.last }));
    for (const chunk of chunks(conceptValues, ROWS_PER_STATEMENT)) {
      await trx
        .insertInto("concepts")
        .values(chunk)
        .onConflict((conflict) =>
          conflict.column("name").doUpdateSet({
            thought_count: sql`thought_count + excluded.thought_count`,
            first_seen: sql`min(first_seen, excluded.first_seen)`,
            last_seen: sql`max(last_seen, excluded.last_seen)`,
          }),
        )
        .execute();
    }
    for (const chunk of chunks([...dayCounts.values()], ROWS_PER_STATEMENT)) {
      await trx
        .insertInto("concept_days")
        .values(chunk)
        .onConflict((conflict) => conflict.columns(["concept", "day"]).doUpdateSet({ count: sql`count + excluded.count` }))
        .execute();
    }
    for (const chunk of chunks([...activity.values()], ROWS_PER_STATEMENT)) {
      await trx
        .insertInto("thought_activity")
        .values(chunk)
        .onConflict((conflict) => conflict.columns(["weekday", "hour"]).doUpdateSet({ count: sql`count + excluded.count` }))
        .execute();
    }
    this.lastSeq = base + thoughts.length;
    return seqs;
  }

  /** The concept's most recent index rows, as ThoughtRepository.candidates reads them, cached. */
  private async recentOf(trx: Executor, concept: string): Promise<Recent> {
    let recent = this.recent.get(concept);
    if (recent === undefined) {
      const rows = await trx
        .selectFrom("thought_concepts")
        .select(["thought_seq", "weight"])
        .where("concept", "=", concept)
        .orderBy("thought_seq", "desc")
        .limit(CANDIDATES_PER_CONCEPT)
        .execute();
      rows.reverse();
      recent = { seqs: rows.map((row) => row.thought_seq), weights: rows.map((row) => row.weight) };
      this.recent.set(concept, recent);
    }
    return recent;
  }
}
