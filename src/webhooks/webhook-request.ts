/**
 * Checks what callers send to WebhooksService. Every rule names the field it
 * is about; nothing is written until every check has passed.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import * as tokens from "../platform/rpc/page-tokens.js";
import type { EventCatalogue } from "../platform/events/event-catalogue.js";
import { checkDestination, checkUrlSyntax, type AddressPolicy } from "./address-guard.js";
import { checkEventTypes } from "./event-type-filter.js";
import { parseSecret } from "./webhook-signature.js";

export const MAX_DESCRIPTION_LENGTH = 1024;
export const MAX_HEADERS = 20;
export const MAX_HEADER_BYTES = 8 * 1024;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 50;

/** Headers SUM sets itself or that belong to the connection; a webhook's extra headers cannot replace them. */
const RESERVED_HEADERS = new Set([
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "content-type",
  "content-length",
  "content-encoding",
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "user-agent",
]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

export function notFound(id: string): ConnectError {
  return new ConnectError(`webhook "${id}" not found`, Code.NotFound);
}

export async function checkUrl(raw: string, policy: AddressPolicy, field = "url"): Promise<string> {
  if (raw === "") throw invalid(`${field}: required`);
  const syntax = checkUrlSyntax(raw, policy, field);
  if ("error" in syntax) throw invalid(syntax.error);
  const refused = await checkDestination(syntax.url, policy, field);
  if (refused !== undefined) throw invalid(refused);
  return syntax.url.href;
}

export function checkTypes(patterns: readonly string[], catalogue: EventCatalogue, field = "event_types"): string[] {
  const error = checkEventTypes(patterns, catalogue);
  if (error !== undefined) throw invalid(error.replace(/^event_types/, field));
  return [...new Set(patterns)];
}

/** Lower-cases names; refuses reserved names, malformed names or values, and too many or too large headers. */
export function checkHeaders(headers: Readonly<Record<string, string>>, field = "headers"): Record<string, string> {
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) throw invalid(`${field}: at most ${MAX_HEADERS} headers, got ${entries.length}`);
  let bytes = 0;
  const checked: Record<string, string> = {};
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) throw invalid(`${field}["${name}"]: not a valid header name`);
    if (RESERVED_HEADERS.has(lower)) throw invalid(`${field}["${name}"]: may not be set; SUM sets it (signature and transport headers)`);
    if (/[\r\n\0]/.test(value)) throw invalid(`${field}["${name}"]: value must not contain CR, LF or NUL`);
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value) + 4;
    checked[lower] = value;
  }
  if (bytes > MAX_HEADER_BYTES) throw invalid(`${field}: ${bytes} bytes of headers is over the limit of ${MAX_HEADER_BYTES}`);
  return checked;
}

export function checkDescription(description: string, field = "description"): string {
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalid(`${field}: at most ${MAX_DESCRIPTION_LENGTH} characters, got ${description.length}`);
  }
  return description;
}

/** The secret as given, or undefined when empty (one is generated). */
export function checkSecret(secret: string, field = "secret"): string | undefined {
  if (secret === "") return undefined;
  const parsed = parseSecret(secret);
  if ("error" in parsed) throw invalid(`${field}: ${parsed.error}`);
  return secret;
}

export function checkId(id: string, field = "id"): string {
  if (id === "") throw invalid(`${field}: required`);
  if (id.length > 64) throw invalid(`${field}: at most 64 characters, got ${id.length}`);
  return id;
}

export function checkPageSize(pageSize: number): number {
  return tokens.pageSize(pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}

/** Page tokens are opaque to callers: the platform's token of the position. */
export function encodePageToken(position: string): string {
  return tokens.encodePageToken("webhooks", position);
}

export function decodePageToken(token: string): string | undefined {
  return tokens.decodePageToken("webhooks", token);
}
