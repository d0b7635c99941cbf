// Every SQL statement of the partner sync engine: hand-overs (partner_dispatches) and the inbox
// of partner events. Functions run inside the caller's transaction.
import type { DispatchState, PartnerName } from '../../../src-shared/app-api-contract';
import { prepared, type SqliteDatabase } from './database';

export interface PartnerDispatchRow {
  id: string;
  order_id: string;
  partner: PartnerName;
  state: DispatchState;
  step: string | null;
  step_started_at: string | null;
  reference: string;
  details_json: string;
  refs_json: string;
  partner_order_ref: string | null;
  partner_status: string | null;
  carrier: string | null;
  tracking: string | null;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export function insertPartnerDispatch(
  db: SqliteDatabase,
  row: Pick<PartnerDispatchRow, 'id' | 'order_id' | 'partner' | 'step' | 'reference' | 'details_json' | 'created_by'> & { now: string },
): void {
  prepared(
    db,
    `INSERT INTO partner_dispatches (id, order_id, partner, state, step, reference, details_json, next_attempt_at, created_at, created_by, updated_at)
     VALUES (?, ?, ?, 'dispatching', ?, ?, ?, ?, ?, ?, ?)`,
  ).run(row.id, row.order_id, row.partner, row.step, row.reference, row.details_json, row.now, row.now, row.created_by, row.now);
}

export function getPartnerDispatch(db: SqliteDatabase, id: string): PartnerDispatchRow | undefined {
  return prepared(db, `SELECT * FROM partner_dispatches WHERE id = ?`).get(id) as PartnerDispatchRow | undefined;
}

/** The order's latest hand-over (live or not). */
export function latestDispatchOfOrder(db: SqliteDatabase, orderId: string): PartnerDispatchRow | undefined {
  return prepared(db, `SELECT * FROM partner_dispatches WHERE order_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`).get(orderId) as
    | PartnerDispatchRow
    | undefined;
}

/** The order's hand-over that is still running (dispatching or open), if any. */
export function liveDispatchOfOrder(db: SqliteDatabase, orderId: string): PartnerDispatchRow | undefined {
  return prepared(db, `SELECT * FROM partner_dispatches WHERE order_id = ? AND state IN ('dispatching', 'open')`).get(orderId) as
    | PartnerDispatchRow
    | undefined;
}

export function countDispatchesOfOrder(db: SqliteDatabase, orderId: string, partner: PartnerName): number {
  return (prepared(db, `SELECT COUNT(*) AS n FROM partner_dispatches WHERE order_id = ? AND partner = ?`).get(orderId, partner) as { n: number }).n;
}

export function findDispatchByPartnerOrder(db: SqliteDatabase, partner: PartnerName, partnerOrderRef: string): PartnerDispatchRow | undefined {
  return prepared(db, `SELECT * FROM partner_dispatches WHERE partner = ? AND partner_order_ref = ?`).get(partner, partnerOrderRef) as
    | PartnerDispatchRow
    | undefined;
}

export function findDispatchByReference(db: SqliteDatabase, partner: PartnerName, reference: string): PartnerDispatchRow | undefined {
  return prepared(db, `SELECT * FROM partner_dispatches WHERE partner = ? AND reference = ?`).get(partner, reference) as
    | PartnerDispatchRow
    | undefined;
}

/** Live hand-overs of a partner whose next step or poll is due. */
export function listDueDispatches(db: SqliteDatabase, partner: PartnerName, now: string, limit: number): PartnerDispatchRow[] {
  return prepared(
    db,
    `SELECT * FROM partner_dispatches
     WHERE partner = ? AND state IN ('dispatching', 'open') AND next_attempt_at <= ?
     ORDER BY next_attempt_at LIMIT ?`,
  ).all(partner, now, limit) as PartnerDispatchRow[];
}

/** When the partner's next hand-over is due (for the engine's timer). */
export function nextDueAt(db: SqliteDatabase, partner: PartnerName): string | undefined {
  const row = prepared(
    db,
    `SELECT MIN(next_attempt_at) AS at FROM partner_dispatches WHERE partner = ? AND state IN ('dispatching', 'open')`,
  ).get(partner) as { at: string | null };
  return row.at ?? undefined;
}

export function countDispatchesByState(db: SqliteDatabase, partner: PartnerName): Record<DispatchState, number> {
  const counts: Record<DispatchState, number> = { dispatching: 0, open: 0, finished: 0, failed: 0 };
  const rows = prepared(db, `SELECT state, COUNT(*) AS n FROM partner_dispatches WHERE partner = ? GROUP BY state`).all(partner) as Array<{
    state: DispatchState;
    n: number;
  }>;
  for (const row of rows) counts[row.state] = row.n;
  return counts;
}

/** Failed hand-overs of orders that have not been dispatched again since (they wait for staff). */
export function countUnresolvedFailures(db: SqliteDatabase, partner: PartnerName): number {
  return (
    prepared(
      db,
      `SELECT COUNT(*) AS n FROM partner_dispatches d
       WHERE d.partner = ? AND d.state = 'failed'
         AND NOT EXISTS (SELECT 1 FROM partner_dispatches later WHERE later.order_id = d.order_id AND later.created_at > d.created_at)`,
    ).get(partner) as { n: number }
  ).n;
}

/** A step is about to call the partner: from now on it may have happened there. Not due again until `leaseUntil`. */
export function markStepStarted(db: SqliteDatabase, id: string, now: string, leaseUntil: string): void {
  prepared(
    db,
    `UPDATE partner_dispatches SET step_started_at = COALESCE(step_started_at, ?), attempts = attempts + 1, next_attempt_at = ?, updated_at = ? WHERE id = ?`,
  ).run(now, leaseUntil, now, id);
}

/** A poll is under way: not due again until `leaseUntil` (its outcome sets the real next time). */
export function leaseDispatch(db: SqliteDatabase, id: string, leaseUntil: string): void {
  prepared(db, `UPDATE partner_dispatches SET next_attempt_at = ? WHERE id = ? AND state IN ('dispatching', 'open')`).run(leaseUntil, id);
}

/** A step is done: its refs are stored and the next step (or the open hand-over) begins. */
export function recordStepDone(
  db: SqliteDatabase,
  change: { id: string; refsJson: string; nextStep: string | null; partnerOrderRef: string | null; partnerStatus: string | null; nextAttemptAt: string; now: string },
): void {
  prepared(
    db,
    `UPDATE partner_dispatches
     SET refs_json = ?, step = ?, step_started_at = NULL, attempts = 0, last_error = NULL,
         state = CASE WHEN ? IS NULL THEN 'open' ELSE state END,
         partner_order_ref = COALESCE(?, partner_order_ref), partner_status = COALESCE(?, partner_status),
         next_attempt_at = ?, updated_at = ?
     WHERE id = ?`,
  ).run(change.refsJson, change.nextStep, change.nextStep, change.partnerOrderRef, change.partnerStatus, change.nextAttemptAt, change.now, change.id);
}

/** A step or poll failed and will be tried again at `nextAttemptAt`. */
export function recordAttemptFailed(db: SqliteDatabase, change: { id: string; error: string; nextAttemptAt: string; now: string }): void {
  prepared(db, `UPDATE partner_dispatches SET last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?`).run(
    change.error,
    change.nextAttemptAt,
    change.now,
    change.id,
  );
}

/** A poll worked: clear the error, count nothing, look again at `nextAttemptAt`. */
export function recordPolled(db: SqliteDatabase, change: { id: string; nextAttemptAt: string; now: string }): void {
  prepared(db, `UPDATE partner_dispatches SET last_error = NULL, attempts = 0, next_attempt_at = ?, updated_at = ? WHERE id = ?`).run(
    change.nextAttemptAt,
    change.now,
    change.id,
  );
}

export function recordPollFailed(db: SqliteDatabase, change: { id: string; error: string; nextAttemptAt: string; now: string }): void {
  prepared(db, `UPDATE partner_dispatches SET last_error = ?, attempts = attempts + 1, next_attempt_at = ?, updated_at = ? WHERE id = ?`).run(
    change.error,
    change.nextAttemptAt,
    change.now,
    change.id,
  );
}

export function recordPartnerProgress(
  db: SqliteDatabase,
  change: { id: string; partnerStatus: string; carrier: string | null; tracking: string | null; state: DispatchState; now: string },
): void {
  prepared(
    db,
    `UPDATE partner_dispatches
     SET partner_status = ?, carrier = COALESCE(?, carrier), tracking = COALESCE(?, tracking), state = ?,
         next_attempt_at = CASE WHEN ? IN ('finished', 'failed') THEN NULL ELSE next_attempt_at END, updated_at = ?
     WHERE id = ?`,
  ).run(change.partnerStatus, change.carrier, change.tracking, change.state, change.state, change.now, change.id);
}

export function markDispatchFailed(db: SqliteDatabase, change: { id: string; error: string; now: string }): void {
  prepared(
    db,
    `UPDATE partner_dispatches SET state = 'failed', last_error = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?`,
  ).run(change.error, change.now, change.id);
}

/** Every live hand-over of the partner due now (staff asked to sync now). */
export function makeDispatchesDue(db: SqliteDatabase, partner: PartnerName, now: string): void {
  prepared(db, `UPDATE partner_dispatches SET next_attempt_at = ? WHERE partner = ? AND state IN ('dispatching', 'open')`).run(now, partner);
}

// ---- inbox -------------------------------------------------------------------------------

export interface PartnerInboxRow {
  partner: PartnerName;
  event_id: string;
  source: 'webhook' | 'poll';
  partner_order_ref: string;
  partner_status: string;
  payload_json: string;
  received_at: string;
  dispatch_id: string | null;
  applied_at: string | null;
}

export function findInboxEvent(db: SqliteDatabase, partner: PartnerName, eventId: string): PartnerInboxRow | undefined {
  return prepared(db, `SELECT * FROM partner_inbox WHERE partner = ? AND event_id = ?`).get(partner, eventId) as PartnerInboxRow | undefined;
}

export function insertInboxEvent(db: SqliteDatabase, row: Omit<PartnerInboxRow, 'dispatch_id' | 'applied_at'>): void {
  prepared(
    db,
    `INSERT INTO partner_inbox (partner, event_id, source, partner_order_ref, partner_status, payload_json, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(row.partner, row.event_id, row.source, row.partner_order_ref, row.partner_status, row.payload_json, row.received_at);
}

export function markInboxEventApplied(db: SqliteDatabase, partner: PartnerName, eventId: string, dispatchId: string, now: string): void {
  prepared(db, `UPDATE partner_inbox SET dispatch_id = ?, applied_at = ? WHERE partner = ? AND event_id = ?`).run(dispatchId, now, partner, eventId);
}

/** Events that arrived before their hand-over knew the partner's order id (a webhook racing the answer). */
export function listUnappliedInboxEvents(db: SqliteDatabase, partner: PartnerName, partnerOrderRef: string): PartnerInboxRow[] {
  return prepared(
    db,
    `SELECT * FROM partner_inbox WHERE partner = ? AND partner_order_ref = ? AND applied_at IS NULL ORDER BY received_at`,
  ).all(partner, partnerOrderRef) as PartnerInboxRow[];
}

export function countInboxEvents(db: SqliteDatabase, partner: PartnerName): number {
  return (prepared(db, `SELECT COUNT(*) AS n FROM partner_inbox WHERE partner = ?`).get(partner) as { n: number }).n;
}
