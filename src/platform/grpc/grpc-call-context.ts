/**
 * SUM's CallContext for a call on the native gRPC port. Response headers and
 * trailers are created only when a handler touches them, to keep the hot
 * path of a tiny unary call free of allocations it does not need.
 */
import { Metadata, type Deadline } from "@grpc/grpc-js";
import { Code, ConnectError } from "@connectrpc/connect";
import type { CallContext, HeaderReader } from "../rpc/call-context.js";

/** What every kind of grpc-js server call offers. */
interface ServerSurfaceCall {
  readonly metadata: Metadata;
  getDeadline(): Deadline;
  getPeer(): string;
  sendMetadata(metadata: Metadata): void;
  once(event: "cancelled", listener: () => void): unknown;
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
  readonly requestHeader: HeaderReader;
  readonly deadline: number | undefined;
  private readonly controller = new AbortController();
  private header: Headers | undefined;
  private trailer: Headers | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(private readonly call: ServerSurfaceCall) {
    this.requestHeader = new MetadataReader(call.metadata);
    const deadline = call.getDeadline();
    const ms = deadline instanceof Date ? deadline.getTime() : deadline;
    this.deadline = Number.isFinite(ms) ? ms : undefined;
    if (this.deadline !== undefined) {
      this.deadlineTimer = setTimeout(
        () => this.abort(new ConnectError("deadline exceeded", Code.DeadlineExceeded)),
        Math.max(0, this.deadline - Date.now()),
      );
    }
    call.once("cancelled", () => {
      const expired = this.deadline !== undefined && Date.now() >= this.deadline;
      this.abort(
        expired
          ? new ConnectError("deadline exceeded", Code.DeadlineExceeded)
          : new ConnectError("call cancelled by the client", Code.Canceled),
      );
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
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

  abort(reason: ConnectError): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Sends response headers, if a handler set any, before the first message. */
  flushHeader(): void {
    if (this.header !== undefined && !this.headerSent) {
      this.headerSent = true;
      this.call.sendMetadata(toMetadata(this.header));
    }
  }
  private headerSent = false;

  trailerMetadata(extra?: Headers): Metadata | undefined {
    if (this.trailer === undefined && extra === undefined) return undefined;
    const metadata = new Metadata();
    for (const source of [this.trailer, extra]) {
      source?.forEach((value, key) => addHeader(metadata, key, value));
    }
    return metadata;
  }

  /** Ends the context's life: no more timers. */
  finish(): void {
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
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
