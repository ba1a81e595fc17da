/**
 * A webhook as the dispatcher uses it: parsed URL, event-type matcher, and
 * the opened signing keys (the previous one only until its grace period
 * ends), which it hands to the delivery thread.
 */
import { isIP } from "node:net";
import { forbiddenAddressReason, hostOf } from "./address-guard.js";
import type { EndpointSpec } from "./delivery-thread-protocol.js";
import { eventTypeMatcher } from "./event-type-filter.js";
import type { SecretBox } from "./secret-box.js";
import type { WebhookRecord } from "./webhook-repository.js";
import { parseSecret } from "./webhook-signature.js";

export class ActiveWebhook {
  readonly url: URL;
  readonly matches: (type: string) => boolean;
  /** Why the URL's literal address may not be reached (host names are checked when connecting). */
  readonly forbiddenLiteral: string | undefined;
  enabled: boolean;
  failingSince: string | null;
  private readonly key: Buffer;
  private readonly previousKey: Buffer | undefined;
  private readonly previousUntil: number;

  constructor(
    readonly record: WebhookRecord,
    box: SecretBox,
    allowPrivateNetworks: boolean,
  ) {
    this.url = new URL(record.url);
    this.matches = eventTypeMatcher(record.eventTypes);
    const host = hostOf(this.url);
    this.forbiddenLiteral = !allowPrivateNetworks && isIP(host) !== 0 ? forbiddenAddressReason(host) : undefined;
    this.enabled = record.enabled;
    this.failingSince = record.failingSince;
    this.key = keyOf(box.open(record.secret, record.id));
    this.previousKey = record.previousSecret === null ? undefined : keyOf(box.open(record.previousSecret, record.id));
    this.previousUntil = record.previousSecretExpiresAt === null ? 0 : Date.parse(record.previousSecretExpiresAt);
  }

  get id(): string {
    return this.record.id;
  }

  /** What the delivery thread needs to sign and send for this webhook. */
  endpointSpec(): EndpointSpec {
    // Copies: a key cut from Buffer's shared pool would otherwise carry the whole pool across.
    return {
      id: this.id,
      url: this.record.url,
      headers: this.record.headers,
      key: Uint8Array.from(this.key),
      previousKey: this.previousKey === undefined ? undefined : Uint8Array.from(this.previousKey),
      previousUntil: this.previousUntil,
    };
  }
}

function keyOf(secret: string): Buffer {
  const parsed = parseSecret(secret);
  if ("error" in parsed) throw new Error(`stored webhook secret is malformed: ${parsed.error}`);
  return parsed.key;
}
