/**
 * Versioned schema migrations, applied in name order at start-up by kysely's
 * Migrator. Never edit a migration that has shipped; add a new one.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from "kysely";

const migrations: Record<string, Migration> = {
  "0001_event_log": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("events")
        .addColumn("sequence", "integer", (column) => column.primaryKey().autoIncrement())
        .addColumn("id", "text", (column) => column.notNull().unique())
        .addColumn("type", "text", (column) => column.notNull())
        .addColumn("timestamp", "text", (column) => column.notNull())
        .addColumn("data", "text", (column) => column.notNull().check(sql`json_valid(data)`))
        .execute();
      await db.schema.createIndex("events_timestamp").on("events").column("timestamp").execute();
    },
  },
  "0002_webhooks": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("webhooks")
        .addColumn("id", "text", (column) => column.primaryKey())
        .addColumn("url", "text", (column) => column.notNull())
        .addColumn("event_types", "text", (column) => column.notNull().check(sql`json_valid(event_types)`))
        .addColumn("description", "text", (column) => column.notNull())
        .addColumn("headers", "text", (column) => column.notNull().check(sql`json_valid(headers)`))
        .addColumn("enabled", "integer", (column) => column.notNull())
        .addColumn("disabled_reason", "text", (column) => column.notNull().defaultTo(""))
        .addColumn("secret", "text", (column) => column.notNull())
        .addColumn("previous_secret", "text")
        .addColumn("previous_secret_expires_at", "text")
        .addColumn("request_id", "text", (column) => column.unique())
        .addColumn("after_sequence", "integer", (column) => column.notNull())
        .addColumn("failing_since", "text")
        .addColumn("circuit_opens", "integer", (column) => column.notNull().defaultTo(0))
        .addColumn("created_at", "text", (column) => column.notNull())
        .addColumn("updated_at", "text", (column) => column.notNull())
        .execute();
      await db.schema
        .createTable("webhook_messages")
        .addColumn("id", "integer", (column) => column.primaryKey().autoIncrement())
        .addColumn("webhook_id", "text", (column) => column.notNull().references("webhooks.id").onDelete("cascade"))
        .addColumn("event_id", "text", (column) => column.notNull())
        .addColumn("event_type", "text", (column) => column.notNull())
        .addColumn("status", "text", (column) => column.notNull())
        .addColumn("attempt_count", "integer", (column) => column.notNull().defaultTo(0))
        .addColumn("next_attempt_at", "integer")
        .addColumn("created_at", "text", (column) => column.notNull())
        .addUniqueConstraint("webhook_messages_webhook_event", ["webhook_id", "event_id"])
        .execute();
      await sql`create index webhook_messages_due on webhook_messages (next_attempt_at) where status = 'pending'`.execute(db);
      await db.schema
        .createTable("webhook_attempts")
        .addColumn("id", "integer", (column) => column.primaryKey().autoIncrement())
        .addColumn("message_id", "integer", (column) => column.notNull().references("webhook_messages.id").onDelete("cascade"))
        .addColumn("webhook_id", "text", (column) => column.notNull())
        .addColumn("attempted_at", "text", (column) => column.notNull())
        .addColumn("http_status", "integer", (column) => column.notNull())
        .addColumn("latency_ms", "real", (column) => column.notNull())
        .addColumn("error", "text", (column) => column.notNull())
        .addColumn("next_attempt_at", "integer")
        .addColumn("succeeded", "integer", (column) => column.notNull())
        .addColumn("retry", "integer", (column) => column.notNull())
        .execute();
      await db.schema.createIndex("webhook_attempts_message").on("webhook_attempts").column("message_id").execute();
      await db.schema.createIndex("webhook_attempts_webhook").on("webhook_attempts").columns(["webhook_id", "id"]).execute();
      await db.schema
        .createTable("webhook_dispatch_cursor")
        .addColumn("name", "text", (column) => column.primaryKey())
        .addColumn("sequence", "integer", (column) => column.notNull())
        .execute();
    },
  },
  "0003_flags": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("flags")
        .addColumn("key", "text", (column) => column.primaryKey())
        .addColumn("definition", "text", (column) => column.notNull().check(sql`json_valid(definition)`))
        .addColumn("version", "integer", (column) => column.notNull())
        .addColumn("request_id", "text", (column) => column.unique())
        .addColumn("created_at", "text", (column) => column.notNull())
        .addColumn("updated_at", "text", (column) => column.notNull())
        .execute();
      await db.schema
        .createTable("flag_audit")
        .addColumn("id", "integer", (column) => column.primaryKey().autoIncrement())
        .addColumn("flag_key", "text", (column) => column.notNull())
        .addColumn("kind", "text", (column) => column.notNull())
        .addColumn("actor", "text", (column) => column.notNull())
        .addColumn("time", "text", (column) => column.notNull())
        .addColumn("old_definition", "text")
        .addColumn("new_definition", "text")
        .execute();
      await db.schema.createIndex("flag_audit_flag").on("flag_audit").columns(["flag_key", "id"]).execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; throws with the failing migration's name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).map((result) => result.migrationName);
}
