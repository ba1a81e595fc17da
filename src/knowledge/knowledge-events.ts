/**
 * The events KnowledgeService publishes, each in the transaction of the
 * write that caused it. Events that carry a thought's words name it by
 * `thoughtId` (or the cluster by `clusterId`): deleting the thought erases
 * those words from the log by that key (see EventLog.redact).
 */
import type { JsonObject } from "@bufbuild/protobuf";
import type { EventTypeSpec } from "../platform/events/event-catalogue.js";
import type { EventInput } from "../platform/events/event-log.js";

export const THOUGHT_CAPTURED = "thought.captured";
export const THOUGHT_UPDATED = "thought.updated";
export const THOUGHT_DELETED = "thought.deleted";
export const KNOWLEDGE_DENSIFIED = "knowledge.densified";
export const INSIGHT_GENERATED = "insight.generated";
export const PATTERN_DETECTED = "pattern.detected";

/** The thought-change events WatchThoughts follows. */
export const THOUGHT_CHANGES = [THOUGHT_CAPTURED, THOUGHT_UPDATED, THOUGHT_DELETED] as const;

/** Fields erased from an event when the thought or cluster it describes is deleted. */
export const CONTENT_FIELDS = ["content", "concepts", "tags", "summary", "insights", "concept"] as const;

export interface ThoughtFacts {
  readonly thoughtId: string;
  readonly content: string;
  readonly source: string;
  readonly concepts: readonly string[];
  readonly tags: readonly string[];
  readonly importance: number;
}

const thoughtData = (facts: ThoughtFacts): JsonObject => ({
  thoughtId: facts.thoughtId,
  content: facts.content,
  source: facts.source,
  concepts: [...facts.concepts],
  tags: [...facts.tags],
  importance: facts.importance,
});

export const thoughtCaptured = (facts: ThoughtFacts): EventInput => ({ type: THOUGHT_CAPTURED, data: thoughtData(facts) });
export const thoughtUpdated = (facts: ThoughtFacts): EventInput => ({ type: THOUGHT_UPDATED, data: thoughtData(facts) });
export const thoughtDeleted = (thoughtId: string): EventInput => ({ type: THOUGHT_DELETED, data: { thoughtId } });

export function knowledgeDensified(cluster: {
  clusterId: string;
  concept: string;
  thoughtIds: readonly string[];
  summary: string;
  originalWordCount: number;
  compressedWordCount: number;
  compressionRatio: number;
}): EventInput {
  return { type: KNOWLEDGE_DENSIFIED, data: { ...cluster, thoughtIds: [...cluster.thoughtIds] } };
}

export const insightGenerated = (clusterId: string, concept: string, insights: readonly string[]): EventInput => ({
  type: INSIGHT_GENERATED,
  data: { clusterId, concept, insights: [...insights], origin: "densify" },
});

/** One insight of the periodic job, under the key that remembers it was published. */
export interface PeriodicInsight {
  readonly key: string;
  readonly insight: string;
}

export const periodicInsightsGenerated = (insights: readonly PeriodicInsight[]): EventInput => ({
  type: INSIGHT_GENERATED,
  data: { insights: insights.map((entry) => entry.insight), keys: insights.map((entry) => entry.key), origin: "periodic" },
});

export const patternDetected = (thoughtId: string, concept: string, count: number, windowHours: number): EventInput => ({
  type: PATTERN_DETECTED,
  data: { thoughtId, concept, thoughtCount: count, windowHours },
});

export const knowledgeEventTypes: readonly EventTypeSpec[] = [
  {
    type: THOUGHT_CAPTURED,
    description: "A thought was captured; its concepts, tags and importance are those stored. Content is erased if the thought is deleted.",
    example: { thoughtId: "0190f3a2-7c1e-7d3a-9b1f-2c4d5e6f7a8b", content: "I realized graph databases suit my notes.", source: "direct", concepts: ["graph database", "note"], tags: ["insight", "morning"], importance: 0.46 },
  },
  {
    type: THOUGHT_UPDATED,
    description: "A thought was changed and enriched again.",
    example: { thoughtId: "0190f3a2-7c1e-7d3a-9b1f-2c4d5e6f7a8b", content: "Graph databases suit my notes and my tasks.", source: "direct", concepts: ["graph database"], tags: ["morning"], importance: 0.3 },
  },
  {
    type: THOUGHT_DELETED,
    description: "A thought was deleted; earlier events about it no longer carry its content.",
    example: { thoughtId: "0190f3a2-7c1e-7d3a-9b1f-2c4d5e6f7a8b" },
  },
  {
    type: KNOWLEDGE_DENSIFIED,
    description: "The thoughts of a concept were summarized into a stored cluster.",
    example: { clusterId: "0190f3a3-0000-7000-8000-000000000001", concept: "graph database", thoughtIds: ["0190f3a2-7c1e-7d3a-9b1f-2c4d5e6f7a8b"], summary: "Graph databases suit my notes.", originalWordCount: 120, compressedWordCount: 30, compressionRatio: 0.25 },
  },
  {
    type: INSIGHT_GENERATED,
    description:
      "New insights: from Densify (origin `densify`: key insights a concept's previous cluster did not have, with clusterId and concept) or from the periodic insight job (origin `periodic`: a concept newly among the top concepts, a new peak hour or weekday, with their keys).",
    example: { clusterId: "0190f3a3-0000-7000-8000-000000000001", concept: "graph database", insights: ["Graph databases suit my notes."], origin: "densify" },
  },
  {
    type: PATTERN_DETECTED,
    description: "A concept recurred: its thoughts within the window reached the threshold (3 in 24 h by default) or doubled since.",
    example: { thoughtId: "0190f3a2-7c1e-7d3a-9b1f-2c4d5e6f7a8b", concept: "graph database", thoughtCount: 3, windowHours: 24 },
  },
];
