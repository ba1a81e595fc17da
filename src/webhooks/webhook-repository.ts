/**
 * Storage of webhook registrations (kysely). Secrets arrive and leave sealed;
 * the service seals and opens them.
 */
import type { Kysely, Selectable, Transaction } from "kysely";
import { ReusableQuery } from "../platform/database/reusable-query.js";
import { classifyDatabaseError } from "../platform/database/database-errors.js";
import type { DatabaseSchema, WebhooksTable } from "../platform/database/schema.js";

export interface WebhookRecord {
  readonly id: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly enabled: boolean;
  readonly disabledReason: string;
  /** Sealed (secret-box.ts). */
  readonly secret: string;
  readonly previousSecret: string | null;
  readonly previousSecretExpiresAt: string | null;
  readonly requestId: string | null;
  readonly afterSequence: number;
  readonly failingSince: string | null;
  readonly circuitOpens: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type WebhookChanges = Partial<
  Pick<
    WebhookRecord,
    "url" | "eventTypes" | "description" | "headers" | "enabled" | "disabledReason" | "secret" | "previousSecret" | "previousSecretExpiresAt" | "failingSince"
  >
> & { readonly updatedAt: string };

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export function toRecord(row: Selectable<WebhooksTable>): WebhookRecord {
  return {
    id: row.id,
    url: row.url,
    eventTypes: JSON.parse(row.event_types) as string[],
    description: row.description,
    headers: JSON.parse(row.headers) as Record<string, string>,
    enabled: row.enabled === 1,
    disabledReason: row.disabled_reason,
    secret: row.secret,
    previousSecret: row.previous_secret,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    requestId: row.request_id,
    afterSequence: row.after_sequence,
    failingSince: row.failing_since,
    circuitOpens: row.circuit_opens,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class WebhookRepository {
  /** Read at every fan-out batch, so compiled once. */
  private readonly allQuery: ReusableQuery<Record<string, never>, Selectable<WebhooksTable>>;

  constructor(private readonly db: Kysely<DatabaseSchema>) {
    this.allQuery = new ReusableQuery(db.selectFrom("webhooks").selectAll().orderBy("id"));
  }

  async insert(trx: Db, record: WebhookRecord): Promise<void> {
    await trx
      .insertInto("webhooks")
      .values({
        id: record.id,
        url: record.url,
        event_types: JSON.stringify(record.eventTypes),
        description: record.description,
        headers: JSON.stringify(record.headers),
        enabled: record.enabled ? 1 : 0,
        disabled_reason: record.disabledReason,
        secret: record.secret,
        previous_secret: record.previousSecret,
        previous_secret_expires_at: record.previousSecretExpiresAt,
        request_id: record.requestId,
        after_sequence: record.afterSequence,
        failing_since: record.failingSince,
        circuit_opens: record.circuitOpens,
        created_at: record.createdAt,
        updated_at: record.updatedAt,
      })
      .execute();
  }

  async get(id: string, trx: Db = this.db): Promise<WebhookRecord | undefined> {
    const row = await guard(trx.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst());
    return row && toRecord(row);
  }

  async findByRequestId(trx: Db, requestId: string): Promise<WebhookRecord | undefined> {
    const row = await trx.selectFrom("webhooks").selectAll().where("request_id", "=", requestId).executeTakeFirst();
    return row && toRecord(row);
  }

  async count(trx: Db): Promise<number> {
    const row = await trx.selectFrom("webhooks").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Webhooks with ids after `afterId`, by id (UUIDv7 ids sort by creation). */
  async list(afterId: string, limit: number): Promise<WebhookRecord[]> {
    const rows = await guard(
      this.db.selectFrom("webhooks").selectAll().where("id", ">", afterId).orderBy("id").limit(limit).execute(),
    );
    return rows.map(toRecord);
  }

  async all(trx: Db = this.db): Promise<WebhookRecord[]> {
    const rows = await guard(this.allQuery.rows(trx, {}));
    return rows.map(toRecord);
  }

  async update(trx: Db, id: string, changes: WebhookChanges): Promise<void> {
    const set: Partial<Record<keyof WebhooksTable, unknown>> = { updated_at: changes.updatedAt };
    if (changes.url !== undefined) set.url = changes.url;
    if (changes.eventTypes !== undefined) set.event_types = JSON.stringify(changes.eventTypes);
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.headers !== undefined) set.headers = JSON.stringify(changes.headers);
    if (changes.enabled !== undefined) set.enabled = changes.enabled ? 1 : 0;
    if (changes.disabledReason !== undefined) set.disabled_reason = changes.disabledReason;
    if (changes.secret !== undefined) set.secret = changes.secret;
    if (changes.previousSecret !== undefined) set.previous_secret = changes.previousSecret;
    if (changes.previousSecretExpiresAt !== undefined) set.previous_secret_expires_at = changes.previousSecretExpiresAt;
    if ("failingSince" in changes) set.failing_since = changes.failingSince ?? null;
    await trx.updateTable("webhooks").set(set as never).where("id", "=", id).execute();
  }

  async delete(trx: Db, id: string): Promise<boolean> {
    const result = await trx.deleteFrom("webhooks").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Not a change by the caller: updated_at stays. */
  async setFailingSince(trx: Db, id: string, failingSince: string | null): Promise<void> {
    await trx.updateTable("webhooks").set({ failing_since: failingSince }).where("id", "=", id).execute();
  }

  async addCircuitOpens(trx: Db, id: string, count: number): Promise<void> {
    await trx
      .updateTable("webhooks")
      .set((eb) => ({ circuit_opens: eb("circuit_opens", "+", count) }))
      .where("id", "=", id)
      .execute();
  }
}

async function guard<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (error) {
    throw classifyDatabaseError(error);
  }
}
