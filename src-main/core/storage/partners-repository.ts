// Every SQL statement of the partner sync engine: hand-overs (partner_dispatches), the inbox
// of partner events, and partner-originated work (incoming prescriptions and the partner's
// patients). Functions run inside the caller's transaction.
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
  tracking_url: string | null;
  /** JSON of PartnerAttention while the partner holds the order. */
  attention_json: string | null;
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

/**
 * A partner's order RxRelay did not hand over (Honeybee made it on its own): its hand-over row
 * starts open, with the partner's order id known, and is polled like any other.
 */
export function insertAdoptedDispatch(
  db: SqliteDatabase,
  row: Pick<PartnerDispatchRow, 'id' | 'order_id' | 'partner' | 'reference' | 'details_json' | 'refs_json' | 'created_by'> & { partnerOrderRef: string; now: string },
): void {
  prepared(
    db,
    `INSERT INTO partner_dispatches (id, order_id, partner, state, step, reference, details_json, refs_json, partner_order_ref, next_attempt_at,
       created_at, created_by, updated_at)
     VALUES (?, ?, ?, 'open', NULL, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(row.id, row.order_id, row.partner, row.reference, row.details_json, row.refs_json, row.partnerOrderRef, row.now, row.now, row.created_by, row.now);
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
  change: {
    id: string;
    partnerStatus: string;
    carrier: string | null;
    tracking: string | null;
    trackingUrl?: string | null | undefined;
    /** Set while the partner holds the order; cleared by any other status. */
    attentionJson?: string | null | undefined;
    state: DispatchState;
    now: string;
  },
): void {
  prepared(
    db,
    `UPDATE partner_dispatches
     SET partner_status = ?, carrier = COALESCE(?, carrier), tracking = COALESCE(?, tracking), tracking_url = COALESCE(?, tracking_url),
         attention_json = ?, state = ?,
         next_attempt_at = CASE WHEN ? IN ('finished', 'failed') THEN NULL ELSE next_attempt_at END, updated_at = ?
     WHERE id = ?`,
  ).run(
    change.partnerStatus,
    change.carrier,
    change.tracking,
    change.trackingUrl ?? null,
    change.attentionJson ?? null,
    change.state,
    change.state,
    change.now,
    change.id,
  );
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

// ---- incoming prescriptions and the partner's patients ------------------------------------

export interface PartnerPrescriptionRow {
  partner: PartnerName;
  prescription_id: string;
  partner_patient_id: string;
  event_id: string;
  drug_name: string;
  ndc: string;
  sig_text: string | null;
  written_qty: number | null;
  refills_left: number | null;
  expire_date: string | null;
  drug_schedule: string | null;
  prescriber_name: string | null;
  received_at: string;
  matched_order_id: string | null;
  matched_by: string | null;
  matched_at: string | null;
  /** Hand-overs that asked the partner to fill it (not counting ones that failed before reaching the partner). */
  fills_requested: number;
  dismissed_at: string | null;
  dismissed_by: string | null;
}

export type NewPartnerPrescription = Omit<PartnerPrescriptionRow, 'matched_order_id' | 'matched_by' | 'matched_at' | 'fills_requested' | 'dismissed_at' | 'dismissed_by'>;

/** True when it was new; a prescription announced again (a re-delivered event) changes nothing. */
export function insertPartnerPrescription(db: SqliteDatabase, row: NewPartnerPrescription): boolean {
  const result = prepared(
    db,
    `INSERT INTO partner_prescriptions (partner, prescription_id, partner_patient_id, event_id, drug_name, ndc, sig_text, written_qty,
       refills_left, expire_date, drug_schedule, prescriber_name, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (partner, prescription_id) DO NOTHING`,
  ).run(
    row.partner,
    row.prescription_id,
    row.partner_patient_id,
    row.event_id,
    row.drug_name,
    row.ndc,
    row.sig_text,
    row.written_qty,
    row.refills_left,
    row.expire_date,
    row.drug_schedule,
    row.prescriber_name,
    row.received_at,
  );
  return result.changes === 1;
}

const PRESCRIPTION_COLUMNS = `p.*, (SELECT COUNT(*) FROM partner_dispatches d, json_each(d.details_json, '$.prescription_ids') j
     WHERE d.partner = p.partner AND j.value = p.prescription_id AND (d.state <> 'failed' OR d.partner_order_ref IS NOT NULL)) AS fills_requested`;

export function getPartnerPrescription(db: SqliteDatabase, partner: PartnerName, prescriptionId: string): PartnerPrescriptionRow | undefined {
  return prepared(db, `SELECT ${PRESCRIPTION_COLUMNS} FROM partner_prescriptions p WHERE p.partner = ? AND p.prescription_id = ?`).get(partner, prescriptionId) as
    | PartnerPrescriptionRow
    | undefined;
}

/** Waiting and matched ones first (newest first); with `includeDone`, filled and dismissed ones too. */
export function listPartnerPrescriptions(db: SqliteDatabase, partner: PartnerName, includeDone: boolean, limit = 500): PartnerPrescriptionRow[] {
  return prepared(
    db,
    `SELECT * FROM (SELECT ${PRESCRIPTION_COLUMNS} FROM partner_prescriptions p WHERE p.partner = ?)
     WHERE (? = 1 OR (dismissed_at IS NULL AND fills_requested = 0))
     ORDER BY (dismissed_at IS NOT NULL), (fills_requested > 0), received_at DESC
     LIMIT ?`,
  ).all(partner, includeDone ? 1 : 0, limit) as PartnerPrescriptionRow[];
}

export function listPrescriptionsMatchedTo(db: SqliteDatabase, partner: PartnerName, orderId: string): PartnerPrescriptionRow[] {
  return prepared(
    db,
    `SELECT ${PRESCRIPTION_COLUMNS} FROM partner_prescriptions p WHERE p.partner = ? AND p.matched_order_id = ? AND p.dismissed_at IS NULL ORDER BY p.prescription_id`,
  ).all(partner, orderId) as PartnerPrescriptionRow[];
}

/**
 * How many of these prescription ids a hand-over of a BestRx order names: a fill RxRelay asked
 * for (its partner order belongs to that hand-over), not one the partner made on its own.
 */
export function countPrescriptionsRequestedByRxRelay(db: SqliteDatabase, partner: PartnerName, prescriptionIds: readonly string[]): number {
  if (prescriptionIds.length === 0) return 0;
  return (
    prepared(
      db,
      `SELECT COUNT(DISTINCT j.value) AS n FROM partner_dispatches d JOIN orders o ON o.id = d.order_id, json_each(d.details_json, '$.prescription_ids') j
       WHERE d.partner = ? AND o.origin = 'bestrx' AND j.value IN (SELECT value FROM json_each(?))`,
    ).get(partner, JSON.stringify(prescriptionIds)) as { n: number }
  ).n;
}

export function matchPartnerPrescription(
  db: SqliteDatabase,
  change: { partner: PartnerName; prescriptionId: string; orderId: string | null; by: string; now: string },
): void {
  prepared(
    db,
    `UPDATE partner_prescriptions SET matched_order_id = ?, matched_by = ?, matched_at = ?, dismissed_at = NULL, dismissed_by = NULL
     WHERE partner = ? AND prescription_id = ?`,
  ).run(change.orderId, change.orderId ? change.by : null, change.orderId ? change.now : null, change.partner, change.prescriptionId);
}

export function dismissPartnerPrescription(db: SqliteDatabase, change: { partner: PartnerName; prescriptionId: string; by: string; now: string }): void {
  prepared(db, `UPDATE partner_prescriptions SET dismissed_at = ?, dismissed_by = ? WHERE partner = ? AND prescription_id = ?`).run(
    change.now,
    change.by,
    change.partner,
    change.prescriptionId,
  );
}

/** A fill was requested for these prescriptions on this order (the hand-over, which counts the fill, is recorded in the same transaction). */
export function recordFillRequested(db: SqliteDatabase, change: { partner: PartnerName; prescriptionIds: readonly string[]; orderId: string; by: string; now: string }): void {
  const statement = prepared(
    db,
    `UPDATE partner_prescriptions SET matched_order_id = ?, matched_by = COALESCE(matched_by, ?), matched_at = COALESCE(matched_at, ?)
     WHERE partner = ? AND prescription_id = ?`,
  );
  for (const id of change.prescriptionIds) statement.run(change.orderId, change.by, change.now, change.partner, id);
}

export interface PartnerPatientRow {
  partner: PartnerName;
  partner_patient_id: string;
  first_name: string | null;
  last_name: string | null;
  dob: string | null;
  email: string | null;
  fetched_at: string;
}

export function upsertPartnerPatient(db: SqliteDatabase, row: PartnerPatientRow): void {
  prepared(
    db,
    `INSERT INTO partner_patients (partner, partner_patient_id, first_name, last_name, dob, email, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (partner, partner_patient_id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name,
       dob = excluded.dob, email = excluded.email, fetched_at = excluded.fetched_at`,
  ).run(row.partner, row.partner_patient_id, row.first_name, row.last_name, row.dob, row.email, row.fetched_at);
}

export function getPartnerPatient(db: SqliteDatabase, partner: PartnerName, partnerPatientId: string): PartnerPatientRow | undefined {
  return prepared(db, `SELECT * FROM partner_patients WHERE partner = ? AND partner_patient_id = ?`).get(partner, partnerPatientId) as
    | PartnerPatientRow
    | undefined;
}

/** Patients the partner announced prescriptions for whose record RxRelay has not fetched yet. */
export function listPatientsToFetch(db: SqliteDatabase, partner: PartnerName, limit: number): string[] {
  return prepared(
    db,
    `SELECT DISTINCT p.partner_patient_id FROM partner_prescriptions p
     WHERE p.partner = ? AND NOT EXISTS (SELECT 1 FROM partner_patients pp WHERE pp.partner = p.partner AND pp.partner_patient_id = p.partner_patient_id)
     LIMIT ?`,
  )
    .pluck()
    .all(partner, limit) as string[];
}

/**
 * Orders still at the pharmacy, from BestRx, not with a partner, whose recipient has this email
 * or this first and last name (case-insensitive), or that another prescription of the same
 * partner patient was matched to: the candidates an incoming prescription may be for.
 */
export function findMatchCandidates(
  db: SqliteDatabase,
  query: { partner: PartnerName; partnerPatientId: string; email: string | null; firstName: string | null; lastName: string | null; limit: number },
): Array<{ order_id: string; status: string; first_name: string | null; last_name: string | null; entity_name: string | null; email: string | null; same_patient: number }> {
  return prepared(
    db,
    `SELECT o.id AS order_id, o.status, r.first_name, r.last_name, r.entity_name, r.email,
            EXISTS (SELECT 1 FROM partner_prescriptions p WHERE p.partner = ? AND p.partner_patient_id = ? AND p.matched_order_id = o.id)
              OR EXISTS (SELECT 1 FROM order_recipients r2 JOIN partner_prescriptions p2 ON p2.matched_order_id = r2.order_id
                         WHERE p2.partner = ? AND p2.partner_patient_id = ? AND r2.order_id <> o.id
                           AND lower(r2.first_name) = lower(r.first_name) AND lower(r2.last_name) = lower(r.last_name)) AS same_patient
     FROM orders o JOIN order_recipients r ON r.order_id = o.id
     WHERE o.status IN ('created', 'acknowledged') AND o.origin = 'bestrx'
       AND NOT EXISTS (SELECT 1 FROM partner_dispatches d WHERE d.order_id = o.id AND d.state IN ('dispatching', 'open'))
       AND ((? IS NOT NULL AND lower(r.email) = lower(?))
            OR (? IS NOT NULL AND ? IS NOT NULL AND lower(r.first_name) = lower(?) AND lower(r.last_name) = lower(?))
            OR EXISTS (SELECT 1 FROM partner_prescriptions p3 WHERE p3.partner = ? AND p3.partner_patient_id = ? AND p3.matched_order_id = o.id))
     ORDER BY o.created_at DESC
     LIMIT ?`,
  ).all(
    query.partner,
    query.partnerPatientId,
    query.partner,
    query.partnerPatientId,
    query.email,
    query.email,
    query.firstName,
    query.lastName,
    query.firstName,
    query.lastName,
    query.partner,
    query.partnerPatientId,
    query.limit,
  ) as Array<{ order_id: string; status: string; first_name: string | null; last_name: string | null; entity_name: string | null; email: string | null; same_patient: number }>;
}

/** Partner orders the inbox heard about (webhooks) that no hand-over knows: orders the partner made on its own, or ones a hand-over has not stored yet. */
export function listOrphanInboxRefs(db: SqliteDatabase, partner: PartnerName, limit: number): string[] {
  return prepared(
    db,
    `SELECT DISTINCT i.partner_order_ref FROM partner_inbox i
     WHERE i.partner = ? AND i.applied_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM partner_dispatches d WHERE d.partner = i.partner AND d.partner_order_ref = i.partner_order_ref)
     LIMIT ?`,
  )
    .pluck()
    .all(partner, limit) as string[];
}
