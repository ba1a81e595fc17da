/**
 * Every KnowledgeService write, each in one transaction with its events:
 * capture (enrich, store, index, connect, detect patterns), update
 * (re-enrich), delete (unindex, disconnect, drop the clusters that quote
 * the thought, erase its words from stored events) and densify. Enrichment
 * and summarizing run before the transaction opens, so it holds the write
 * lock only for the writes.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { Transaction } from "kysely";
import { uuidv7 } from "uuidv7";
import type { DatabaseSchema } from "../platform/database/schema.js";
import type { EventLog } from "../platform/events/event-log.js";
import { AutomaticTag } from "./automatic-tags.js";
import { ClusterRepository, type ClusterRow } from "./cluster-repository.js";
import type { ConceptWeight } from "./concept-names.js";
import {
  CONTENT_FIELDS,
  insightGenerated,
  knowledgeDensified,
  patternDetected,
  thoughtCaptured,
  thoughtDeleted,
  thoughtUpdated,
  type ThoughtFacts,
} from "./knowledge-events.js";
import { patternReached, type PatternRule } from "./pattern-detection.js";
import { densify } from "./thought-densifier.js";
import { enrichThought, type Enrichment } from "./thought-enrichment.js";
import { ThoughtRepository, type ThoughtRow } from "./thought-repository.js";
import { CANDIDATES_PER_CONCEPT, relatedThoughts, unitWeights } from "./thought-similarity.js";

export interface KnowledgeLimits {
  readonly timeZone: string;
  readonly maxContentBytes: number;
  readonly pattern: PatternRule;
}

export interface NewThought {
  readonly content: string;
  readonly source: string;
  readonly tags: readonly string[];
  readonly metadata: string;
  readonly timeZone: string;
  readonly requestId: string | null;
}

/** Densify reads at most this many of a concept's most recent thoughts. */
export const DENSIFY_MAX_THOUGHTS = 50;
/** A concept needs this many thoughts to be densified (and to be listed as an opportunity). */
export const DENSIFY_MIN_THOUGHTS = 2;

const AUTOMATIC_NAMES: ReadonlySet<string> = new Set([...Object.values(AutomaticTag), "morning", "afternoon", "evening", "night"]);

/** The tags a caller gave, recovered from stored tags (automatic ones are recomputed). */
export const callerTags = (tags: readonly string[]): string[] => tags.filter((tag) => !AUTOMATIC_NAMES.has(tag));

type Trx = Transaction<DatabaseSchema>;

export class KnowledgeStore {
  readonly thoughts: ThoughtRepository;
  readonly clusters: ClusterRepository;

  constructor(
    private readonly events: EventLog,
    thoughts: ThoughtRepository,
    private readonly limits: KnowledgeLimits,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.thoughts = thoughts;
    this.clusters = new ClusterRepository(thoughts.db);
  }

  async capture(thought: NewThought): Promise<ThoughtRow> {
    if (thought.requestId !== null) {
      const earlier = await this.thoughts.byRequestId(thought.requestId);
      if (earlier !== undefined) return earlier;
    }
    const moment = this.now();
    const enrichment = enrichThought(thought.content, thought.tags, moment, thought.timeZone);
    const createdAt = moment.toISOString();
    return this.events.transaction(async (trx) => {
      if (thought.requestId !== null) {
        const earlier = await this.thoughts.byRequestId(thought.requestId, trx);
        if (earlier !== undefined) return earlier;
      }
      const row = {
        id: uuidv7(),
        content: thought.content,
        source: thought.source,
        tags: JSON.stringify(enrichment.tags),
        concepts: JSON.stringify(enrichment.concepts),
        metadata: thought.metadata,
        time_zone: thought.timeZone,
        local_hour: enrichment.localHour,
        local_weekday: enrichment.localWeekday,
        importance: enrichment.importance,
        word_count: enrichment.wordCount,
        request_id: thought.requestId,
        created_at: createdAt,
        updated_at: createdAt,
      };
      const seq = await this.thoughts.insert(trx, row);
      await this.indexAndConnect(trx, seq, enrichment, createdAt);
      await this.events.publish(trx, thoughtCaptured(facts(row.id, thought.content, thought.source, enrichment)));
      await this.detectPatterns(trx, row.id, enrichment.concepts, moment);
      return { ...row, seq, version: 1 };
    });
  }

  /**
   * Re-enriches and stores a changed thought. With `expectedVersion`, a thought
   * whose stored version differs is left alone: ABORTED naming the current one.
   */
  async update(id: string, change: Partial<Omit<NewThought, "requestId">>, expectedVersion?: number): Promise<ThoughtRow> {
    const current = await this.thoughts.byId(id);
    if (current === undefined) throw notFound(id);
    checkVersion(current, expectedVersion);
    const updatedAt = this.now().toISOString();
    const plan = (base: ThoughtRow) => {
      const content = change.content ?? base.content;
      const source = change.source ?? base.source;
      const timeZone = change.timeZone ?? base.time_zone;
      const tags = change.tags ?? callerTags(JSON.parse(base.tags) as string[]);
      return { content, source, timeZone, enrichment: enrichThought(content, tags, new Date(base.created_at), timeZone) };
    };
    const planned = plan(current);
    return this.events.transaction(async (trx) => {
      const row = await this.thoughts.byId(id, trx);
      if (row === undefined) throw notFound(id);
      checkVersion(row, expectedVersion);
      // Changed since it was read (last write wins): keep the other fields as they are now.
      const { content, source, timeZone, enrichment } = row.version === current.version ? planned : plan(row);
      await this.thoughts.unindex(trx, row);
      await this.thoughts.disconnect(trx, row.seq);
      const next = {
        content,
        source,
        tags: JSON.stringify(enrichment.tags),
        concepts: JSON.stringify(enrichment.concepts),
        metadata: change.metadata ?? row.metadata,
        time_zone: timeZone,
        local_hour: enrichment.localHour,
        local_weekday: enrichment.localWeekday,
        importance: enrichment.importance,
        word_count: enrichment.wordCount,
        updated_at: updatedAt,
        version: row.version + 1,
      };
      await this.thoughts.replaceContent(trx, row.seq, next);
      await this.indexAndConnect(trx, row.seq, enrichment, row.created_at);
      await this.events.publish(trx, thoughtUpdated(facts(id, content, source, enrichment)));
      return { ...row, ...next };
    });
  }

  async delete(id: string): Promise<void> {
    await this.events.transaction(async (trx) => {
      const row = await this.thoughts.byId(id, trx);
      if (row === undefined) throw notFound(id);
      await this.thoughts.unindex(trx, row);
      await this.thoughts.disconnect(trx, row.seq);
      for (const clusterId of await this.clusters.deleteContaining(trx, row.seq)) {
        await this.events.redact(trx, "clusterId", clusterId, CONTENT_FIELDS);
      }
      await this.thoughts.deleteRow(trx, row.seq);
      await this.events.redact(trx, "thoughtId", id, CONTENT_FIELDS);
      await this.events.publish(trx, thoughtDeleted(id));
    });
  }

  async densify(concept: string): Promise<ClusterRow> {
    const rows = (await this.thoughts.withConcept(this.thoughts.db, concept, DENSIFY_MAX_THOUGHTS)).reverse();
    if (rows.length === 0) throw new ConnectError(`concept: no thought has the concept "${concept}"`, Code.NotFound);
    if (rows.length < DENSIFY_MIN_THOUGHTS) {
      throw new ConnectError(`concept: "${concept}" has ${rows.length} thought; densify needs at least ${DENSIFY_MIN_THOUGHTS}`, Code.FailedPrecondition);
    }
    const result = await densify(rows.map((row) => row.content));
    const createdAt = this.now().toISOString();
    return this.events.transaction(async (trx) => {
      // A thought deleted while the summary ran must not be quoted by the cluster.
      const present = await this.thoughts.bySeqs(rows.map((row) => row.seq), trx);
      if (present.size !== rows.length) throw new ConnectError(`concept: thoughts of "${concept}" changed during densify; try again`, Code.Aborted);
      const previous = await this.clusters.latestFor(concept, trx);
      const row = {
        id: uuidv7(),
        concept,
        thought_ids: JSON.stringify(rows.map((thought) => thought.id)),
        summary: result.summary,
        key_insights: JSON.stringify(result.keyInsights),
        original_word_count: result.originalWordCount,
        compressed_word_count: result.compressedWordCount,
        compression_ratio: result.compressionRatio,
        created_at: createdAt,
      };
      const seq = await this.clusters.insert(trx, row, rows.map((thought) => thought.seq));
      await this.events.publish(
        trx,
        knowledgeDensified({
          clusterId: row.id,
          concept,
          thoughtIds: rows.map((thought) => thought.id),
          summary: result.summary,
          originalWordCount: result.originalWordCount,
          compressedWordCount: result.compressedWordCount,
          compressionRatio: result.compressionRatio,
        }),
      );
      const known = new Set(previous === undefined ? [] : (JSON.parse(previous.key_insights) as string[]));
      const fresh = result.keyInsights.filter((insight) => !known.has(insight));
      if (fresh.length > 0) await this.events.publish(trx, insightGenerated(row.id, concept, fresh));
      return { ...row, seq };
    });
  }

  private async indexAndConnect(trx: Trx, seq: number, enrichment: Enrichment, createdAt: string): Promise<void> {
    const weights = unitWeights(enrichment.concepts);
    const candidates = await this.thoughts.candidates(trx, [...weights.keys()], CANDIDATES_PER_CONCEPT, seq);
    await this.thoughts.index(trx, {
      seq,
      tags: enrichment.tags,
      concepts: weights,
      createdAt,
      hour: enrichment.localHour,
      weekday: enrichment.localWeekday,
    });
    await this.thoughts.connect(trx, seq, relatedThoughts(weights, candidates));
  }

  private async detectPatterns(trx: Trx, thoughtId: string, concepts: readonly ConceptWeight[], moment: Date): Promise<void> {
    if (concepts.length === 0) return;
    const windowStart = new Date(moment.getTime() - this.limits.pattern.windowMs).toISOString();
    const fromSeq = await this.thoughts.seqAtOrAfter(windowStart, trx);
    for (const concept of concepts) {
      const count = await this.thoughts.conceptCountSince(trx, concept.name, fromSeq);
      if (patternReached(count, this.limits.pattern)) {
        await this.events.publish(trx, patternDetected(thoughtId, concept.name, count, this.limits.pattern.windowMs / 3_600_000));
      }
    }
  }
}

function facts(thoughtId: string, content: string, source: string, enrichment: Enrichment): ThoughtFacts {
  return {
    thoughtId,
    content,
    source,
    concepts: enrichment.concepts.map((concept) => concept.name),
    tags: enrichment.tags,
    importance: enrichment.importance,
  };
}

function checkVersion(row: ThoughtRow, expected: number | undefined): void {
  if (expected !== undefined && expected !== row.version) {
    throw new ConnectError(`version: ${expected} is stale; thought "${row.id}" is at version ${row.version}`, Code.Aborted);
  }
}

export function notFound(id: string, path = "id"): ConnectError {
  return new ConnectError(`${path}: thought "${id}" not found`, Code.NotFound);
}
