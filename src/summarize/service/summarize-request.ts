/**
 * Checks a SummarizeRequest and turns it into the engine's options. Every
 * rule names the field it is about, so a caller can fix the request without
 * guessing; a text over the size limit is RESOURCE_EXHAUSTED with the limit.
 * Nothing here runs the engine: the checks are linear scans with native
 * string functions, cheap even for a text of several megabytes.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { SummarizeRequest } from "../../../gen/sum/v1/summarize_pb.js";
import type { AlgorithmPreference } from "../algorithm-choice.js";
import type { SummaryLength } from "../document-summarizer.js";
import { stopWordLanguages } from "../stop-words.js";
import { preferenceOf } from "./algorithm-names.js";

export interface SummarizeLimits {
  /** Largest text in UTF-8 bytes (SUMMARIZE_MAX_BYTES). */
  readonly maxBytes: number;
}

/** A request that passed every check. */
export interface CheckedRequest {
  readonly text: string;
  /** As given; empty when the caller gave none. */
  readonly documentId: string;
  readonly algorithm: AlgorithmPreference;
  readonly length: SummaryLength | undefined;
  /** As given; empty means detect. */
  readonly language: string;
  readonly includeSentences: boolean;
}

export const MAX_DOCUMENT_ID_LENGTH = 128;
export const MAX_SENTENCES_LIMIT = 1_000;
export const MAX_WORDS_LIMIT = 100_000;
const SUPPORTED_LANGUAGES = new Set(stopWordLanguages);
/** C0 controls other than tab, line feed, vertical tab, form feed and carriage return, and DEL. */
const BINARY_CONTROLS = /[\u0000-\u0008\u000E-\u001F\u007F]/g;
/** A text where more than this share of characters are such controls is binary data, not prose. */
const MAX_CONTROL_SHARE = 0.01;

/**
 * Checks everything but the text's content (which an upload only has at the
 * end) and returns the options; `field` prefixes field names, e.g.
 * "documents[3]." in a batch or "options." in an upload.
 */
export function checkOptions(request: SummarizeRequest, field = ""): Omit<CheckedRequest, "text"> {
  const invalid = (name: string, rule: string) => new ConnectError(`${field}${name}: ${rule}`, Code.InvalidArgument);

  if (request.documentId.length > MAX_DOCUMENT_ID_LENGTH) {
    throw invalid("document_id", `at most ${MAX_DOCUMENT_ID_LENGTH} characters, got ${request.documentId.length}`);
  }
  if (/[\u0000-\u001F\u007F]/.test(request.documentId)) throw invalid("document_id", "must not contain control characters");

  const lengths = (["max_sentences", "max_words", "ratio"] as const).filter((name) => valueOf(request, name) !== undefined);
  if (lengths.length > 1) throw invalid(lengths.join(", "), `set at most one of max_sentences, max_words and ratio, got ${lengths.length}`);
  let length: SummaryLength | undefined;
  if (request.maxSentences !== undefined) {
    if (request.maxSentences < 1 || request.maxSentences > MAX_SENTENCES_LIMIT) {
      throw invalid("max_sentences", `must be between 1 and ${MAX_SENTENCES_LIMIT}, got ${request.maxSentences}`);
    }
    length = { sentences: request.maxSentences };
  } else if (request.maxWords !== undefined) {
    if (request.maxWords < 1 || request.maxWords > MAX_WORDS_LIMIT) {
      throw invalid("max_words", `must be between 1 and ${MAX_WORDS_LIMIT}, got ${request.maxWords}`);
    }
    length = { words: request.maxWords };
  } else if (request.ratio !== undefined) {
    if (!Number.isFinite(request.ratio) || request.ratio <= 0 || request.ratio > 1) {
      throw invalid("ratio", `must be greater than 0 and at most 1, got ${request.ratio}`);
    }
    length = { ratio: request.ratio };
  }

  const algorithm = preferenceOf(request.algorithm);
  if (algorithm === undefined) throw invalid("algorithm", `unknown value ${request.algorithm}`);

  const language = request.language;
  if (language !== "" && !SUPPORTED_LANGUAGES.has(language)) {
    throw invalid(
      "language",
      `"${language}" is not a supported ISO 639-1 code; use one of ${[...SUPPORTED_LANGUAGES].join(", ")}, or leave it empty to detect the language`,
    );
  }
  return { documentId: request.documentId, algorithm, length, language, includeSentences: request.includeSentences };
}

/** Checks the text itself: within the size limit, not blank, not binary data. */
export function checkText(text: string, limits: SummarizeLimits, field = ""): void {
  checkSize(Buffer.byteLength(text, "utf8"), limits, field);
  if (!/\S/u.test(text)) {
    throw new ConnectError(`${field}text: must not be empty or only whitespace`, Code.InvalidArgument);
  }
  if (text.includes("\u0000")) {
    throw new ConnectError(`${field}text: contains NUL characters, which UTF-8 text does not; this looks like binary data`, Code.InvalidArgument);
  }
  const controls = text.match(BINARY_CONTROLS)?.length ?? 0;
  if (controls > text.length * MAX_CONTROL_SHARE) {
    throw new ConnectError(
      `${field}text: ${controls} of ${text.length} characters are control characters; this looks like binary data, not text`,
      Code.InvalidArgument,
    );
  }
}

/** RESOURCE_EXHAUSTED once a text reaches more bytes than the limit. */
export function checkSize(bytes: number, limits: SummarizeLimits, field = ""): void {
  if (bytes > limits.maxBytes) {
    throw new ConnectError(
      `${field}text: ${bytes} bytes is over the limit of ${limits.maxBytes} bytes (SUMMARIZE_MAX_BYTES)`,
      Code.ResourceExhausted,
    );
  }
}

export function checkRequest(request: SummarizeRequest, limits: SummarizeLimits, field = ""): CheckedRequest {
  const options = checkOptions(request, field);
  checkText(request.text, limits, field);
  return { ...options, text: request.text };
}

function valueOf(request: SummarizeRequest, name: "max_sentences" | "max_words" | "ratio"): number | undefined {
  switch (name) {
    case "max_sentences":
      return request.maxSentences;
    case "max_words":
      return request.maxWords;
    case "ratio":
      return request.ratio;
  }
}
