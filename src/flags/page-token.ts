/**
 * Page tokens for ListFlags and ListFlagAudit: the last item's key (or id),
 * base64url-encoded so callers treat it as opaque.
 */
import { invalidArgument } from "./flag-validation.js";

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export function pageSize(requested: number): number {
  if (requested < 0 || requested > MAX_PAGE_SIZE) throw invalidArgument("page_size", `must be between 0 and ${MAX_PAGE_SIZE}, got ${requested}`);
  return requested === 0 ? DEFAULT_PAGE_SIZE : requested;
}

export function encodePageToken(position: string): string {
  return Buffer.from(`p:${position}`, "utf8").toString("base64url");
}

/** "" for the first page. */
export function decodePageToken(token: string): string {
  if (token === "") return "";
  const decoded = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, "base64url").toString("utf8") : "";
  if (!decoded.startsWith("p:") || decoded.length < 3) throw invalidArgument("page_token", "not a token this method returned");
  return decoded.slice(2);
}
