/**
 * SUM's CallContext for a call on the native gRPC port. The abort signal and
 * the response headers and trailers are created only when a handler touches
 * them, keeping the hot path of a tiny unary call free of allocations it does
 * not need.
 */
import { Metadata, type Deadline } from "@grpc/grpc-js";
import { Code, ConnectError } from "@connectrpc/connect";
import { CallAbort, type CallContext, type HeaderReader } from "../rpc/call-context.js";

/** What every kind of grpc-js server call offers. */
interface ServerSurfaceCall {
  readonly metadata: Metadata;
  getDeadline(): Deadline;
  getPeer(): string;
  sendMetadata(metadata: Metadata): void;
  on(event: "cancelled", listener: () => void): unknown;
}

class MetadataReader implements HeaderReader {
  constructor(private readonly metadata: Metadata) {}
  get(name: string): string | null {
    const values = this.metadata.get(name.toLowerCase());
    if (values.length === 0) return null;
    return values.map((value) => (typeof value === "string" ? value : value.toString("base64"))).join(", ");
  }
}

export class GrpcCallContext implements CallContext {
  readonly protocol = "grpc";
  readonly port = "grpc";
  readonly abort = new CallAbort();
  readonly deadline: number | undefined;
  private reader: MetadataReader | undefined;
  private header: Headers | undefined;
  private trailer: Headers | undefined;
  private headerSent = false;
  private finished = false;

  constructor(private readonly call: ServerSurfaceCall) {
    const deadline = call.getDeadline();
    const ms = deadline instanceof Date ? deadline.getTime() : deadline;
    this.deadline = Number.isFinite(ms) ? ms : undefined;
    // `on`, not `once`: grpc-js emits it at most once per call, and `once` allocates a wrapper.
    call.on("cancelled", () => this.onCancelled());
  }

  // grpc-js also reports "cancelled" after every call it has finished; only a
  // call still running was really cancelled.
  private onCancelled(): void {
    if (this.finished) return;
    const expired = this.deadline !== undefined && Date.now() >= this.deadline;
    this.abort.abort(
      expired
        ? new ConnectError("deadline exceeded", Code.DeadlineExceeded)
        : new ConnectError("call cancelled by the client", Code.Canceled),
    );
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get requestHeader(): HeaderReader {
    return (this.reader ??= new MetadataReader(this.call.metadata));
  }

  get peer(): string | undefined {
    return this.call.getPeer();
  }

  get responseHeader(): Headers {
    return (this.header ??= new Headers());
  }

  get responseTrailer(): Headers {
    return (this.trailer ??= new Headers());
  }

  /** Sends response headers, if a handler set any, before the first message. */
  flushHeader(): void {
    if (this.header !== undefined && !this.headerSent) {
      this.headerSent = true;
      this.call.sendMetadata(toMetadata(this.header));
    }
  }

  trailerMetadata(extra?: Headers): Metadata | undefined {
    if (this.trailer === undefined && extra === undefined) return undefined;
    const metadata = new Metadata();
    for (const source of [this.trailer, extra]) {
      source?.forEach((value, key) => addHeader(metadata, key, value));
    }
    return metadata;
  }

  /** The call has ended; a later "cancelled" from grpc-js means nothing. */
  finish(): void {
    this.finished = true;
  }
}

function toMetadata(headers: Headers): Metadata {
  const metadata = new Metadata();
  headers.forEach((value, key) => addHeader(metadata, key, value));
  return metadata;
}

/** gRPC carries `-bin` headers as raw bytes; Headers hold them base64-encoded. */
function addHeader(metadata: Metadata, key: string, value: string): void {
  metadata.add(key, key.endsWith("-bin") ? Buffer.from(value, "base64") : value);
}
