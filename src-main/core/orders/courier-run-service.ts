// Courier runs: counter staff hand a set of orders to a courier; the run sheet lists them in
// driving order; the whole run is marked picked up, then out for delivery, in one action.
// Each order still moves through OrderService.transition (its own transaction, its own status
// push), so a run never bypasses the lifecycle rules: an order that cannot move is reported
// and the others go on.
import { PARTNER_DISPLAY_NAMES } from '../../../src-shared/app-api-contract';
import { liveDispatchOfOrder } from '../storage/partners-repository';
import { randomUUID } from 'node:crypto';
import type { AppApiParsedInput, CourierRunView } from '../../../src-shared/app-api-contract';
import { localDate } from '../../../src-shared/local-date';
import { PRE_PICKUP_STATUSES } from '../../../src-shared/order-status';
import type { AppEventBus } from '../app-events';
import type { Clock } from '../clock';
import type { SqliteDatabase } from '../storage/database';
import { findRunOfOrder, getCourierRun, insertCourierRun, listCourierRuns, listRunOrderIds, type CourierRunRow } from '../storage/courier-runs-repository';
import { getOrderState, getOrderSummary } from '../storage/orders-repository';
import type { WriteQueue } from '../storage/write-queue';
import { OrderNotFoundError, TransitionRefusedError, type OrderService } from './order-service';
import { toOrderSummary } from './order-views';

export class CourierRunNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`There is no courier run ${runId}.`);
    this.name = 'CourierRunNotFoundError';
  }
}

export interface CourierRunServiceDependencies {
  db: SqliteDatabase;
  writes: WriteQueue;
  clock: Clock;
  orders: Pick<OrderService, 'transition'>;
  events: AppEventBus;
}

export class CourierRunService {
  constructor(private readonly deps: CourierRunServiceDependencies) {}

  /** Refuses (changing nothing) orders that are missing, already picked up, or on another run. */
  async create(input: AppApiParsedInput<'runs.create'>, actor: string): Promise<CourierRunView> {
    const { db } = this.deps;
    const now = this.deps.clock.now();
    const run: CourierRunRow = {
      id: `RUN-${randomUUID().slice(0, 8).toUpperCase()}`,
      name: input.name ?? `${input.courier}, ${localDate(now)}`,
      courier: input.courier,
      run_date: localDate(now),
      created_at: now.toISOString(),
      created_by: actor,
    };
    await this.deps.writes.run(() => {
      const problems: string[] = [];
      for (const orderId of input.order_ids) {
        const order = getOrderState(db, orderId);
        if (!order) throw new OrderNotFoundError(orderId);
        if (!PRE_PICKUP_STATUSES.includes(order.status)) problems.push(`${orderId} has already left the pharmacy (${order.status.replaceAll('_', ' ')}).`);
        const other = findRunOfOrder(db, orderId);
        if (other) problems.push(`${orderId} is already on run "${other.name}" (${other.courier}).`);
        const withPartner = liveDispatchOfOrder(db, orderId);
        if (withPartner) problems.push(`${orderId} was sent to ${PARTNER_DISPLAY_NAMES[withPartner.partner]}, which delivers it.`);
      }
      if (problems.length > 0) throw new TransitionRefusedError(problems);
      insertCourierRun(db, run, input.order_ids);
    });
    for (const orderId of input.order_ids) {
      const state = getOrderState(db, orderId);
      if (state) this.deps.events.publish({ type: 'order.changed', order_id: orderId, status: state.status });
    }
    return this.view(run);
  }

  list(limit: number): { runs: CourierRunView[] } {
    const { db } = this.deps;
    return db.transaction(() => ({ runs: listCourierRuns(db, limit).map((run) => this.view(run)) }))();
  }

  get(runId: string): CourierRunView {
    const run = getCourierRun(this.deps.db, runId);
    if (!run) throw new CourierRunNotFoundError(runId);
    return this.view(run);
  }

  async advance(input: AppApiParsedInput<'runs.advance'>, actor: string): Promise<{ run: CourierRunView; moved: string[]; refused: Array<{ id: string; reasons: string[] }> }> {
    const run = getCourierRun(this.deps.db, input.id);
    if (!run) throw new CourierRunNotFoundError(input.id);
    const moved: string[] = [];
    const refused: Array<{ id: string; reasons: string[] }> = [];
    for (const orderId of listRunOrderIds(this.deps.db, run.id)) {
      const state = getOrderState(this.deps.db, orderId);
      // Already there (a second click, or moved one by one): nothing to do, nothing to report.
      if (state?.status === input.to) continue;
      try {
        await this.deps.orders.transition({ id: orderId, to: input.to, notes: `Run "${run.name}" (${run.courier})` }, actor);
        moved.push(orderId);
      } catch (error) {
        if (error instanceof TransitionRefusedError) refused.push({ id: orderId, reasons: error.reasons });
        else throw error;
      }
    }
    return { run: this.view(run), moved, refused };
  }

  private view(run: CourierRunRow): CourierRunView {
    const stops = listRunOrderIds(this.deps.db, run.id).flatMap((orderId) => {
      const row = getOrderSummary(this.deps.db, orderId);
      return row ? [toOrderSummary(row)] : [];
    });
    return { ...run, stops };
  }
}
