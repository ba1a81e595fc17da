/**
 * Durations written for people in configuration: an integer with a unit,
 * `250ms`, `5s`, `30m`, `2h`, `5d`. A bare `0` is zero.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (match === null) return undefined;
  const unit = match[2];
  if (unit === undefined) return match[1] === "0" ? 0 : undefined;
  return Number(match[1]) * UNIT_MS[unit]!;
}
