/**
 * Moves a text to a worker thread without stalling the sending event loop.
 * Posting a string makes the serializer copy it in one go (about 80 ms for
 * 10 MiB on our machines, most of it first-touch page faults), a stall for
 * every other call. Instead the text's UTF-16 code units are copied into a
 * buffer a slice per event-loop turn, and the buffer is transferred, not
 * copied. UTF-16 code units round-trip any string exactly, lone surrogates
 * included, so offsets into the text stay valid.
 */

/** Characters copied per turn of the event loop: 512 KiB of buffer, a millisecond or two even with page faults. */
export const TRANSFER_SLICE_CHARS = 1 << 18;

export async function encodeForTransfer(text: string): Promise<ArrayBuffer> {
  // allocUnsafeSlow: a buffer of its own (not from Node's shared pool), so transferring it detaches nothing else.
  const units = Buffer.allocUnsafeSlow(text.length * 2);
  for (let start = 0; start < text.length; start += TRANSFER_SLICE_CHARS) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    units.write(text.slice(start, start + TRANSFER_SLICE_CHARS), start * 2, "utf16le");
  }
  return units.buffer as ArrayBuffer;
}

export function decodeTransferred(utf16: ArrayBuffer): string {
  return Buffer.from(utf16).toString("utf16le");
}
