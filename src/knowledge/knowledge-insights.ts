/**
 * GetInsights: peak hours and days, top concepts with trend, weekly
 * evolution of the top concepts, most connected thoughts. Read from running
 * counts and indexes only, so it costs the same at any size.
 */
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ConceptSummarySchema, GetInsightsResponseSchema, type ConceptSummary, type GetInsightsResponse } from "../../gen/sum/v1/knowledge_pb.js";
import type { ConceptRepository, ConceptRow } from "./concept-repository.js";
import { earliestDay, TREND_WINDOW_DAYS, trendOf, weeklyCounts, windowCounts } from "./concept-trend.js";

export const TOP_CONCEPTS = 10;
export const EVOLUTION_CONCEPTS = 5;
export const EVOLUTION_WEEKS = 8;
export const MOST_CONNECTED = 10;

/** Concept summaries with trend for a page of concept rows. */
export async function conceptSummaries(concepts: ConceptRepository, rows: readonly ConceptRow[], now: number): Promise<ConceptSummary[]> {
  const days = await concepts.days(rows.map((row) => row.name), earliestDay(now, 2 * TREND_WINDOW_DAYS));
  const byConcept = groupDays(days);
  return rows.map((row) => {
    const counts = windowCounts(byConcept.get(row.name) ?? [], now);
    return create(ConceptSummarySchema, {
      name: row.name,
      thoughtCount: BigInt(row.thought_count),
      firstSeenTime: timestampFromDate(new Date(row.first_seen)),
      lastSeenTime: timestampFromDate(new Date(row.last_seen)),
      trend: trendOf(counts, row.first_seen.slice(0, 10), now),
      recentCount: BigInt(counts.recent),
      previousCount: BigInt(counts.previous),
    });
  });
}

export async function insights(concepts: ConceptRepository, thoughtCount: number, now: number): Promise<GetInsightsResponse> {
  const activity = await concepts.activity();
  const hours = new Map<number, number>();
  const weekdays = new Map<number, number>();
  for (const { hour, weekday, count } of activity) {
    hours.set(hour, (hours.get(hour) ?? 0) + count);
    weekdays.set(weekday, (weekdays.get(weekday) ?? 0) + count);
  }
  const busiest = <K extends number>(counts: Map<K, number>) => [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const top = await concepts.page(undefined, TOP_CONCEPTS);
  const evolving = top.slice(0, EVOLUTION_CONCEPTS);
  const days = groupDays(await concepts.days(evolving.map((row) => row.name), earliestDay(now, EVOLUTION_WEEKS * 7)));
  return create(GetInsightsResponseSchema, {
    thoughtCount: BigInt(thoughtCount),
    peakHours: busiest(hours).map(([hour, count]) => ({ hour, count: BigInt(count) })),
    peakDays: busiest(weekdays).map(([weekday, count]) => ({ weekday, count: BigInt(count) })),
    topConcepts: await conceptSummaries(concepts, top, now),
    conceptEvolution: evolving.map((row) => ({
      concept: row.name,
      weeklyCounts: weeklyCounts(days.get(row.name) ?? [], now, EVOLUTION_WEEKS).map(BigInt),
    })),
    mostConnected: (await concepts.mostConnected(MOST_CONNECTED)).map((row) => ({
      thoughtId: row.id,
      connectionCount: BigInt(row.connection_count),
      excerpt: row.content,
    })),
  });
}

function groupDays(days: readonly { concept: string; day: string; count: number }[]): Map<string, { day: string; count: number }[]> {
  const grouped = new Map<string, { day: string; count: number }[]>();
  for (const entry of days) {
    let list = grouped.get(entry.concept);
    if (list === undefined) grouped.set(entry.concept, (list = []));
    list.push(entry);
  }
  return grouped;
}
