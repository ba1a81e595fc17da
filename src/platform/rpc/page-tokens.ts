/**
 * Page tokens of every List-style method (DESIGN: page_size, page_token,
 * next_page_token): the position after which the next page starts, tagged
 * with the listing's kind and base64url-encoded so callers treat them as
 * opaque. A token from another listing is refused with INVALID_ARGUMENT.
 */
import { Code, ConnectError } from "@connectrpc/connect";

/** Names the listing a token belongs to, e.g. "thoughts" or "flags". */
export type TokenKind = string;

const invalidArgument = (field: string, rule: string) => new ConnectError(`${field}: ${rule}`, Code.InvalidArgument);

export function pageSize(requested: number, fallback: number, max: number): number {
  if (requested < 0 || requested > max) throw invalidArgument("page_size", `must be between 0 and ${max}, got ${requested}`);
  return requested === 0 ? fallback : requested;
}

export function encodePageToken(kind: TokenKind, position: string): string {
  return Buffer.from(`${kind}:${position}`, "utf8").toString("base64url");
}

/** The position, or undefined for the first page. */
export function decodePageToken(kind: TokenKind, token: string): string | undefined {
  if (token === "") return undefined;
  const decoded = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, "base64url").toString("utf8") : "";
  if (!decoded.startsWith(`${kind}:`) || decoded.length === kind.length + 1) throw invalidArgument("page_token", "not a token this method returned");
  return decoded.slice(kind.length + 1);
}

/** A token holding a non-negative integer (a seq or an offset). */
export function decodeIntegerToken(kind: TokenKind, token: string): number | undefined {
  const position = decodePageToken(kind, token);
  if (position === undefined) return undefined;
  if (!/^\d{1,15}$/.test(position)) throw invalidArgument("page_token", "not a token this method returned");
  return Number(position);
}
