/**
 * IPv4 and IPv6 addresses and CIDR ranges for the IN_CIDR operator,
 * parsed once when a flag is compiled. Addresses are BigInts so both
 * families share one comparison: (address XOR network) masked is zero.
 */

export interface IpRange {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly mask: bigint;
}

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function parseIpv4(text: string): bigint | undefined {
  const match = IPV4.exec(text);
  if (match === null) return undefined;
  return BigInt(((Number(match[1]) << 24) >>> 0) + (Number(match[2]) << 16) + (Number(match[3]) << 8) + Number(match[4]));
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  if (!text.includes(":")) return undefined;
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

/** "10.0.0.0/8", "2001:db8::/32" or a single address; undefined when invalid. */
export function parseIpRange(text: string): IpRange | undefined {
  const slash = text.indexOf("/");
  const address = parseIpAddress(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const bits = address.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const raw = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(raw) || Number(raw) > bits) return undefined;
    prefix = Number(raw);
  }
  const all = (1n << BigInt(bits)) - 1n;
  const mask = all ^ ((1n << BigInt(bits - prefix)) - 1n);
  return { family: address.family, network: address.value & mask, mask };
}

export function inRange(address: IpAddress, range: IpRange): boolean {
  return address.family === range.family && (address.value & range.mask) === range.network;
}
