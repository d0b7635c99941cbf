// Delivers the outbox. Several orders' pushes travel at once, but never two of the same order:
// a push is picked only when it is the first unfinished push of its order and that order has
// nothing in flight (sent, or answered but not yet recorded), so a later status never overtakes
// an earlier one, and one order that keeps failing holds back only itself.
//
// Outcomes are written in batches through the write queue; until its outcome is committed a push
// counts as in flight, and a crash at any moment leaves it pending, to be sent again after
// restart (at least once). Sending slots are freed as soon as BestRx answers, so the batching
// delay does not slow the drain.
import type { AppEventBus } from '../app-events';
import type { Clock } from '../clock';
import type { ForegroundSignal } from '../foreground-activity';
import type { Logger } from '../logger';
import type { SqliteDatabase } from '../storage/database';
import {
  dueStatusPushes,
  markStatusPushDead,
  markStatusPushDelivered,
  markStatusPushFailed,
  nextStatusPushDueAt,
  statusPushPayload,
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
  /** Requests to BestRx at once (each for a different order). */
  concurrency?: number;
  /** How long answered pushes wait to be recorded together (longer: fewer, larger commits). */
  outcomeBatchMs?: number;
  /** Wake itself when the next push falls due (off in tests that drive the clock by hand). */
  schedule?: boolean;
  /**
   * Pushes started per second at most; unlimited when absent. A backlog (a day of BestRx being
   * down) is then caught up at a steady pace instead of all at once, so the counter's CreateOrders
   * and BestRx itself are not swamped by it.
   */
  maxPushesPerSecond?: number;
  /**
   * BestRx's own requests (CreateOrder, CancelOrder). While they are being answered, and until
   * they have been quiet for `quietAfterMs`, pushes start at `busyPushesPerSecond` instead of
   * `maxPushesPerSecond`: a backlog gives way to the counter without ever stopping.
   */
  foreground?: ForegroundSignal;
  busyPushesPerSecond?: number;
  quietAfterMs?: number;
  /** Milliseconds from a monotonic clock, for the pace (not the wall clock, which may jump). */
  monotonicNow?: () => number;
}

const DEFAULT_CONCURRENCY = 32;
/** Due pushes read per query and handed out from memory: one query per delivery cost more than
 * the delivery (measured while draining 10,000 pushes). */
const LOOKAHEAD = 256;
/** Outcomes are written in batches: each commit is an fsync the CreateOrder path also waits on,
 * and an outcome written a little late risks nothing (unrecorded, a push is simply sent again).
 * Measured while draining 10,000 pushes beside CreateOrder load: 10 ms batches raised
 * CreateOrder's p99 by ~80%, 50 ms batches by ~50%. */
const DEFAULT_OUTCOME_BATCH_MS = 50;
const OUTCOME_BATCH_SIZE = 256;
/** How long outcomes may wait for BestRx's requests to go quiet before they are written anyway. */
const OUTCOME_MAX_WAIT_MS = 1_000;

/** Pushes per second allowed at a moment, and how soon BestRx may go quiet when it is busy. */
interface Pace {
  perSecond: number;
  quietInMs?: number;
}

/** How far behind its pace the worker may catch up in one go (see tookPaceSlot). Small, so
 * a late timer does not turn into a burst: with 20 ms (bursts of ~11 pushes at 550/s) the
 * CreateOrder p99 measured during a drain rose noticeably more than with 3 ms. */
const PACE_CATCH_UP_MS = 3;
/** Pushes per second while BestRx's requests are being answered: a backlog still moves under a
 * CreateOrder stream that never pauses (10,000 in under 17 minutes, which no pharmacy's counter
 * sustains), while costing those CreateOrders nothing measurable. Measured while draining 10,000
 * beside 500 CreateOrders/s: 50/s with a 20 ms quiet spell raised their p99 by 4-60%, 10/s with
 * 50 ms by -2 to +7%. */
const DEFAULT_BUSY_PUSHES_PER_SECOND = 10;
/** BestRx sends CreateOrders back to back while a batch is keyed in (well under a millisecond
 * apart per connection); this long without one, the batch is over. */
const DEFAULT_QUIET_AFTER_MS = 50;
/** Never sleep longer than this, so a clock change or a missed wake-up costs at most a minute. */
const MAX_SLEEP_MS = 60_000;
/** Staff see outbox changes at most about once a second, however fast pushes drain. */
const CHANGE_NOTICE_MS = 1_000;

export class StatusPushWorker {
  /** Every push between being picked and its outcome being committed. */
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly ordersInFlight = new Set<string>();
  /** Requests to BestRx not yet answered (what `concurrency` limits). */
  private sending = 0;
  private timer: NodeJS.Timeout | undefined;
  private changeNotice: NodeJS.Timeout | undefined;
  private candidates: StatusPushRow[] = [];
  private candidatesStale = true;
  private outcomes: Array<{ push: StatusPushRow; outcome: PushOutcome; at: Date; recorded: () => void }> = [];
  private outcomeTimer: NodeJS.Timeout | undefined;
  /** When the oldest outcome not yet written was queued (monotonic ms). */
  private firstOutcomeQueuedAt = 0;
  private running = false;
  private pumping = false;
  private pumpAgain = false;
  /** With a pace: when the last push started, on the pace's schedule (monotonic ms); the next
   * may start one gap of the current pace later. */
  private paceBase = Number.NEGATIVE_INFINITY;
  private paceTimer: NodeJS.Timeout | undefined;

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
    clearTimeout(this.paceTimer);
    await Promise.allSettled(this.inFlight.values());
  }

  /** New or re-queued pushes were committed: look now rather than at the next timer. */
  wake(): void {
    this.candidatesStale = true;
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
        this.startDuePushes(force);
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    if (this.deps.schedule !== false && this.running) this.scheduleNextWake();
  }

  private startDuePushes(force: boolean): void {
    const concurrency = this.deps.concurrency ?? DEFAULT_CONCURRENCY;
    while (this.sending < concurrency) {
      // The pace of this moment, both to decide and to take the slot.
      const pace = this.pace();
      if (!force && !this.paceAllowsStart(pace)) return;
      if (this.candidates.length === 0 || this.candidatesStale) {
        // Only the first unfinished push of each order is ever a candidate, so two pushes of one
        // order are never handed out together; anything else is re-read on the next query.
        this.candidates = dueStatusPushes(this.deps.db, this.deps.clock.now().toISOString(), LOOKAHEAD);
        this.candidatesStale = false;
        if (this.candidates.length === 0) return;
      }
      const push = this.candidates.shift();
      if (!push) return;
      if (this.inFlight.has(push.id) || this.ordersInFlight.has(push.order_id)) {
        // Read while it was still in flight: done by now or being done; the next query knows.
        if (this.candidates.length === 0) return;
        continue;
      }
      this.ordersInFlight.add(push.order_id);
      this.tookPaceSlot(pace);
      const delivery = this.deliver(push).finally(() => {
        this.inFlight.delete(push.id);
        this.ordersInFlight.delete(push.order_id);
        this.pump();
      });
      this.inFlight.set(push.id, delivery);
    }
  }

  private async deliver(push: StatusPushRow): Promise<void> {
    let outcome: PushOutcome | undefined;
    const request = this.sendPush(push);
    if (!request) return;
    this.sending += 1;
    try {
      outcome = await request;
    } catch (error) {
      outcome = { kind: 'retry', httpStatus: null, error: `Sending failed: ${(error as Error).message}` };
    } finally {
      this.sending -= 1;
    }
    // A sending slot is free: another order's push may go while this outcome waits for its batch.
    this.pump();
    if (outcome === undefined) return;
    // The order's next push, now first in line, is picked up by the next query (when the
    // look-ahead runs out): statuses are minutes apart in life, so that wait costs nothing.
    await this.record(push, outcome);
  }

  /** Sends the push; undefined when it is no longer pending (staff skipped it since it was read). */
  private sendPush(push: StatusPushRow): Promise<PushOutcome | undefined> | undefined {
    const { transport, db } = this.deps;
    // A transport with its own connection reads the payload (and checks it is pending) itself.
    if (transport.sendStored) return transport.sendStored(push.id);
    const payload = statusPushPayload(db, push.id);
    return payload === undefined ? undefined : transport.send(payload);
  }

  /** With a pace, whether a push may start now; if not, a timer pumps again when one may. */
  private paceAllowsStart(pace: Pace | undefined): boolean {
    if (pace === undefined) return true;
    const now = this.monotonicNow();
    const nextStartAt = this.paceBase + 1000 / pace.perSecond;
    if (now >= nextStartAt) return true;
    if (!this.paceTimer) {
      // While giving way to BestRx, look again as soon as it may have gone quiet, so the
      // full pace resumes then and not a slow slot later.
      const wait = Math.min(nextStartAt - now, pace.quietInMs ?? Number.POSITIVE_INFINITY);
      this.paceTimer = setTimeout(() => {
        this.paceTimer = undefined;
        this.pump();
      }, Math.max(1, Math.ceil(wait)));
      this.paceTimer.unref();
    }
    return false;
  }

  /**
   * Pushes per second allowed now: slower while BestRx's own requests are being answered, with
   * how soon that may end (if none is in progress and no other arrives).
   */
  private pace(): Pace | undefined {
    const { maxPushesPerSecond, foreground } = this.deps;
    if (maxPushesPerSecond === undefined) return undefined;
    if (!foreground) return { perSecond: maxPushesPerSecond };
    const quietInMs = (this.deps.quietAfterMs ?? DEFAULT_QUIET_AFTER_MS) - foreground.quietForMs();
    if (quietInMs <= 0) return { perSecond: maxPushesPerSecond };
    return { perSecond: Math.min(maxPushesPerSecond, this.deps.busyPushesPerSecond ?? DEFAULT_BUSY_PUSHES_PER_SECOND), quietInMs };
  }

  private tookPaceSlot(pace: Pace | undefined): void {
    if (pace === undefined) return;
    // Timers fire late, so up to PACE_CATCH_UP_MS of slots missed meanwhile may be used at once;
    // no more pile up while idle, so after a quiet spell the pace starts afresh, not with a burst.
    // The gap to the next start is added when it is checked, with the pace of that moment.
    this.paceBase = Math.max(this.paceBase + 1000 / pace.perSecond, this.monotonicNow() - PACE_CATCH_UP_MS);
  }

  private monotonicNow(): number {
    return (this.deps.monotonicNow ?? performance.now.bind(performance))();
  }

  /** Queues the outcome for the next batch write; resolves once it is committed. */
  private record(push: StatusPushRow, outcome: PushOutcome): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.outcomes.length === 0) this.firstOutcomeQueuedAt = this.monotonicNow();
      this.outcomes.push({ push, outcome, at: this.deps.clock.now(), recorded: resolve });
      if (this.outcomes.length >= OUTCOME_BATCH_SIZE || !this.running) this.writeOutcomes().catch(reject);
      else if (!this.outcomeTimer) this.writeOutcomesIn(this.deps.outcomeBatchMs ?? DEFAULT_OUTCOME_BATCH_MS);
    });
  }

  /**
   * The batch is written when its timer fires, unless BestRx's requests are being answered: a
   * commit of a few hundred outcomes would then hold up their commits. It waits for them to go
   * quiet, for at most OUTCOME_MAX_WAIT_MS (an unrecorded push risks only being sent again).
   */
  private writeOutcomesIn(ms: number): void {
    this.outcomeTimer = setTimeout(() => {
      this.outcomeTimer = undefined;
      const quietInMs = this.pace()?.quietInMs;
      if (quietInMs !== undefined && this.running && this.monotonicNow() - this.firstOutcomeQueuedAt < OUTCOME_MAX_WAIT_MS) {
        this.writeOutcomesIn(Math.max(1, Math.ceil(quietInMs)));
        return;
      }
      void this.writeOutcomes().catch(() => undefined);
    }, ms);
    this.outcomeTimer.unref();
  }

  private async writeOutcomes(): Promise<void> {
    clearTimeout(this.outcomeTimer);
    this.outcomeTimer = undefined;
    const batch = this.outcomes.splice(0);
    if (batch.length === 0) return;
    const deaths: Array<{ push: StatusPushRow; error: string }> = [];
    try {
      await this.deps.writes.run(() => {
        for (const { push, outcome, at } of batch) {
          const gaveUp = this.applyOutcome(push, outcome, at);
          if (gaveUp !== undefined) deaths.push({ push, error: gaveUp });
        }
      });
    } catch (error) {
      // Not written (disk full?): these pushes stay pending and are sent again.
      this.deps.logger.error('outbox.record_failed', { pushes: batch.length, error: (error as Error).name });
    }
    for (const { push, outcome } of batch) {
      if (outcome.kind !== 'delivered') {
        this.deps.logger.warn('outbox.push_failed', { push_id: push.id, order_id: push.order_id, http_status: outcome.httpStatus });
      }
    }
    for (const { push, error } of deaths) this.deps.events.publish({ type: 'outbox.dead', push_id: push.id, order_id: push.order_id, error });
    this.noticeChange();
    for (const { recorded } of batch) recorded();
  }

  /** Writes one outcome; returns why the push was given up, if it was. */
  private applyOutcome(push: StatusPushRow, outcome: PushOutcome, at: Date): string | undefined {
    const { db } = this.deps;
    const atIso = at.toISOString();
    if (outcome.kind === 'delivered') {
      markStatusPushDelivered(db, push.id, { at: atIso, httpStatus: outcome.httpStatus });
      return undefined;
    }
    if (outcome.kind === 'refused') {
      markStatusPushDead(db, push.id, { at: atIso, httpStatus: outcome.httpStatus, error: outcome.error });
      return outcome.error;
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
      const gaveUp = `Gave up after ${push.attempts + 1} attempts over the retry window. Last error: ${outcome.error}`;
      markStatusPushDead(db, push.id, { at: atIso, httpStatus: outcome.httpStatus, error: gaveUp });
      return gaveUp;
    }
    markStatusPushFailed(db, push.id, { at: atIso, httpStatus: outcome.httpStatus, error: outcome.error, nextAttemptAt: new Date(next).toISOString() });
    return undefined;
  }

  private noticeChange(): void {
    if (this.changeNotice) return;
    this.changeNotice = setTimeout(() => {
      this.changeNotice = undefined;
      this.deps.events.publish({ type: 'outbox.changed' });
    }, CHANGE_NOTICE_MS);
    this.changeNotice.unref();
  }

  /**
   * While pushes are in flight, each completion pumps again (and picks up anything that fell due
   * meanwhile), so a timer is only needed when nothing is in flight: then sleep until the next
   * push first in line falls due.
   */
  private scheduleNextWake(): void {
    clearTimeout(this.timer);
    // With pushes in flight, or held back only by the pace, something is already set to pump.
    if (this.inFlight.size > 0 || this.paceTimer) return;
    const due = nextStatusPushDueAt(this.deps.db);
    if (due === undefined) return;
    const wait = Math.min(MAX_SLEEP_MS, Math.max(0, Date.parse(due) - this.deps.clock.now().getTime()));
    this.timer = setTimeout(() => this.pump(), wait);
    this.timer.unref();
  }
}
