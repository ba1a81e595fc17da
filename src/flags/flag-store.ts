/**
 * Every write to flags, each in one transaction with its audit entry and
 * its `flag.changed` event, checked against the flags as they are inside
 * that transaction (nothing is half-written); and the snapshot that reads
 * see, refreshed before a write returns so a caller reads its own write.
 */
import { clone } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Transaction } from "kysely";
import { FlagChangeKind, FlagSchema, type Flag } from "../../gen/sum/v1/flags_pb.js";
import type { Database } from "../platform/database/database.js";
import type { DatabaseSchema } from "../platform/database/schema.js";
import type { EventLog } from "../platform/events/event-log.js";
import type { Logger } from "../platform/logging/logger.js";
import { builtinFlags } from "./builtin-flags.js";
import { flagChanged } from "./flag-events.js";
import { changeKindName, FlagRepository } from "./flag-repository.js";
import { FlagSnapshot } from "./flag-snapshot.js";
import { checkDependentsKeepVariants, checkFlag, checkSplitTotals } from "./flag-validation.js";

/** The Flag fields an update mask may name. */
export const UPDATABLE_FIELDS = [
  "type",
  "description",
  "tags",
  "enabled",
  "variants",
  "default_variant",
  "off_variant",
  "split",
  "targets",
  "rules",
  "prerequisites",
] as const;
export type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

const camel = (field: string) => field.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

export interface FlagStoreOptions {
  readonly database: Database;
  readonly events: EventLog;
  readonly logger: Logger;
}

export class FlagStore {
  readonly repository: FlagRepository;
  readonly snapshot: FlagSnapshot;
  private readonly events: EventLog;
  private started: Promise<void> | undefined;
  private isReady = false;

  constructor(options: FlagStoreOptions) {
    this.repository = new FlagRepository(options.database.db);
    this.events = options.events;
    this.snapshot = new FlagSnapshot(this.repository, options.events, options.logger);
  }

  /** Loads the snapshot and creates the built-in flags that are missing; idempotent. */
  ready(): Promise<void> {
    if (this.isReady) return Promise.resolve();
    this.started ??= (async () => {
      await this.snapshot.start();
      for (const flag of builtinFlags()) {
        if (this.snapshot.get(flag.key) !== undefined) continue;
        await this.create(flag, "", "sum").catch((error: unknown) => {
          if (!(error instanceof ConnectError && error.code === Code.AlreadyExists)) throw error;
        });
      }
      this.isReady = true;
    })();
    return this.started;
  }

  get readyNow(): boolean {
    return this.isReady;
  }

  close(): void {
    this.snapshot.stop();
  }

  async create(flag: Flag, requestId: string, actor: string): Promise<Flag> {
    const created = await this.events.transaction(async (trx) => {
      if (requestId !== "") {
        const earlier = await this.repository.byRequestId(requestId, trx);
        if (earlier !== undefined) return earlier;
      }
      const others = await this.othersIn(trx);
      if (others.has(flag.key)) throw new ConnectError(`flag.key: flag "${flag.key}" already exists`, Code.AlreadyExists);
      checkFlag(flag, others, "flag.");
      return this.write(trx, FlagChangeKind.CREATED, actor, undefined, flag, requestId);
    });
    await this.snapshot.refresh();
    return created;
  }

  async update(changes: Flag, fields: readonly UpdatableField[], actor: string): Promise<Flag> {
    const updated = await this.events.transaction(async (trx) => {
      const current = await this.repository.get(changes.key, trx);
      if (current === undefined) throw new ConnectError(`flag.key: flag "${changes.key}" not found`, Code.NotFound);
      if (changes.version !== current.version) {
        throw new ConnectError(`flag.version: ${changes.version} is stale; flag "${current.key}" is at version ${current.version}`, Code.Aborted);
      }
      const next = clone(FlagSchema, current);
      const target = next as unknown as Record<string, unknown>;
      const source = changes as unknown as Record<string, unknown>;
      for (const field of fields) target[camel(field)] = source[camel(field)];
      const others = await this.othersIn(trx);
      others.delete(next.key);
      // The fields the mask names meet the rules of CreateFlag; the others are kept as they were stored, which
      // for an imported flag may be Unleash's looser rules (any split total, prerequisites on absent variants).
      checkFlag(next, others, "flag.", { anyTotalWeight: true, anyPrerequisiteVariant: !fields.includes("prerequisites") });
      checkSplitTotals(next, fields, "flag.");
      checkDependentsKeepVariants(current, next, others, "flag.");
      return this.write(trx, FlagChangeKind.UPDATED, actor, current, next, "");
    });
    await this.snapshot.refresh();
    return updated;
  }

  async delete(key: string, version: bigint, actor: string): Promise<void> {
    await this.events.transaction(async (trx) => {
      const current = await this.repository.get(key, trx);
      if (current === undefined) throw new ConnectError(`key: flag "${key}" not found`, Code.NotFound);
      if (version !== 0n && version !== current.version) {
        throw new ConnectError(`version: ${version} is stale; flag "${key}" is at version ${current.version}`, Code.Aborted);
      }
      const dependents = [...(await this.othersIn(trx)).values()].filter((flag) => flag.prerequisites.some((p) => p.flagKey === key));
      if (dependents.length > 0) {
        const where = dependents.flatMap((flag) =>
          flag.prerequisites.flatMap((p, index) => (p.flagKey === key ? [`${flag.key}.prerequisites[${index}].flag_key`] : [])),
        );
        throw new ConnectError(
          `key: flags ${dependents.map((flag) => `"${flag.key}"`).join(", ")} depend on "${key}" (${where.join(", ")}); change them first`,
          Code.FailedPrecondition,
        );
      }
      await this.write(trx, FlagChangeKind.DELETED, actor, current, undefined, "");
    });
    await this.snapshot.refresh();
  }

  /** Creates or replaces each flag by key, all or nothing. */
  async importAll(flags: readonly Flag[], actor: string): Promise<Flag[]> {
    const written = await this.events.transaction(async (trx) => {
      const existing = await this.othersIn(trx);
      const view = new Map(existing);
      for (const flag of flags) view.set(flag.key, flag);
      for (const [index, flag] of flags.entries()) {
        view.delete(flag.key);
        checkFlag(flag, view, `unleash.features[${index}].`, { anyTotalWeight: true, anyPrerequisiteVariant: true });
        view.set(flag.key, flag);
      }
      const results: Flag[] = [];
      for (const flag of flags) {
        const current = existing.get(flag.key);
        results.push(
          await this.write(trx, current === undefined ? FlagChangeKind.CREATED : FlagChangeKind.UPDATED, actor, current, flag, ""),
        );
      }
      return results;
    });
    await this.snapshot.refresh();
    return written;
  }

  private async othersIn(trx: Transaction<DatabaseSchema>): Promise<Map<string, Flag>> {
    return new Map((await this.repository.all(trx)).map((flag) => [flag.key, flag]));
  }

  private async write(
    trx: Transaction<DatabaseSchema>,
    kind: FlagChangeKind,
    actor: string,
    before: Flag | undefined,
    after: Flag | undefined,
    requestId: string,
  ): Promise<Flag> {
    const now = new Date().toISOString();
    let stored: Flag | undefined;
    if (kind === FlagChangeKind.DELETED) {
      await this.repository.delete(trx, before!.key);
    } else if (before === undefined) {
      stored = await this.repository.insert(trx, after!, requestId, now);
    } else {
      const next = clone(FlagSchema, after!);
      next.key = before.key;
      stored = await this.repository.replace(trx, next, before.version, now);
      if (stored === undefined) throw new ConnectError(`flag.version: flag "${before.key}" changed meanwhile`, Code.Aborted);
    }
    const key = (stored ?? before)!.key;
    await this.repository.audit(trx, { flagKey: key, kind, actor, time: now, oldFlag: before, newFlag: stored });
    await this.events.publish(trx, flagChanged(key, changeKindName(kind), stored?.version ?? before!.version, actor));
    return stored ?? before!;
  }
}
