/**
 * Checks of KnowledgeService requests. Every failure is INVALID_ARGUMENT
 * naming the field path and the rule, e.g. `tags[2]: must be 1–64 characters`.
 */
import type { JsonObject } from "@bufbuild/protobuf";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ThoughtFilter } from "../../gen/sum/v1/knowledge_pb.js";
import { MAX_CONCEPT_LENGTH, normaliseConcept } from "./concept-names.js";
import { isTimeZone } from "./local-time.js";

export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 64;
export const MAX_METADATA_BYTES = 16_384;
export const MAX_ID_LENGTH = 64;
export const MAX_QUERY_LENGTH = 1000;
export const MAX_REQUEST_ID_LENGTH = 128;
const SOURCE = /^[a-z][a-z0-9_-]{0,31}$/;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const TAG_CONTROL = /[\u0000-\u001F\u007F]/;

export function invalidArgument(path: string, rule: string): ConnectError {
  return new ConnectError(`${path}: ${rule}`, Code.InvalidArgument);
}

export function checkContent(content: string, maxBytes: number, path = "content"): string {
  if (content.trim() === "") throw invalidArgument(path, "required: a thought cannot be empty");
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > maxBytes) throw invalidArgument(path, `at most ${maxBytes} UTF-8 bytes, got ${bytes}`);
  if (CONTROL.test(content)) throw invalidArgument(path, "must not contain control characters other than tab and newline");
  return content;
}

export function checkSource(source: string, path = "source"): string {
  if (source === "") return "direct";
  if (!SOURCE.test(source)) throw invalidArgument(path, `must be a lower-case word of 1–32 characters (direct, import, voice, email …), got "${source.slice(0, 40)}"`);
  return source;
}

/** Lower case, trimmed, unique, in the caller's order. */
export function checkTags(tags: readonly string[], path = "tags"): string[] {
  if (tags.length > MAX_TAGS) throw invalidArgument(path, `at most ${MAX_TAGS} tags, got ${tags.length}`);
  const normalised = tags.map((tag, index) => {
    const value = tag.trim().toLowerCase();
    if (value.length === 0 || value.length > MAX_TAG_LENGTH || TAG_CONTROL.test(value)) {
      throw invalidArgument(`${path}[${index}]`, `must be 1–${MAX_TAG_LENGTH} characters without control characters`);
    }
    return value;
  });
  return [...new Set(normalised)];
}

export function checkTimeZone(zone: string, fallback: string, path = "time_zone"): string {
  if (zone === "") return fallback;
  if (!isTimeZone(zone)) throw invalidArgument(path, `not an IANA time zone, got "${zone.slice(0, 64)}"`);
  return zone;
}

export function metadataJson(metadata: JsonObject | undefined, path = "metadata"): string {
  const json = JSON.stringify(metadata ?? {});
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes > MAX_METADATA_BYTES) throw invalidArgument(path, `at most ${MAX_METADATA_BYTES} bytes as JSON, got ${bytes}`);
  return json;
}

export function checkId(id: string, path = "id"): string {
  if (id === "") throw invalidArgument(path, "required");
  if (id.length > MAX_ID_LENGTH || TAG_CONTROL.test(id)) throw invalidArgument(path, `must be an id SUM returned, got "${id.slice(0, 64)}"`);
  return id;
}

export function checkConcept(concept: string, path: string): string {
  const name = normaliseConcept(concept);
  if (name === "") throw invalidArgument(path, "required");
  if (concept.length > MAX_CONCEPT_LENGTH || TAG_CONTROL.test(concept)) {
    throw invalidArgument(path, `must be 1–${MAX_CONCEPT_LENGTH} characters without control characters`);
  }
  return name;
}

export function checkRequestId(requestId: string): string | null {
  if (requestId.length > MAX_REQUEST_ID_LENGTH) throw invalidArgument("request_id", `at most ${MAX_REQUEST_ID_LENGTH} characters, got ${requestId.length}`);
  return requestId === "" ? null : requestId;
}

export interface CheckedFilter {
  readonly tag?: string;
  readonly concept?: string;
  readonly source?: string;
  readonly start?: string;
  readonly end?: string;
}

function time(value: Timestamp, path: string): string {
  const date = timestampDate(value);
  if (Number.isNaN(date.getTime()) || value.nanos < 0 || value.nanos > 999_999_999 || date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) {
    throw invalidArgument(path, "not a valid timestamp");
  }
  return date.toISOString();
}

export function checkFilter(filter: ThoughtFilter | undefined, path = "filter"): CheckedFilter {
  if (filter === undefined) return {};
  const tag = filter.tag === "" ? undefined : checkTags([filter.tag], `${path}.tag`)[0];
  const concept = filter.concept === "" ? undefined : checkConcept(filter.concept, `${path}.concept`);
  const source = filter.source === "" ? undefined : checkSource(filter.source, `${path}.source`);
  const start = filter.startTime === undefined ? undefined : time(filter.startTime, `${path}.start_time`);
  const end = filter.endTime === undefined ? undefined : time(filter.endTime, `${path}.end_time`);
  if (start !== undefined && end !== undefined && end <= start) throw invalidArgument(`${path}.end_time`, "must be after filter.start_time");
  return { tag, concept, source, start, end };
}

/** Words of a search query as an FTS5 query: each word or "quoted phrase" quoted, all required. */
export function ftsQuery(query: string): string {
  if (query.trim() === "") throw invalidArgument("query", "required");
  if (query.length > MAX_QUERY_LENGTH) throw invalidArgument("query", `at most ${MAX_QUERY_LENGTH} characters, got ${query.length}`);
  const terms: string[] = [];
  for (const match of query.matchAll(/"([^"]*)"|([^\s"]+)/g)) {
    const words = (match[1] ?? match[2] ?? "").match(/[\p{L}\p{N}\p{M}]+/gu);
    if (words !== null && words.length > 0) terms.push(`"${words.join(" ")}"`);
  }
  if (terms.length === 0) throw invalidArgument("query", "must contain at least one word");
  return terms.join(" ");
}
