/**
 * sum.v1.FlagsService: CRUD with versions and an audit trail, evaluation
 * from the in-memory snapshot, watch streams fed by the snapshot's
 * changes, and the Unleash import. Protocol-neutral: the adapters serve it
 * on both ports, and its OFREP routes on the HTTP port.
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  CreateFlagResponseSchema,
  DeleteFlagResponseSchema,
  EvaluateAllResponseSchema,
  EvaluateResponseSchema,
  FlagsService,
  GetFlagResponseSchema,
  ImportFlagsResponseSchema,
  ListFlagAuditResponseSchema,
  ListFlagsResponseSchema,
  UpdateFlagResponseSchema,
  WatchFlagsResponseSchema,
  type WatchFlagsResponse,
} from "../../gen/sum/v1/flags_pb.js";
import type { CallContext } from "../platform/rpc/call-context.js";
import { bindService, type ServiceBinding } from "../platform/rpc/service-binding.js";
import type { CompiledFlag } from "./compiled-flag.js";
import { contextFromMessage, evaluationMessage, typeMismatchMessage } from "./evaluation-messages.js";
import { flagEventTypes } from "./flag-events.js";
import type { SnapshotChange } from "./flag-snapshot.js";
import { UPDATABLE_FIELDS, type FlagStore, type UpdatableField } from "./flag-store.js";
import { typeAccepts, typeName } from "./flag-types.js";
import { checkFlagKey, invalidArgument } from "./flag-validation.js";
import { ofrepRoutes } from "./ofrep-routes.js";
import { decodePageToken, encodePageToken, pageSize } from "./page-token.js";
import { FlagDefinitionError } from "./flag-definition-error.js";
import { importUnleash } from "./unleash-import.js";

export const ANONYMOUS = "anonymous";
const MAX_REQUEST_ID_LENGTH = 128;

/** Who made a change: the authenticated caller once auth exists; until then x-user-id. */
export function actorOf(context: CallContext): string {
  const header = context.requestHeader.get("x-user-id")?.trim();
  return header === undefined || header === "" ? ANONYMOUS : header.slice(0, 256);
}

export function flagsService(store: FlagStore): ServiceBinding {
  const snapshot = store.snapshot;
  const ready = () => (store.readyNow ? undefined : store.ready());
  const find = (key: string, field: string): CompiledFlag => {
    checkFlagKey(key, field);
    const flag = snapshot.get(key);
    if (flag === undefined) throw new ConnectError(`${field}: flag "${key}" not found`, Code.NotFound);
    return flag;
  };

  return bindService(
    FlagsService,
    {
      async createFlag(request, context) {
        await ready();
        if (request.flag === undefined) throw invalidArgument("flag", "required");
        if (request.requestId.length > MAX_REQUEST_ID_LENGTH) {
          throw invalidArgument("request_id", `at most ${MAX_REQUEST_ID_LENGTH} characters, got ${request.requestId.length}`);
        }
        const flag = await store.create(request.flag, request.requestId, actorOf(context));
        return create(CreateFlagResponseSchema, { flag });
      },

      async getFlag(request) {
        await ready();
        checkFlagKey(request.key, "key");
        const flag = await store.repository.get(request.key);
        if (flag === undefined) throw new ConnectError(`key: flag "${request.key}" not found`, Code.NotFound);
        return create(GetFlagResponseSchema, { flag });
      },

      async listFlags(request) {
        await ready();
        const limit = pageSize(request.pageSize);
        const afterKey = decodePageToken(request.pageToken);
        const flags = await store.repository.page({ afterKey, limit: limit + 1, tag: request.tag });
        const more = flags.length > limit;
        const page = flags.slice(0, limit);
        return create(ListFlagsResponseSchema, { flags: page, nextPageToken: more ? encodePageToken(page.at(-1)!.key) : "" });
      },

      async updateFlag(request, context) {
        await ready();
        if (request.flag === undefined) throw invalidArgument("flag", "required");
        checkFlagKey(request.flag.key, "flag.key");
        if (request.flag.version <= 0n) throw invalidArgument("flag.version", "required: the version the change is based on");
        const paths = request.updateMask?.paths ?? [];
        for (const [index, path] of paths.entries()) {
          if (!(UPDATABLE_FIELDS as readonly string[]).includes(path)) {
            throw invalidArgument(`update_mask.paths[${index}]`, `"${path}" is not an updatable field; use ${UPDATABLE_FIELDS.join(", ")}`);
          }
        }
        const fields = paths.length === 0 ? UPDATABLE_FIELDS : (paths as UpdatableField[]);
        const flag = await store.update(request.flag, fields, actorOf(context));
        return create(UpdateFlagResponseSchema, { flag });
      },

      async deleteFlag(request, context) {
        await ready();
        checkFlagKey(request.key, "key");
        await store.delete(request.key, request.version, actorOf(context));
        return create(DeleteFlagResponseSchema, {});
      },

      async evaluate(request) {
        await ready();
        const flag = find(request.flagKey, "flag_key");
        if (!typeAccepts(request.expectedType, flag.type)) {
          const message = `flag "${flag.key}" is a ${typeName(flag.type)} flag, not ${typeName(request.expectedType)}`;
          return create(EvaluateResponseSchema, { evaluation: typeMismatchMessage(flag, message) });
        }
        const result = snapshot.evaluate(flag, contextFromMessage(request.context));
        return create(EvaluateResponseSchema, { evaluation: evaluationMessage(flag, result) });
      },

      async evaluateAll(request) {
        await ready();
        const context = contextFromMessage(request.context);
        const evaluations = snapshot.all().map((flag) => evaluationMessage(flag, snapshot.evaluate(flag, context)));
        return create(EvaluateAllResponseSchema, { evaluations });
      },

      async *watchFlags(_request, context): AsyncGenerator<WatchFlagsResponse> {
        await ready();
        const pending: SnapshotChange[] = [];
        let wake: (() => void) | undefined;
        const unsubscribe = snapshot.subscribe((change) => {
          pending.push(change);
          wake?.();
        });
        const aborted = new Promise<void>((resolve) => context.signal.addEventListener("abort", () => resolve(), { once: true }));
        try {
          const sequence = snapshot.sequence;
          yield create(WatchFlagsResponseSchema, {
            event: { case: "snapshot", value: { flags: snapshot.flags() } },
            sequence: BigInt(sequence),
          });
          while (!context.signal.aborted) {
            const change = pending.shift();
            if (change === undefined) {
              await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
              wake = undefined;
              continue;
            }
            if (change.sequence <= sequence) continue;
            yield create(WatchFlagsResponseSchema, {
              event: change.flag === undefined ? { case: "deleted", value: change.deleted } : { case: "changed", value: change.flag },
              sequence: BigInt(change.sequence),
            });
          }
        } finally {
          unsubscribe();
        }
      },

      async listFlagAudit(request) {
        await ready();
        if (request.flagKey !== "") checkFlagKey(request.flagKey, "flag_key");
        const limit = pageSize(request.pageSize);
        const token = decodePageToken(request.pageToken);
        const beforeId = token === "" ? 0 : Number(token);
        if (!Number.isSafeInteger(beforeId) || beforeId < 0) throw invalidArgument("page_token", "not a token this method returned");
        const entries = await store.repository.auditPage({ flagKey: request.flagKey, beforeId, limit: limit + 1 });
        const more = entries.length > limit;
        const page = entries.slice(0, limit);
        return create(ListFlagAuditResponseSchema, { entries: page, nextPageToken: more ? encodePageToken(String(page.at(-1)!.id)) : "" });
      },

      async importFlags(request, context) {
        await ready();
        if (request.unleash === undefined) throw invalidArgument("unleash", "required: Unleash's features document");
        let imported;
        try {
          imported = importUnleash(request.unleash);
        } catch (error) {
          if (error instanceof FlagDefinitionError) throw invalidArgument(error.path, error.rule);
          throw error;
        }
        const flags = await store.importAll(imported.flags, actorOf(context));
        return create(ImportFlagsResponseSchema, { flags, warnings: imported.warnings });
      },
    },
    {
      dependsOn: ["database"],
      eventTypes: flagEventTypes,
      httpRoutes: ofrepRoutes(store),
      close: async () => store.close(),
    },
  );
}
