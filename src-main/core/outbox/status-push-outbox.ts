// The status-push outbox: what the rest of the core sees of it. OrderService calls `enqueue`
// inside the transaction that writes a status event, so the push and the change it announces
// commit together; staff list, retry and skip pushes through the app API.
import type { StatusPushView } from '../../../src-shared/app-api-contract';
import type { OrderStatus } from '../../../src-shared/order-status';
import type { AppEventBus } from '../app-events';
import { buildUpdateOrderStatusPayload, type StoredProof, type UpdateOrderStatusPayload } from '../bestrx/update-order-status';
import type { Clock } from '../clock';
import type { CodeTables } from '../domain/code-tables';
import type { SqliteDatabase } from '../storage/database';
import type { OrderStateRow } from '../storage/orders-repository';
import {
  countStatusPushesByState,
  getStatusPush,
  insertStatusPush,
  listStatusPushes,
  retryStatusPush,
  skipStatusPush,
  statusPushHeldBackBy,
  type StatusPushRow,
  type StatusPushState,
} from '../storage/status-pushes-repository';
import type { WriteQueue } from '../storage/write-queue';

/** The order event a push announces, as OrderService has just written it. */
export interface AnnouncedEvent {
  event_id: string;
  seq: number;
  to_status: OrderStatus;
  captured_at: string;
  notes: string | null;
  proof_json: string | null;
}

export class StatusPushNotFoundError extends Error {
  constructor(readonly pushId: number) {
    super(`No status push ${pushId}.`);
    this.name = 'StatusPushNotFoundError';
  }
}

/** Retry or skip asked of a push that is already delivered or skipped. */
export class StatusPushFinishedError extends Error {
  constructor(readonly pushId: number, state: StatusPushState) {
    super(`Status push ${pushId} is ${state}; only pending or given-up pushes can be retried or skipped.`);
    this.name = 'StatusPushFinishedError';
  }
}

export interface StatusPushOutboxDependencies {
  db: SqliteDatabase;
  writes: WriteQueue;
  clock: Clock;
  codeTables: () => CodeTables;
  /** The signed link to a delivery's signature image (the listener's URL is known only once it listens). */
  signatureUrl: (eventId: string) => string;
  events: AppEventBus;
  /** Told when pushes were committed or put back in line, so the worker looks at once. */
  onWork: () => void;
  /** Where pushes go, for the overview; undefined when none is configured. */
  targetUrl: () => string | undefined;
}

export class StatusPushOutbox {
  constructor(private readonly deps: StatusPushOutboxDependencies) {}

  /** Writes the push for a status event. Call inside the transaction that wrote the event. */
  enqueue(order: OrderStateRow, event: AnnouncedEvent): void {
    const payload: UpdateOrderStatusPayload = buildUpdateOrderStatusPayload(
      {
        order,
        event: {
          event_id: event.event_id,
          to_status: event.to_status,
          captured_at: event.captured_at,
          notes: event.notes,
          proof: event.proof_json ? (JSON.parse(event.proof_json) as StoredProof) : null,
        },
      },
      { codeTables: this.deps.codeTables(), signatureUrl: this.deps.signatureUrl },
    );
    insertStatusPush(this.deps.db, {
      orderId: order.id,
      eventId: event.event_id,
      orderSeq: event.seq,
      status: event.to_status,
      statusCode: payload.order_status.status_code,
      statusDescription: payload.order_status.status_Code_description,
      payloadJson: JSON.stringify(payload),
      now: this.deps.clock.now().toISOString(),
    });
  }

  /** Pushes written by a transaction that has now committed: the worker may send them. */
  committed(): void {
    this.deps.onWork();
  }

  list(filter: { state?: StatusPushState | undefined; orderId?: string | undefined; limit: number; offset: number }) {
    const { db } = this.deps;
    return db.transaction(() => {
      const { rows, total } = listStatusPushes(db, filter);
      return {
        pushes: rows.map((row) => this.view(row)),
        total,
        counts: countStatusPushesByState(db),
        target_url: this.deps.targetUrl() ?? null,
      };
    })();
  }

  forOrder(orderId: string): StatusPushView[] {
    return listStatusPushes(this.deps.db, { orderId, limit: 1000, offset: 0 })
      .rows.reverse()
      .map((row) => this.view(row));
  }

  /** Back in line now, with a fresh window of retries. */
  async retry(id: number): Promise<StatusPushView> {
    await this.deps.writes.run(() => {
      const push = this.mustGet(id);
      if (!retryStatusPush(this.deps.db, id, this.deps.clock.now().toISOString())) throw new StatusPushFinishedError(id, push.state);
    });
    this.deps.onWork();
    this.deps.events.publish({ type: 'outbox.changed' });
    return this.view(this.mustGet(id));
  }

  /** Given up on purpose, so the order's later statuses can go out. */
  async skip(id: number, actor: string): Promise<StatusPushView> {
    await this.deps.writes.run(() => {
      const push = this.mustGet(id);
      if (!skipStatusPush(this.deps.db, id, this.deps.clock.now().toISOString(), actor)) throw new StatusPushFinishedError(id, push.state);
    });
    this.deps.onWork();
    this.deps.events.publish({ type: 'outbox.changed' });
    return this.view(this.mustGet(id));
  }

  private mustGet(id: number): StatusPushRow {
    const push = getStatusPush(this.deps.db, id);
    if (!push) throw new StatusPushNotFoundError(id);
    return push;
  }

  private view(row: StatusPushRow): StatusPushView {
    return {
      id: row.id,
      order_id: row.order_id,
      event_id: row.event_id,
      status: row.status,
      status_code: row.status_code,
      status_description: row.status_description,
      state: row.state,
      attempts: row.attempts,
      next_attempt_at: row.state === 'pending' ? row.next_attempt_at : null,
      last_attempt_at: row.last_attempt_at,
      last_error: row.last_error,
      last_http_status: row.last_http_status,
      created_at: row.created_at,
      finished_at: row.finished_at,
      finished_by: row.finished_by,
      held_back_by: row.state === 'pending' ? (statusPushHeldBackBy(this.deps.db, row) ?? null) : null,
    };
  }
}
