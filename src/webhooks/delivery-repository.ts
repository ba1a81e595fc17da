/**
 * Storage of webhook messages (one per event and webhook), their attempts,
 * and the dispatch cursor into the event log (kysely). Each message keeps its
 * state and its next attempt time, so the retry schedule survives restarts.
 */
import { sql, type Kysely, type Transaction } from "kysely";
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
  readonly event: RawEvent;
}

/** A message ready for an attempt: what the sender needs. */
export interface DueMessage {
  readonly messageId: number;
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: string;
  /** Attempts already made in the current round of the schedule. */
  readonly attemptCount: number;
  /** Undefined when the event was pruned from the log. */
  readonly event: RawEvent | undefined;
}

/** The result of one attempt, and the message's state after it. */
export interface AttemptRecord {
  readonly messageId: number;
  readonly webhookId: string;
  readonly attemptedAt: string;
  readonly httpStatus: number;
  readonly latencyMs: number;
  readonly error: string;
  readonly succeeded: boolean;
  readonly retry: boolean;
  readonly status: MessageStatus;
  readonly nextAttemptAt: number | null;
}

/** A message put off without an attempt (its endpoint's circuit is open). */
export interface Deferral {
  readonly messageId: number;
  readonly nextAttemptAt: number;
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

const CURSOR = "webhooks";
/** Rows per multi-row INSERT: SQLite allows 32,766 bound values. */
const INSERT_CHUNK = 500;
/** Attempts that GetWebhookStats reads for its latency percentiles. */
const LATENCY_WINDOW = 10_000;

export class DeliveryRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async cursor(trx: Db = this.db): Promise<number> {
    const row = await trx.selectFrom("webhook_dispatch_cursor").select("sequence").where("name", "=", CURSOR).executeTakeFirst();
    return row?.sequence ?? 0;
  }

  async setCursor(trx: Db, sequence: number): Promise<void> {
    await trx
      .insertInto("webhook_dispatch_cursor")
      .values({ name: CURSOR, sequence })
      .onConflict((oc) => oc.column("name").doUpdateSet({ sequence }))
      .execute();
  }

  async latestSequence(trx: Db): Promise<number> {
    const row = await trx.selectFrom("events").select((eb) => eb.fn.max("sequence").as("latest")).executeTakeFirst();
    return Number(row?.latest ?? 0);
  }

  async eventsAfter(trx: Db, cursor: number, limit: number): Promise<RawEvent[]> {
    return trx.selectFrom("events").selectAll().where("sequence", ">", cursor).orderBy("sequence").limit(limit).execute();
  }

  /** Inserts pending messages due at `now`; returns their ids in input order. Existing pairs are left alone. */
  async insertMessages(trx: Db, messages: readonly NewMessage[], now: number, createdAt: string): Promise<(number | undefined)[]> {
    const ids = new Map<string, number>();
    for (let start = 0; start < messages.length; start += INSERT_CHUNK) {
      const chunk = messages.slice(start, start + INSERT_CHUNK);
      const rows = await trx
        .insertInto("webhook_messages")
        .values(
          chunk.map(({ webhookId, event }) => ({
            webhook_id: webhookId,
            event_id: event.id,
            event_type: event.type,
            status: "pending",
            attempt_count: 0,
            next_attempt_at: now,
            created_at: createdAt,
          })),
        )
        .onConflict((oc) => oc.columns(["webhook_id", "event_id"]).doNothing())
        .returning(["id", "webhook_id", "event_id"])
        .execute();
      for (const row of rows) ids.set(`${row.webhook_id} ${row.event_id}`, row.id);
    }
    return messages.map(({ webhookId, event }) => ids.get(`${webhookId} ${event.id}`));
  }

  /** Pending messages of enabled webhooks due by `now`, soonest first, with their events. */
  async due(now: number, limit: number): Promise<DueMessage[]> {
    const rows = await this.db
      .selectFrom("webhook_messages as m")
      .innerJoin("webhooks as w", "w.id", "m.webhook_id")
      .leftJoin("events as e", "e.id", "m.event_id")
      .select([
        "m.id as messageId",
        "m.webhook_id as webhookId",
        "m.event_id as eventId",
        "m.event_type as eventType",
        "m.attempt_count as attemptCount",
        "e.sequence",
        "e.timestamp",
        "e.data",
      ])
      .where("m.status", "=", "pending")
      .where("m.next_attempt_at", "<=", now)
      .where("w.enabled", "=", 1)
      .orderBy("m.next_attempt_at")
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      messageId: row.messageId,
      webhookId: row.webhookId,
      eventId: row.eventId,
      eventType: row.eventType,
      attemptCount: row.attemptCount,
      event:
        row.sequence === null || row.data === null || row.timestamp === null
          ? undefined
          : { sequence: row.sequence, id: row.eventId, type: row.eventType, timestamp: row.timestamp, data: row.data },
    }));
  }

  /** The earliest next attempt of a pending message of an enabled webhook. */
  async nextDueTime(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom("webhook_messages as m")
      .innerJoin("webhooks as w", "w.id", "m.webhook_id")
      .select((eb) => eb.fn.min("m.next_attempt_at").as("next"))
      .where("m.status", "=", "pending")
      .where("w.enabled", "=", 1)
      .executeTakeFirst();
    return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
  }

  /** Writes attempts and the messages' new states; messages deleted meanwhile are skipped. */
  async recordAttempts(trx: Db, attempts: readonly AttemptRecord[], deferrals: readonly Deferral[]): Promise<void> {
    const ids = [...new Set([...attempts.map((a) => a.messageId), ...deferrals.map((d) => d.messageId)])];
    const existing = new Set<number>();
    for (let start = 0; start < ids.length; start += INSERT_CHUNK) {
      const rows = await trx.selectFrom("webhook_messages").select("id").where("id", "in", ids.slice(start, start + INSERT_CHUNK)).execute();
      for (const row of rows) existing.add(row.id);
    }
    const live = attempts.filter((attempt) => existing.has(attempt.messageId));
    for (let start = 0; start < live.length; start += INSERT_CHUNK) {
      await trx
        .insertInto("webhook_attempts")
        .values(
          live.slice(start, start + INSERT_CHUNK).map((a) => ({
            message_id: a.messageId,
            webhook_id: a.webhookId,
            attempted_at: a.attemptedAt,
            http_status: a.httpStatus,
            latency_ms: a.latencyMs,
            error: a.error,
            next_attempt_at: a.nextAttemptAt,
            succeeded: a.succeeded ? 1 : 0,
            retry: a.retry ? 1 : 0,
          })),
        )
        .execute();
    }
    const succeeded = live.filter((a) => a.status === "succeeded").map((a) => a.messageId);
    for (let start = 0; start < succeeded.length; start += INSERT_CHUNK) {
      await trx
        .updateTable("webhook_messages")
        .set((eb) => ({ status: "succeeded", next_attempt_at: null, attempt_count: eb("attempt_count", "+", 1) }))
        .where("id", "in", succeeded.slice(start, start + INSERT_CHUNK))
        .execute();
    }
    for (const attempt of live) {
      if (attempt.status === "succeeded") continue;
      await trx
        .updateTable("webhook_messages")
        .set((eb) => ({ status: attempt.status, next_attempt_at: attempt.nextAttemptAt, attempt_count: eb("attempt_count", "+", 1) }))
        .where("id", "=", attempt.messageId)
        .execute();
    }
    for (const deferral of deferrals) {
      if (!existing.has(deferral.messageId)) continue;
      await trx.updateTable("webhook_messages").set({ next_attempt_at: deferral.nextAttemptAt }).where("id", "=", deferral.messageId).execute();
    }
  }

  /** Puts one message back at the start of the schedule; false when there is no such message. */
  async redeliver(trx: Db, webhookId: string, eventId: string, now: number): Promise<boolean> {
    const result = await trx
      .updateTable("webhook_messages")
      .set({ status: "pending", attempt_count: 0, next_attempt_at: now })
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
      on conflict (webhook_id, event_id) do update set status = 'pending', attempt_count = 0, next_attempt_at = excluded.next_attempt_at
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

  async attempts(messageIds: readonly number[]): Promise<AttemptRow[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("webhook_attempts")
      .select(["message_id", "attempted_at", "http_status", "latency_ms", "error", "next_attempt_at"])
      .where("message_id", "in", messageIds)
      .orderBy("id")
      .execute();
    return rows.map((row) => ({
      messageId: row.message_id,
      attemptedAt: row.attempted_at,
      httpStatus: row.http_status,
      latencyMs: row.latency_ms,
      error: row.error,
      nextAttemptAt: row.next_attempt_at,
    }));
  }

  async stats(webhookId: string | undefined): Promise<DeliveryStats> {
    let totals = this.db
      .selectFrom("webhook_attempts")
      .select((eb) => [
        eb.fn.countAll<number>().as("attempts"),
        eb.fn.sum<number>("succeeded").as("successes"),
        eb.fn.sum<number>("retry").as("retries"),
      ]);
    if (webhookId !== undefined) totals = totals.where("webhook_id", "=", webhookId);
    const counted = await totals.executeTakeFirstOrThrow();
    let depth = this.db
      .selectFrom("webhook_messages")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "pending");
    if (webhookId !== undefined) depth = depth.where("webhook_id", "=", webhookId);
    const queued = await depth.executeTakeFirstOrThrow();
    let recent = this.db.selectFrom("webhook_attempts").select("latency_ms");
    if (webhookId !== undefined) recent = recent.where("webhook_id", "=", webhookId);
    const latencies = await recent.orderBy("id", "desc").limit(LATENCY_WINDOW).execute();
    const attempts = Number(counted.attempts);
    const successes = Number(counted.successes ?? 0);
    return {
      attempts,
      successes,
      failures: attempts - successes,
      retries: Number(counted.retries ?? 0),
      queueDepth: Number(queued.n),
      latencies: latencies.map((row) => row.latency_ms),
    };
  }
}
