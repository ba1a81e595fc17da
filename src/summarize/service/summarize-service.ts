/**
 * sum.v1.SummarizeService: checks each request, runs the engine (on a worker
 * thread for large texts), and publishes `document.summarized` for every
 * summary it returns. Protocol-neutral: the adapters serve it on both ports.
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { uuidv7 } from "uuidv7";
import {
  SummarizeBatchResponseSchema,
  SummarizeService,
  SummarizeStreamResponseSchema,
  type SummarizeBatchResult,
  type SummarizeRequest,
  type SummarizeResponse,
  type SummarizeStreamResponse,
  type SummarizeUploadRequest,
} from "../../../gen/sum/v1/summarize_pb.js";
import type { EventLog } from "../../platform/events/event-log.js";
import type { CallContext } from "../../platform/rpc/call-context.js";
import { bindService, type ServiceBinding } from "../../platform/rpc/service-binding.js";
import { statusName } from "../../platform/rpc/status-codes.js";
import { AUTOMATIC } from "../algorithm-choice.js";
import type { HierarchicalControl } from "../hierarchical-summarizer.js";
import type { AlgorithmOverride } from "./algorithm-flag.js";
import { checkOptions, checkRequest, checkText, type CheckedRequest, type SummarizeLimits } from "./summarize-request.js";
import { documentSummarized, summaryEventTypes } from "./summary-events.js";
import { progressReporter } from "./summary-progress.js";
import { toSummarizeResponse } from "./summary-response.js";
import type { SummaryRunner } from "./summary-runner.js";
import { readUpload } from "./upload-reader.js";

export interface SummarizeServiceOptions {
  readonly limits: SummarizeLimits;
  readonly runner: SummaryRunner;
  readonly events: EventLog;
  /** The `summarization_algorithm` flag, consulted when a request leaves the algorithm automatic. */
  readonly algorithmOverride?: AlgorithmOverride;
}

export const MAX_BATCH_DOCUMENTS = 100;

export function summarizeService(options: SummarizeServiceOptions): ServiceBinding {
  const { limits, runner, events, algorithmOverride } = options;

  /** Summarizes one checked request; does not publish. */
  const summarize = async (checked: CheckedRequest, control: HierarchicalControl, context: CallContext): Promise<SummarizeResponse> => {
    const started = performance.now();
    let request = checked;
    if (request.algorithm === AUTOMATIC && algorithmOverride !== undefined) {
      const forced = await algorithmOverride(context.requestHeader.get("x-user-id") ?? undefined);
      if (forced !== undefined) request = { ...request, algorithm: forced };
    }
    const result = await runner.run(request.text, { algorithm: request.algorithm, length: request.length, language: request.language }, control);
    return toSummarizeResponse(result, {
      text: request.text,
      documentId: request.documentId !== "" ? request.documentId : uuidv7(),
      language: result.language,
      includeSentences: request.includeSentences,
      processingMs: performance.now() - started,
    });
  };

  const publish = async (responses: readonly SummarizeResponse[]): Promise<void> => {
    if (responses.length === 0) return;
    await events.transaction(async (trx) => {
      for (const response of responses) await events.publish(trx, documentSummarized(response));
    });
  };

  return bindService(
    SummarizeService,
    {
      async summarize(request: SummarizeRequest, context: CallContext) {
        const response = await summarize(checkRequest(request, limits), { signal: context.signal }, context);
        await publish([response]);
        return response;
      },

      async *summarizeStream(request: SummarizeRequest, context: CallContext): AsyncGenerator<SummarizeStreamResponse> {
        const checked = checkRequest(request, limits);
        const progress = progressReporter();
        const work = summarize(checked, { signal: context.signal, onProgress: progress.onProgress }, context);
        // The stream ends with the work: a failure surfaces after the progress already sent.
        work.then(progress.end, progress.end);
        for await (const update of progress.updates()) {
          yield create(SummarizeStreamResponseSchema, { event: { case: "progress", value: update } });
        }
        const response = await work;
        await publish([response]);
        yield create(SummarizeStreamResponseSchema, { event: { case: "result", value: response } });
      },

      async summarizeUpload(requests: AsyncIterable<SummarizeUploadRequest>, context: CallContext) {
        const upload = await readUpload(requests, limits);
        const checked: CheckedRequest = { ...checkOptions(upload.options, "options."), text: upload.text };
        checkText(upload.text, limits);
        const response = await summarize(checked, { signal: context.signal }, context);
        await publish([response]);
        return response;
      },

      async summarizeBatch(request, context: CallContext) {
        const documents = request.documents;
        if (documents.length < 1 || documents.length > MAX_BATCH_DOCUMENTS) {
          throw new ConnectError(
            `documents: must hold between 1 and ${MAX_BATCH_DOCUMENTS} documents, got ${documents.length}`,
            Code.InvalidArgument,
          );
        }
        const results: SummarizeBatchResult[] = [];
        const summarized: SummarizeResponse[] = [];
        for (const [index, document] of documents.entries()) {
          context.signal.throwIfAborted();
          try {
            const response = await summarize(checkRequest(document, limits, `documents[${index}].`), { signal: context.signal }, context);
            summarized.push(response);
            results.push({ $typeName: "sum.v1.SummarizeBatchResult", outcome: { case: "response", value: response } });
          } catch (error) {
            if (!(error instanceof ConnectError) || error.code === Code.Canceled || error.code === Code.DeadlineExceeded) throw error;
            results.push({
              $typeName: "sum.v1.SummarizeBatchResult",
              outcome: {
                case: "error",
                value: { $typeName: "sum.v1.BatchItemError", code: error.code, codeName: statusName(error.code), message: error.rawMessage },
              },
            });
          }
        }
        await publish(summarized);
        return create(SummarizeBatchResponseSchema, { results });
      },
    },
    { dependsOn: ["database"], close: () => runner.close(), eventTypes: summaryEventTypes },
  );
}
