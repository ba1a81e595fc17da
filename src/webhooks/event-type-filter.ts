/**
 * Which events a webhook receives: exact types (`document.summarized`), a
 * prefix with a trailing wildcard (`document.*`), or `*` for every type.
 * Exact types must exist in the catalogue; a wildcard may name a prefix whose
 * types arrive with a later service.
 */
import type { EventCatalogue } from "../platform/events/event-catalogue.js";

const EXACT = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const WILDCARD = /^([a-z][a-z0-9_]*\.)+\*$|^\*$/;
export const MAX_EVENT_TYPES = 100;

/** An error message for `event_types`, or undefined when every pattern is acceptable. */
export function checkEventTypes(patterns: readonly string[], catalogue: EventCatalogue): string | undefined {
  if (patterns.length === 0) return "event_types: must name at least one event type or pattern such as document.*";
  if (patterns.length > MAX_EVENT_TYPES) return `event_types: at most ${MAX_EVENT_TYPES} entries, got ${patterns.length}`;
  for (const [index, pattern] of patterns.entries()) {
    if (WILDCARD.test(pattern)) continue;
    if (!EXACT.test(pattern)) {
      return `event_types[${index}]: "${pattern}" is neither an event type nor a pattern with a trailing wildcard such as document.*`;
    }
    if (!catalogue.has(pattern)) {
      const known = catalogue.list().map((spec) => spec.type).join(", ");
      return `event_types[${index}]: unknown event type "${pattern}"; known types: ${known}`;
    }
  }
  return undefined;
}

/** A predicate over event types for a webhook's patterns. */
export function eventTypeMatcher(patterns: readonly string[]): (type: string) => boolean {
  const exact = new Set(patterns.filter((pattern) => !pattern.endsWith("*")));
  const prefixes = patterns.filter((pattern) => pattern.endsWith("*")).map((pattern) => pattern.slice(0, -1));
  if (prefixes.includes("")) return () => true;
  return (type) => exact.has(type) || prefixes.some((prefix) => type.startsWith(prefix));
}
