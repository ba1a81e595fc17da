/**
 * Densified clusters in the shared database: the cluster row and which
 * thoughts it was made from, so deleting a thought can delete the clusters
 * that quote it.
 */
import type { Kysely, Selectable } from "kysely";
import type { DatabaseSchema, KnowledgeClustersTable } from "../platform/database/schema.js";
import type { Executor } from "./thought-repository.js";

export type ClusterRow = Selectable<KnowledgeClustersTable>;

export class ClusterRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async insert(trx: Executor, row: Omit<KnowledgeClustersTable, "seq">, thoughtSeqs: readonly number[]): Promise<number> {
    const { seq } = await trx.insertInto("knowledge_clusters").values(row).returning("seq").executeTakeFirstOrThrow();
    if (thoughtSeqs.length > 0) {
      await trx.insertInto("cluster_thoughts").values(thoughtSeqs.map((thought_seq) => ({ thought_seq, cluster_seq: seq }))).execute();
    }
    return seq;
  }

  byId(id: string): Promise<ClusterRow | undefined> {
    return this.db.selectFrom("knowledge_clusters").selectAll().where("id", "=", id).executeTakeFirst();
  }

  latestFor(concept: string, executor: Executor = this.db): Promise<ClusterRow | undefined> {
    return executor.selectFrom("knowledge_clusters").selectAll().where("concept", "=", concept).orderBy("seq", "desc").limit(1).executeTakeFirst();
  }

  page(concept: string | undefined, beforeSeq: number, limit: number): Promise<ClusterRow[]> {
    let query = this.db.selectFrom("knowledge_clusters").selectAll();
    if (concept !== undefined) query = query.where("concept", "=", concept);
    if (beforeSeq > 0) query = query.where("seq", "<", beforeSeq);
    return query.orderBy("seq", "desc").limit(limit).execute();
  }

  /** Deletes the clusters made from `thoughtSeq`; returns their ids. */
  async deleteContaining(trx: Executor, thoughtSeq: number): Promise<string[]> {
    const clusters = await trx
      .selectFrom("cluster_thoughts as ct")
      .innerJoin("knowledge_clusters as k", "k.seq", "ct.cluster_seq")
      .select(["k.seq", "k.id"])
      .where("ct.thought_seq", "=", thoughtSeq)
      .execute();
    if (clusters.length === 0) return [];
    const seqs = clusters.map((cluster) => cluster.seq);
    await trx.deleteFrom("cluster_thoughts").where("cluster_seq", "in", seqs).execute();
    await trx.deleteFrom("knowledge_clusters").where("seq", "in", seqs).execute();
    return clusters.map((cluster) => cluster.id);
  }
}
