/**
 * When a message is tried again. The schedule (delays before attempts 1…n,
 * default as Standard Webhooks / Svix: immediately, 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h, 10 h) is walked by a cockatiel backoff that adds up to 20%
 * jitter, so endpoints recovering together are not hit by a synchronised
 * wave. The dispatcher stores each message's next attempt time, which is
 * what makes the schedule survive restarts; the backoff only computes it.
 */
import { DelegateBackoff, type IBackoff } from "cockatiel";

export const JITTER = 0.2;
/** The longest Retry-After honoured; a larger value is capped. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

export class RetrySchedule {
  private readonly backoff: DelegateBackoff<unknown, number>;

  /** @param random in [0, 1); injectable so tests can pin the jitter. */
  constructor(
    readonly delaysMs: readonly number[],
    random: () => number = Math.random,
  ) {
    this.backoff = new DelegateBackoff<unknown, number>((_context, index = 0) => {
      const base = delaysMs[Math.min(index, delaysMs.length - 1)] ?? 0;
      return { delay: Math.round(base * (1 + JITTER * random())), state: index + 1 };
    });
  }

  get attempts(): number {
    return this.delaysMs.length;
  }

  /**
   * Delay in ms before attempt number `attempt` (1-based; attempt 1 is the
   * first), or undefined when the schedule has no such attempt.
   */
  delayBefore(attempt: number): number | undefined {
    if (attempt < 1 || attempt > this.delaysMs.length) return undefined;
    let step: IBackoff<unknown> = this.backoff.next(undefined);
    for (let index = 1; index < attempt; index++) step = step.next(undefined);
    return step.duration;
  }
}

/**
 * The delay a `Retry-After` header asks for (RFC 9110: seconds or an HTTP
 * date), capped at MAX_RETRY_AFTER_MS; undefined when absent or malformed.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
