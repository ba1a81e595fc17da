/**
 * Delivers the event log to webhooks, at least once. Three steps:
 * 1. fan-out: events after the fan-out position become messages (one per
 *    matching enabled webhook), held in memory with no row yet. The events
 *    come from the commits that announced them when they continue the
 *    position, else from the log;
 * 2. attempts: due messages are handed, within global and per-endpoint
 *    concurrency limits, to the delivery thread, which signs and POSTs them
 *    through each endpoint's breaker and timeout;
 * 3. outcomes: batched transactions write each held message's row with its
 *    first outcome (so a message delivered at once is written once, in its
 *    final state), or a claimed message's attempt and next state, and move
 *    the dispatch cursor past every event whose messages are all written
 *    (FanOutWatermark). After a crash, fan-out starts again at the cursor
 *    and skips messages whose rows were written past it.
 * Messages that cannot be held (queue full, circuit open, webhook disabled)
 * are written pending and claimed from the database when due.
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
import { DeliveryRepository, messageKey, type AttemptRecord, type Deferral, type DueMessage, type NewMessage, type UnwrittenMessage } from "./delivery-repository.js";
import { DeliveryThreadClient } from "./delivery-thread-client.js";
import type { AttemptOutcome } from "./delivery-thread-protocol.js";
import { FanOutWatermark } from "./fan-out-watermark.js";
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

/**
 * A message in memory. One fan-out made has no row yet (`unwritten`, with a
 * provisional negative id): its first outcome writes it, so a message
 * delivered at the first attempt is written once, in its final state.
 */
type HeldMessage = DueMessage & { readonly unwritten?: UnwrittenMessage; readonly heldAt?: number };

export interface DispatcherOptions {
  readonly db: Kysely<DatabaseSchema>;
  readonly events: EventLog;
  readonly box: SecretBox;
  readonly config: WebhooksConfig;
  readonly logger: Logger;
  /** Decides at fan-out whether a message is created; every message is when absent. */
  readonly gate?: DeliveryGate;
  /** How long a held message may wait for an attempt before it is written pending; 10 s when absent. */
  readonly holdLimitMs?: number;
}

/** Events read per fan-out transaction at most (and at most a quarter of the queue limit). */
const FANOUT_BATCH = 1000;
/** Announced events kept for fan-out at most (about 1 KB each); past it fan-out reads them back from the log. */
const RECENT_EVENTS = 10_000;
/**
 * A message fan-out holds waits at most this long for an attempt (a slow
 * endpoint's backlog); then its endpoint's queue is written pending and
 * claimed back from the database, so the dispatch cursor, and what a
 * restart reads again, never trail by more than about this much.
 */
const HOLD_LIMIT_MS = 10_000;
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
  /** Set once the cursor is read at the first fan-out. */
  private watermark: FanOutWatermark | undefined;
  /** Fan-out as recorded before this process: events up to it may have rows from before a crash. */
  private recordedFannedOut = 0;
  private writtenCursor = -1;
  private provisionalIds = 0;
  /**
   * Unwritten messages held, by provisional id. The API's questions about
   * them (ListDeliveries, GetWebhookStats, Redeliver) are rare: they scan it.
   */
  private readonly unwritten = new Map<number, UnwrittenMessage>();
  private readonly queues = new Map<string, JobQueue<HeldMessage>>();
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
  private readonly sending = new Map<number, { readonly message: HeldMessage; readonly webhook: ActiveWebhook }>();
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
    const stopFollowing = this.options.events.onCommit((committed) => {
      this.recent.add(committed);
      this.fanOut();
    });
    // Deleted content must not go out from a copy taken before the deletion.
    const stopWatchingRedactions = this.options.events.onRedact(() => this.recent.clear());
    this.unsubscribe = () => {
      stopFollowing();
      stopWatchingRedactions();
    };
    this.pollTimer = setInterval(() => {
      // A fan-out that failed (or waited for the gate) is retried here even when no later commit wakes it.
      this.fanOut();
      // A sweep for anything due that nothing announced, when it is cheap: a busy
      // dispatcher's sweep would read back every message it holds. Retries,
      // overflow and API changes announce themselves (retry timer, backlog flag).
      if (this.queued === 0) this.backlog = true;
      this.releaseLongHeld();
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
      if (this.watermark === undefined) {
        const { cursor, fannedOut } = await this.deliveries.cursor();
        this.watermark = new FanOutWatermark(cursor);
        this.writtenCursor = cursor;
        this.recordedFannedOut = fannedOut;
      }
      const watermark = this.watermark;
      while (!this.stopped) {
        if (this.queued >= this.maxQueued) {
          this.fanOutPaused = true;
          return;
        }
        const from = watermark.fannedOut;
        // No more events than the queue has room for (most events make one message): the rest wait in the log
        // rather than being written pending and read back.
        const limit = Math.min(this.fanOutBatch, this.maxQueued - this.queued);
        const events = this.recent.after(from, limit) ?? (await this.deliveries.eventsAfter(this.options.db, from, limit));
        if (events.length === 0) return;
        // Read after the events: a webhook committed before them is seen; one created after them skips them (afterSequence).
        await this.reload(await this.webhooks.all());
        const messages: NewMessage[] = [];
        const perEvent: number[] = [];
        for (const event of events) {
          const before = messages.length;
          if (event.type !== WEBHOOK_TEST) {
            for (const webhook of this.active.values()) {
              if (!webhook.enabled || event.sequence <= webhook.record.afterSequence || !webhook.matches(event.type)) continue;
              if (!this.shouldDeliver(webhook.id, event.type)) continue;
              messages.push({ webhookId: webhook.id, event });
            }
          }
          perEvent.push(messages.length - before);
        }
        // Events this far may have rows already: written by this dispatcher before a crash.
        const alreadyWritten = events[0]!.sequence <= this.recordedFannedOut ? await this.deliveries.existingMessages(messages.map(({ webhookId, event }) => ({ webhookId, eventId: event.id }))) : undefined;
        const now = Date.now();
        const createdAt = new Date(now).toISOString();
        const held: HeldMessage[] = [];
        const overflow: NewMessage[] = [];
        const heldPerEvent = perEvent.map(() => 0);
        let index = 0;
        events.forEach((event, eventIndex) => {
          for (let n = 0; n < perEvent[eventIndex]!; n++, index++) {
            const { webhookId } = messages[index]!;
            if (alreadyWritten?.has(messageKey(webhookId, event.id))) continue;
            if (this.queued + held.length >= this.maxQueued) {
              overflow.push(messages[index]!);
              continue;
            }
            heldPerEvent[eventIndex]!++;
            held.push({
              messageId: --this.provisionalIds,
              webhookId,
              eventId: event.id,
              eventType: event.type,
              attemptCount: 0,
              round: 0,
              hasLatestAttempt: false,
              event,
              unwritten: { webhookId, eventId: event.id, eventType: event.type, createdAt, sequence: event.sequence },
              heldAt: now,
            });
          }
        });
        // What does not fit in memory is written pending before fan-out moves past it; claims bring it back.
        if (overflow.length > 0) {
          await this.options.events.transaction(async (trx) => {
            await this.deliveries.insertMessages(trx, overflow, now, createdAt);
            // With the rows: after a crash, fan-out looks for rows of these events before holding their messages.
            await this.deliveries.setFannedOut(trx, events.at(-1)!.sequence);
          });
          this.backlog = true;
        }
        events.forEach((event, eventIndex) => watermark.fanOut(event.sequence, heldPerEvent[eventIndex]!));
        for (const message of held) this.enqueue(message);
        // The cursor moves with the next outcome write; events without messages move it too.
        this.scheduleFlush();
        this.pump();
        if (events.length < limit) return;
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

  private enqueue(message: HeldMessage): void {
    this.known.add(message.messageId);
    if (message.unwritten !== undefined) this.unwritten.set(message.messageId, message.unwritten);
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

  private attempt(message: HeldMessage): void {
    const webhook = this.active.get(message.webhookId);
    if (webhook === undefined) {
      this.forget(message);
      return;
    }
    if (!webhook.enabled) {
      // Disabled meanwhile: the message waits, pending, until the webhook is enabled again.
      this.setAside(message);
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
          this.forget(message);
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

  /** Puts a message off to `nextAttemptAt` without counting an attempt (an unwritten one is written pending). */
  private defer(message: HeldMessage, nextAttemptAt: number): void {
    this.deferrals.push({ messageId: message.messageId, round: message.round, nextAttemptAt, unwritten: message.unwritten });
    this.retryAtTime(nextAttemptAt);
    this.scheduleFlush();
  }

  /** A message that will not be sent for now leaves memory: a written one stays as its row is; an unwritten one is written pending. */
  private setAside(message: HeldMessage): void {
    if (message.unwritten === undefined) this.known.delete(message.messageId);
    else this.defer(message, Date.now());
  }

  /** Writes pending the queue of every endpoint whose oldest held message has waited past the hold limit. */
  private releaseLongHeld(): void {
    const before = Date.now() - (this.options.holdLimitMs ?? HOLD_LIMIT_MS);
    for (const [webhookId, queue] of this.queues) {
      const oldest = queue.peek();
      if (oldest?.heldAt === undefined || oldest.heldAt > before) continue;
      const released = queue.drain();
      this.queued -= released.length;
      this.queues.delete(webhookId);
      for (const message of released) this.setAside(message);
      this.log.info({ webhookId, messages: released.length }, "slow webhook's backlog written pending");
    }
  }

  /** A message of a deleted webhook leaves memory for good. */
  private forget(message: HeldMessage): void {
    this.known.delete(message.messageId);
    if (message.unwritten !== undefined) this.noLongerHeld(message.messageId, message.unwritten);
  }

  /** An unwritten message left memory: written (or, its webhook deleted, never to be); the cursor may pass its event. */
  private noLongerHeld(messageId: number, unwritten: UnwrittenMessage): void {
    this.watermark!.settle(unwritten.sequence);
    this.unwritten.delete(messageId);
  }

  /**
   * The message of this webhook and event when it is held in memory with no
   * row yet, and whether an attempt of it is under way.
   */
  unwrittenMessage(webhookId: string, eventId: string): { readonly message: UnwrittenMessage; readonly sending: boolean } | undefined {
    for (const [messageId, message] of this.unwritten) {
      if (message.webhookId === webhookId && message.eventId === eventId) return { message, sending: this.sending.has(messageId) };
    }
    return undefined;
  }

  /** A webhook's messages held in memory with no row yet, newest first. */
  unwrittenMessages(webhookId: string): UnwrittenMessage[] {
    const held: UnwrittenMessage[] = [];
    for (const message of this.unwritten.values()) if (message.webhookId === webhookId) held.push(message);
    return held.sort((a, b) => b.sequence - a.sequence);
  }

  /** Unwritten messages held in memory, for one webhook or all: queued as surely as pending rows. */
  unwrittenHeld(webhookId?: string): number {
    if (webhookId === undefined) return this.unwritten.size;
    let held = 0;
    for (const message of this.unwritten.values()) if (message.webhookId === webhookId) held++;
    return held;
  }

  // ── 3. outcomes ────────────────────────────────────────────────────────

  private recordSuccess(webhook: ActiveWebhook, message: HeldMessage, attemptedAt: number, httpStatus: number, latencyMs: number): void {
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
      unwritten: message.unwritten,
    });
    this.scheduleFlush();
  }

  private recordFailure(
    webhook: ActiveWebhook,
    message: HeldMessage,
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
      unwritten: message.unwritten,
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
      this.queued -= dropped.length;
      this.queues.delete(webhook.id);
      for (const message of dropped) this.setAside(message);
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
    // Computed before this batch is written: it counts the batch's unwritten messages as open, so it can only lag.
    const cursor = this.watermark?.cursor;
    const fannedOut = this.watermark?.fannedOut ?? 0;
    const cursorMoved = cursor !== undefined && cursor !== this.writtenCursor;
    if (
      this.attempts.length === 0 && this.deferrals.length === 0 && this.circuitOpens.size === 0 && this.failingChanges.size === 0 && this.disables.size === 0 && !cursorMoved
    ) {
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
        if (cursor !== undefined && (cursorMoved || attempts.length > 0 || deferrals.length > 0)) {
          await this.deliveries.setCursor(trx, cursor);
          await this.deliveries.setFannedOut(trx, fannedOut);
        }
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
          if (cursor !== undefined) this.writtenCursor = cursor;
          // Rows put off to now are claimable only from this commit on: a claim that ran before it missed them.
          const now = Date.now();
          if (deferrals.some((deferral) => deferral.nextAttemptAt <= now)) this.backlog = true;
          const claiming = this.claimState !== "idle";
          for (const { messageId, unwritten } of [...attempts, ...deferrals]) {
            this.known.delete(messageId);
            if (unwritten !== undefined) this.noLongerHeld(messageId, unwritten);
            else if (claiming) this.settledDuringClaim.add(messageId);
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
    // The cursor this write recorded was computed before it: if the messages it wrote let the cursor move, record that too.
    const cursorBehind = this.watermark !== undefined && this.watermark.cursor !== this.writtenCursor;
    if (written && (this.attempts.length > 0 || this.deferrals.length > 0 || cursorBehind)) {
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
