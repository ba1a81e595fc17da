/**
 * MurmurHash3 (x86, 32-bit) exactly as unleash-client-node computes it
 * through `murmurhash3js`: each UTF-16 code unit contributes its low byte,
 * and the length mixed in is the string's UTF-16 length. Hashing
 * `${groupId}:${value}` this way puts every context in the bucket Unleash
 * puts it in, non-ASCII values included.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * The hash of `prefix + value` without building the concatenated string;
 * unsigned 32-bit.
 */
export function murmurHash3Pair(prefix: string, value: string, seed: number): number {
  const prefixLength = prefix.length;
  const length = prefixLength + value.length;
  const byteAt = (index: number): number =>
    (index < prefixLength ? prefix.charCodeAt(index) : value.charCodeAt(index - prefixLength)) & 0xff;
  const blocks = length - (length % 4);
  let h1 = seed | 0;
  let index = 0;
  for (; index < blocks; index += 4) {
    let k1 = byteAt(index) | (byteAt(index + 1) << 8) | (byteAt(index + 2) << 16) | (byteAt(index + 3) << 24);
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  const tail = length - blocks;
  if (tail > 0) {
    let k1 = byteAt(index);
    if (tail > 1) k1 |= byteAt(index + 1) << 8;
    if (tail > 2) k1 |= byteAt(index + 2) << 16;
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
  }
  h1 ^= length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

export function murmurHash3(key: string, seed = 0): number {
  return murmurHash3Pair("", key, seed);
}

/** Unleash's seed for rollout buckets. */
export const ROLLOUT_SEED = 0;
/** Unleash's seed for variant assignment (`normalizedVariantValue`). */
export const VARIANT_SEED = 86028157;

/**
 * Unleash's `normalizedValue`: the bucket 1…normalizer of `value` in
 * `groupPrefix` (the group id followed by ":").
 */
export function normalizedValue(groupPrefix: string, value: string, normalizer: number, seed: number): number {
  return (murmurHash3Pair(groupPrefix, value, seed) % normalizer) + 1;
}
