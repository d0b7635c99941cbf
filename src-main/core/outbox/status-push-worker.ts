// Delivers the outbox. Several orders' pushes travel at once, but never two of the same order:
// a push is picked only when it is the first unfinished push of its order and that order has
// nothing in flight, so a later status never overtakes an earlier one, and one order that keeps
// failing holds back only itself.
//
// Every outcome is written through the write queue before anything else happens; a crash at
// any moment leaves an unanswered push pending, to be sent again after restart (at least once).
import type { AppEventBus } from '../app-events';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { SqliteDatabase } from '../storage/database';
import {
  dueStatusPushes,
  markStatusPushDead,
  markStatusPushDelivered,
  markStatusPushFailed,
  nextStatusPushDueAt,
  type StatusPushRow,
} from '../storage/status-pushes-repository';
import type { WriteQueue } from '../storage/write-queue';
import type { PushOutcome, StatusPushTransport } from './bestrx-status-client';
import { DEFAULT_RETRY_POLICY, nextAttemptAt, type RetryPolicy } from './retry-schedule';

export interface StatusPushWorkerDependencies {
  db: SqliteDatabase;
  writes: WriteQueue;
  clock: Clock;
  transport: StatusPushTransport;
  events: AppEventBus;
  logger: Logger;
  policy?: RetryPolicy;
  random?: () => number;
  /** Pushes in flight at once (each to a different order). */
  concurrency?: number;
  /** Wake itself when the next push falls due (off in tests that drive the clock by hand). */
  schedule?: boolean;
}

const DEFAULT_CONCURRENCY = 16;
/** Never sleep longer than this, so a clock change or a missed wake-up costs at most a minute. */
const MAX_SLEEP_MS = 60_000;
/** Staff see outbox changes at most about once a second, however fast pushes drain. */
const CHANGE_NOTICE_MS = 1_000;

export class StatusPushWorker {
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly ordersInFlight = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private changeNotice: NodeJS.Timeout | undefined;
  private running = false;
  private pumping = false;
  private pumpAgain = false;

  constructor(private readonly deps: StatusPushWorkerDependencies) {}

  start(): void {
    this.running = true;
    this.wake();
  }

  /** Stops picking new pushes and waits for those in flight (their outcomes are recorded). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearTimeout(this.changeNotice);
    await Promise.allSettled(this.inFlight.values());
  }

  /** New or re-queued pushes were committed: look now rather than at the next timer. */
  wake(): void {
    if (this.running) this.pump();
  }

  /** Delivers everything that is due now, including what falls due as earlier pushes finish. */
  async runUntilIdle(): Promise<void> {
    for (;;) {
      this.pump(true);
      if (this.inFlight.size === 0) return;
      await Promise.allSettled([...this.inFlight.values()]);
    }
  }

  private pump(force = false): void {
    if (!this.running && !force) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.startDuePushes();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    if (this.deps.schedule !== false && this.running) this.scheduleNextWake();
  }

  private startDuePushes(): void {
    const concurrency = this.deps.concurrency ?? DEFAULT_CONCURRENCY;
    const free = concurrency - this.inFlight.size;
    if (free <= 0) return;
    const now = this.deps.clock.now().toISOString();
    // Fetch extra rows: some may belong to orders that already have a push in flight.
    const due = dueStatusPushes(this.deps.db, now, free + this.ordersInFlight.size);
    for (const push of due) {
      if (this.inFlight.size >= concurrency) break;
      if (this.inFlight.has(push.id) || this.ordersInFlight.has(push.order_id)) continue;
      this.ordersInFlight.add(push.order_id);
      const delivery = this.deliver(push).finally(() => {
        this.inFlight.delete(push.id);
        this.ordersInFlight.delete(push.order_id);
        this.pump();
      });
      this.inFlight.set(push.id, delivery);
    }
  }

  private async deliver(push: StatusPushRow): Promise<void> {
    let outcome: PushOutcome;
    try {
      outcome = await this.deps.transport.send(push.payload_json);
    } catch (error) {
      outcome = { kind: 'retry', httpStatus: null, error: `Sending failed: ${(error as Error).message}` };
    }
    try {
      await this.record(push, outcome);
    } catch (error) {
      // The outcome could not be written (disk full?): the push stays pending and is sent again.
      this.deps.logger.error('outbox.record_failed', { push_id: push.id, error: (error as Error).name });
    }
  }

  private async record(push: StatusPushRow, outcome: PushOutcome): Promise<void> {
    const { db, clock } = this.deps;
    const at = clock.now();
    const atIso = at.toISOString();
    let gaveUp: string | undefined;
    await this.deps.writes.run(() => {
      if (outcome.kind === 'delivered') {
        markStatusPushDelivered(db, push.id, { at: atIso, httpStatus: outcome.httpStatus });
        return;
      }
      if (outcome.kind === 'refused') {
        gaveUp = outcome.error;
        markStatusPushDead(db, push.id, { at: atIso, httpStatus: outcome.httpStatus, error: outcome.error });
        return;
      }
      const next = nextAttemptAt({
        nowMs: at.getTime(),
        windowStartedMs: Date.parse(push.window_started_at),
        attempts: push.attempts + 1,
        retryAfterMs: outcome.retryAfterMs,
        random: this.deps.random ?? Math.random,
        policy: this.deps.policy ?? DEFAULT_RETRY_POLICY,
      });
      if (next === undefined) {
        gaveUp = `Gave up after ${push.attempts + 1} attempts over the retry window. Last error: ${outcome.error}`;
        markStatusPushDead(db, push.id, { at: atIso, httpStatus: outcome.httpStatus, error: gaveUp });
      } else {
        markStatusPushFailed(db, push.id, { at: atIso, httpStatus: outcome.httpStatus, error: outcome.error, nextAttemptAt: new Date(next).toISOString() });
      }
    });
    if (outcome.kind !== 'delivered') {
      this.deps.logger.warn('outbox.push_failed', { push_id: push.id, order_id: push.order_id, http_status: outcome.httpStatus, gave_up: gaveUp !== undefined });
    }
    if (gaveUp !== undefined) this.deps.events.publish({ type: 'outbox.dead', push_id: push.id, order_id: push.order_id, error: gaveUp });
    this.noticeChange();
  }

  private noticeChange(): void {
    if (this.changeNotice) return;
    this.changeNotice = setTimeout(() => {
      this.changeNotice = undefined;
      this.deps.events.publish({ type: 'outbox.changed' });
    }, CHANGE_NOTICE_MS);
    this.changeNotice.unref();
  }

  private scheduleNextWake(): void {
    clearTimeout(this.timer);
    const due = nextStatusPushDueAt(this.deps.db);
    if (due === undefined) return;
    const wait = Math.min(MAX_SLEEP_MS, Math.max(0, Date.parse(due) - this.deps.clock.now().getTime()));
    // While pushes are in flight, their completion pumps again; a timer is only needed for
    // pushes waiting out a backoff.
    this.timer = setTimeout(() => this.pump(), Math.max(wait, this.inFlight.size > 0 ? 50 : 0));
    this.timer.unref();
  }
}
