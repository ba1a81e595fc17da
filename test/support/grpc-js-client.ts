/**
 * A plain @grpc/grpc-js client for SUM's native port, built from the same
 * protobuf-es descriptors: what a grpc-js user would write.
 */
import { fromBinary, toBinary, type DescMessage, type DescMethod, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import { Client, Metadata, credentials, type ClientReadableStream, type ServiceError } from "@grpc/grpc-js";

export class GrpcJsClient {
  readonly client: Client;

  constructor(address: string) {
    this.client = new Client(address, credentials.createInsecure());
  }

  unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethod & { input: I; output: O },
    request: MessageInitShape<I>,
    options: { deadlineMs?: number; metadata?: Record<string, string> } = {},
  ): Promise<{ response: MessageShape<O>; header: Metadata | undefined }> {
    return new Promise((resolve, reject) => {
      let header: Metadata | undefined;
      const call = this.client.makeUnaryRequest(
        path(method),
        (message: MessageShape<I>) => Buffer.from(toBinary(method.input, message)),
        (bytes: Buffer) => fromBinary(method.output, bytes),
        create(method.input, request),
        toMetadata(options.metadata),
        deadlineOption(options.deadlineMs),
        (error: ServiceError | null, response?: MessageShape<O>) => (error ? reject(error) : resolve({ response: response!, header })),
      );
      call.on("metadata", (metadata) => (header = metadata));
    });
  }

  /** Sends raw bytes as the request message, for decoding failures. */
  unaryRaw(methodPath: string, bytes: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        methodPath,
        (value: Buffer) => value,
        (value: Buffer) => value,
        bytes,
        new Metadata(),
        {},
        (error: ServiceError | null, response?: Buffer) => (error ? reject(error) : resolve(response!)),
      );
    });
  }

  serverStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethod & { input: I; output: O },
    request: MessageInitShape<I>,
    options: { deadlineMs?: number } = {},
  ): ClientReadableStream<MessageShape<O>> {
    return this.client.makeServerStreamRequest(
      path(method),
      (message: MessageShape<I>) => Buffer.from(toBinary(method.input, message)),
      (bytes: Buffer) => fromBinary(method.output, bytes),
      create(method.input, request),
      new Metadata(),
      deadlineOption(options.deadlineMs),
    );
  }

  /** Sends `requests` as a client stream and resolves with the single response. */
  clientStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethod & { input: I; output: O },
    requests: readonly MessageInitShape<I>[],
  ): Promise<MessageShape<O>> {
    return new Promise((resolve, reject) => {
      const call = this.client.makeClientStreamRequest(
        path(method),
        (message: MessageShape<I>) => Buffer.from(toBinary(method.input, message)),
        (bytes: Buffer) => fromBinary(method.output, bytes),
        new Metadata(),
        {},
        (error: ServiceError | null, response?: MessageShape<O>) => (error ? reject(error) : resolve(response!)),
      );
      for (const request of requests) call.write(create(method.input, request));
      call.end();
    });
  }

  close(): void {
    this.client.close();
  }
}

function path(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

function toMetadata(values: Record<string, string> = {}): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(values)) metadata.set(key, value);
  return metadata;
}

function deadlineOption(deadlineMs: number | undefined) {
  return deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
}
