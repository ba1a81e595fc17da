/**
 * The wire form of a DocumentSummary: SummarizeResponse, with sentence
 * offsets in code points and the algorithm and language that ran.
 */
import { create } from "@bufbuild/protobuf";
import { SummarizeResponseSchema, type SummarizeResponse } from "../../../gen/sum/v1/summarize_pb.js";
import type { DocumentSummary } from "../document-summarizer.js";
import type { ScoredSentence } from "../extractive-summarizer.js";
import { algorithmOf } from "./algorithm-names.js";
import { codePointOffsets } from "./code-point-offsets.js";

export interface SummaryContext {
  readonly text: string;
  readonly documentId: string;
  readonly language: string;
  readonly includeSentences: boolean;
  readonly processingMs: number;
}

export function toSummarizeResponse(result: DocumentSummary, context: SummaryContext): SummarizeResponse {
  const toCodePoints = context.includeSentences ? codePointOffsets(context.text) : undefined;
  return create(SummarizeResponseSchema, {
    documentId: context.documentId,
    summary: joinSentences(result.summary),
    gist: result.gist?.text.trim() ?? "",
    tags: result.tags.map((tag) => ({ phrase: tag.phrase, score: tag.score })),
    detailed: joinSentences(result.detailed),
    sentences:
      toCodePoints === undefined
        ? []
        : result.detailed.map((sentence) => ({
            index: sentence.index,
            text: sentence.text,
            start: toCodePoints(sentence.start),
            end: toCodePoints(sentence.end),
            score: sentence.score,
            inSummary: sentence.inSummary,
          })),
    stats: {
      inputWords: result.inputWords,
      inputSentences: result.inputSentences,
      outputWords: result.outputWords,
      compressionRatio: result.inputWords === 0 ? 0 : result.outputWords / result.inputWords,
      processingMs: Math.round(context.processingMs * 1000) / 1000,
      algorithm: algorithmOf(result.algorithm),
      language: context.language,
    },
  });
}

/** Sentences in document order as one text; line breaks inside a sentence (wrapped lines) become spaces. */
export function joinSentences(sentences: readonly ScoredSentence[]): string {
  return sentences.map((sentence) => sentence.text.replace(/\s+/gu, " ").trim()).join(" ");
}
