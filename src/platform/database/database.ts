/**
 * Opens SUM's SQLite database: WAL journal, a busy timeout, foreign keys on,
 * and a kysely instance over the same connection for repositories.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { DatabaseSchema } from "./schema.js";

export interface DatabaseOptions {
  /** File path, or `:memory:`. */
  readonly path: string;
  readonly busyTimeoutMs: number;
}

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
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: connection }) });
  return {
    db,
    path: options.path,
    busyTimeoutMs: options.busyTimeoutMs,
    close: () => db.destroy(),
  };
}
