/**
 * Reads a SummarizeUpload stream: the options from the first message, then
 * the text from every message's chunk, decoded as UTF-8 across chunk
 * boundaries. The size limit is enforced while reading, so an oversized
 * upload is refused without buffering it; invalid UTF-8 is refused at the
 * chunk where it occurs.
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { SummarizeRequestSchema, type SummarizeRequest, type SummarizeUploadRequest } from "../../../gen/sum/v1/summarize_pb.js";
import { checkSize, type SummarizeLimits } from "./summarize-request.js";

export interface Upload {
  readonly options: SummarizeRequest;
  readonly text: string;
}

export async function readUpload(messages: AsyncIterable<SummarizeUploadRequest>, limits: SummarizeLimits): Promise<Upload> {
  let options: SummarizeRequest | undefined;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const parts: string[] = [];
  let bytes = 0;
  let index = 0;
  for await (const message of messages) {
    if (index === 0) {
      if (message.options === undefined) {
        throw new ConnectError("options: the first message must carry the options", Code.InvalidArgument);
      }
      options = message.options;
      bytes += Buffer.byteLength(options.text, "utf8");
      parts.push(options.text);
    } else if (message.options !== undefined) {
      throw new ConnectError(`options: only the first message may carry options, message ${index} has them too`, Code.InvalidArgument);
    }
    bytes += message.chunk.length;
    checkSize(bytes, limits);
    try {
      parts.push(decoder.decode(message.chunk, { stream: true }));
    } catch {
      throw new ConnectError(`chunk: message ${index} is not valid UTF-8`, Code.InvalidArgument);
    }
    index++;
  }
  if (options === undefined) throw new ConnectError("options: the upload sent no messages", Code.InvalidArgument);
  try {
    parts.push(decoder.decode());
  } catch {
    throw new ConnectError("chunk: the upload ends in the middle of a UTF-8 character", Code.InvalidArgument);
  }
  return { options: options ?? create(SummarizeRequestSchema), text: parts.join("") };
}
