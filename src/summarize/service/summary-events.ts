/**
 * `document.summarized`: published for every summary SummarizeService
 * returns, in the same transaction for all summaries of one call. Its data
 * is what a webhook receiver needs to act on the summary without calling back.
 */
import type { SummarizeResponse } from "../../../gen/sum/v1/summarize_pb.js";
import type { EventInput } from "../../platform/events/event-log.js";
import { algorithmName } from "./algorithm-names.js";

export const DOCUMENT_SUMMARIZED = "document.summarized";

export function documentSummarized(response: SummarizeResponse): EventInput {
  const stats = response.stats;
  return {
    type: DOCUMENT_SUMMARIZED,
    data: {
      documentId: response.documentId,
      algorithm: algorithmName(stats?.algorithm ?? 0),
      language: stats?.language ?? "",
      inputWords: stats?.inputWords ?? 0,
      outputWords: stats?.outputWords ?? 0,
      summary: response.summary,
    },
  };
}
