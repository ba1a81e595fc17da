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
