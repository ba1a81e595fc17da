/**
 * Turns the engine's per-chunk progress callbacks into the stream of
 * SummarizeProgress messages SummarizeStream sends: throttled (a 10 MiB text
 * has thousands of chunks), each with the best summary of the chunks read so
 * far. A text of one chunk reports nothing on its own, so the stream says
 * 100% once before the result.
 */
import { create } from "@bufbuild/protobuf";
import { SummarizeProgressSchema, type SummarizeProgress } from "../../../gen/sum/v1/summarize_pb.js";
import type { ScoredSentence } from "../extractive-summarizer.js";
import { joinSentences } from "./summary-response.js";

/** At most one progress message per this interval, besides the first and the last. */
const MIN_INTERVAL_MS = 200;
/** Sentences in a partial summary. */
const PARTIAL_SENTENCES = 5;

export interface ProgressReporter {
  /** The engine's callback. */
  readonly onProgress: (chunksDone: number, chunksTotal: number, partial: ScoredSentence[]) => void;
  /** Ends the stream of updates (call when the work settles, however it settles). */
  readonly end: () => void;
  readonly updates: () => AsyncGenerator<SummarizeProgress>;
}

export function progressReporter(): ProgressReporter {
  const best: ScoredSentence[] = [];
  let pending: SummarizeProgress | undefined;
  let sentAny = false;
  let lastSent = 0;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };

  return {
    onProgress(chunksDone, chunksTotal, partial) {
      keepBest(best, partial);
      const now = performance.now();
      if (chunksDone < chunksTotal && sentAny && now - lastSent < MIN_INTERVAL_MS) return;
      lastSent = now;
      sentAny = true;
      pending = create(SummarizeProgressSchema, {
        percent: Math.round((chunksDone / chunksTotal) * 1000) / 10,
        chunksDone,
        chunksTotal,
        partialSummary: joinSentences([...best].sort((a, b) => a.start - b.start)),
      });
      notify();
    },
    end() {
      ended = true;
      notify();
    },
    async *updates() {
      for (;;) {
        if (pending !== undefined) {
          const update = pending;
          pending = undefined;
          yield update;
          continue;
        }
        if (ended) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (!sentAny) yield create(SummarizeProgressSchema, { percent: 100, chunksDone: 1, chunksTotal: 1 });
    },
  };
}

/** Keeps the PARTIAL_SENTENCES highest-scored sentences seen so far. */
function keepBest(best: ScoredSentence[], partial: readonly ScoredSentence[]): void {
  best.push(...partial);
  best.sort((a, b) => b.score - a.score || a.start - b.start);
  best.length = Math.min(best.length, PARTIAL_SENTENCES);
}
