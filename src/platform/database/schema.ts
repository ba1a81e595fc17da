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

export interface WebhooksTable {
  id: string;
  url: string;
  /** JSON array of exact types and trailing-wildcard patterns. */
  event_types: string;
  description: string;
  /** JSON object of extra request headers. */
  headers: string;
  /** 1 or 0. */
  enabled: number;
  disabled_reason: Generated<string>;
  /** AES-256-GCM ciphertext of the signing secret (see src/webhooks/secret-box.ts). */
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  request_id: string | null;
  /** The webhook receives events committed after this sequence. */
  after_sequence: number;
  /** RFC 3339; set by the first failure after a success, cleared by a success. */
  failing_since: string | null;
  circuit_opens: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface WebhookMessagesTable {
  id: Generated<number>;
  webhook_id: string;
  event_id: string;
  event_type: string;
  /** `pending`, `succeeded` or `failed`. */
  status: string;
  /** Attempts in the current round of the retry schedule. */
  attempt_count: Generated<number>;
  /** Epoch milliseconds; null unless pending. */
  next_attempt_at: number | null;
  created_at: string;
  /** Bumped by Redeliver and Replay: outcomes of an earlier round's attempts leave the state alone. */
  round: Generated<number>;
  /** The latest attempt as JSON (LatestAttempt in delivery-repository.ts); earlier ones are in webhook_attempts. */
  latest_attempt: string | null;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  message_id: number;
  webhook_id: string;
  attempted_at: string;
  http_status: number;
  latency_ms: number;
  error: string;
  next_attempt_at: number | null;
  succeeded: number;
  retry: number;
}

export interface WebhookDispatchCursorTable {
  name: string;
  sequence: number;
}

/** One feature flag; `definition` is the Flag message as protobuf JSON, without version and times. */
export interface FlagsTable {
  key: string;
  definition: string;
  version: number;
  /** CreateFlag's request_id, so a retry returns the first result. */
  request_id: string | null;
  created_at: string;
  updated_at: string;
}

/** Who changed which flag, when, from what to what (Flag JSON, null for a creation or deletion). */
export interface FlagAuditTable {
  id: Generated<number>;
  flag_key: string;
  kind: string;
  actor: string;
  time: string;
  old_definition: string | null;
  new_definition: string | null;
}

/** One captured thought with its enrichment; `seq` is the full-text index's rowid. */
export interface ThoughtsTable {
  seq: Generated<number>;
  id: string;
  content: string;
  source: string;
  /** JSON array of strings: the caller's tags and automatic ones. */
  tags: string;
  /** JSON array of `{ name, weight }`, best first. */
  concepts: string;
  /** JSON object. */
  metadata: string;
  time_zone: string;
  /** Hour (0–23) and weekday (0 = Sunday) of capture in `time_zone`. */
  local_hour: number;
  local_weekday: number;
  importance: number;
  word_count: number;
  request_id: string | null;
  created_at: string;
  updated_at: string;
  /** 1 at capture, +1 per update (UpdateThought's expected version). */
  version: Generated<number>;
}

export interface ThoughtTagsTable {
  tag: string;
  thought_seq: number;
}

/** The inverted index concept → thought; `weight` is unit-normalised over the thought's concepts. */
export interface ThoughtConceptsTable {
  concept: string;
  thought_seq: number;
  weight: number;
}

/** A connection between two thoughts, stored once, under the newer one. */
export interface ThoughtLinksTable {
  newer_seq: number;
  older_seq: number;
  similarity: number;
  /** JSON array of shared concept names. */
  shared: string;
}

/** How many connections a thought has (a row only once it has one). */
export interface ThoughtConnectionCountsTable {
  seq: number;
  count: number;
}

export interface ConceptsTable {
  name: string;
  thought_count: number;
  first_seen: string;
  last_seen: string;
}

/** Thoughts per concept per UTC day (YYYY-MM-DD), for trends and evolution. */
export interface ConceptDaysTable {
  concept: string;
  day: string;
  count: number;
}

/** Thoughts per local weekday and hour of capture. */
export interface ThoughtActivityTable {
  weekday: number;
  hour: number;
  count: number;
}

export interface KnowledgeClustersTable {
  seq: Generated<number>;
  id: string;
  concept: string;
  /** JSON array of thought ids. */
  thought_ids: string;
  summary: string;
  /** JSON array of sentences. */
  key_insights: string;
  original_word_count: number;
  compressed_word_count: number;
  compression_ratio: number;
  created_at: string;
}

export interface ClusterThoughtsTable {
  thought_seq: number;
  cluster_seq: number;
}

/** An insight the periodic insight job has published, by a stable key such as `top-concept:graph database`. */
export interface KnowledgeInsightsTable {
  key: string;
  insight: string;
  published_at: string;
}

export interface DatabaseSchema {
  events: EventsTable;
  webhooks: WebhooksTable;
  webhook_messages: WebhookMessagesTable;
  webhook_attempts: WebhookAttemptsTable;
  webhook_dispatch_cursor: WebhookDispatchCursorTable;
  flags: FlagsTable;
  flag_audit: FlagAuditTable;
  thoughts: ThoughtsTable;
  thought_tags: ThoughtTagsTable;
  thought_concepts: ThoughtConceptsTable;
  thought_links: ThoughtLinksTable;
  thought_connection_counts: ThoughtConnectionCountsTable;
  concepts: ConceptsTable;
  concept_days: ConceptDaysTable;
  thought_activity: ThoughtActivityTable;
  knowledge_clusters: KnowledgeClustersTable;
  cluster_thoughts: ClusterThoughtsTable;
  knowledge_insights: KnowledgeInsightsTable;
}
