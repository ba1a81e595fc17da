/**
 * The pure parts of webhooks: signing (checked against the `standardwebhooks`
 * reference package), the receivers' verify helper, the sealed-secret box,
 * the retry schedule, Retry-After, event-type patterns and the address guard.
 */
import { Webhook as StandardWebhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { WebhookVerificationError, WebhookVerifier } from "../../clients/webhook-verify.js";
import { EventCatalogue } from "../../src/platform/events/event-catalogue.js";
import { ForbiddenAddressError, forbiddenAddressReason, guardedLookup } from "../../src/webhooks/address-guard.js";
import { checkEventTypes, eventTypeMatcher } from "../../src/webhooks/event-type-filter.js";
import { RetrySchedule, parseRetryAfter } from "../../src/webhooks/retry-schedule.js";
import { SecretBox } from "../../src/webhooks/secret-box.js";
import { messageBody } from "../../src/webhooks/webhook-events.js";
import { generateSecret, parseSecret, signatureHeader } from "../../src/webhooks/webhook-signature.js";

function signed(secrets: string[], body: string) {
  const id = "msg_2Lq1";
  const timestamp = Math.floor(Date.now() / 1000);
  const keys = secrets.map((secret) => (parseSecret(secret) as { key: Buffer }).key);
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": signatureHeader(keys, id, timestamp, body) };
}

describe("signing", () => {
  const body = messageBody("document.summarized", "2025-01-01T00:00:00.000Z", '{"documentId":"d1","summary":"Ünïcode ✓"}');

  it("produces signatures the reference implementation accepts, for each secret of a rotation", () => {
    const [current, previous] = [generateSecret(), generateSecret()];
    const headers = signed([current, previous], body);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new StandardWebhook(current).verify(body, headers)).toMatchObject({ type: "document.summarized" });
    expect(new StandardWebhook(previous).verify(body, headers)).toMatchObject({ data: { documentId: "d1" } });
    expect(() => new StandardWebhook(generateSecret()).verify(body, headers)).toThrow();
    expect(() => new StandardWebhook(current).verify(body.replace("d1", "d2"), headers)).toThrow();
  });

  it("the clients/ verify helper accepts what SUM signs and refuses tampering and stale timestamps", () => {
    const secret = generateSecret();
    const headers = signed([secret], body);
    const verifier = new WebhookVerifier(secret);
    expect(verifier.verify(Buffer.from(body), headers)).toMatchObject({ type: "document.summarized" });
    expect(() => verifier.verify(body + " ", headers)).toThrow(WebhookVerificationError);
    expect(() => verifier.verify(body, headers, { now: Number(headers["webhook-timestamp"]) + 301 })).toThrow(/tolerance/);
    expect(() => new WebhookVerifier(generateSecret()).verify(body, headers)).toThrow(/no matching signature/);
  });

  const badSecrets: [string, RegExp][] = [
    ["abc", /must start with "whsec_"/],
    ["whsec_!!!!", /standard base64/],
    [`whsec_${Buffer.alloc(23).toString("base64")}`, /between 24 and 64 bytes, got 23/],
    [`whsec_${Buffer.alloc(65).toString("base64")}`, /between 24 and 64 bytes, got 65/],
  ];
  it.each(badSecrets)("refuses the secret %s", (secret, message) => {
    expect((parseSecret(secret) as { error: string }).error).toMatch(message);
  });
});

describe("SecretBox", () => {
  it("round-trips, binds the ciphertext to the webhook and to SECRET_KEY", () => {
    const box = new SecretBox("k".repeat(32));
    const sealed = box.seal("whsec_abc", "wh-1");
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain("abc");
    expect(box.seal("whsec_abc", "wh-1")).not.toBe(sealed);
    expect(box.open(sealed, "wh-1")).toBe("whsec_abc");
    expect(() => box.open(sealed, "wh-2")).toThrow();
    expect(() => new SecretBox("j".repeat(32)).open(sealed, "wh-1")).toThrow();
  });
});

describe("RetrySchedule", () => {
  it("walks the configured delays with at most 20% jitter, and ends", () => {
    const lowest = new RetrySchedule([0, 5000, 300_000], () => 0);
    const highest = new RetrySchedule([0, 5000, 300_000], () => 0.999999);
    expect([1, 2, 3].map((n) => lowest.delayBefore(n))).toEqual([0, 5000, 300_000]);
    expect([1, 2, 3].map((n) => highest.delayBefore(n))).toEqual([0, 6000, 360_000]);
    expect(lowest.delayBefore(4)).toBeUndefined();
    expect(lowest.attempts).toBe(3);
  });

  it("reads Retry-After as seconds or an HTTP date, capped at a day", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("9999999", now)).toBe(24 * 3600 * 1000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe("event type patterns", () => {
  const catalogue = new EventCatalogue();
  catalogue.add([{ type: "document.summarized", description: "", example: {} }]);

  it("matches exact types, trailing wildcards and *", () => {
    const match = eventTypeMatcher(["document.*", "thought.captured"]);
    expect(["document.summarized", "thought.captured", "thought.deleted", "documents.x"].map(match)).toEqual([true, true, false, false]);
    expect(eventTypeMatcher(["*"])("anything.at_all")).toBe(true);
  });

  it("accepts wildcards for types that arrive later but only known exact types", () => {
    expect(checkEventTypes(["flag.*", "document.summarized", "*"], catalogue)).toBeUndefined();
    expect(checkEventTypes(["flag.changed"], catalogue)).toMatch(/^event_types\[0\]: unknown event type "flag.changed"/);
    expect(checkEventTypes(["doc*"], catalogue)).toMatch(/neither an event type nor a pattern/);
  });
});

describe("address guard", () => {
  const forbidden = [
    "127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255",
    "::1", "::", "fe80::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "64:ff9b::a9fe:a9fe",
  ];
  it.each(forbidden)("refuses %s", (address) => {
    expect(forbiddenAddressReason(address)).toMatch(/loopback, private, link-local, multicast or reserved/);
  });

  it.each(["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1"])("allows the public address %s", (address) => {
    expect(forbiddenAddressReason(address)).toBeUndefined();
  });

  it("fails a connection whose host name resolves to a forbidden address (checked when connecting)", async () => {
    const error = await new Promise<Error | null>((resolve) => guardedLookup("localhost", {}, (failure) => resolve(failure)));
    expect(error).toBeInstanceOf(ForbiddenAddressError);
    expect(error!.message).toMatch(/^localhost resolves to/);
  });
});
