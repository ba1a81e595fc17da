/**
 * sum.v1.KnowledgeService: capture, find, connect and densify thoughts.
 * Protocol-neutral: the adapters serve it on both ports. Requests are
 * checked here (knowledge-validation.ts); writes go through the store,
 * reads through the repositories.
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  CaptureThoughtResponseSchema,
  DeleteThoughtResponseSchema,
  DensifyResponseSchema,
  GetClusterResponseSchema,
  GetThoughtResponseSchema,
  KnowledgeService,
  ListClustersResponseSchema,
  ListConceptsResponseSchema,
  ListDensifyOpportunitiesResponseSchema,
  ListThoughtsResponseSchema,
  SearchThoughtsResponseSchema,
  UpdateThoughtResponseSchema,
  type Thought,
} from "../../gen/sum/v1/knowledge_pb.js";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { EventLog } from "../platform/events/event-log.js";
import { bindService, type ServiceBinding } from "../platform/rpc/service-binding.js";
import { ConceptRepository } from "./concept-repository.js";
import { knowledgeEventTypes } from "./knowledge-events.js";
import { conceptSummaries, insights } from "./knowledge-insights.js";
import { decodeIntegerToken, decodePageToken, encodePageToken, pageSize } from "../platform/rpc/page-tokens.js";
import { DENSIFY_MIN_THOUGHTS, KnowledgeStore, notFound, type KnowledgeLimits, type NewThought } from "./knowledge-store.js";
import {
  checkConcept,
  checkContent,
  checkFilter,
  checkId,
  checkRequestId,
  checkSource,
  checkTags,
  checkTimeZone,
  ftsQuery,
  invalidArgument,
  metadataJson,
  type CheckedFilter,
} from "./knowledge-validation.js";
import { clusterMessage, thoughtMessage } from "./thought-messages.js";
import { ThoughtRepository, type ThoughtQuery, type ThoughtRow } from "./thought-repository.js";
import { watchThoughts } from "./thought-watch.js";
import { InsightJob } from "./insight-job.js";
import type { Logger } from "../platform/logging/logger.js";
import type { Kysely } from "kysely";
import type { DatabaseSchema } from "../platform/database/schema.js";

/** KNOWLEDGE_SEARCH_RANK_LIMIT's default. */
export const DEFAULT_SEARCH_RANK_LIMIT = 20_000;
/** Connections returned with a thought, most similar first. */
export const RETURNED_CONNECTIONS = 20;
export const UPDATABLE_FIELDS = ["content", "source", "tags", "metadata", "time_zone"] as const;
type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

export interface KnowledgeServiceOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly events: EventLog;
  readonly limits: KnowledgeLimits;
  readonly now?: () => Date;
  /** How often the periodic insight job runs; 0 or absent: never. */
  readonly insightIntervalMs?: number;
  /** Matches one search ranks at most (its newest); DEFAULT_SEARCH_RANK_LIMIT when absent. */
  readonly searchRankLimit?: number;
  readonly logger?: Logger;
}

export function knowledgeService(options: KnowledgeServiceOptions): ServiceBinding {
  const thoughts = new ThoughtRepository(options.db);
  const concepts = new ConceptRepository(options.db);
  const store = new KnowledgeStore(options.events, thoughts, options.limits, options.now);
  const clock = options.now ?? (() => new Date());
  const { limits } = options;
  const insightJob = new InsightJob({
    db: options.db,
    events: options.events,
    concepts,
    intervalMs: options.insightIntervalMs ?? 0,
    logger: options.logger,
    now: options.now,
  });
  insightJob.start();

  const withConnections = async (row: ThoughtRow): Promise<Thought> => thoughtMessage(row, await thoughts.connectionsOf(row.seq, RETURNED_CONNECTIONS));
  const query = async (filter: CheckedFilter): Promise<ThoughtQuery> => ({
    tag: filter.tag,
    concept: filter.concept,
    source: filter.source,
    minSeq: filter.start === undefined ? undefined : await thoughts.seqAtOrAfter(filter.start),
    maxSeq: filter.end === undefined ? undefined : await thoughts.seqAtOrAfter(filter.end),
  });

  return bindService(
    KnowledgeService,
    {
      async captureThought(request) {
        const thought: NewThought = {
          content: checkContent(request.content, limits.maxContentBytes),
          source: checkSource(request.source),
          tags: checkTags(request.tags),
          metadata: metadataJson(request.metadata),
          timeZone: checkTimeZone(request.timeZone, limits.timeZone),
          requestId: checkRequestId(request.requestId),
        };
        return create(CaptureThoughtResponseSchema, { thought: await withConnections(await store.capture(thought)) });
      },

      async getThought(request) {
        const id = checkId(request.id);
        const row = await thoughts.byId(id);
        if (row === undefined) throw notFound(id);
        return create(GetThoughtResponseSchema, { thought: await withConnections(row) });
      },

      async listThoughts(request) {
        const limit = pageSize(request.pageSize, 100, 1000);
        const before = decodeIntegerToken("thoughts", request.pageToken) ?? 0;
        const rows = await thoughts.page(await query(checkFilter(request.filter)), before, limit + 1);
        const page = rows.slice(0, limit);
        return create(ListThoughtsResponseSchema, {
          thoughts: await Promise.all(page.map(withConnections)),
          nextPageToken: rows.length > limit ? encodePageToken("thoughts", String(page.at(-1)!.seq)) : "",
        });
      },

      async updateThought(request) {
        if (request.thought === undefined) throw invalidArgument("thought", "required");
        const id = checkId(request.thought.id, "thought.id");
        const paths = request.updateMask?.paths ?? [];
        for (const [index, path] of paths.entries()) {
          if (!(UPDATABLE_FIELDS as readonly string[]).includes(path)) {
            throw invalidArgument(`update_mask.paths[${index}]`, `"${path}" is not an updatable field; use ${UPDATABLE_FIELDS.join(", ")}`);
          }
        }
        const fields = new Set<UpdatableField>(paths.length === 0 ? UPDATABLE_FIELDS : (paths as UpdatableField[]));
        const given = request.thought;
        const change: Partial<Omit<NewThought, "requestId">> = {
          ...(fields.has("content") ? { content: checkContent(given.content, limits.maxContentBytes, "thought.content") } : {}),
          ...(fields.has("source") ? { source: checkSource(given.source, "thought.source") } : {}),
          ...(fields.has("tags") ? { tags: checkTags(given.tags, "thought.tags") } : {}),
          ...(fields.has("metadata") ? { metadata: metadataJson(given.metadata, "thought.metadata") } : {}),
          ...(fields.has("time_zone") ? { timeZone: checkTimeZone(given.timeZone, limits.timeZone, "thought.time_zone") } : {}),
        };
        let expectedVersion: number | undefined;
        if (request.version !== undefined) {
          if (request.version < 1n) throw invalidArgument("version", `must be ≥ 1, got ${request.version}`);
          expectedVersion = request.version > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(request.version);
        }
        const row = await store.update(id, change, expectedVersion).catch((error: unknown) => {
          if (error instanceof ConnectError && error.code === Code.NotFound) throw notFound(id, "thought.id");
          throw error;
        });
        return create(UpdateThoughtResponseSchema, { thought: await withConnections(row) });
      },

      async deleteThought(request) {
        await store.delete(checkId(request.id));
        return create(DeleteThoughtResponseSchema, {});
      },

      async searchThoughts(request) {
        const match = ftsQuery(request.query);
        const limit = pageSize(request.pageSize, 20, 100);
        const offset = decodeIntegerToken("search", request.pageToken) ?? 0;
        const found = await thoughts.search(match, await query(checkFilter(request.filter)), offset, limit + 1, options.searchRankLimit ?? DEFAULT_SEARCH_RANK_LIMIT);
        const page = found.rows.slice(0, limit);
        return create(SearchThoughtsResponseSchema, {
          results: await Promise.all(
            page.map(async (row) => ({ thought: await withConnections(row), snippet: row.snippet, score: Math.round(-row.rank * 10_000) / 10_000 })),
          ),
          nextPageToken: found.rows.length > limit ? encodePageToken("search", String(offset + limit)) : "",
          rankedNewestOnly: found.newestOnly,
        });
      },

      async listConcepts(request) {
        const limit = pageSize(request.pageSize, 100, 1000);
        const position = decodePageToken("concepts", request.pageToken);
        let after: { count: number; name: string } | undefined;
        if (position !== undefined) {
          const match = /^(\d{1,15}):(.+)$/s.exec(position);
          if (match === null) throw invalidArgument("page_token", "not a token this method returned");
          after = { count: Number(match[1]), name: match[2]! };
        }
        const rows = await concepts.page(after, limit + 1);
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return create(ListConceptsResponseSchema, {
          concepts: await conceptSummaries(concepts, page, clock().getTime()),
          nextPageToken: rows.length > limit && last !== undefined ? encodePageToken("concepts", `${last.thought_count}:${last.name}`) : "",
        });
      },

      async getInsights() {
        return insights(concepts, await thoughts.count(), clock().getTime());
      },

      async listDensifyOpportunities(request) {
        const limit = pageSize(request.pageSize, 20, 100);
        const rows = await concepts.page(undefined, limit, DENSIFY_MIN_THOUGHTS);
        const opportunities = [];
        for (const row of rows) {
          const last = await store.clusters.latestFor(row.name);
          const newThoughts = last === undefined ? row.thought_count : Math.max(0, row.thought_count - (JSON.parse(last.thought_ids) as string[]).length);
          opportunities.push({
            concept: row.name,
            thoughtCount: BigInt(row.thought_count),
            newThoughtCount: BigInt(newThoughts),
            lastDensifyTime: last === undefined ? undefined : timestampFromDate(new Date(last.created_at)),
          });
        }
        return create(ListDensifyOpportunitiesResponseSchema, { opportunities });
      },

      async densify(request) {
        const concept = checkConcept(request.concept, "concept");
        return create(DensifyResponseSchema, { cluster: clusterMessage(await store.densify(concept)) });
      },

      async listClusters(request) {
        const limit = pageSize(request.pageSize, 100, 1000);
        const before = decodeIntegerToken("clusters", request.pageToken) ?? 0;
        const concept = request.concept === "" ? undefined : checkConcept(request.concept, "concept");
        const rows = await store.clusters.page(concept, before, limit + 1);
        const page = rows.slice(0, limit);
        return create(ListClustersResponseSchema, {
          clusters: page.map(clusterMessage),
          nextPageToken: rows.length > limit ? encodePageToken("clusters", String(page.at(-1)!.seq)) : "",
        });
      },

      async getCluster(request) {
        const id = checkId(request.id);
        const row = await store.clusters.byId(id);
        if (row === undefined) throw new ConnectError(`id: cluster "${id}" not found`, Code.NotFound);
        return create(GetClusterResponseSchema, { cluster: clusterMessage(row) });
      },

      async *watchThoughts(request, context) {
        if (request.afterSequence < 0n) throw invalidArgument("after_sequence", `must be ≥ 0, got ${request.afterSequence}`);
        yield* watchThoughts(options.events, thoughts, Number(request.afterSequence), context.signal);
      },
    },
    { dependsOn: ["database"], eventTypes: knowledgeEventTypes, close: () => insightJob.stop() },
  );
}
