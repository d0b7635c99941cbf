// Every SQL statement about orders, their parts, their events and their idempotency keys.
// Functions take the database first and run inside whatever transaction the caller opened:
// the service decides transaction boundaries, this module only speaks SQL.
import type { OrderEventType, PartnerName } from '../../../src-shared/app-api-contract';
import type { OrderStatus } from '../../../src-shared/order-status';
import type {
  ConsentContent,
  CustomerContent,
  OrderContent,
  OtcItemContent,
  PartialPostalAddress,
  PrescriptionContent,
} from '../domain/order-content';
import { prepared, type SqliteDatabase } from './database';

export interface OrderStateRow {
  id: string;
  tracking_id: string;
  bestrx_pharmacy_id: string;
  bestrx_order_id: number;
  bestrx_unique_order_id: number;
  status: OrderStatus;
  status_changed_at: string;
  return_requested_at: string | null;
  /** Who asked for the delivery: BestRx, or a partner on its own (Honeybee's Automatic Processing). */
  origin: OrderOrigin;
  created_at: string;
  updated_at: string;
}

export type OrderOrigin = 'bestrx' | PartnerName;

export interface OrderSummaryRow extends OrderStateRow {
  total_amount_cents: number;
  amount_to_collect_cents: number;
  refrigeration_needed: number;
  signature_required: number;
  photo_id_required: number;
  requested_delivery_date: string | null;
  entity_name: string | null;
  first_name: string | null;
  last_name: string | null;
  address_line_1: string;
  address_line_2: string | null;
  city: string;
  state: string;
  zip_code: string;
  run_id: string | null;
  /** The latest hand-over's partner and state ('united:open'), if any. */
  partner_dispatch: string | null;
}

export interface OrderEventRow {
  event_id: string;
  order_id: string;
  seq: number;
  type: OrderEventType;
  from_status: OrderStatus | null;
  to_status: OrderStatus | null;
  actor: string;
  device_id: string;
  captured_at: string;
  recorded_at: string;
  notes: string | null;
  proof_json: string | null;
}

export type NewOrderEvent = Omit<OrderEventRow, 'seq'>;

const STATE_COLUMNS = `o.id, o.tracking_id, o.bestrx_pharmacy_id, o.bestrx_order_id, o.bestrx_unique_order_id,
  o.status, o.status_changed_at, o.return_requested_at, o.origin, o.created_at, o.updated_at`;

// ---- idempotency keys ---------------------------------------------------------------------

export function findIdempotencyKey(
  db: SqliteDatabase,
  pharmacyId: string,
  uniqueOrderId: number,
): { order_id: string; request_hash: string } | undefined {
  return prepared(
    db,
    `SELECT order_id, request_hash FROM idempotency_keys WHERE bestrx_pharmacy_id = ? AND bestrx_unique_order_id = ?`,
  ).get(pharmacyId, uniqueOrderId) as { order_id: string; request_hash: string } | undefined;
}

export function insertIdempotencyKey(
  db: SqliteDatabase,
  key: { pharmacyId: string; uniqueOrderId: number; orderId: string; requestHash: string; now: string },
): void {
  prepared(
    db,
    `INSERT INTO idempotency_keys (bestrx_pharmacy_id, bestrx_unique_order_id, order_id, request_hash, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(key.pharmacyId, key.uniqueOrderId, key.orderId, key.requestHash, key.now, key.now);
}

export function updateIdempotencyHash(
  db: SqliteDatabase,
  key: { pharmacyId: string; uniqueOrderId: number; requestHash: string; now: string },
): void {
  prepared(
    db,
    `UPDATE idempotency_keys SET request_hash = ?, updated_at = ? WHERE bestrx_pharmacy_id = ? AND bestrx_unique_order_id = ?`,
  ).run(key.requestHash, key.now, key.pharmacyId, key.uniqueOrderId);
}

// ---- orders ------------------------------------------------------------------------------

function orderColumnValues(content: OrderContent) {
  return [
    content.pickup_date,
    content.requested_delivery_date,
    content.service_level,
    content.prescription_amount_cents,
    content.otc_amount_cents,
    content.tax_amount_cents,
    content.total_amount_cents,
    content.amount_to_collect_cents,
    content.declared_amount_cents,
    content.height,
    content.width,
    content.length,
    content.weight,
    content.refrigeration_needed ? 1 : 0,
    content.signature_required ? 1 : 0,
    content.photo_id_required ? 1 : 0,
    content.delivery_notes,
  ];
}

const CONTENT_COLUMNS = `pickup_date, requested_delivery_date, service_level,
  prescription_amount_cents, otc_amount_cents, tax_amount_cents, total_amount_cents, amount_to_collect_cents, declared_amount_cents,
  package_height, package_width, package_length, package_weight,
  refrigeration_needed, signature_required, photo_id_required, delivery_notes`;

export function insertOrder(
  db: SqliteDatabase,
  order: { id: string; trackingId: string; content: OrderContent; requestJson: string; searchText: string; now: string; origin?: OrderOrigin },
): void {
  const c = order.content;
  prepared(
    db,
    `INSERT INTO orders (id, tracking_id, bestrx_pharmacy_id, bestrx_order_id, bestrx_unique_order_id, status, status_changed_at,
       ${CONTENT_COLUMNS}, request_json, search_text, origin, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'created', ?, ${Array(17).fill('?').join(', ')}, ?, ?, ?, ?, ?)`,
  ).run(
    order.id,
    order.trackingId,
    c.bestrx_pharmacy_id,
    c.bestrx_order_id,
    c.bestrx_unique_order_id,
    order.now,
    ...orderColumnValues(c),
    order.requestJson,
    order.searchText,
    order.origin ?? 'bestrx',
    order.now,
    order.now,
  );
  insertOrderParts(db, order.id, c);
}

export function replaceOrderContent(
  db: SqliteDatabase,
  order: { id: string; content: OrderContent; requestJson: string; searchText: string; now: string },
): void {
  const c = order.content;
  prepared(
    db,
    `UPDATE orders SET bestrx_order_id = ?, pickup_date = ?, requested_delivery_date = ?, service_level = ?,
       prescription_amount_cents = ?, otc_amount_cents = ?, tax_amount_cents = ?, total_amount_cents = ?,
       amount_to_collect_cents = ?, declared_amount_cents = ?,
       package_height = ?, package_width = ?, package_length = ?, package_weight = ?,
       refrigeration_needed = ?, signature_required = ?, photo_id_required = ?, delivery_notes = ?,
       request_json = ?, search_text = ?, updated_at = ?
     WHERE id = ?`,
  ).run(c.bestrx_order_id, ...orderColumnValues(c), order.requestJson, order.searchText, order.now, order.id);
  for (const table of ['order_stores', 'order_recipients', 'order_customers', 'order_prescriptions', 'order_otc_items', 'order_consents']) {
    prepared(db, `DELETE FROM ${table} WHERE order_id = ?`).run(order.id);
  }
  insertOrderParts(db, order.id, c);
}

function addressValues(address: PartialPostalAddress | null) {
  return [
    address?.address_line_1 ?? null,
    address?.address_line_2 ?? null,
    address?.city ?? null,
    address?.state ?? null,
    address?.zip_code ?? null,
  ];
}

function insertOrderParts(db: SqliteDatabase, orderId: string, c: OrderContent): void {
  const s = c.store;
  prepared(
    db,
    `INSERT INTO order_stores (order_id, bestrx_pharmacy_id, delivery_provider_acct_no, name,
       address_line_1, address_line_2, city, state, zip_code, phone, fax, email, ncpdp, npi, dea)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(orderId, s.bestrx_pharmacy_id, s.delivery_provider_acct_no, s.name, ...addressValues(s.address), s.phone, s.fax, s.email, s.ncpdp, s.npi, s.dea);

  const r = c.recipient;
  prepared(
    db,
    `INSERT INTO order_recipients (order_id, entity_name, first_name, middle_name, last_name,
       address_line_1, address_line_2, city, state, zip_code, home_phone, work_phone, mobile_phone, fax, email)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(orderId, r.entity_name, r.first_name, r.middle_name, r.last_name, ...addressValues(r.address), r.home_phone, r.work_phone, r.mobile_phone, r.fax, r.email);

  const customer = prepared(
    db,
    `INSERT INTO order_customers (order_id, position, customer_unique_id, first_name, middle_name, last_name,
       address_line_1, address_line_2, city, state, zip_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  c.customers.forEach((x, i) => customer.run(orderId, i, x.customer_unique_id, x.first_name, x.middle_name, x.last_name, ...addressValues(x.address)));

  const prescription = prepared(
    db,
    `INSERT INTO order_prescriptions (order_id, position, customer_unique_id, rx_number, fill_date, amount_due_cents, partial_fill_seqno)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  c.prescriptions.forEach((x, i) => prescription.run(orderId, i, x.customer_unique_id, x.rx_number, x.fill_date, x.amount_due_cents, x.partial_fill_seqno));

  const otcItem = prepared(
    db,
    `INSERT INTO order_otc_items (order_id, position, customer_unique_id, upc, item_description, quantity, amount_due_cents)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  c.otc_items.forEach((x, i) => otcItem.run(orderId, i, x.customer_unique_id, x.upc, x.item_description, x.quantity, x.amount_due_cents));

  const consent = prepared(
    db,
    `INSERT INTO order_consents (order_id, position, consent_header, consent_text, consent_inputs_json, consent_type_json)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  c.consents.forEach((x, i) => consent.run(orderId, i, x.consent_header, x.consent_text, JSON.stringify(x.consent_inputs), JSON.stringify(x.consent_type)));
}

type AddressColumns = {
  address_line_1: string | null;
  address_line_2: string | null;
  city: string | null;
  state: string | null;
  zip_code: string | null;
};

function addressFromColumns(row: AddressColumns): PartialPostalAddress | null {
  const address = {
    address_line_1: row.address_line_1,
    address_line_2: row.address_line_2,
    city: row.city,
    state: row.state,
    zip_code: row.zip_code,
  };
  return Object.values(address).some((v) => v !== null) ? address : null;
}

interface OrderContentRow {
  bestrx_pharmacy_id: string;
  bestrx_order_id: number;
  bestrx_unique_order_id: number;
  pickup_date: string | null;
  requested_delivery_date: string | null;
  service_level: string | null;
  prescription_amount_cents: number;
  otc_amount_cents: number;
  tax_amount_cents: number;
  total_amount_cents: number;
  amount_to_collect_cents: number;
  declared_amount_cents: number;
  package_height: string | null;
  package_width: string | null;
  package_length: string | null;
  package_weight: string | null;
  refrigeration_needed: number;
  signature_required: number;
  photo_id_required: number;
  delivery_notes: string | null;
}

/** The order's content exactly as it was stored: the inverse of insertOrder's split into tables. */
export function loadOrderContent(db: SqliteDatabase, orderId: string): OrderContent | undefined {
  const o = prepared(
    db,
    `SELECT bestrx_pharmacy_id, bestrx_order_id, bestrx_unique_order_id, ${CONTENT_COLUMNS} FROM orders WHERE id = ?`,
  ).get(orderId) as OrderContentRow | undefined;
  if (!o) return undefined;
  const s = prepared(db, `SELECT * FROM order_stores WHERE order_id = ?`).get(orderId) as Record<string, string | null> & AddressColumns;
  const r = prepared(db, `SELECT * FROM order_recipients WHERE order_id = ?`).get(orderId) as Record<string, string | null> & {
    address_line_1: string;
    city: string;
    state: string;
    zip_code: string;
  };
  const customers = prepared(db, `SELECT * FROM order_customers WHERE order_id = ? ORDER BY position`).all(orderId) as Array<
    AddressColumns & { customer_unique_id: number | null; first_name: string | null; middle_name: string | null; last_name: string | null }
  >;
  const prescriptions = prepared(
    db,
    `SELECT customer_unique_id, rx_number, fill_date, amount_due_cents, partial_fill_seqno
     FROM order_prescriptions WHERE order_id = ? ORDER BY position`,
  ).all(orderId) as PrescriptionContent[];
  const otcItems = prepared(
    db,
    `SELECT customer_unique_id, upc, item_description, quantity, amount_due_cents
     FROM order_otc_items WHERE order_id = ? ORDER BY position`,
  ).all(orderId) as OtcItemContent[];
  const consents = prepared(
    db,
    `SELECT consent_header, consent_text, consent_inputs_json, consent_type_json FROM order_consents WHERE order_id = ? ORDER BY position`,
  ).all(orderId) as Array<{ consent_header: string | null; consent_text: string | null; consent_inputs_json: string; consent_type_json: string }>;

  return {
    bestrx_pharmacy_id: o.bestrx_pharmacy_id,
    bestrx_order_id: o.bestrx_order_id,
    bestrx_unique_order_id: o.bestrx_unique_order_id,
    pickup_date: o.pickup_date,
    requested_delivery_date: o.requested_delivery_date,
    service_level: o.service_level,
    prescription_amount_cents: o.prescription_amount_cents,
    otc_amount_cents: o.otc_amount_cents,
    tax_amount_cents: o.tax_amount_cents,
    total_amount_cents: o.total_amount_cents,
    amount_to_collect_cents: o.amount_to_collect_cents,
    declared_amount_cents: o.declared_amount_cents,
    height: o.package_height,
    width: o.package_width,
    length: o.package_length,
    weight: o.package_weight,
    refrigeration_needed: o.refrigeration_needed === 1,
    signature_required: o.signature_required === 1,
    photo_id_required: o.photo_id_required === 1,
    delivery_notes: o.delivery_notes,
    store: {
      bestrx_pharmacy_id: s.bestrx_pharmacy_id as string,
      delivery_provider_acct_no: s.delivery_provider_acct_no ?? null,
      name: s.name ?? null,
      address: addressFromColumns(s),
      phone: s.phone ?? null,
      fax: s.fax ?? null,
      email: s.email ?? null,
      ncpdp: s.ncpdp ?? null,
      npi: s.npi ?? null,
      dea: s.dea ?? null,
    },
    recipient: {
      entity_name: r.entity_name ?? null,
      first_name: r.first_name ?? null,
      middle_name: r.middle_name ?? null,
      last_name: r.last_name ?? null,
      address: {
        address_line_1: r.address_line_1,
        address_line_2: r.address_line_2 ?? null,
        city: r.city,
        state: r.state,
        zip_code: r.zip_code,
      },
      home_phone: r.home_phone ?? null,
      work_phone: r.work_phone ?? null,
      mobile_phone: r.mobile_phone ?? null,
      fax: r.fax ?? null,
      email: r.email ?? null,
    },
    customers: customers.map(
      (c): CustomerContent => ({
        customer_unique_id: c.customer_unique_id,
        first_name: c.first_name,
        middle_name: c.middle_name,
        last_name: c.last_name,
        address: addressFromColumns(c),
      }),
    ),
    prescriptions,
    otc_items: otcItems,
    consents: consents.map(
      (c): ConsentContent => ({
        consent_header: c.consent_header,
        consent_text: c.consent_text,
        consent_inputs: JSON.parse(c.consent_inputs_json) as string[],
        consent_type: JSON.parse(c.consent_type_json) as ConsentContent['consent_type'],
      }),
    ),
  };
}

export function getOrderState(db: SqliteDatabase, orderId: string): OrderStateRow | undefined {
  return prepared(db, `SELECT ${STATE_COLUMNS} FROM orders o WHERE o.id = ?`).get(orderId) as OrderStateRow | undefined;
}

export function findOrderIdByTrackingId(db: SqliteDatabase, trackingId: string): string | undefined {
  return (prepared(db, `SELECT id FROM orders WHERE tracking_id = ?`).get(trackingId) as { id: string } | undefined)?.id;
}

export function setOrderStatus(db: SqliteDatabase, orderId: string, status: OrderStatus, now: string): void {
  prepared(db, `UPDATE orders SET status = ?, status_changed_at = ?, updated_at = ? WHERE id = ?`).run(status, now, now, orderId);
}

export function markReturnRequested(db: SqliteDatabase, orderId: string, now: string): void {
  prepared(db, `UPDATE orders SET return_requested_at = ?, updated_at = ? WHERE id = ?`).run(now, now, orderId);
}

// ---- events ------------------------------------------------------------------------------

/** Appends an event as the order's next in sequence (`firstOfOrder` skips the lookup for a new order). */
export function appendOrderEvent(db: SqliteDatabase, event: NewOrderEvent, firstOfOrder = false): number {
  const seq = firstOfOrder
    ? 1
    : (prepared(db, `SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM order_events WHERE order_id = ?`).get(event.order_id) as { seq: number }).seq;
  prepared(
    db,
    `INSERT INTO order_events (event_id, order_id, seq, type, from_status, to_status, actor, device_id,
       captured_at, recorded_at, notes, proof_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    event.event_id,
    event.order_id,
    seq,
    event.type,
    event.from_status,
    event.to_status,
    event.actor,
    event.device_id,
    event.captured_at,
    event.recorded_at,
    event.notes,
    event.proof_json,
  );
  return seq;
}

export function findEventProofJson(db: SqliteDatabase, eventId: string): string | undefined {
  const row = prepared(db, `SELECT proof_json FROM order_events WHERE event_id = ?`).get(eventId) as { proof_json: string | null } | undefined;
  return row?.proof_json ?? undefined;
}

/** How many copies of a document were printed for an order so far (label_printed events). */
export function countPrintedCopies(db: SqliteDatabase, orderId: string, document: string): number {
  const row = prepared(
    db,
    `SELECT COALESCE(SUM(json_extract(proof_json, '$.copies')), 0) AS copies FROM order_events
      WHERE order_id = ? AND type = 'label_printed' AND json_extract(proof_json, '$.document') = ?`,
  ).get(orderId, document) as { copies: number };
  return row.copies;
}

export function listOrderEvents(db: SqliteDatabase, orderId: string): OrderEventRow[] {
  return prepared(db, `SELECT * FROM order_events WHERE order_id = ? ORDER BY seq`).all(orderId) as OrderEventRow[];
}

// ---- lists -------------------------------------------------------------------------------

export interface OrderListFilter {
  status?: OrderStatus | undefined;
  /** Due (requested delivery date) on `today`, or received since `todayStartsAt`. */
  today?: { date: string; startsAt: string } | undefined;
  /** Failed at the door, being returned, a push to BestRx that was given up, a partner that gave the order back or holds it for staff. */
  needsAttention?: boolean;
  refrigerated?: boolean;
  /** Payment to collect on delivery, not yet delivered. */
  collect?: boolean;
  /** Still at the pharmacy, on no courier run, and not with a partner. */
  readyForRun?: boolean;
  /** Words that must all appear in the order's search text (case-insensitive). */
  words?: readonly string[] | undefined;
  limit: number;
  offset: number;
}

const SUMMARY_SELECT = `SELECT ${STATE_COLUMNS}, o.total_amount_cents, o.amount_to_collect_cents, o.refrigeration_needed, o.signature_required,
            o.photo_id_required, o.requested_delivery_date,
            r.entity_name, r.first_name, r.last_name, r.address_line_1, r.address_line_2, r.city, r.state, r.zip_code
            , s.run_id
            , (SELECT d.partner || ':' || d.state FROM partner_dispatches d WHERE d.order_id = o.id
               ORDER BY d.created_at DESC, d.rowid DESC LIMIT 1) AS partner_dispatch
     FROM orders o JOIN order_recipients r ON r.order_id = o.id LEFT JOIN courier_run_stops s ON s.order_id = o.id`;

/** One order's board row. */
export function getOrderSummary(db: SqliteDatabase, orderId: string): OrderSummaryRow | undefined {
  return prepared(db, `${SUMMARY_SELECT} WHERE o.id = ?`).get(orderId) as OrderSummaryRow | undefined;
}

export function listOrderSummaries(db: SqliteDatabase, filter: OrderListFilter): { rows: OrderSummaryRow[]; total: number } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status) {
    where.push('o.status = ?');
    params.push(filter.status);
  }
  for (const word of filter.words ?? []) {
    where.push('instr(o.search_text, ?) > 0');
    params.push(word.toLowerCase());
  }
  if (filter.today) {
    where.push('(o.requested_delivery_date = ? OR o.created_at >= ?)');
    params.push(filter.today.date, filter.today.startsAt);
  }
  if (filter.needsAttention) {
    where.push(`(o.status IN ('attempted', 'unable_to_deliver') OR o.return_requested_at IS NOT NULL
      OR EXISTS (SELECT 1 FROM status_pushes p WHERE p.order_id = o.id AND p.state = 'dead')
      OR EXISTS (SELECT 1 FROM partner_dispatches d WHERE d.order_id = o.id AND d.state = 'open' AND d.attention_json IS NOT NULL)
      OR (o.status IN ('created', 'acknowledged')
          AND (SELECT d.state FROM partner_dispatches d WHERE d.order_id = o.id ORDER BY d.created_at DESC, d.rowid DESC LIMIT 1) = 'failed'))`);
  }
  if (filter.refrigerated) where.push('o.refrigeration_needed = 1');
  if (filter.readyForRun) {
    where.push(`o.status IN ('created', 'acknowledged') AND s.run_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM partner_dispatches d WHERE d.order_id = o.id AND d.state IN ('dispatching', 'open'))`);
  }
  if (filter.collect) where.push(`o.amount_to_collect_cents > 0 AND o.status NOT IN ('delivered', 'cancelled', 'returned')`);
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  // The run join only when the filter needs it: counting every order for the board stays one scan.
  const countFrom = filter.readyForRun ? 'orders o LEFT JOIN courier_run_stops s ON s.order_id = o.id' : 'orders o';
  const { total } = prepared(db, `SELECT COUNT(*) AS total FROM ${countFrom} ${whereSql}`).get(...params) as { total: number };
  const rows = prepared(
    db,
    `${SUMMARY_SELECT}
     ${whereSql}
     ORDER BY o.id DESC
     LIMIT ? OFFSET ?`,
  ).all(...params, filter.limit, filter.offset) as OrderSummaryRow[];
  return { rows, total };
}

export function countOrders(db: SqliteDatabase): number {
  return (prepared(db, `SELECT COUNT(*) AS n FROM orders`).get() as { n: number }).n;
}
