/**
 * Where a moment falls in a person's day: hour and weekday in an IANA time
 * zone, by the platform's Intl (full ICU in Node 20).
 */

export interface LocalTime {
  /** 0–23. */
  readonly hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function formatter(zone: string): Intl.DateTimeFormat | undefined {
  let found = formatters.get(zone);
  if (found === undefined) {
    try {
      found = new Intl.DateTimeFormat("en-US", { timeZone: zone, hour: "numeric", hourCycle: "h23", weekday: "short" });
    } catch {
      return undefined;
    }
    if (formatters.size < 1000) formatters.set(zone, found);
  }
  return found;
}

export function isTimeZone(zone: string): boolean {
  return zone.length <= 64 && formatter(zone) !== undefined;
}

/** Throws RangeError for an unknown zone; check with isTimeZone first. */
export function localTime(moment: Date, zone: string): LocalTime {
  const parts = formatter(zone)?.formatToParts(moment);
  if (parts === undefined) throw new RangeError(`unknown time zone "${zone}"`);
  const hour = Number(parts.find((part) => part.type === "hour")?.value ?? 0) % 24;
  const weekday = WEEKDAYS.indexOf(parts.find((part) => part.type === "weekday")?.value ?? "Sun");
  return { hour, weekday: Math.max(0, weekday) };
}
