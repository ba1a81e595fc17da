/**
 * Storage of webhook messages (one per event and webhook), their attempts,
 * and the dispatch cursor into the event log (kysely). Each message keeps its
 * state and its next attempt time, so the retry schedule survives restarts.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import { BoundRowsStatement } from "../platform/database/bound-rows.js";
import { ReusableQuery, param } from "../platform/database/reusable-query.js";
import type { DatabaseSchema } from "../platform/database/schema.js";

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export type MessageStatus = "pending" | "succeeded" | "failed";

/** An event as stored, with its data as JSON text: the body is built from these exact bytes. */
export interface RawEvent {
  readonly sequence: number;
  readonly id: string;
  readonly type: string;
  readonly timestamp: string;
  readonly data: string;
}

export interface NewMessage {
  readonly webhookId: string;
  readonly event: Pick<RawEvent, "id" | "type">;
  /** When it is due; the insert's `now` when absent. */
  readonly nextAttemptAt?: number;
  /** When fan-out made it; the insert's `createdAt` when absent. */
  readonly createdAt?: string;
}

/** A message ready for an attempt: what the sender needs. */
export interface DueMessage {
  readonly messageId: number;
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: string;
  /** Attempts already made in the current round of the schedule. */
  readonly attemptCount: number;
  /** The message's round (Redeliver and Replay start a new one). */
  readonly round: number;
  /** Its row holds an attempt already (from an earlier round or attempt). */
  readonly hasLatestAttempt: boolean;
  /** Undefined when the event was pruned from the log. */
  readonly event: RawEvent | undefined;
}

/** A message fan-out held only in memory until its first outcome; that outcome writes its row. */
export interface UnwrittenMessage {
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly createdAt: string;
  /** The event's sequence: the dispatch cursor waits for the row. */
  readonly sequence: number;
}

/** The result of one attempt, and the message's state after it. */
export interface AttemptRecord {
  readonly messageId: number;
  /** The round the attempt belonged to: the message's state changes only if it is still that round. */
  readonly round: number;
  readonly webhookId: string;
  readonly attemptedAt: string;
  readonly httpStatus: number;
  readonly latencyMs: number;
  readonly error: string;
  readonly succeeded: boolean;
  readonly retry: boolean;
  readonly status: MessageStatus;
  readonly nextAttemptAt: number | null;
  /** The message's row holds an earlier attempt, which this one replaces there (it moves to webhook_attempts). */
  readonly replacesLatest: boolean;
  /** Set when the message has no row yet: the row is written with this outcome. */
  readonly unwritten?: UnwrittenMessage;
}

/**
 * An attempt as a message row keeps it (`latest_attempt`): a JSON array, the
 * shortest form, since every delivery writes one. Same facts as a row of
 * webhook_attempts.
 */
type LatestAttempt = [attemptedAt: string, httpStatus: number, latencyMs: number, error: string, nextAttemptAt: number | null, succeeded: 0 | 1, retry: 0 | 1];
/** `latest_attempt`'s elements as SQL expressions over message rows aliased `m`. */
const LATEST = {
  attemptedAt: sql`m.latest_attempt ->> '$[0]'`,
  httpStatus: sql`m.latest_attempt ->> '$[1]'`,
  latencyMs: sql`m.latest_attempt ->> '$[2]'`,
  error: sql`m.latest_attempt ->> '$[3]'`,
  nextAttemptAt: sql`m.latest_attempt ->> '$[4]'`,
  succeeded: sql`m.latest_attempt ->> '$[5]'`,
  retry: sql`m.latest_attempt ->> '$[6]'`,
};

/** A message put off without an attempt (its endpoint's circuit is open). */
export interface Deferral {
  readonly messageId: number;
  readonly round: number;
  readonly nextAttemptAt: number;
  /** Set when the message has no row yet: it is written pending, due at `nextAttemptAt`. */
  readonly unwritten?: UnwrittenMessage;
}

export interface MessageRow {
  readonly id: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: MessageStatus;
  readonly nextAttemptAt: number | null;
  readonly createdAt: string;
}

export interface AttemptRow {
  readonly messageId: number;
  readonly attemptedAt: string;
  readonly httpStatus: number;
  readonly latencyMs: number;
  readonly error: string;
  readonly nextAttemptAt: number | null;
}

export interface DeliveryStats {
  readonly attempts: number;
  readonly successes: number;
  readonly failures: number;
  readonly retries: number;
  readonly queueDepth: number;
  readonly latencies: readonly number[];
}

/** The dispatch cursor: every event at or below it has its messages written. */
const CURSOR = "webhooks";
/** The newest event fan-out had reached when the cursor was last written. */
const FANNED_OUT = "webhooks.fanned_out";
/** A message's identity: one per event and webhook. */
export const messageKey = (webhookId: string, eventId: string) => `${webhookId} ${eventId}`;
/** Attempts that GetWebhookStats reads for its latency percentiles. */
const LATENCY_WINDOW = 10_000;

/** webhook_attempts' columns, and their values from an attemptRow() in json_each's `j.value`. */
const ATTEMPT_COLUMNS = sql.raw("message_id, webhook_id, attempted_at, http_status, latency_ms, error, next_attempt_at, succeeded, retry");
const ATTEMPT_VALUES = sql.raw(
  "j.value ->> 'attemptedAt', j.value ->> 'httpStatus', j.value ->> 'latencyMs', j.value ->> 'error', j.value ->> 'nextAttemptAt', j.value ->> 'succeeded', j.value ->> 'retry'",
);
/** An attempt as JSON for a webhook_attempts row (SQLite has no booleans). */
const attemptRow = (a: AttemptRecord) => ({ ...a, succeeded: a.succeeded ? 1 : 0, retry: a.retry ? 1 : 0 });

const latestAttempt = (a: AttemptRecord): LatestAttempt => [a.attemptedAt, a.httpStatus, a.latencyMs, a.error, a.nextAttemptAt, a.succeeded ? 1 : 0, a.retry ? 1 : 0];

/**
 * Messages written with their first outcome (held in memory until then): one
 * row per delivery, the hot path of every delivery. A message whose row was
 * written meanwhile (Redeliver, Replay) is left alone; one whose webhook was
 * deleted is not written.
 */
const FIRST_OUTCOMES = new BoundRowsStatement<{ webhookId: string; eventId: string }>(
  7,
  (values) => `
    insert into webhook_messages (webhook_id, event_id, event_type, status, attempt_count, next_attempt_at, created_at, latest_attempt)
    select v.column1, v.column2, v.column3, v.column4, 1, v.column5, v.column6, v.column7
    from (values ${values}) as v
    where exists (select 1 from webhooks as w where w.id = v.column1)
    on conflict (webhook_id, event_id) do nothing
    returning webhook_id as webhookId, event_id as eventId`,
);

/** The dispatcher's hot-path statements, compiled once per repository. */
function hotQueries(db: Kysely<DatabaseSchema>) {
  return {
    cursor: new ReusableQuery<{ name: string }, { sequence: number }>(
      db.selectFrom("webhook_dispatch_cursor").select("sequence").where("name", "=", param<string>("name")),
    ),
    setCursor: new ReusableQuery<{ name: string; sequence: number }, never>(
      db
        .insertInto("webhook_dispatch_cursor")
        .values({ name: param<string>("name"), sequence: param<number>("sequence") })
        .onConflict((oc) => oc.column("name").doUpdateSet({ sequence: param<number>("sequence") })),
    ),
    setFannedOut: new ReusableQuery<{ name: string; sequence: number }, never>(
      db
        .insertInto("webhook_dispatch_cursor")
        .values({ name: param<string>("name"), sequence: param<number>("sequence") })
        .onConflict((oc) => oc.column("name").doUpdateSet({ sequence: sql<number>`max(sequence, excluded.sequence)` })),
    ),
    eventsAfter: new ReusableQuery<{ cursor: number; limit: number }, RawEvent>(
      db.selectFrom("events").selectAll().where("sequence", ">", param<number>("cursor")).orderBy("sequence").limit(param<number>("limit")),
    ),
    due: new ReusableQuery<
      { now: number; limit: number },
      {
        messageId: number;
        webhookId: string;
        eventId: string;
        eventType: string;
        attemptCount: number;
        round: number;
        hasLatestAttempt: number;
        sequence: number | null;
        timestamp: string | null;
        data: string | null;
      }
    >(
      db
        .selectFrom("webhook_messages as m")
        .innerJoin("webhooks as w", "w.id", "m.webhook_id")
        .leftJoin("events as e", "e.id", "m.event_id")
        .select([
          "m.id as messageId",
          "m.webhook_id as webhookId",
          "m.event_id as eventId",
          "m.event_type as eventType",
          "m.attempt_count as attemptCount",
          "m.round",
          sql<number>`m.latest_attempt is not null`.as("hasLatestAttempt"),
          "e.sequence",
          "e.timestamp",
          "e.data",
        ])
        .where("m.status", "=", "pending")
        .where("m.next_attempt_at", "<=", param<number>("now"))
        .where("w.enabled", "=", 1)
        .orderBy("m.next_attempt_at")
        .limit(param<number>("limit")),
    ),
    nextDueTime: new ReusableQuery<Record<string, never>, { next: number | null }>(
      db
        .selectFrom("webhook_messages as m")
        .innerJoin("webhooks as w", "w.id", "m.webhook_id")
        .select((eb) => eb.fn.min<number | null>("m.next_attempt_at").as("next"))
        .where("m.status", "=", "pending")
        .where("w.enabled", "=", 1),
    ),
  };
}

export class DeliveryRepository {
  private readonly hot: ReturnType<typeof hotQueries>;

  constructor(private readonly db: Kysely<DatabaseSchema>) {
    this.hot = hotQueries(db);
  }

  /** The dispatch cursor, and how far fan-out had gone when it was written (never below it). */
  async cursor(trx: Db = this.db): Promise<{ cursor: number; fannedOut: number }> {
    const [cursor] = await this.hot.cursor.rows(trx, { name: CURSOR });
    const [fannedOut] = await this.hot.cursor.rows(trx, { name: FANNED_OUT });
    const at = cursor?.sequence ?? 0;
    return { cursor: at, fannedOut: Math.max(at, fannedOut?.sequence ?? 0) };
  }

  async setCursor(trx: Db, cursor: number): Promise<void> {
    await this.hot.setCursor.execute(trx, { name: CURSOR, sequence: cursor });
  }

  /** Records how far fan-out has gone; it never moves back. */
  async setFannedOut(trx: Db, sequence: number): Promise<void> {
    await this.hot.setFannedOut.execute(trx, { name: FANNED_OUT, sequence });
  }

  /** Which of these (webhook, event) pairs have a message row: keys `${webhookId} ${eventId}`. */
  async existingMessages(pairs: readonly { readonly webhookId: string; readonly eventId: string }[]): Promise<Set<string>> {
    if (pairs.length === 0) return new Set();
    const { rows } = await sql<{ webhookId: string; eventId: string }>`
      select m.webhook_id as webhookId, m.event_id as eventId
      from json_each(${JSON.stringify(pairs)}) as j
      join webhook_messages as m on m.webhook_id = j.value ->> 'webhookId' and m.event_id = j.value ->> 'eventId'
    `.execute(this.db);
    return new Set(rows.map((row) => messageKey(row.webhookId, row.eventId)));
  }

  async latestSequence(trx: Db): Promise<number> {
    const row = await trx.selectFrom("events").select((eb) => eb.fn.max("sequence").as("latest")).executeTakeFirst();
    return Number(row?.latest ?? 0);
  }

  async eventsAfter(trx: Db, cursor: number, limit: number): Promise<RawEvent[]> {
    return this.hot.eventsAfter.rows(trx, { cursor, limit });
  }

  /**
   * Inserts pending messages due at `now` (or each at its own
   * `nextAttemptAt`); returns their ids in input order (undefined where the
   * pair existed already and was left alone, or the webhook is gone). One
   * statement per batch: the rows travel as one JSON array that SQLite
   * unpacks with json_each, so a batch costs one statement run, not one per row.
   */
  async insertMessages(trx: Db, messages: readonly NewMessage[], now: number, createdAt: string): Promise<(number | undefined)[]> {
    if (messages.length === 0) return [];
    const rows = JSON.stringify(
      messages.map(({ webhookId, event, nextAttemptAt, createdAt: created }) => ({
        webhookId,
        eventId: event.id,
        eventType: event.type,
        nextAttemptAt: nextAttemptAt ?? now,
        createdAt: created ?? createdAt,
      })),
    );
    const inserted = await sql<{ id: number; webhookId: string; eventId: string }>`
      insert into webhook_messages (webhook_id, event_id, event_type, status, attempt_count, next_attempt_at, created_at)
      select j.value ->> 'webhookId', j.value ->> 'eventId', j.value ->> 'eventType', 'pending', 0, j.value ->> 'nextAttemptAt', j.value ->> 'createdAt'
      from json_each(${rows}) as j
      where exists (select 1 from webhooks as w where w.id = j.value ->> 'webhookId')
      on conflict (webhook_id, event_id) do nothing
      returning id, webhook_id as webhookId, event_id as eventId
    `.execute(trx);
    const ids = new Map(inserted.rows.map((row) => [messageKey(row.webhookId, row.eventId), row.id]));
    return messages.map(({ webhookId, event }) => ids.get(messageKey(webhookId, event.id)));
  }

  /** Pending messages of enabled webhooks due by `now`, soonest first, with their events. */
  async due(now: number, limit: number): Promise<DueMessage[]> {
    const rows = await this.hot.due.rows(this.db, { now, limit });
    return rows.map((row) => ({
      messageId: row.messageId,
      webhookId: row.webhookId,
      eventId: row.eventId,
      eventType: row.eventType,
      attemptCount: row.attemptCount,
      round: row.round,
      hasLatestAttempt: row.hasLatestAttempt === 1,
      event:
        row.sequence === null || row.data === null || row.timestamp === null
          ? undefined
          : { sequence: row.sequence, id: row.eventId, type: row.eventType, timestamp: row.timestamp, data: row.data },
    }));
  }

  /** The earliest next attempt of a pending message of an enabled webhook. */
  async nextDueTime(): Promise<number | undefined> {
    const [row] = await this.hot.nextDueTime.rows(this.db, {});
    return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
  }

  /**
   * Writes attempts and the messages' new states. A message the dispatcher
   * held with no row (`unwritten`) is inserted in its state after its first
   * attempt. Each message row keeps its latest attempt, set by the statement
   * that records its state, so a message delivered at the first attempt
   * costs one row; the attempt a new one replaces moves to webhook_attempts
   * first. Deferred unwritten messages are inserted pending. A message redelivered
   * or replayed since its attempt (a new round) keeps its new pending state
   * and its latest attempt; the late attempt goes to webhook_attempts. One
   * deleted meanwhile is skipped. Rows travel as JSON, unpacked by json_each:
   * a statement per batch, not per row.
   */
  async recordAttempts(trx: Db, allAttempts: readonly AttemptRecord[], allDeferrals: readonly Deferral[]): Promise<void> {
    const firsts = allAttempts.filter((a) => a.unwritten !== undefined);
    if (firsts.length > 0) {
      const inserted = await FIRST_OUTCOMES.run(trx, firsts, (a, values) => {
        const { eventId, eventType, createdAt } = a.unwritten!;
        values.push(a.webhookId, eventId, eventType, a.status, a.nextAttemptAt, createdAt, JSON.stringify(latestAttempt(a)));
      });
      if (inserted.length < firsts.length) {
        // A row written meanwhile (Redeliver or Replay reached the message while it was held) keeps its state;
        // the attempt joins its history. A webhook deleted meanwhile takes its messages with it.
        const done = new Set(inserted.map((row) => messageKey(row.webhookId, row.eventId)));
        const late = firsts
          .filter(({ unwritten }) => !done.has(messageKey(unwritten!.webhookId, unwritten!.eventId)))
          .map(attemptRow);
        await sql`
          insert into webhook_attempts (${ATTEMPT_COLUMNS})
          select m.id, m.webhook_id, ${ATTEMPT_VALUES}
          from json_each(${JSON.stringify(late)}) as j
          join webhook_messages as m on m.webhook_id = j.value -> 'unwritten' ->> 'webhookId' and m.event_id = j.value -> 'unwritten' ->> 'eventId'
        `.execute(trx);
      }
    }
    const unwrittenDeferrals = allDeferrals.filter((d) => d.unwritten !== undefined);
    if (unwrittenDeferrals.length > 0) {
      await this.insertMessages(
        trx,
        unwrittenDeferrals.map(({ unwritten, nextAttemptAt }) => ({
          webhookId: unwritten!.webhookId,
          event: { id: unwritten!.eventId, type: unwritten!.eventType },
          nextAttemptAt,
          createdAt: unwritten!.createdAt,
        })),
        0,
        "",
      );
    }
    const attempts = firsts.length === 0 ? allAttempts : allAttempts.filter((a) => a.unwritten === undefined);
    const deferrals = unwrittenDeferrals.length === 0 ? allDeferrals : allDeferrals.filter((d) => d.unwritten === undefined);
    if (attempts.length > 0) {
      const replacing = attempts.filter((a) => a.replacesLatest).map(({ messageId, round }) => ({ messageId, round }));
      if (replacing.length > 0) {
        await sql`
          insert into webhook_attempts (${ATTEMPT_COLUMNS})
          select m.id, m.webhook_id, ${LATEST.attemptedAt}, ${LATEST.httpStatus}, ${LATEST.latencyMs}, ${LATEST.error},
            ${LATEST.nextAttemptAt}, ${LATEST.succeeded}, ${LATEST.retry}
          from json_each(${JSON.stringify(replacing)}) as j
          join webhook_messages as m on m.id = j.value ->> 'messageId' and m.round = j.value ->> 'round'
          where m.latest_attempt is not null
        `.execute(trx);
      }
      // The attempt travels as JSON text inside the row's JSON: stored as it comes, not re-serialised by SQLite.
      const rows = JSON.stringify(attempts.map((a) => ({ messageId: a.messageId, round: a.round, status: a.status, nextAttemptAt: a.nextAttemptAt, attempt: JSON.stringify(latestAttempt(a)) })));
      const updated = await sql<{ id: number }>`
        update webhook_messages as m
        set status = j.value ->> 'status', next_attempt_at = j.value ->> 'nextAttemptAt', attempt_count = m.attempt_count + 1,
          latest_attempt = j.value ->> 'attempt'
        from json_each(${rows}) as j
        where m.id = j.value ->> 'messageId' and m.round = j.value ->> 'round'
        returning id
      `.execute(trx);
      if (updated.rows.length < attempts.length) {
        const recorded = new Set(updated.rows.map((row) => row.id));
        const late = attempts
          .filter((a) => !recorded.has(a.messageId))
          .map(attemptRow);
        await sql`
          insert into webhook_attempts (${ATTEMPT_COLUMNS})
          select j.value ->> 'messageId', j.value ->> 'webhookId', ${ATTEMPT_VALUES}
          from json_each(${JSON.stringify(late)}) as j
          where exists (select 1 from webhook_messages as m where m.id = j.value ->> 'messageId')
        `.execute(trx);
      }
    }
    if (deferrals.length > 0) {
      await sql`
        update webhook_messages as m set next_attempt_at = j.value ->> 'nextAttemptAt'
        from json_each(${JSON.stringify(deferrals)}) as j
        where m.id = j.value ->> 'messageId' and m.round = j.value ->> 'round'
      `.execute(trx);
    }
  }

  /** Puts one message back at the start of the schedule; false when there is no such message. */
  async redeliver(trx: Db, webhookId: string, eventId: string, now: number): Promise<boolean> {
    const result = await trx
      .updateTable("webhook_messages")
      .set((eb) => ({ status: "pending", attempt_count: 0, next_attempt_at: now, round: eb("round", "+", 1) }))
      .where("webhook_id", "=", webhookId)
      .where("event_id", "=", eventId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Queues every event in [start, end) whose type passes `typeCondition`
   * (exact types and prefixes) for one webhook, from the start of the schedule.
   */
  async replay(
    trx: Db,
    webhookId: string,
    types: { readonly exact: readonly string[]; readonly prefixes: readonly string[] },
    start: string,
    end: string,
    now: number,
    createdAt: string,
  ): Promise<number> {
    const conditions = [
      ...(types.exact.length > 0 ? [sql`e.type in (${sql.join(types.exact)})`] : []),
      ...types.prefixes.map((prefix) => sql`substr(e.type, 1, ${prefix.length}) = ${prefix}`),
    ];
    if (conditions.length === 0) return 0;
    const result = await sql`
      insert into webhook_messages (webhook_id, event_id, event_type, status, attempt_count, next_attempt_at, created_at)
      select ${webhookId}, e.id, e.type, 'pending', 0, ${now}, ${createdAt}
      from events e
      where e.timestamp >= ${start} and e.timestamp < ${end} and e.type != 'webhook.test' and (${sql.join(conditions, sql` or `)})
      order by e.sequence
      on conflict (webhook_id, event_id) do update set status = 'pending', attempt_count = 0, next_attempt_at = excluded.next_attempt_at, round = webhook_messages.round + 1
    `.execute(trx);
    return Number(result.numAffectedRows ?? 0);
  }

  /** A webhook's messages with ids below `beforeId`, newest first. */
  async messages(webhookId: string, status: MessageStatus | undefined, beforeId: number, limit: number): Promise<MessageRow[]> {
    let query = this.db
      .selectFrom("webhook_messages")
      .select(["id", "event_id", "event_type", "status", "next_attempt_at", "created_at"])
      .where("webhook_id", "=", webhookId)
      .where("id", "<", beforeId);
    if (status !== undefined) query = query.where("status", "=", status);
    const rows = await query.orderBy("id", "desc").limit(limit).execute();
    return rows.map((row) => ({
      id: row.id,
      eventId: row.event_id,
      eventType: row.event_type,
      status: row.status as MessageStatus,
      nextAttemptAt: row.next_attempt_at,
      createdAt: row.created_at,
    }));
  }

  /** The attempts of these messages: per message, in the order they were made. */
  async attempts(messageIds: readonly number[]): Promise<AttemptRow[]> {
    if (messageIds.length === 0) return [];
    const earlier = await this.db
      .selectFrom("webhook_attempts")
      .select(["message_id", "attempted_at", "http_status", "latency_ms", "error", "next_attempt_at"])
      .where("message_id", "in", messageIds)
      .orderBy("id")
      .execute();
    const latest = await this.db
      .selectFrom("webhook_messages")
      .select(["id", "latest_attempt"])
      .where("id", "in", messageIds)
      .where("latest_attempt", "is not", null)
      .execute();
    const rows: AttemptRow[] = earlier.map((row) => ({
      messageId: row.message_id,
      attemptedAt: row.attempted_at,
      httpStatus: row.http_status,
      latencyMs: row.latency_ms,
      error: row.error,
      nextAttemptAt: row.next_attempt_at,
    }));
    for (const row of latest) {
      const [attemptedAt, httpStatus, latencyMs, error, nextAttemptAt] = JSON.parse(row.latest_attempt!) as LatestAttempt;
      rows.push({ messageId: row.id, attemptedAt, httpStatus, latencyMs, error, nextAttemptAt });
    }
    // Stable: at equal times the stored order stands (earlier rows before the message's latest).
    return rows.sort((a, b) => a.messageId - b.messageId || (a.attemptedAt < b.attemptedAt ? -1 : a.attemptedAt > b.attemptedAt ? 1 : 0));
  }

  /** Totals over every attempt (earlier ones and each message's latest), queue depth, and the latest attempts' latencies. */
  async stats(webhookId: string | undefined): Promise<DeliveryStats> {
    const ofWebhook = webhookId === undefined ? sql`true` : sql`webhook_id = ${webhookId}`;
    const { rows: [counted] } = await sql<{ attempts: number; successes: number | null; retries: number | null }>`
      select sum(n) as attempts, sum(successes) as successes, sum(retries) as retries from (
        select count(*) as n, sum(succeeded) as successes, sum(retry) as retries from webhook_attempts where ${ofWebhook}
        union all
        select count(*), sum(${LATEST.succeeded}), sum(${LATEST.retry}) from webhook_messages as m
        where latest_attempt is not null and ${ofWebhook}
      )
    `.execute(this.db);
    let depth = this.db
      .selectFrom("webhook_messages")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "pending");
    if (webhookId !== undefined) depth = depth.where("webhook_id", "=", webhookId);
    const queued = await depth.executeTakeFirstOrThrow();
    // The newest LATENCY_WINDOW of each kind, then the newest of both by attempt time.
    const { rows: recent } = await sql<{ attemptedAt: string; latencyMs: number }>`
      select * from (
        select attempted_at as attemptedAt, latency_ms as latencyMs from webhook_attempts where ${ofWebhook} order by id desc limit ${LATENCY_WINDOW}
      )
      union all
      select * from (
        select ${LATEST.attemptedAt}, ${LATEST.latencyMs} from webhook_messages as m
        where latest_attempt is not null and ${ofWebhook} order by id desc limit ${LATENCY_WINDOW}
      )
      order by 1 desc limit ${LATENCY_WINDOW}
    `.execute(this.db);
    const attempts = Number(counted?.attempts ?? 0);
    const successes = Number(counted?.successes ?? 0);
    return {
      attempts,
      successes,
      failures: attempts - successes,
      retries: Number(counted?.retries ?? 0),
      queueDepth: Number(queued.n),
      latencies: recent.map((row) => Number(row.latencyMs)),
    };
  }
}
