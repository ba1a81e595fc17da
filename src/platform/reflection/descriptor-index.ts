/**
 * Answers the questions gRPC server reflection asks — which services are
 * served, which file defines a symbol or extension, which files a file needs —
 * from the descriptors protoc-gen-es embedded in the generated code.
 */
import { createRegistry, toBinary, type DescFile, type DescService, type Registry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

export class DescriptorIndex {
  private readonly registry: Registry;
  private readonly filesByName = new Map<string, DescFile>();
  private readonly encoded = new Map<DescFile, Uint8Array>();

  constructor(readonly services: readonly DescService[]) {
    const files = new Set<DescFile>();
    const visit = (file: DescFile) => {
      if (files.has(file)) return;
      files.add(file);
      file.dependencies.forEach(visit);
    };
    services.forEach((service) => visit(service.file));
    this.registry = createRegistry(...files);
    for (const file of files) this.filesByName.set(fileName(file), file);
  }

  serviceNames(): string[] {
    return this.services.map((service) => service.typeName);
  }

  fileByName(name: string): DescFile | undefined {
    return this.filesByName.get(name);
  }

  /** The file defining a fully-qualified symbol: a type, service, method, field, enum value or extension. */
  fileContainingSymbol(symbol: string): DescFile | undefined {
    const name = symbol.startsWith(".") ? symbol.slice(1) : symbol;
    const found = this.registry.get(name) ?? this.registry.getService(name) ?? this.registry.getExtension(name);
    if (found) return found.file;
    // Members (methods, fields, enum values) are named by their parent plus one segment.
    const parent = name.slice(0, Math.max(0, name.lastIndexOf(".")));
    const owner = parent === "" ? undefined : (this.registry.get(parent) ?? this.registry.getService(parent));
    return owner?.file;
  }

  fileContainingExtension(extendee: string, number: number): DescFile | undefined {
    const message = this.registry.getMessage(extendee);
    if (!message) return undefined;
    return this.registry.getExtensionFor(message, number)?.file;
  }

  /** Extension field numbers of a message type, or undefined when the type is unknown. */
  extensionNumbersOf(extendee: string): number[] | undefined {
    if (!this.registry.getMessage(extendee)) return undefined;
    const numbers: number[] = [];
    for (const type of this.registry) {
      if (type.kind === "extension" && type.extendee.typeName === extendee) numbers.push(type.number);
    }
    return numbers.sort((a, b) => a - b);
  }

  /** Serialized FileDescriptorProtos of `file` and everything it imports, `file` first. */
  encodedWithDependencies(file: DescFile): Uint8Array[] {
    const ordered: DescFile[] = [];
    const seen = new Set<DescFile>();
    const visit = (current: DescFile) => {
      if (seen.has(current)) return;
      seen.add(current);
      ordered.push(current);
      current.dependencies.forEach(visit);
    };
    visit(file);
    return ordered.map((current) => this.encode(current));
  }

  private encode(file: DescFile): Uint8Array {
    let bytes = this.encoded.get(file);
    if (bytes === undefined) {
      bytes = toBinary(FileDescriptorProtoSchema, file.proto);
      this.encoded.set(file, bytes);
    }
    return bytes;
  }
}

export function fileName(file: DescFile): string {
  return file.proto.name;
}
