/**
 * The bare receiver's reading of HTTP/1.1 requests off a TCP stream: finds
 * each request's head, takes its body by Content-Length and yields the
 * request's `webhook-id`. It does no more than a receiver that only counts
 * arrivals needs, so the benchmark's receiver spends little of the cores it
 * shares with SUM. Chunked bodies are refused: SUM always sends a length.
 */
const HEAD_END = Buffer.from("\r\n\r\n");
const DIGITS = /^\d+$/;

export class BareHttpRequests {
  private buffered: Buffer = Buffer.alloc(0);

  /** Consumes `chunk`; returns the `webhook-id` of each request it completed ("" for a request without one). */
  feed(chunk: Buffer): string[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const ids: string[] = [];
    for (;;) {
      const headEnd = this.buffered.indexOf(HEAD_END);
      if (headEnd < 0) break;
      const head = this.buffered.toString("latin1", 0, headEnd);
      const names = head.toLowerCase();
      if (headerValue(head, names, "transfer-encoding") !== undefined) throw new Error("chunked request bodies are not read by the bare receiver");
      const declared = headerValue(head, names, "content-length") ?? "0";
      if (!DIGITS.test(declared)) throw new Error(`bad content-length ${JSON.stringify(declared)}`);
      const end = headEnd + HEAD_END.length + Number(declared);
      if (this.buffered.length < end) break;
      ids.push(headerValue(head, names, "webhook-id") ?? "");
      this.buffered = this.buffered.subarray(end);
    }
    return ids;
  }
}

/** The value of header `name` (lower case) in `head`, trimmed; `names` is `head` lower-cased, for finding it. */
function headerValue(head: string, names: string, name: string): string | undefined {
  const at = names.indexOf(`\r\n${name}:`);
  if (at < 0) return undefined;
  const start = at + name.length + 3;
  const end = head.indexOf("\r\n", start);
  return head.slice(start, end < 0 ? head.length : end).trim();
}
