/**
 * The typed shape of SUM's database for kysely: one entry per table.
 * Capabilities add their tables here alongside a migration that creates them.
 */
import type { Generated } from "kysely";

export interface EventsTable {
  /** Commit sequence; AUTOINCREMENT so a pruned sequence number is never reused. */
  sequence: Generated<number>;
  id: string;
  type: string;
  /** RFC 3339 UTC with milliseconds. */
  timestamp: string;
  /** JSON object text. */
  data: string;
}

export interface DatabaseSchema {
  events: EventsTable;
}
