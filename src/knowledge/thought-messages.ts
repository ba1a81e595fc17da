/**
 * Stored rows as KnowledgeService messages.
 */
import { create, type JsonObject } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { KnowledgeClusterSchema, ThoughtSchema, type KnowledgeCluster, type Thought } from "../../gen/sum/v1/knowledge_pb.js";
import type { ClusterRow } from "./cluster-repository.js";
import type { ConceptWeight } from "./concept-names.js";
import type { ConnectionRow, ThoughtRow } from "./thought-repository.js";

export function thoughtMessage(row: ThoughtRow, connections: readonly ConnectionRow[]): Thought {
  return create(ThoughtSchema, {
    id: row.id,
    content: row.content,
    source: row.source,
    createTime: timestampFromDate(new Date(row.created_at)),
    updateTime: timestampFromDate(new Date(row.updated_at)),
    concepts: JSON.parse(row.concepts) as ConceptWeight[],
    tags: JSON.parse(row.tags) as string[],
    importance: row.importance,
    wordCount: BigInt(row.word_count),
    connections: connections.map((connection) => ({
      thoughtId: connection.otherId,
      similarity: connection.similarity,
      sharedConcepts: JSON.parse(connection.shared) as string[],
    })),
    metadata: JSON.parse(row.metadata) as JsonObject,
    timeZone: row.time_zone,
    version: BigInt(row.version),
  });
}

export function clusterMessage(row: ClusterRow): KnowledgeCluster {
  return create(KnowledgeClusterSchema, {
    id: row.id,
    concept: row.concept,
    thoughtIds: JSON.parse(row.thought_ids) as string[],
    summary: row.summary,
    keyInsights: JSON.parse(row.key_insights) as string[],
    originalWordCount: BigInt(row.original_word_count),
    compressedWordCount: BigInt(row.compressed_word_count),
    compressionRatio: row.compression_ratio,
    createTime: timestampFromDate(new Date(row.created_at)),
  });
}
