/**
 * protobuf-es serialization for @grpc/grpc-js service definitions. A request
 * that fails to decode becomes an `UndecodableRequest` value instead of an
 * exception, because grpc-js reports deserializer exceptions as INTERNAL while
 * SUM answers them with INVALID_ARGUMENT.
 */
import { fromBinary, toBinary, type DescMessage, type DescMethod, type DescService, type Message } from "@bufbuild/protobuf";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import { methodPath, returnsStream, takesStream } from "../rpc/rpc-call.js";

export class UndecodableRequest {
  constructor(readonly reason: string) {}
}

function decoder(schema: DescMessage): (bytes: Buffer) => Message | UndecodableRequest {
  return (bytes) => {
    try {
      return fromBinary(schema, bytes);
    } catch (error) {
      return new UndecodableRequest(error instanceof Error ? error.message : String(error));
    }
  };
}

function encoder(schema: DescMessage): (message: Message) => Buffer {
  return (message) => {
    const bytes = toBinary(schema, message);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

export function methodDefinition(method: DescMethod): MethodDefinition<Message | UndecodableRequest, Message> {
  return {
    path: methodPath(method),
    requestStream: takesStream(method),
    responseStream: returnsStream(method),
    requestSerialize: encoder(method.input) as (value: Message | UndecodableRequest) => Buffer,
    requestDeserialize: decoder(method.input),
    responseSerialize: encoder(method.output),
    responseDeserialize: (bytes) => fromBinary(method.output, bytes),
    originalName: method.localName,
  };
}

export function serviceDefinition(service: DescService): ServiceDefinition {
  const definition: Record<string, MethodDefinition<Message | UndecodableRequest, Message>> = {};
  for (const method of service.methods) definition[method.name] = methodDefinition(method);
  return definition as ServiceDefinition;
}
