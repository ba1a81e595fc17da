/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signature
 * is the base64 HMAC-SHA256, keyed with the secret's bytes, of
 * "{webhook-id}.{webhook-timestamp}.{body}", sent as `v1,<base64>`; several
 * signatures (during a secret rotation) are separated by spaces. Pure.
 */
import { createHmac, randomBytes } from "node:crypto";

export const SECRET_PREFIX = "whsec_";
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;

/** A new secret: "whsec_" + base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

/** The key bytes of a "whsec_…" secret, or an error message saying what is wrong with it. */
export function parseSecret(secret: string): { key: Buffer } | { error: string } {
  if (!secret.startsWith(SECRET_PREFIX)) return { error: `must start with "${SECRET_PREFIX}"` };
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    return { error: `must be "${SECRET_PREFIX}" followed by standard base64` };
  }
  const key = Buffer.from(encoded, "base64");
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    return { error: `must encode between ${MIN_SECRET_BYTES} and ${MAX_SECRET_BYTES} bytes, got ${key.length}` };
  }
  return { key };
}

/** One `v1,<base64>` signature of `body` as sent with `id` and `timestamp` (Unix seconds). */
export function sign(key: Buffer, id: string, timestamp: number, body: string | Buffer): string {
  const hmac = createHmac("sha256", key);
  hmac.update(`${id}.${timestamp}.`);
  hmac.update(body);
  return `v1,${hmac.digest("base64")}`;
}

/** The webhook-signature header: one signature per key (current first), space-separated. */
export function signatureHeader(keys: readonly Buffer[], id: string, timestamp: number, body: string | Buffer): string {
  return keys.map((key) => sign(key, id, timestamp, body)).join(" ");
}
