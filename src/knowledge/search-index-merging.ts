/**
 * Keeps the full-text index (thoughts_fts) merged a little at a time.
 *
 * FTS5 writes each transaction's terms as a new small segment and merges
 * segments so a query reads few of them. Left to itself (its `automerge`
 * setting) it does that work in bursts: every 64 leaf pages written it
 * merges 64 pages per level of the index in one go, inside whichever write
 * happens to cross the line. At 1M thoughts that was a 30–40 ms capture
 * every 64th capture, the whole capture p99 (bench/RESULTS.md). Migration
 * 0009 turns automerge off; every write to the index then pays a small,
 * fixed share instead, through FTS5's own incremental 'merge' command, which
 * resumes a merge where the last call stopped and does nothing while no
 * level holds enough segments to merge (`usermerge`, 4).
 */
import { sql } from "kysely";
import type { DatabaseExecutor } from "../platform/database/database.js";

/**
 * Pages of merging each thought written pays for. The long-run need is
 * about one page per level for each leaf page written (what automerge
 * spends): a 200-word thought writes about two leaf pages and the index has
 * about ten levels at 1M thoughts, so 32 keeps up with room to spare; 16
 * fell behind into FTS5's crisis merges (16 segments on one level, merged at
 * once). Measured on a 1M-thought copy: capture p99 10.7 ms with 32 per
 * capture, 36 ms with FTS5's automerge.
 */
const MERGE_PAGES_PER_THOUGHT = 32;

/** Does one thought's share (MERGE_PAGES_PER_THOUGHT pages) of pending index merging in the caller's transaction. */
export async function mergeSearchIndex(trx: DatabaseExecutor): Promise<void> {
  await sql`insert into thoughts_fts (thoughts_fts, rank) values ('merge', ${MERGE_PAGES_PER_THOUGHT})`.execute(trx);
}

/** Merges the whole full-text index into one segment: seconds at 1M thoughts, for the end of an import. */
export async function optimizeSearchIndex(executor: DatabaseExecutor): Promise<void> {
  await sql`insert into thoughts_fts (thoughts_fts) values ('optimize')`.execute(executor);
}
