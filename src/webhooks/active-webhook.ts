/**
 * A webhook as the dispatcher uses it: parsed URL, event-type matcher, and
 * the opened signing keys (the previous one only until its grace period ends).
 */
import { isIP } from "node:net";
import { forbiddenAddressReason, hostOf } from "./address-guard.js";
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

  /** The keys that sign at `now`: the current one, and the previous one during its grace period. */
  keysAt(now: number): Buffer[] {
    return this.previousKey !== undefined && now < this.previousUntil ? [this.key, this.previousKey] : [this.key];
  }
}

function keyOf(secret: string): Buffer {
  const parsed = parseSecret(secret);
  if ("error" in parsed) throw new Error(`stored webhook secret is malformed: ${parsed.error}`);
  return parsed.key;
}
