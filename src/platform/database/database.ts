/**
 * Opens SUM's SQLite database: WAL journal, a busy timeout, foreign keys on,
 * and a kysely instance over the same connection for repositories.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, type Transaction } from "kysely";
import type { DatabaseSchema } from "./schema.js";
import { startWalCheckpointer } from "./wal-checkpointer.js";

/** How often the checkpoint thread copies the WAL back into the database file. */
const CHECKPOINT_INTERVAL_MS = 250;

export interface DatabaseOptions {
  /** File path, or `:memory:`. */
  readonly path: string;
  readonly busyTimeoutMs: number;
  /** Page cache in MiB; the driver's default (16 MiB for better-sqlite3) when absent. */
  readonly cacheMb?: number;
}

/** What a repository runs its queries on: the database, or a transaction the caller opened. */
export type DatabaseExecutor = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export interface Database {
  readonly db: Kysely<DatabaseSchema>;
  readonly path: string;
  readonly busyTimeoutMs: number;
  close(): Promise<void>;
}

export function openDatabase(options: DatabaseOptions): Database {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const connection = new BetterSqlite3(options.path);
  connection.pragma("journal_mode = WAL");
  connection.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  connection.pragma("foreign_keys = ON");
  // WAL with NORMAL sync is durable across process crashes (kill -9); only an OS crash can lose the last commits.
  connection.pragma("synchronous = NORMAL");
  // Negative: a size in KiB rather than a page count.
  if (options.cacheMb !== undefined) connection.pragma(`cache_size = -${Math.floor(options.cacheMb * 1024)}`);
  const checkpointer = options.path === ":memory:" ? undefined : startWalCheckpointer(connection, options.path, CHECKPOINT_INTERVAL_MS);
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  return {
    db,
    path: options.path,
    busyTimeoutMs: options.busyTimeoutMs,
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/** Statements kept prepared, by SQL text; hot paths reuse a handful, so this bounds only odd shapes. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * kysely's SQLite driver prepares every statement it runs; preparing costs
 * more than running a small one. This hands it the connection with `prepare`
 * answered from a cache (better-sqlite3 statements are reusable as long as
 * none is left iterating, and kysely only iterates for `.stream()`, which
 * SUM does not use on this connection).
 */
function withStatementCache(connection: BetterSqlite3.Database): BetterSqlite3.Database {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepare = (source: string): BetterSqlite3.Statement => {
    let statement = statements.get(source);
    if (statement !== undefined) return statement;
    statement = connection.prepare(source);
    if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
    statements.set(source, statement);
    return statement;
  };
  return new Proxy(connection, {
    get(target, property) {
      if (property === "prepare") return prepare;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
