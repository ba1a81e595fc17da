/**
 * `document.summarized`: published for every summary SummarizeService
 * returns, in the same transaction for all summaries of one call. Its data
 * is what a webhook receiver needs to act on the summary without calling back.
 */
import type { SummarizeResponse } from "../../../gen/sum/v1/summarize_pb.js";
import type { EventTypeSpec } from "../../platform/events/event-catalogue.js";
import type { EventInput } from "../../platform/events/event-log.js";
import { algorithmName } from "./algorithm-names.js";

export const DOCUMENT_SUMMARIZED = "document.summarized";

export const summaryEventTypes: readonly EventTypeSpec[] = [
  {
    type: DOCUMENT_SUMMARIZED,
    description: "A document was summarized by Summarize, SummarizeStream, SummarizeUpload or SummarizeBatch.",
    example: {
      documentId: "0193a5f2-7c1e-7d3a-9b52-1f0e4c2d8a61",
      algorithm: "ALGORITHM_LEAD",
      language: "en",
      inputWords: 412,
      outputWords: 58,
      summary: "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn for the three months to December.",
    },
  },
];

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
