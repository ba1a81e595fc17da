/**
 * The bare receiver's reading of HTTP/1.1 requests off a TCP stream: finds
 * each request's head, takes its body by Content-Length and yields the
 * request's `webhook-id`. It does no more than a receiver that only counts
 * arrivals needs, so the benchmark's receiver spends little of the cores it
 * shares with SUM. Chunked bodies are refused: SUM always sends a length.
 */
const HEAD_END = Buffer.from("\r\n\r\n");

export class BareHttpRequests {
  private buffered: Buffer = Buffer.alloc(0);

  /** Consumes `chunk`; returns the `webhook-id` of each request it completed ("" for a request without one). */
  feed(chunk: Buffer): string[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const ids: string[] = [];
    for (;;) {
      const headEnd = this.buffered.indexOf(HEAD_END);
      if (headEnd < 0) break;
      const head = this.buffered.toString("latin1", 0, headEnd).toLowerCase();
      if (headerValue(head, "transfer-encoding") !== undefined) throw new Error("chunked request bodies are not read by the bare receiver");
      const length = Number(headerValue(head, "content-length") ?? 0);
      if (!Number.isSafeInteger(length) || length < 0) throw new Error(`bad content-length in ${JSON.stringify(head)}`);
      const end = headEnd + HEAD_END.length + length;
      if (this.buffered.length < end) break;
      ids.push(headerValue(head, "webhook-id") ?? "");
      this.buffered = this.buffered.subarray(end);
    }
    return ids;
  }
}

/** The value of header `name` in a lower-cased request head, trimmed. */
function headerValue(head: string, name: string): string | undefined {
  const at = head.indexOf(`\r\n${name}:`);
  if (at < 0) return undefined;
  const start = at + name.length + 3;
  const end = head.indexOf("\r\n", start);
  return head.slice(start, end < 0 ? head.length : end).trim();
}
