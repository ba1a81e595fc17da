/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha), so grpcurl and
 * `buf curl` can call SUM with no .proto files. Both versions have the same
 * wire format; v1alpha requests are re-read as v1 and answered by one
 * implementation.
 */
import { create, fromBinary, toBinary, type DescService } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import {
  ServerReflection as ServerReflectionV1,
  ServerReflectionRequestSchema as RequestV1Schema,
  ServerReflectionResponseSchema as ResponseV1Schema,
  type ServerReflectionRequest as RequestV1,
  type ServerReflectionResponse as ResponseV1,
} from "../../../gen/grpc/reflection/v1/reflection_pb.js";
import {
  ServerReflection as ServerReflectionV1alpha,
  ServerReflectionRequestSchema as RequestV1alphaSchema,
  ServerReflectionResponseSchema as ResponseV1alphaSchema,
} from "../../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { bindService, type ServiceBinding } from "../rpc/service-binding.js";
import { DescriptorIndex } from "./descriptor-index.js";

/** Both reflection services, answering for `services` and themselves. */
export function reflectionServices(services: readonly DescService[]): ServiceBinding[] {
  const index = new DescriptorIndex([...services, ServerReflectionV1, ServerReflectionV1alpha]);

  const v1 = bindService(ServerReflectionV1, {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) yield answer(index, request);
    },
  });

  const v1alpha = bindService(ServerReflectionV1alpha, {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) {
        const asV1 = fromBinary(RequestV1Schema, toBinary(RequestV1alphaSchema, request));
        yield fromBinary(ResponseV1alphaSchema, toBinary(ResponseV1Schema, answer(index, asV1)));
      }
    },
  });

  return [v1, v1alpha];
}

export function answer(index: DescriptorIndex, request: RequestV1): ResponseV1 {
  const base = { validHost: request.host, originalRequest: request };
  const files = (file: ReturnType<DescriptorIndex["fileByName"]>, missing: string): ResponseV1 =>
    file
      ? create(ResponseV1Schema, {
          ...base,
          messageResponse: { case: "fileDescriptorResponse", value: { fileDescriptorProto: index.encodedWithDependencies(file) } },
        })
      : notFound(missing);
  const notFound = (message: string): ResponseV1 =>
    create(ResponseV1Schema, {
      ...base,
      messageResponse: { case: "errorResponse", value: { errorCode: Code.NotFound, errorMessage: message } },
    });

  const query = request.messageRequest;
  switch (query.case) {
    case "listServices":
      return create(ResponseV1Schema, {
        ...base,
        messageResponse: {
          case: "listServicesResponse",
          value: { service: index.serviceNames().map((name) => ({ name })) },
        },
      });
    case "fileByFilename":
      return files(index.fileByName(query.value), `file "${query.value}" not found`);
    case "fileContainingSymbol":
      return files(index.fileContainingSymbol(query.value), `symbol "${query.value}" not found`);
    case "fileContainingExtension":
      return files(
        index.fileContainingExtension(query.value.containingType, query.value.extensionNumber),
        `extension ${query.value.extensionNumber} of "${query.value.containingType}" not found`,
      );
    case "allExtensionNumbersOfType": {
      const numbers = index.extensionNumbersOf(query.value);
      if (numbers === undefined) return notFound(`type "${query.value}" not found`);
      return create(ResponseV1Schema, {
        ...base,
        messageResponse: { case: "allExtensionNumbersResponse", value: { baseTypeName: query.value, extensionNumber: numbers } },
      });
    }
    default:
      return create(ResponseV1Schema, {
        ...base,
        messageResponse: {
          case: "errorResponse",
          value: { errorCode: Code.InvalidArgument, errorMessage: "request names no reflection query" },
        },
      });
  }
}
