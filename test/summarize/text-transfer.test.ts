import { describe, expect, it } from "vitest";
import { decodeTransferred, encodeForTransfer, TRANSFER_SLICE_CHARS } from "../../src/summarize/text-transfer.js";

describe("encodeForTransfer / decodeTransferred", () => {
  const cases: [string, string][] = [
    ["empty", ""],
    ["Latin-1", "Caf\u00e9 cr\u00e8me, 3 \u00a3."],
    ["astral and lone surrogates", "\u{1F600} \ud800 x \udc00 \u{1D400}"],
    ["a surrogate pair split by the slice boundary", `${"a".repeat(TRANSFER_SLICE_CHARS - 1)}\u{1F600}${"\u00e9".repeat(5)}`],
    ["several slices", "Words and more words. ".repeat(Math.ceil((2.5 * TRANSFER_SLICE_CHARS) / 22))],
  ];
  for (const [name, text] of cases) {
    it(`round-trips ${name} exactly`, async () => {
      const utf16 = await encodeForTransfer(text);
      expect(utf16.byteLength).toBe(text.length * 2);
      expect(decodeTransferred(utf16) === text).toBe(true);
    });
  }

  it("gives a buffer of its own, so transferring it detaches nothing else", async () => {
    const utf16 = await encodeForTransfer("short");
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(utf16, [utf16]);
    expect(utf16.byteLength).toBe(0);
    expect(Buffer.from("still usable").toString()).toBe("still usable");
    port1.close();
    port2.close();
  });
});
