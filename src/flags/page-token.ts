/**
 * Page tokens for ListFlags and ListFlagAudit: the last item's key (or id)
 * in the platform's opaque token.
 */
import * as tokens from "../platform/rpc/page-tokens.js";

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export function pageSize(requested: number): number {
  return tokens.pageSize(requested, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
}

export function encodePageToken(position: string): string {
  return tokens.encodePageToken("flags", position);
}

/** "" for the first page. */
export function decodePageToken(token: string): string {
  return tokens.decodePageToken("flags", token) ?? "";
}
