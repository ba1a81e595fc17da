/**
 * SUM's durable event log (transactional outbox). A service publishes an event
 * inside the same transaction as the write that caused it, so the two commit
 * or roll back together. Consumers (webhook delivery, watch streams) read
 * after a cursor: the commit sequence, which increases in commit order
 * because SQLite serialises writers — an id minted earlier but committed
 * later still gets a later sequence, so nothing is skipped.
 */
import type { JsonObject } from "@bufbuild/protobuf";
import { sql, type Kysely, type Transaction } from "kysely";
import { randomFillSync } from "node:crypto";
import { V7Generator } from "uuidv7";
import { classifyDatabaseError } from "../database/database-errors.js";
import { ReusableQuery, param } from "../database/reusable-query.js";
import type { DatabaseSchema } from "../database/schema.js";

export interface StoredEvent {
  readonly sequence: number;
  readonly id: string;
  readonly type: string;
  /** RFC 3339 UTC. */
  readonly timestamp: string;
  readonly data: JsonObject;
}

/** An event as stored: its data is the JSON text in the log (bodies built from it carry these exact bytes). */
export interface CommittedEvent {
  readonly sequence: number;
  readonly id: string;
  readonly type: string;
  readonly timestamp: string;
  readonly data: string;
}

/** Called after each commit that published events, with them in sequence order. */
export type CommitListener = (events: readonly CommittedEvent[]) => void;

export interface EventInput {
  /** Dot-separated, lower-case, e.g. `document.summarized`. */
  readonly type: string;
  readonly data: JsonObject;
}

export interface EventLogOptions {
  readonly now?: () => Date;
  readonly newId?: () => string;
}

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/**
 * Event ids: UUIDv7 (time-ordered, so the id index grows at its end). The
 * generator draws its randomness from a 4 KiB pool refilled by the CSPRNG;
 * its default draws 32 bytes at a time, a native call every few ids.
 */
const randomPool = new Uint32Array(1024);
let poolAt = randomPool.length;
const eventIds = new V7Generator({
  nextUint32: () => {
    if (poolAt === randomPool.length) {
      randomFillSync(randomPool);
      poolAt = 0;
    }
    return randomPool[poolAt++]!;
  },
});
const newEventId = () => eventIds.generate().toString();

export class EventLog {
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly listeners = new Set<CommitListener>();
  private readonly redactListeners = new Set<() => void>();
  /**
   * What each open transaction() has published, handed to listeners once it
   * commits. A Map with the entry removed when the transaction ends, not a
   * WeakMap: WeakMap entries outlive young-generation GCs, so every
   * transaction's events (about 1 KB each) would be promoted to the old
   * generation before they could be freed.
   */
  private readonly publishedIn = new Map<Transaction<DatabaseSchema>, CommittedEvent[]>();
  /** Every publish runs this insert, so it is compiled once. */
  private readonly insert: ReusableQuery<{ id: string; type: string; timestamp: string; data: string }, { sequence: number }>;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    options: EventLogOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? newEventId;
    this.insert = new ReusableQuery(
      db
        .insertInto("events")
        .values({ id: param<string>("id"), type: param<string>("type"), timestamp: param<string>("timestamp"), data: param<string>("data") })
        .returning("sequence"),
    );
  }

  /**
   * Runs `work` in one transaction; events it publishes become visible to
   * consumers (and wake them) only once it commits.
   */
  async transaction<T>(work: (trx: Transaction<DatabaseSchema>) => Promise<T>): Promise<T> {
    const published: CommittedEvent[] = [];
    try {
      const result = await this.db.transaction().execute(async (trx) => {
        this.publishedIn.set(trx, published);
        try {
          return await work(trx);
        } finally {
          this.publishedIn.delete(trx);
        }
      });
      if (published.length > 0) this.notify(published);
      return result;
    } catch (error) {
      throw classifyDatabaseError(error);
    }
  }

  /** Appends an event inside `trx`; it commits or rolls back with the caller's write. */
  async publish(trx: Transaction<DatabaseSchema>, input: EventInput): Promise<StoredEvent> {
    if (!EVENT_TYPE.test(input.type)) {
      throw new Error(`event type must be dot-separated lower-case words, got "${input.type}"`);
    }
    const row = {
      id: this.newId(),
      type: input.type,
      timestamp: this.now().toISOString(),
      data: JSON.stringify(input.data),
    };
    const [inserted] = await this.insert.rows(trx, row);
    if (inserted === undefined) throw new Error("event insert returned no sequence");
    const { sequence } = inserted;
    const committed: CommittedEvent = { sequence, id: row.id, type: row.type, timestamp: row.timestamp, data: row.data };
    // A transaction opened elsewhere is not announced: consumers find its events in the log.
    this.publishedIn.get(trx)?.push(committed);
    return { sequence, id: row.id, type: row.type, timestamp: row.timestamp, data: input.data };
  }

  /** Events committed after `cursor` (a sequence; 0 = from the start), oldest first. */
  async readAfter(cursor: number, limit: number, types?: readonly string[]): Promise<StoredEvent[]> {
    let query = this.db.selectFrom("events").selectAll().where("sequence", ">", cursor);
    if (types !== undefined && types.length > 0) query = query.where("type", "in", types);
    const rows = await query.orderBy("sequence").limit(limit).execute().catch((error: unknown) => {
      throw classifyDatabaseError(error);
    });
    return rows.map((row) => ({ ...row, data: JSON.parse(row.data) as JsonObject }));
  }

  /** The sequence of the newest event, or 0 when the log is empty. */
  async latestSequence(): Promise<number> {
    const row = await this.db
      .selectFrom("events")
      .select((eb) => eb.fn.max("sequence").as("latest"))
      .executeTakeFirst();
    return Number(row?.latest ?? 0);
  }

  /**
   * Erases `fields` from the data of every event whose `data[key]` equals
   * `value`, inside `trx`, and marks them `"redacted": true`: deleting user
   * content removes it from the log, and so from webhook messages not yet
   * sent, whose bodies are built from the log at send time. `key` is written
   * into the SQL (so an expression index on `json_extract(data, '$.<key>')`
   * serves it) and must be a plain identifier. Returns how many events changed.
   */
  async redact(trx: Transaction<DatabaseSchema>, key: string, value: string, fields: readonly string[]): Promise<number> {
    const identifier = /^[A-Za-z][A-Za-z0-9_]*$/;
    if (!identifier.test(key) || !fields.every((field) => identifier.test(field))) {
      throw new Error(`redact: key and fields must be plain identifiers, got "${key}", "${fields.join(", ")}"`);
    }
    // Before the rewrite commits: dropping a copy early only costs its holder a read of the log.
    for (const listener of [...this.redactListeners]) listener();
    const paths = sql.join(fields.map((field) => sql.lit(`$.${field}`)));
    const result = await trx
      .updateTable("events")
      .set({ data: sql<string>`json_set(json_remove(data, ${paths}), '$.redacted', json('true'))` })
      .where(sql.raw(`json_extract(data, '$.${key}')`), "=", value)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Deletes events published before `cutoff`; returns how many. */
  async pruneBefore(cutoff: Date): Promise<number> {
    const result = await this.db.deleteFrom("events").where("timestamp", "<", cutoff.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Calls `listener` after every commit made through transaction() that
   * published events, with those events; returns an unsubscribe function.
   * A consumer that follows a cursor may take them instead of reading them
   * back when they continue its cursor without a gap (the sequence is
   * AUTOINCREMENT, so a gap means events it was not told about).
   */
  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` whenever redact() rewrites events: copies of them held elsewhere are stale. */
  onRedact(listener: () => void): () => void {
    this.redactListeners.add(listener);
    return () => this.redactListeners.delete(listener);
  }

  private notify(events: readonly CommittedEvent[]): void {
    for (const listener of [...this.listeners]) {
      // The commit stands whatever a listener does: a throwing one must not make it look failed, nor starve the others.
      try {
        listener(events);
      } catch (error) {
        process.emitWarning(`event log listener failed: ${error instanceof Error ? error.message : String(error)}`, {
          type: "EventLogListenerError",
          detail: error instanceof Error ? error.stack : undefined,
        });
      }
    }
  }
}
