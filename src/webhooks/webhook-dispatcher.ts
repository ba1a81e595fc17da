/**
 * Delivers the event log to webhooks, at least once. Three steps, each
 * durable before the next relies on it:
 * 1. fan-out: events after the dispatch cursor become pending messages (one
 *    per matching enabled webhook) and the cursor advances, in one
 *    transaction — a crash either keeps both or neither. The events come
 *    from the commits that announced them when they continue the cursor,
 *    else from the log;
 * 2. attempts: due messages are handed, within global and per-endpoint
 *    concurrency limits, to the delivery thread, which signs and POSTs them
 *    through each endpoint's breaker and timeout;
 * 3. outcomes: attempts and the messages' next states (succeeded, next
 *    attempt time, failed) are written in batched transactions.
 * A message is never sent twice at once: it stays in memory (`known`) from
 * claim to the commit of its outcome. A crash between an attempt and that
 * commit sends it again after restart: a duplicate, never a loss.
 */
import type { Kysely } from "kysely";
import type { WebhooksConfig } from "../platform/config/config.js";
import type { DatabaseSchema } from "../platform/database/schema.js";
import type { EventLog } from "../platform/events/event-log.js";
import type { Logger } from "../platform/logging/logger.js";
import { ActiveWebhook } from "./active-webhook.js";
import { DeliveryRepository, type AttemptRecord, type Deferral, type DueMessage, type NewMessage } from "./delivery-repository.js";
import { DeliveryThreadClient } from "./delivery-thread-client.js";
import type { AttemptOutcome } from "./delivery-thread-protocol.js";
import { JobQueue } from "./job-queue.js";
import { RecentEvents } from "./recent-events.js";
import { RetrySchedule, parseRetryAfter } from "./retry-schedule.js";
import type { SecretBox } from "./secret-box.js";
import { WEBHOOK_TEST, webhookDisabled, type DisabledReason } from "./webhook-events.js";
import { WebhookRepository, type WebhookRecord } from "./webhook-repository.js";

/**
 * Whether a message for this webhook and event type should be created at all;
 * the seam where the `webhook_notifications` feature flag plugs in.
 */
export type ShouldDeliver = (webhookId: string, eventType: string) => boolean;

/** A ShouldDeliver with what it needs loaded first (a flags snapshot): fan-out waits for `ready`. */
export interface DeliveryGate {
  readonly ready: () => Promise<void>;
  readonly shouldDeliver: ShouldDeliver;
}

export interface DispatcherOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly events: EventLog;
  readonly box: SecretBox;
  readonly config: WebhooksConfig;
  readonly logger: Logger;
  /** Decides at fan-out whether a message is created; every message is when absent. */
  readonly gate?: DeliveryGate;
}

/** Events read per fan-out transaction at most (and at most a quarter of the queue limit). */
const FANOUT_BATCH = 1000;
/** Announced events kept for fan-out at most (about 1 KB each); past it fan-out reads them back from the log. */
const RECENT_EVENTS = 10_000;
/** Outcomes written per transaction at most. */
const FLUSH_BATCH = 5_000;
const FLUSH_RETRY_MS = 500;
/**
 * Outcomes gather this long before one transaction writes them: a commit
 * costs far more than a row, so under load each commit carries hundreds of
 * outcomes. Only the crash window for duplicates grows, by this much.
 */
const FLUSH_DELAY_MS = 10;

export class WebhookDispatcher {
  readonly schedule: RetrySchedule;
  private readonly webhooks: WebhookRepository;
  private readonly deliveries: DeliveryRepository;
  private readonly thread: DeliveryThreadClient;
  private readonly shouldDeliver: ShouldDeliver;
  private readonly log: Logger;
  private active = new Map<string, ActiveWebhook>();

  private readonly recent = new RecentEvents(RECENT_EVENTS);
  private readonly queues = new Map<string, JobQueue<DueMessage>>();
  /**
   * Messages held in memory waiting for a slot (WEBHOOKS_QUEUE_LIMIT). When
   * the queue is this full, fan-out pauses (the events wait in the log behind
   * the cursor) rather than writing messages that would have to be read back
   * from the database.
   */
  private readonly maxQueued: number;
  /** Below this many queued messages, fan-out resumes and more due messages are claimed from the database. */
  private readonly lowWater: number;
  private readonly fanOutBatch: number;
  private queued = 0;
  private inFlight = 0;
  /** Attempts with the delivery thread, by message id, with the webhook as it was when they started. */
  private readonly sending = new Map<number, { readonly message: DueMessage; readonly webhook: ActiveWebhook }>();
  private readonly inFlightByEndpoint = new Map<string, number>();
  private readonly known = new Set<number>();
  /**
   * Messages that left `known` while a claim query was running: the query may
   * have read them before their outcome committed, so that read is stale.
   */
  private readonly settledDuringClaim = new Set<number>();
  /** Messages wait in the database that did not fit in memory. */
  private backlog = true;

  private attempts: AttemptRecord[] = [];
  private deferrals: Deferral[] = [];
  private circuitOpens = new Map<string, number>();
  private failingChanges = new Map<string, string | null>();
  private disables = new Map<string, DisabledReason>();

  private fanOutState: "idle" | "running" | "again" = "idle";
  /** Fan-out stopped because the queue was full; pump() restarts it. */
  private fanOutPaused = false;
  private claimState: "idle" | "running" | "again" = "idle";
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt = Infinity;
  private pollTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {
    const { config } = options;
    this.schedule = new RetrySchedule(config.retryScheduleMs);
    this.maxQueued = config.queueLimit;
    this.lowWater = Math.floor(config.queueLimit / 4);
    this.fanOutBatch = Math.min(FANOUT_BATCH, this.lowWater);
    this.webhooks = new WebhookRepository(options.db);
    this.deliveries = new DeliveryRepository(options.db);
    this.thread = new DeliveryThreadClient(
      {
        connectionsPerOrigin: config.endpointConcurrency,
        allowPrivateNetworks: config.allowPrivateNetworks,
        attemptTimeoutMs: config.attemptTimeoutMs,
        breakerFailures: config.breakerFailures,
        breakerHalfOpenMs: config.breakerHalfOpenMs,
      },
      {
        onOutcomes: (outcomes) => this.settle(outcomes),
        onCircuitOpened: (webhookId) => {
          this.circuitOpens.set(webhookId, (this.circuitOpens.get(webhookId) ?? 0) + 1);
          this.log.warn({ webhookId }, "webhook circuit opened");
          this.scheduleFlush();
        },
        onThreadFailure: (error, restartInMs) => this.log.error({ err: error, restartInMs }, "webhook delivery thread failed; starting another"),
      },
    );
    this.shouldDeliver = options.gate?.shouldDeliver ?? (() => true);
    this.log = options.logger.child({ component: "webhook-dispatcher" });
  }

  start(): void {
    this.unsubscribe = this.options.events.onCommit((committed) => {
      this.recent.add(committed);
      this.fanOut();
    });
    this.pollTimer = setInterval(() => {
      // A fan-out that failed (or waited for the gate) is retried here even when no later commit wakes it.
      this.fanOut();
      // A sweep for anything due that nothing announced, when it is cheap: a busy
      // dispatcher's sweep would read back every message it holds. Retries,
      // overflow and API changes announce themselves (retry timer, backlog flag).
      if (this.queued === 0) this.backlog = true;
      this.claim();
    }, this.options.config.pollIntervalMs);
    this.pollTimer.unref();
    this.fanOut();
    this.claim();
  }

  /** Stops sending: attempts in flight are abandoned (they stay pending, sent again after restart). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.flushTimer);
    // Answers that arrive while the thread closes are still recorded (settle); attempts the closing
    // pool cuts off stay pending and are sent again after restart.
    await this.thread.close();
    for (const messageId of this.sending.keys()) this.known.delete(messageId);
    this.sending.clear();
    this.inFlight = 0;
    this.inFlightByEndpoint.clear();
    while (this.fanOutState !== "idle" || this.claimState !== "idle") await new Promise((resolve) => setTimeout(resolve, 5));
    await this.flush();
  }

  /** Re-reads webhooks after a change through the API; due messages are looked for at once. */
  async webhooksChanged(changedId?: string): Promise<void> {
    await this.reload(await this.webhooks.all());
    // After the new endpoint reached the thread: a fresh breaker never meets the old URL.
    if (changedId !== undefined) this.thread.resetGuard(changedId);
    this.backlog = true;
    this.claim();
  }

  /** Looks for due messages now (after SendTestEvent, Redeliver, Replay). */
  wake(): void {
    this.backlog = true;
    this.claim();
  }

  private async reload(records: readonly WebhookRecord[]): Promise<void> {
    const next = new Map<string, ActiveWebhook>();
    for (const record of records) {
      const cached = this.active.get(record.id);
      if (cached !== undefined && cached.record.updatedAt === record.updatedAt && cached.record.secret === record.secret) {
        next.set(record.id, cached);
        continue;
      }
      try {
        next.set(record.id, new ActiveWebhook(record, this.options.box, this.options.config.allowPrivateNetworks));
      } catch (error) {
        this.log.error({ err: error, webhookId: record.id }, "webhook cannot be loaded (is SECRET_KEY the one its secret was sealed with?)");
      }
    }
    const changed = next.size !== this.active.size || [...next].some(([id, webhook]) => this.active.get(id) !== webhook);
    this.active = next;
    if (changed) this.thread.setEndpoints([...next.values()].map((webhook) => webhook.endpointSpec()));
  }

  // ── 1. fan-out ─────────────────────────────────────────────────────────

  private fanOut(): void {
    if (this.stopped) return;
    if (this.fanOutState !== "idle") {
      this.fanOutState = "again";
      return;
    }
    this.fanOutState = "running";
    void this.fanOutLoop().finally(() => {
      const again = this.fanOutState === "again";
      this.fanOutState = "idle";
      if (again) this.fanOut();
    });
  }

  private async fanOutLoop(): Promise<void> {
    try {
      // Nothing is fanned out before the gate can answer (a flag that is off must not be read as absent).
      if (this.options.gate !== undefined) await this.options.gate.ready();
      while (!this.stopped) {
        if (this.queued >= this.maxQueued) {
          this.fanOutPaused = true;
          return;
        }
        const now = Date.now();
        const batch = await this.options.events.transaction(async (trx) => {
          const cursor = await this.deliveries.cursor(trx);
          const events = this.recent.after(cursor, this.fanOutBatch) ?? (await this.deliveries.eventsAfter(trx, cursor, this.fanOutBatch));
          if (events.length === 0) return undefined;
          // Read in the same transaction: a webhook committed before these events is seen.
          await this.reload(await this.webhooks.all(trx));
          const messages: NewMessage[] = [];
          for (const event of events) {
            if (event.type === WEBHOOK_TEST) continue;
            for (const webhook of this.active.values()) {
              if (!webhook.enabled || event.sequence <= webhook.record.afterSequence || !webhook.matches(event.type)) continue;
              if (!this.shouldDeliver(webhook.id, event.type)) continue;
              messages.push({ webhookId: webhook.id, event });
            }
          }
          const ids = await this.deliveries.insertMessages(trx, messages, now, new Date(now).toISOString());
          await this.deliveries.setCursor(trx, events.at(-1)!.sequence);
          return { messages, ids, complete: events.length < this.fanOutBatch };
        });
        if (batch === undefined) return;
        batch.messages.forEach((message, index) => {
          const messageId = batch.ids[index];
          if (messageId === undefined) return;
          if (this.queued >= this.maxQueued) {
            this.backlog = true;
            return;
          }
          const { webhookId, event } = message;
          this.enqueue({ messageId, webhookId, eventId: event.id, eventType: event.type, attemptCount: 0, round: 0, hasLatestAttempt: false, event });
        });
        this.pump();
        if (batch.complete) return;
      }
    } catch (error) {
      this.log.warn({ err: error }, "webhook fan-out failed; retrying at the next poll");
    }
  }

  // ── 2. attempts ────────────────────────────────────────────────────────

  private claim(): void {
    if (this.stopped) return;
    if (this.claimState !== "idle") {
      this.claimState = "again";
      return;
    }
    this.claimState = "running";
    void this.claimLoop().finally(() => {
      const again = this.claimState === "again";
      this.claimState = "idle";
      if (again) this.claim();
    });
  }

  private async claimLoop(): Promise<void> {
    try {
      while (!this.stopped && this.backlog && this.queued < this.lowWater) {
        const wanted = this.maxQueued - this.queued;
        const limit = wanted + this.known.size;
        this.settledDuringClaim.clear();
        const due = await this.deliveries.due(Date.now(), limit);
        if (due.some((message) => !this.active.has(message.webhookId))) await this.reload(await this.webhooks.all());
        let fresh = 0;
        let stale = 0;
        for (const message of due) {
          if (this.known.has(message.messageId)) continue;
          if (this.settledDuringClaim.has(message.messageId)) {
            stale++;
            continue;
          }
          fresh++;
          this.enqueue(message);
        }
        this.settledDuringClaim.clear();
        this.pump();
        if (stale === 0 && (due.length < limit || fresh === 0)) this.backlog = false;
      }
      const next = await this.deliveries.nextDueTime();
      if (next !== undefined && next > Date.now()) this.retryAtTime(next);
    } catch (error) {
      this.log.warn({ err: error }, "looking for due webhook messages failed; retrying at the next poll");
    }
  }

  private retryAtTime(at: number): void {
    if (this.stopped || at >= this.retryAt) return;
    clearTimeout(this.retryTimer);
    this.retryAt = at;
    this.retryTimer = setTimeout(() => {
      this.retryAt = Infinity;
      this.backlog = true;
      this.claim();
    }, Math.max(0, at - Date.now()));
    this.retryTimer.unref();
  }

  private enqueue(message: DueMessage): void {
    this.known.add(message.messageId);
    let queue = this.queues.get(message.webhookId);
    if (queue === undefined) this.queues.set(message.webhookId, (queue = new JobQueue()));
    queue.push(message);
    this.queued++;
  }

  /** Starts attempts while there are free slots, taking endpoints in turn. */
  private pump(): void {
    const { concurrency, endpointConcurrency } = this.options.config;
    let progressed = true;
    while (progressed && this.inFlight < concurrency && this.queued > 0 && !this.stopped) {
      progressed = false;
      for (const [webhookId, queue] of this.queues) {
        if (this.inFlight >= concurrency) break;
        if ((this.inFlightByEndpoint.get(webhookId) ?? 0) >= endpointConcurrency) continue;
        const message = queue.shift();
        if (message === undefined) {
          this.queues.delete(webhookId);
          continue;
        }
        this.queued--;
        progressed = true;
        void this.attempt(message);
      }
    }
    if (this.queued < this.lowWater) {
      if (this.fanOutPaused) {
        this.fanOutPaused = false;
        this.fanOut();
      }
      if (this.backlog) this.claim();
    }
  }

  private attempt(message: DueMessage): void {
    const webhook = this.active.get(message.webhookId);
    if (webhook === undefined || !webhook.enabled) {
      // Deleted or disabled meanwhile: the row (if any) stays as it is.
      this.known.delete(message.messageId);
      return;
    }
    const event = message.event;
    if (event === undefined) {
      this.recordFailure(webhook, message, Date.now(), 0, 0, "event no longer in the event log (past retention)", { final: true });
      return;
    }
    if (webhook.forbiddenLiteral !== undefined) {
      this.recordFailure(webhook, message, Date.now(), 0, 0, `refused: ${webhook.forbiddenLiteral}`, {});
      return;
    }
    this.inFlight++;
    this.inFlightByEndpoint.set(webhook.id, (this.inFlightByEndpoint.get(webhook.id) ?? 0) + 1);
    this.sending.set(message.messageId, { message, webhook });
    this.thread.submit({
      messageId: message.messageId,
      webhookId: webhook.id,
      eventId: event.id,
      eventType: event.type,
      eventTimestamp: event.timestamp,
      data: event.data,
    });
  }

  /** Takes the delivery thread's outcomes: each attempt's record, then more attempts for the freed slots. */
  private settle(outcomes: readonly AttemptOutcome[]): void {
    for (const outcome of outcomes) {
      const sent = this.sending.get(outcome.messageId);
      if (sent === undefined) continue;
      // Stopping: only real answers are recorded; failures now come from the closing pool.
      if (this.stopped && outcome.kind !== "answered" && outcome.kind !== "rejected") continue;
      this.sending.delete(outcome.messageId);
      const { message, webhook } = sent;
      this.inFlight--;
      this.inFlightByEndpoint.set(webhook.id, this.inFlightByEndpoint.get(webhook.id)! - 1);
      switch (outcome.kind) {
        case "answered":
          this.recordSuccess(webhook, message, outcome.attemptedAt, outcome.status, outcome.latencyMs);
          break;
        case "rejected": {
          const { status, attemptedAt } = outcome;
          this.recordFailure(webhook, message, attemptedAt, status, outcome.latencyMs, outcome.error, {
            gone: status === 410,
            retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(outcome.retryAfter, attemptedAt) : undefined,
          });
          break;
        }
        case "failed":
          this.recordFailure(webhook, message, outcome.attemptedAt, 0, outcome.latencyMs, outcome.error, {});
          break;
        case "deferred":
          // Not an attempt: the endpoint is resting; try when the breaker lets one through.
          this.defer(message, outcome.attemptedAt + this.options.config.breakerHalfOpenMs);
          break;
        case "dropped":
          this.known.delete(message.messageId);
          break;
        case "lost":
          // Not the endpoint's doing: no attempt is counted, and it goes out again at once.
          this.log.warn({ webhookId: webhook.id, eventId: message.eventId, reason: outcome.error }, "webhook attempt lost with its thread; sending again");
          this.defer(message, Date.now());
          break;
      }
    }
    if (!this.stopped) this.pump();
  }

  /** Puts a message off to `nextAttemptAt` without counting an attempt. */
  private defer(message: DueMessage, nextAttemptAt: number): void {
    this.deferrals.push({ messageId: message.messageId, round: message.round, nextAttemptAt });
    this.retryAtTime(nextAttemptAt);
    this.scheduleFlush();
  }

  // ── 3. outcomes ────────────────────────────────────────────────────────

  private recordSuccess(webhook: ActiveWebhook, message: DueMessage, attemptedAt: number, httpStatus: number, latencyMs: number): void {
    if (webhook.failingSince !== null) {
      webhook.failingSince = null;
      this.failingChanges.set(webhook.id, null);
    }
    this.attempts.push({
      messageId: message.messageId,
      round: message.round,
      webhookId: webhook.id,
      attemptedAt: new Date(attemptedAt).toISOString(),
      httpStatus,
      latencyMs: round(latencyMs),
      error: "",
      succeeded: true,
      retry: message.attemptCount > 0,
      status: "succeeded",
      nextAttemptAt: null,
      replacesLatest: message.hasLatestAttempt,
    });
    this.scheduleFlush();
  }

  private recordFailure(
    webhook: ActiveWebhook,
    message: DueMessage,
    attemptedAt: number,
    httpStatus: number,
    latencyMs: number,
    error: string,
    how: { gone?: boolean; final?: boolean; retryAfterMs?: number | undefined },
  ): void {
    const attempt = message.attemptCount + 1;
    let nextAttemptAt: number | null = null;
    if (!how.gone && !how.final) {
      const delay = this.schedule.delayBefore(attempt + 1);
      if (delay !== undefined) nextAttemptAt = attemptedAt + (how.retryAfterMs ?? delay);
    }
    this.attempts.push({
      messageId: message.messageId,
      round: message.round,
      webhookId: webhook.id,
      attemptedAt: new Date(attemptedAt).toISOString(),
      httpStatus,
      latencyMs: round(latencyMs),
      error,
      succeeded: false,
      retry: message.attemptCount > 0,
      status: nextAttemptAt === null ? "failed" : "pending",
      nextAttemptAt,
      replacesLatest: message.hasLatestAttempt,
    });
    if (nextAttemptAt !== null) this.retryAtTime(nextAttemptAt);
    if (how.gone) this.disable(webhook, "gone");
    else if (webhook.failingSince === null) {
      webhook.failingSince = new Date(attemptedAt).toISOString();
      this.failingChanges.set(webhook.id, webhook.failingSince);
    } else if (attemptedAt - Date.parse(webhook.failingSince) >= this.options.config.disableAfterMs) {
      this.disable(webhook, "failing");
    }
    this.scheduleFlush();
  }

  private disable(webhook: ActiveWebhook, reason: DisabledReason): void {
    if (!webhook.enabled) return;
    webhook.enabled = false;
    this.disables.set(webhook.id, reason);
    this.log.warn({ webhookId: webhook.id, reason }, "webhook disabled");
    // Its queued messages stay pending in the database until it is enabled again.
    const queue = this.queues.get(webhook.id);
    if (queue !== undefined) {
      const dropped = queue.drain();
      for (const message of dropped) this.known.delete(message.messageId);
      this.queued -= dropped.length;
      this.queues.delete(webhook.id);
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, FLUSH_DELAY_MS);
  }

  /** Writes the outcomes gathered so far; resolves false when the write failed (they are kept for a retry). */
  private async flush(): Promise<boolean> {
    while (this.flushing !== undefined) await this.flushing;
    if (this.attempts.length === 0 && this.deferrals.length === 0 && this.circuitOpens.size === 0 && this.failingChanges.size === 0 && this.disables.size === 0) {
      return true;
    }
    let written = false;
    const attempts = this.attempts.splice(0, FLUSH_BATCH);
    const deferrals = this.deferrals.splice(0, FLUSH_BATCH);
    const circuitOpens = this.circuitOpens;
    const failingChanges = this.failingChanges;
    const disables = this.disables;
    this.circuitOpens = new Map();
    this.failingChanges = new Map();
    this.disables = new Map();
    this.flushing = this.options.events
      .transaction(async (trx) => {
        await this.deliveries.recordAttempts(trx, attempts, deferrals);
        for (const [id, count] of circuitOpens) await this.webhooks.addCircuitOpens(trx, id, count);
        for (const [id, since] of failingChanges) await this.webhooks.setFailingSince(trx, id, since);
        for (const [id, reason] of disables) {
          const webhook = this.active.get(id);
          await this.webhooks.update(trx, id, { enabled: false, disabledReason: reason, updatedAt: new Date().toISOString() });
          if (webhook !== undefined) await this.options.events.publish(trx, webhookDisabled(id, webhook.record.url, reason, webhook.failingSince));
        }
      })
      .then(
        () => {
          written = true;
          const claiming = this.claimState !== "idle";
          for (const { messageId } of [...attempts, ...deferrals]) {
            this.known.delete(messageId);
            if (claiming) this.settledDuringClaim.add(messageId);
          }
        },
        (error: unknown) => {
          this.log.warn({ err: error, outcomes: attempts.length }, "writing webhook outcomes failed; retrying");
          this.attempts.unshift(...attempts);
          this.deferrals.unshift(...deferrals);
          for (const [id, count] of circuitOpens) this.circuitOpens.set(id, (this.circuitOpens.get(id) ?? 0) + count);
          for (const [id, since] of failingChanges) if (!this.failingChanges.has(id)) this.failingChanges.set(id, since);
          for (const [id, reason] of disables) this.disables.set(id, reason);
          if (!this.stopped) setTimeout(() => this.scheduleFlush(), FLUSH_RETRY_MS).unref();
        },
      )
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
    if (written && (this.attempts.length > 0 || this.deferrals.length > 0)) {
      if (this.stopped) return this.flush();
      this.scheduleFlush();
    }
    if (!this.stopped && this.queued < this.lowWater && this.backlog) this.claim();
    return written;
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
