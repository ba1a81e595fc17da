/**
 * Verifies a SUM webhook on the receiving side, per the Standard Webhooks
 * specification, with node:crypto (HMAC in native code, constant-time
 * comparison). Pass the raw body bytes exactly as received, before any JSON
 * parsing. Several signatures (during a secret rotation) are accepted when
 * any one matches.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** How far webhook-timestamp may be from the receiver's clock, as the reference implementation allows. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
}

export interface VerifyOptions {
  readonly toleranceSeconds?: number;
  /** Unix seconds; defaults to the current time. */
  readonly now?: number;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export class WebhookVerifier {
  private readonly key: Buffer;

  /** @param secret the webhook's "whsec_…" secret as CreateWebhook or RotateSecret returned it. */
  constructor(secret: string) {
    if (!secret.startsWith("whsec_")) throw new Error('secret must start with "whsec_"');
    this.key = Buffer.from(secret.slice("whsec_".length), "base64");
  }

  /** Returns the parsed body when the signature and timestamp are valid; throws WebhookVerificationError otherwise. */
  verify(body: string | Buffer, headers: HeaderSource, options: VerifyOptions = {}): unknown {
    const id = header(headers, "webhook-id");
    const timestamp = header(headers, "webhook-timestamp");
    const signatures = header(headers, "webhook-signature");
    if (id === undefined || timestamp === undefined || signatures === undefined) throw new WebhookVerificationError("missing webhook headers");
    const seconds = Number(timestamp);
    if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError("invalid webhook-timestamp");
    const now = options.now ?? Math.floor(Date.now() / 1000);
    const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    if (Math.abs(now - seconds) > tolerance) throw new WebhookVerificationError("webhook-timestamp outside the tolerance");
    const hmac = createHmac("sha256", this.key);
    hmac.update(`${id}.${timestamp}.`);
    hmac.update(body);
    const expected = hmac.digest();
    for (const entry of signatures.split(" ")) {
      const [version, value] = entry.split(",", 2);
      if (version !== "v1" || value === undefined) continue;
      const given = Buffer.from(value, "base64");
      if (given.length === expected.length && timingSafeEqual(given, expected)) {
        return JSON.parse(typeof body === "string" ? body : body.toString("utf8"));
      }
    }
    throw new WebhookVerificationError("no matching signature");
  }
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
