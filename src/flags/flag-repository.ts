/**
 * Flags and their audit trail in the shared database (kysely). A flag is
 * stored as its protobuf JSON without version and times, which live in
 * columns; writes take the caller's transaction so the event and the audit
 * entry commit with them.
 */
import { create, fromJsonString, toJsonString } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import { FlagChangeKind, FlagSchema, type Flag, type FlagAuditEntry } from "../../gen/sum/v1/flags_pb.js";
import { classifyDatabaseError } from "../platform/database/database-errors.js";
import type { DatabaseExecutor as Executor } from "../platform/database/database.js";
import type { DatabaseSchema, FlagsTable } from "../platform/database/schema.js";


export type FlagRow = Selectable<FlagsTable>;

export interface AuditInput {
  readonly flagKey: string;
  readonly kind: FlagChangeKind;
  readonly actor: string;
  readonly time: string;
  readonly oldFlag: Flag | undefined;
  readonly newFlag: Flag | undefined;
}

const KIND_NAMES: Record<number, string> = {
  [FlagChangeKind.CREATED]: "created",
  [FlagChangeKind.UPDATED]: "updated",
  [FlagChangeKind.DELETED]: "deleted",
};

export function changeKindName(kind: FlagChangeKind): string {
  return KIND_NAMES[kind] ?? "unspecified";
}

/** The stored form: the definition without version and times. */
export function definitionJson(flag: Flag): string {
  const copy = create(FlagSchema, { ...flag, version: 0n, createTime: undefined, updateTime: undefined });
  return toJsonString(FlagSchema, copy);
}

export function flagFromRow(row: FlagRow): Flag {
  const flag = fromJsonString(FlagSchema, row.definition);
  flag.key = row.key;
  flag.version = BigInt(row.version);
  flag.createTime = timestampFromDate(new Date(row.created_at));
  flag.updateTime = timestampFromDate(new Date(row.updated_at));
  return flag;
}

export class FlagRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async all(executor: Executor = this.db): Promise<Flag[]> {
    const rows = await guard(executor.selectFrom("flags").selectAll().orderBy("key").execute());
    return rows.map(flagFromRow);
  }

  async get(key: string, executor: Executor = this.db): Promise<Flag | undefined> {
    const row = await guard(executor.selectFrom("flags").selectAll().where("key", "=", key).executeTakeFirst());
    return row === undefined ? undefined : flagFromRow(row);
  }

  async byRequestId(requestId: string, executor: Executor = this.db): Promise<Flag | undefined> {
    const row = await guard(executor.selectFrom("flags").selectAll().where("request_id", "=", requestId).executeTakeFirst());
    return row === undefined ? undefined : flagFromRow(row);
  }

  /** Flags after `afterKey` in key order, at most `limit`, optionally with `tag`. */
  async page(options: { afterKey: string; limit: number; tag: string }): Promise<Flag[]> {
    let query = this.db.selectFrom("flags").selectAll().where("key", ">", options.afterKey);
    if (options.tag !== "") {
      query = query.where(
        sql<boolean>`exists (select 1 from json_each(flags.definition, '$.tags') where json_each.value = ${options.tag})`,
      );
    }
    const rows = await guard(query.orderBy("key").limit(options.limit).execute());
    return rows.map(flagFromRow);
  }

  async insert(trx: Transaction<DatabaseSchema>, flag: Flag, requestId: string, now: string): Promise<Flag> {
    const row: FlagRow = {
      key: flag.key,
      definition: definitionJson(flag),
      version: 1,
      request_id: requestId === "" ? null : requestId,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto("flags").values(row).execute();
    return flagFromRow(row);
  }

  /** Replaces the definition of a flag at `version`; undefined when the version is no longer current. */
  async replace(trx: Transaction<DatabaseSchema>, flag: Flag, version: bigint, now: string): Promise<Flag | undefined> {
    const row = await trx
      .updateTable("flags")
      .set({ definition: definitionJson(flag), version: Number(version) + 1, updated_at: now })
      .where("key", "=", flag.key)
      .where("version", "=", Number(version))
      .returningAll()
      .executeTakeFirst();
    return row === undefined ? undefined : flagFromRow(row);
  }

  async delete(trx: Transaction<DatabaseSchema>, key: string): Promise<void> {
    await trx.deleteFrom("flags").where("key", "=", key).execute();
  }

  async audit(trx: Transaction<DatabaseSchema>, entry: AuditInput): Promise<void> {
    await trx
      .insertInto("flag_audit")
      .values({
        flag_key: entry.flagKey,
        kind: changeKindName(entry.kind),
        actor: entry.actor,
        time: entry.time,
        old_definition: entry.oldFlag === undefined ? null : toJsonString(FlagSchema, entry.oldFlag),
        new_definition: entry.newFlag === undefined ? null : toJsonString(FlagSchema, entry.newFlag),
      })
      .execute();
  }

  /** Audit entries newest first, with ids below `beforeId` (0 = from the newest). */
  async auditPage(options: { flagKey: string; beforeId: number; limit: number }): Promise<FlagAuditEntry[]> {
    let query = this.db.selectFrom("flag_audit").selectAll();
    if (options.flagKey !== "") query = query.where("flag_key", "=", options.flagKey);
    if (options.beforeId > 0) query = query.where("id", "<", options.beforeId);
    const rows = await guard(query.orderBy("id", "desc").limit(options.limit).execute());
    return rows.map((row) => ({
      $typeName: "sum.v1.FlagAuditEntry",
      id: BigInt(row.id),
      flagKey: row.flag_key,
      kind: row.kind === "created" ? FlagChangeKind.CREATED : row.kind === "updated" ? FlagChangeKind.UPDATED : FlagChangeKind.DELETED,
      actor: row.actor,
      time: timestampFromDate(new Date(row.time)),
      oldFlag: row.old_definition === null ? undefined : fromJsonString(FlagSchema, row.old_definition),
      newFlag: row.new_definition === null ? undefined : fromJsonString(FlagSchema, row.new_definition),
    }));
  }
}

async function guard<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw classifyDatabaseError(error);
  }
}
