/**
 * A concept's trend from its daily counts: the last 7 days against the 7
 * before. Rising at ≥ 1.5×, falling at ≤ 2/3×, new when first seen within
 * the last 7 days. Pure: "today" is given.
 */
import { ConceptTrend } from "../../gen/sum/v1/knowledge_pb.js";

const DAY_MS = 86_400_000;
export const TREND_WINDOW_DAYS = 7;

export const dayString = (time: number): string => new Date(time).toISOString().slice(0, 10);

export interface TrendCounts {
  readonly recent: number;
  readonly previous: number;
}

/** Sums daily counts into the last window and the one before, ending `now`. */
export function windowCounts(days: readonly { day: string; count: number }[], now: number): TrendCounts {
  const recentFrom = dayString(now - (TREND_WINDOW_DAYS - 1) * DAY_MS);
  const previousFrom = dayString(now - (2 * TREND_WINDOW_DAYS - 1) * DAY_MS);
  let recent = 0;
  let previous = 0;
  for (const { day, count } of days) {
    if (day >= recentFrom) recent += count;
    else if (day >= previousFrom) previous += count;
  }
  return { recent, previous };
}

export function trendOf(counts: TrendCounts, firstSeen: string, now: number): ConceptTrend {
  if (firstSeen >= dayString(now - (TREND_WINDOW_DAYS - 1) * DAY_MS)) return ConceptTrend.NEW;
  if (counts.recent >= 1.5 * counts.previous && counts.recent > counts.previous) return ConceptTrend.RISING;
  if (counts.recent * 3 <= counts.previous * 2) return ConceptTrend.FALLING;
  return ConceptTrend.STABLE;
}

/** The first day of the earliest window trends and evolution read. */
export const earliestDay = (now: number, days: number): string => dayString(now - (days - 1) * DAY_MS);

/** Counts per week (7-day blocks ending today), oldest first. */
export function weeklyCounts(days: readonly { day: string; count: number }[], now: number, weeks: number): number[] {
  const counts = new Array<number>(weeks).fill(0);
  const today = Date.parse(dayString(now));
  for (const { day, count } of days) {
    const age = Math.floor((today - Date.parse(day)) / DAY_MS / 7);
    if (age >= 0 && age < weeks) counts[weeks - 1 - age]! += count;
  }
  return counts;
}
