/**
 * SSRF protection: webhook URLs may not reach loopback, private, link-local
 * (cloud metadata at 169.254.169.254 included), multicast or otherwise
 * special addresses. Checked when a webhook is registered and again on every
 * new connection at delivery (the resolver is consulted when connecting, and
 * the connection goes to the address that was checked), so a DNS answer that
 * changes after registration (DNS rebinding) is still refused.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

const forbidden = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this" network
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // documentation
  ["192.88.99.0", 24], // 6to4 relay
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  forbidden.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b:1::", 48], // local-use NAT64
  ["100::", 64], // discard
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local (AWS metadata fd00:ec2::254 included)
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  forbidden.addSubnet(network, prefix, "ipv6");
}

/** Host names of cloud metadata services that resolve only inside the cloud. */
const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata", "instance-data", "metadata.azure.internal"]);

/** Why `address` (an IP literal) may not be reached, or undefined when it may. */
export function forbiddenAddressReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return `"${address}" is not an IP address`;
  if (family === 6) {
    const mapped = embeddedIpv4(address);
    if (mapped !== undefined) return forbiddenAddressReason(mapped);
  }
  return forbidden.check(address, family === 4 ? "ipv4" : "ipv6")
    ? `${address} is a loopback, private, link-local, multicast or reserved address`
    : undefined;
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const match = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (match === null) return undefined;
  if (match[1] !== undefined) return match[1];
  const high = parseInt(match[2]!, 16);
  const low = parseInt(match[3]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

export interface AddressPolicy {
  /** WEBHOOKS_ALLOW_PRIVATE_NETWORKS: skip the address checks. */
  readonly allowPrivateNetworks: boolean;
  /** Production: only https URLs. */
  readonly requireHttps: boolean;
}

/** The URL's syntax and scheme; an error message naming `field`, or the parsed URL. */
export function checkUrlSyntax(raw: string, policy: AddressPolicy, field = "url"): { url: URL } | { error: string } {
  if (raw.length > 2048) return { error: `${field}: at most 2048 characters, got ${raw.length}` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: `${field}: not a valid absolute URL: "${raw}"` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { error: `${field}: scheme must be http or https, got "${url.protocol.slice(0, -1)}"` };
  }
  if (policy.requireHttps && url.protocol !== "https:") return { error: `${field}: must use https in production` };
  if (url.username !== "" || url.password !== "") return { error: `${field}: must not contain credentials` };
  if (url.hash !== "") return { error: `${field}: must not contain a fragment` };
  return { url };
}

/** Host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

/** Resolves the URL's host and refuses forbidden addresses; an error message naming `field`, or undefined. */
export async function checkDestination(url: URL, policy: AddressPolicy, field = "url"): Promise<string | undefined> {
  if (policy.allowPrivateNetworks) return undefined;
  const host = hostOf(url).toLowerCase();
  if (METADATA_HOSTS.has(host)) return `${field}: ${host} is a cloud metadata host`;
  if (isIP(host) !== 0) {
    const reason = forbiddenAddressReason(host);
    return reason === undefined ? undefined : `${field}: ${reason}`;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      dnsLookup(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found))),
    );
  } catch (error) {
    return `${field}: host ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? "lookup failed"})`;
  }
  for (const { address } of addresses) {
    const reason = forbiddenAddressReason(address);
    if (reason !== undefined) return `${field}: ${host} resolves to ${reason}`;
  }
  return undefined;
}

/** Thrown by the guarded lookup when a connection would reach a forbidden address. */
export class ForbiddenAddressError extends Error {
  override readonly name = "ForbiddenAddressError";
}

/**
 * A `lookup` for net.connect/tls.connect that resolves as usual and fails
 * the connection when any answer is forbidden: the check and the connection
 * use the same answer, so DNS rebinding cannot slip between them.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  if (METADATA_HOSTS.has(hostname.toLowerCase())) {
    callback(new ForbiddenAddressError(`${hostname} is a cloud metadata host`), "", 4);
    return;
  }
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 4);
    for (const { address } of addresses) {
      const reason = forbiddenAddressReason(address);
      if (reason !== undefined) return callback(new ForbiddenAddressError(`${hostname} resolves to ${reason}`), "", 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};
