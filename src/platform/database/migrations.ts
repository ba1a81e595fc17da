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
  "0004_knowledge": {
    async up(db: Kysely<unknown>) {
      // `seq` is the rowid the full-text index and the index tables point at:
      // an integer is smaller than the public id in every index row.
      await sql`create table thoughts (
        seq integer primary key autoincrement,
        id text not null unique,
        content text not null,
        source text not null,
        tags text not null check (json_valid(tags)),
        concepts text not null check (json_valid(concepts)),
        metadata text not null check (json_valid(metadata)),
        time_zone text not null,
        local_hour integer not null,
        local_weekday integer not null,
        importance real not null,
        word_count integer not null,
        connection_count integer not null default 0,
        request_id text unique,
        created_at text not null,
        updated_at text not null
      )`.execute(db);
      await sql`create index thoughts_created on thoughts (created_at)`.execute(db);
      await sql`create index thoughts_source on thoughts (source, seq)`.execute(db);
      await sql`create index thoughts_connected on thoughts (connection_count) where connection_count > 0`.execute(db);
      await sql`create table thought_tags (tag text not null, thought_seq integer not null, primary key (tag, thought_seq)) without rowid`.execute(db);
      // The inverted index: concept → thoughts, with the concept's unit-normalised weight in each.
      await sql`create table thought_concepts (
        concept text not null, thought_seq integer not null, weight real not null,
        primary key (concept, thought_seq)) without rowid`.execute(db);
      await sql`create table thought_connections (
        thought_seq integer not null, other_seq integer not null, similarity real not null,
        shared text not null check (json_valid(shared)),
        primary key (thought_seq, other_seq)) without rowid`.execute(db);
      await sql`create table concepts (
        name text primary key, thought_count integer not null, first_seen text not null, last_seen text not null)`.execute(db);
      await sql`create index concepts_count on concepts (thought_count, name)`.execute(db);
      await sql`create table concept_days (
        concept text not null, day text not null, count integer not null, primary key (concept, day)) without rowid`.execute(db);
      await sql`create table thought_activity (
        weekday integer not null, hour integer not null, count integer not null, primary key (weekday, hour)) without rowid`.execute(db);
      await sql`create table knowledge_clusters (
        seq integer primary key autoincrement,
        id text not null unique,
        concept text not null,
        thought_ids text not null check (json_valid(thought_ids)),
        summary text not null,
        key_insights text not null check (json_valid(key_insights)),
        original_word_count integer not null,
        compressed_word_count integer not null,
        compression_ratio real not null,
        created_at text not null)`.execute(db);
      await sql`create index knowledge_clusters_concept on knowledge_clusters (concept, seq)`.execute(db);
      await sql`create table cluster_thoughts (
        thought_seq integer not null, cluster_seq integer not null, primary key (thought_seq, cluster_seq)) without rowid`.execute(db);
      await sql`create index cluster_thoughts_cluster on cluster_thoughts (cluster_seq)`.execute(db);
      // External-content FTS5 over thoughts.content; secure-delete so a deleted
      // thought's words leave the index's pages, not just its visible results.
      await sql`create virtual table thoughts_fts using fts5(
        content, content='thoughts', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
      await sql`insert into thoughts_fts (thoughts_fts, rank) values ('secure-delete', 1)`.execute(db);
      await sql`create trigger thoughts_fts_insert after insert on thoughts begin
        insert into thoughts_fts (rowid, content) values (new.seq, new.content); end`.execute(db);
      await sql`create trigger thoughts_fts_delete after delete on thoughts begin
        insert into thoughts_fts (thoughts_fts, rowid, content) values ('delete', old.seq, old.content); end`.execute(db);
      await sql`create trigger thoughts_fts_update after update of content on thoughts begin
        insert into thoughts_fts (thoughts_fts, rowid, content) values ('delete', old.seq, old.content);
        insert into thoughts_fts (rowid, content) values (new.seq, new.content); end`.execute(db);
      // Finds the events that carry a thought's or a cluster's content, so deleting it can erase them.
      await sql`create index events_thought on events (json_extract(data, '$.thoughtId')) where json_extract(data, '$.thoughtId') is not null`.execute(db);
      await sql`create index events_cluster on events (json_extract(data, '$.clusterId')) where json_extract(data, '$.clusterId') is not null`.execute(db);
    },
  },
  "0005_webhook_message_rounds": {
    // Redeliver and Replay start a new round; an outcome of the previous round's attempt, written after
    // that, must not overwrite the new round's pending state.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("webhook_messages").addColumn("round", "integer", (column) => column.notNull().defaultTo(0)).execute();
    },
  },
  "0006_knowledge_insights": {
    // The periodic insight job's memory: an insight published once is not published again.
    async up(db: Kysely<unknown>) {
      await sql`create table knowledge_insights (
        key text primary key, insight text not null, published_at text not null) without rowid`.execute(db);
    },
  },
  "0007_thought_versions": {
    // UpdateThought's optimistic concurrency: 1 at capture, +1 per update.
    async up(db: Kysely<unknown>) {
      await sql`alter table thoughts add column version integer not null default 1`.execute(db);
    },
  },
  "0008_thought_links": {
    // A connection is stored once, under the newer thought: a capture appends
    // its links at the end of the table instead of writing a reverse row into
    // each older thought's part of it. Older thoughts find theirs through a
    // narrow index. Connection counts move out of the (wide) thoughts rows
    // into a narrow table, so counting a new link on an old thought dirties
    // a small page, not that thought's row page.
    async up(db: Kysely<unknown>) {
      await sql`create table thought_links (
        newer_seq integer not null, older_seq integer not null, similarity real not null,
        shared text not null check (json_valid(shared)),
        primary key (newer_seq, older_seq)) without rowid`.execute(db);
      await sql`insert into thought_links (newer_seq, older_seq, similarity, shared)
        select thought_seq, other_seq, similarity, shared from thought_connections where thought_seq > other_seq`.execute(db);
      await sql`create index thought_links_older on thought_links (older_seq, similarity, newer_seq)`.execute(db);
      await sql`drop table thought_connections`.execute(db);
      await sql`create table thought_connection_counts (seq integer primary key, count integer not null)`.execute(db);
      await sql`insert into thought_connection_counts (seq, count) select seq, connection_count from thoughts where connection_count > 0`.execute(db);
      await sql`create index thought_connection_counts_count on thought_connection_counts (count, seq)`.execute(db);
      await sql`drop index thoughts_connected`.execute(db);
      await sql`alter table thoughts drop column connection_count`.execute(db);
    },
  },
  "0009_search_index_incremental_merge": {
    // FTS5's automerge merges in bursts (64 pages per index level at once,
    // every 64 leaf pages written): a 30–40 ms write every 64th capture at
    // 1M thoughts. Off here; each write to the index merges a fixed few
    // pages instead (src/knowledge/search-index-merging.ts).
    async up(db: Kysely<unknown>) {
      await sql`insert into thoughts_fts (thoughts_fts, rank) values ('automerge', 0)`.execute(db);
    },
  },
  "0010_webhook_latest_attempt": {
    // A message keeps its latest attempt in its own row (JSON), written by the
    // update that records the outcome anyway; webhook_attempts holds the
    // earlier ones. Most messages succeed at the first attempt, so most
    // deliveries write no attempt row at all.
    async up(db: Kysely<unknown>) {
      await sql`alter table webhook_messages add column latest_attempt text`.execute(db);
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to `target` (a migration's name): upgrade tests start from an older schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the typed schema exists
export async function migrateTo(db: Kysely<any>, target: string): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateTo(target);
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
}

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
