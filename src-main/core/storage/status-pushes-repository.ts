// Every SQL statement about the status-push outbox. Like the orders repository, these run in
// whatever transaction the caller opened.
import type { StatusPushState } from '../../../src-shared/app-api-contract';
import type { OrderStatus } from '../../../src-shared/order-status';
import { prepared, type SqliteDatabase } from './database';

export type { StatusPushState };

/** A push without its payload (which may carry a signature image: read only when sending). */
export interface StatusPushRow {
  id: number;
  order_id: string;
  event_id: string;
  order_seq: number;
  status: OrderStatus;
  status_code: string;
  status_description: string;
  state: StatusPushState;
  attempts: number;
  next_attempt_at: string;
  window_started_at: string;
  last_attempt_at: string | null;
  last_error: string | null;
  last_http_status: number | null;
  created_at: string;
  finished_at: string | null;
  finished_by: string | null;
}

const ROW_COLUMNS = `p.id, p.order_id, p.event_id, p.order_seq, p.status, p.status_code, p.status_description, p.state, p.attempts,
  p.next_attempt_at, p.window_started_at, p.last_attempt_at, p.last_error, p.last_http_status, p.created_at, p.finished_at, p.finished_by`;

/** A push waits while an earlier push of the same order is still pending or was given up. */
const NOT_HELD_BACK = `NOT EXISTS (
  SELECT 1 FROM status_pushes earlier
  WHERE earlier.order_id = p.order_id AND earlier.order_seq < p.order_seq AND earlier.state IN ('pending', 'dead'))`;

export function insertStatusPush(
  db: SqliteDatabase,
  push: {
    orderId: string;
    eventId: string;
    orderSeq: number;
    status: OrderStatus;
    statusCode: string;
    statusDescription: string;
    payloadJson: string;
    now: string;
  },
): number {
  const result = prepared(
    db,
    `INSERT INTO status_pushes (order_id, event_id, order_seq, status, status_code, status_description, state,
       next_attempt_at, window_started_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
  ).run(push.orderId, push.eventId, push.orderSeq, push.status, push.statusCode, push.statusDescription, push.now, push.now, push.now);
  const id = Number(result.lastInsertRowid);
  prepared(db, `INSERT INTO status_push_payloads (push_id, payload_json) VALUES (?, ?)`).run(id, push.payloadJson);
  return id;
}

/**
 * Pending pushes that are due and first in line for their order, oldest schedule first. The
 * index is named: without statistics SQLite picks the (state, id) index here and sorts every
 * pending push on each call (measured 5-14 ms with 10,000 queued instead of 0.2 ms).
 */
export function dueStatusPushes(db: SqliteDatabase, now: string, limit: number): StatusPushRow[] {
  return prepared(
    db,
    `SELECT ${ROW_COLUMNS} FROM status_pushes p INDEXED BY status_pushes_due
     WHERE p.state = 'pending' AND p.next_attempt_at <= ? AND ${NOT_HELD_BACK}
     ORDER BY p.next_attempt_at, p.id
     LIMIT ?`,
  ).all(now, limit) as StatusPushRow[];
}

/** The exact request body of a push, while it is still pending. */
export function statusPushPayload(db: SqliteDatabase, id: number): string | undefined {
  const row = prepared(
    db,
    `SELECT b.payload_json FROM status_pushes p JOIN status_push_payloads b ON b.push_id = p.id WHERE p.id = ? AND p.state = 'pending'`,
  ).get(id) as { payload_json: string } | undefined;
  return row?.payload_json;
}

/** When the next push that is first in line falls due (undefined when none is waiting). */
export function nextStatusPushDueAt(db: SqliteDatabase): string | undefined {
  const row = prepared(
    db,
    `SELECT p.next_attempt_at AS due FROM status_pushes p INDEXED BY status_pushes_due
     WHERE p.state = 'pending' AND ${NOT_HELD_BACK}
     ORDER BY p.next_attempt_at LIMIT 1`,
  ).get() as { due: string } | undefined;
  return row?.due;
}

export function getStatusPush(db: SqliteDatabase, id: number): StatusPushRow | undefined {
  return prepared(db, `SELECT ${ROW_COLUMNS} FROM status_pushes p WHERE p.id = ?`).get(id) as StatusPushRow | undefined;
}

export function markStatusPushDelivered(db: SqliteDatabase, id: number, attempt: { at: string; httpStatus: number }): void {
  prepared(
    db,
    `UPDATE status_pushes SET state = 'delivered', attempts = attempts + 1, last_attempt_at = ?, last_http_status = ?,
       last_error = NULL, finished_at = ? WHERE id = ? AND state = 'pending'`,
  ).run(attempt.at, attempt.httpStatus, attempt.at, id);
}

export function markStatusPushFailed(
  db: SqliteDatabase,
  id: number,
  attempt: { at: string; httpStatus: number | null; error: string; nextAttemptAt: string },
): void {
  prepared(
    db,
    `UPDATE status_pushes SET attempts = attempts + 1, last_attempt_at = ?, last_http_status = ?, last_error = ?, next_attempt_at = ?
     WHERE id = ? AND state = 'pending'`,
  ).run(attempt.at, attempt.httpStatus, attempt.error, attempt.nextAttemptAt, id);
}

export function markStatusPushDead(db: SqliteDatabase, id: number, attempt: { at: string; httpStatus: number | null; error: string }): void {
  prepared(
    db,
    `UPDATE status_pushes SET state = 'dead', attempts = attempts + 1, last_attempt_at = ?, last_http_status = ?, last_error = ?,
       finished_at = ? WHERE id = ? AND state = 'pending'`,
  ).run(attempt.at, attempt.httpStatus, attempt.error, attempt.at, id);
}

/** Back in line now, with a fresh ~72 h window; returns whether the push could be retried. */
export function retryStatusPush(db: SqliteDatabase, id: number, now: string): boolean {
  const result = prepared(
    db,
    `UPDATE status_pushes SET state = 'pending', next_attempt_at = ?, window_started_at = ?, finished_at = NULL, finished_by = NULL
     WHERE id = ? AND state IN ('pending', 'dead')`,
  ).run(now, now, id);
  return result.changes === 1;
}

/** Given up on purpose: the order's later pushes may go out. */
export function skipStatusPush(db: SqliteDatabase, id: number, now: string, actor: string): boolean {
  const result = prepared(
    db,
    `UPDATE status_pushes SET state = 'skipped', finished_at = ?, finished_by = ? WHERE id = ? AND state IN ('pending', 'dead')`,
  ).run(now, actor, id);
  return result.changes === 1;
}

export function listStatusPushes(
  db: SqliteDatabase,
  filter: { state?: StatusPushState | undefined; orderId?: string | undefined; limit: number; offset: number },
): { rows: StatusPushRow[]; total: number } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.state) {
    where.push('state = ?');
    params.push(filter.state);
  }
  if (filter.orderId) {
    where.push('order_id = ?');
    params.push(filter.orderId);
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const { total } = prepared(db, `SELECT COUNT(*) AS total FROM status_pushes ${whereSql}`).get(...params) as { total: number };
  const rows = prepared(db, `SELECT ${ROW_COLUMNS} FROM status_pushes p ${whereSql} ORDER BY p.id DESC LIMIT ? OFFSET ?`).all(
    ...params,
    filter.limit,
    filter.offset,
  ) as StatusPushRow[];
  return { rows, total };
}

/** Kept by triggers (migration 0008) rather than counted: pushes are kept as history, and counting them all grew with it. */
export function countStatusPushesByState(db: SqliteDatabase): Record<StatusPushState, number> {
  const counts: Record<StatusPushState, number> = { pending: 0, delivered: 0, dead: 0, skipped: 0 };
  for (const row of prepared(db, `SELECT state, n FROM status_push_counts`).all() as Array<{ state: StatusPushState; n: number }>) {
    counts[row.state] = row.n;
  }
  return counts;
}

/** The push that holds this one back (an earlier pending or dead push of the same order), if any. */
export function statusPushHeldBackBy(db: SqliteDatabase, push: Pick<StatusPushRow, 'order_id' | 'order_seq'>): number | undefined {
  const row = prepared(
    db,
    `SELECT id FROM status_pushes WHERE order_id = ? AND order_seq < ? AND state IN ('pending', 'dead') ORDER BY order_seq LIMIT 1`,
  ).get(push.order_id, push.order_seq) as { id: number } | undefined;
  return row?.id;
}
