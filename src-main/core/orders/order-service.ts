// What can happen to an order, each as one transaction: BestRx creating, amending or cancelling
// it, and staff moving it through its lifecycle. Every change writes an order event in the same
// transaction as the change itself; listeners hear about it only after the commit.
import { PARTNER_DISPLAY_NAMES, type AppApiParsedInput, type OrderDetail, type OrderSummary } from '../../../src-shared/app-api-contract';
import { localDate } from '../../../src-shared/local-date';
import { PRE_PICKUP_STATUSES, type OrderStatus } from '../../../src-shared/order-status';
import type { AppEventBus } from '../app-events';
import type { Clock } from '../clock';
import { resolveCodedName, type CodeTables } from '../domain/code-tables';
import { dollarsToCents } from '../domain/money';
import { changedFields, requestFingerprint, searchTextFor, type OrderContent } from '../domain/order-content';
import { createTimeOrderedUuidGenerator, type OrderIdGenerator } from '../domain/order-ids';
import {
  matchConsentAnswers,
  missingDeliveryProof,
  transitionRefusal,
  type DeliveryProof,
  type DeliveryRequirements,
} from '../domain/order-lifecycle';
import type { SqliteDatabase } from '../storage/database';
import {
  appendOrderEvent,
  countPrintedCopies,
  findIdempotencyKey,
  findEventProofJson,
  findOrderIdByTrackingId,
  getOrderState,
  insertIdempotencyKey,
  insertOrder,
  listOrderEvents,
  listOrderSummaries,
  loadOrderContent,
  markReturnRequested,
  replaceOrderContent,
  setOrderStatus,
  updateIdempotencyHash,
  type NewOrderEvent,
  type OrderStateRow,
} from '../storage/orders-repository';
import { findRunOfOrder } from '../storage/courier-runs-repository';
import { latestDispatchOfOrder, liveDispatchOfOrder } from '../storage/partners-repository';
import type { WriteQueue } from '../storage/write-queue';
import type { StatusPushOutbox } from '../outbox/status-push-outbox';
import type { AuditLog } from '../audit/audit-log';
import { toOrderDetail, toOrderSummary, toPartnerDispatchView } from './order-views';

/** The actor recorded on changes BestRx asked for. */
export const BESTRX_ACTOR = 'bestrx';

export type CreateOrderOutcome =
  | { kind: 'created'; order: OrderStateRow }
  | { kind: 'repeated'; order: OrderStateRow }
  | { kind: 'amended'; order: OrderStateRow; changed: string[] }
  | { kind: 'locked'; order: OrderStateRow; reason: string };

export interface CancelOrderRequest {
  pharmacyId: string;
  uniqueOrderId: number;
  bestrxOrderId: number;
  providerOrderId: string | null;
  trackingId: string | null;
  notes: string | null;
}

export type CancelOrderOutcome =
  | {
      kind: 'cancelled' | 'already_cancelled' | 'return_requested' | 'return_already_requested' | 'already_returned' | 'delivered';
      order: OrderStateRow;
      /** Ids in the request that disagree with the order found; said back to BestRx as warnings. */
      warnings: string[];
    }
  | { kind: 'not_found'; reason: string }
  /** The ids name two different orders: cancelling either could be the wrong one. */
  | { kind: 'conflicting_ids'; reason: string };

export class OrderNotFoundError extends Error {
  constructor(readonly orderId: string) {
    super(`No order ${orderId}.`);
    this.name = 'OrderNotFoundError';
  }
}

/** A transition the lifecycle or the delivery rules refuse; `reasons` are for staff to read. */
export class TransitionRefusedError extends Error {
  constructor(readonly reasons: string[]) {
    super(reasons.join(' '));
    this.name = 'TransitionRefusedError';
  }
}

/** Proof that cannot be understood (not a PNG, an unknown relation code, ...). */
export class InvalidProofError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
    this.name = 'InvalidProofError';
  }
}

export interface OrderServiceDependencies {
  db: SqliteDatabase;
  /** Every write goes through the group-commit queue; reads use `db` directly. */
  writes: WriteQueue;
  clock: Clock;
  ids: OrderIdGenerator;
  codeTables: () => CodeTables;
  deviceId: string;
  events: AppEventBus;
  /** Status events are announced to BestRx through the outbox, in the same transaction. */
  outbox: Pick<StatusPushOutbox, 'enqueue' | 'committed' | 'forOrder'>;
  /** Every order event is also an audit row, in the same transaction (issue 9). */
  audit?: Pick<AuditLog, 'appendWithin'> | undefined;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A courier laptop's clock may run a little ahead of this one; more than this is a mistake. */
const CAPTURED_AT_FUTURE_TOLERANCE_MS = 5 * 60_000;
const ID_INSERT_ATTEMPTS = 5;

export class OrderService {
  private readonly eventId = createTimeOrderedUuidGenerator();

  constructor(private readonly deps: OrderServiceDependencies) {}

  /**
   * BestRx's CreateOrder. The (pharmacy, unique order id) key makes it idempotent: a repeat
   * answers with the same ids and writes nothing; a changed order amends the order while it is
   * still at the pharmacy and is refused after pickup.
   *
   * A retry is nearly always byte-for-byte the same body, so the fingerprint of the body text
   * settles it cheaply. A body that differs in bytes is compared field by field with the stored
   * order: the same order spelled differently ("true" for true) is still a repeat.
   *
   * `fingerprint` is requestFingerprint(requestJson), passed in by a caller that has worked it
   * out already: BestRx's listener does, on its own thread, so the main thread (where every
   * CreateOrder queues for the group commit) does not hash each body.
   */
  async receiveCreateOrder(content: OrderContent, requestJson: string, fingerprint = requestFingerprint(requestJson)): Promise<CreateOrderOutcome> {
    const { db } = this.deps;
    const outcome = await this.deps.writes.run((): CreateOrderOutcome => {
      const now = this.now();
      const key = findIdempotencyKey(db, content.bestrx_pharmacy_id, content.bestrx_unique_order_id);
      if (!key) {
        const order = this.insertNewOrder(content, requestJson, fingerprint, now);
        return { kind: 'created', order };
      }
      const order = mustGetState(db, key.order_id);
      if (key.request_hash === fingerprint) return { kind: 'repeated', order };
      const before = loadOrderContent(db, order.id);
      const changed = before ? changedFields(before, content) : [];
      if (changed.length === 0) return { kind: 'repeated', order };
      if (!PRE_PICKUP_STATUSES.includes(order.status)) {
        return { kind: 'locked', order, reason: amendRefusal(order) };
      }
      replaceOrderContent(db, { id: order.id, content, requestJson, searchText: searchTextFor(order, content), now });
      updateIdempotencyHash(db, { pharmacyId: content.bestrx_pharmacy_id, uniqueOrderId: content.bestrx_unique_order_id, requestHash: fingerprint, now });
      this.appendEvent({
        order_id: order.id,
        type: 'amended',
        from_status: order.status,
        to_status: order.status,
        actor: BESTRX_ACTOR,
        notes: `Updated by BestRx: ${changed.join(', ')}`,
        captured_at: now,
        recorded_at: now,
        proof_json: null,
      });
      return { kind: 'amended', order: mustGetState(db, order.id), changed };
    });
    if (outcome.kind === 'created') {
      this.deps.events.publish({ type: 'order.created', order_id: outcome.order.id, status: outcome.order.status });
    } else if (outcome.kind === 'amended') {
      this.deps.events.publish({ type: 'order.changed', order_id: outcome.order.id, status: outcome.order.status });
    }
    return outcome;
  }

  private insertNewOrder(content: OrderContent, requestJson: string, fingerprint: string, now: string): OrderStateRow {
    const { id, trackingId } = this.insertOrderWithFreshIds({ content, requestJson, now, origin: 'bestrx' });
    insertIdempotencyKey(this.deps.db, {
      pharmacyId: content.bestrx_pharmacy_id,
      uniqueOrderId: content.bestrx_unique_order_id,
      orderId: id,
      requestHash: fingerprint,
      now,
    });
    this.appendEvent({
      order_id: id,
      type: 'created',
      from_status: null,
      to_status: 'created',
      actor: BESTRX_ACTOR,
      notes: null,
      captured_at: now,
      recorded_at: now,
      proof_json: null,
    });
    return {
      id,
      tracking_id: trackingId,
      bestrx_pharmacy_id: content.bestrx_pharmacy_id,
      bestrx_order_id: content.bestrx_order_id,
      bestrx_unique_order_id: content.bestrx_unique_order_id,
      status: 'created',
      status_changed_at: now,
      return_requested_at: null,
      origin: 'bestrx',
      created_at: now,
      updated_at: now,
    };
  }

  /** The order row with a new provider id and tracking id. Inside a write. */
  private insertOrderWithFreshIds(order: { content: OrderContent; requestJson: string; now: string; origin: OrderStateRow['origin'] }): { id: string; trackingId: string } {
    const { db, ids } = this.deps;
    for (let attempt = 1; ; attempt++) {
      const id = ids.providerOrderId();
      const trackingId = ids.trackingId();
      try {
        insertOrder(db, { ...order, id, trackingId, searchText: searchTextFor({ id, tracking_id: trackingId }, order.content) });
        return { id, trackingId };
      } catch (error) {
        // A random id that happens to exist already: draw again (the UNIQUE constraint, not
        // luck, is what guarantees no two orders share an id).
        if (isUniqueViolation(error) && attempt < ID_INSERT_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  /**
   * BestRx's CancelOrder. Before pickup the order is cancelled; after pickup and before
   * delivery the cancel is accepted as a return (the courier brings the package back); a
   * delivered order cannot be cancelled. Repeats answer the same way and write nothing.
   */
  async receiveCancelOrder(request: CancelOrderRequest): Promise<CancelOrderOutcome> {
    const { db } = this.deps;
    const outcome = await this.deps.writes.run((): CancelOrderOutcome => {
      const found = findOrderToCancel(db, request);
      if (!found) {
        return { kind: 'not_found', reason: `No order matches bestrx_unique_order_id ${request.uniqueOrderId} for this pharmacy.` };
      }
      if ('conflict' in found) return { kind: 'conflicting_ids', reason: found.conflict };
      const { order, warnings } = found;
      const now = this.now();
      switch (order.status) {
        case 'created':
        case 'acknowledged':
          setOrderStatus(db, order.id, 'cancelled', now);
          this.appendStatusEvent(order, {
            order_id: order.id,
            type: 'status_changed',
            from_status: order.status,
            to_status: 'cancelled',
            actor: BESTRX_ACTOR,
            notes: request.notes,
            captured_at: now,
            recorded_at: now,
            proof_json: null,
          });
          this.noteCancelNotPassedOn(order.id, now);
          return { kind: 'cancelled', order: mustGetState(db, order.id), warnings };
        case 'cancelled':
          return { kind: 'already_cancelled', order, warnings };
        case 'returned':
          return { kind: 'already_returned', order, warnings };
        case 'delivered':
          return { kind: 'delivered', order, warnings };
        case 'picked_up':
        case 'in_transit':
        case 'out_for_delivery':
        case 'attempted':
        case 'unable_to_deliver':
          if (order.return_requested_at !== null) return { kind: 'return_already_requested', order, warnings };
          markReturnRequested(db, order.id, now);
          this.appendEvent({
            order_id: order.id,
            type: 'return_requested',
            from_status: order.status,
            to_status: order.status,
            actor: BESTRX_ACTOR,
            notes: request.notes ? `Cancelled by BestRx after pickup: ${request.notes}` : 'Cancelled by BestRx after pickup',
            captured_at: now,
            recorded_at: now,
            proof_json: null,
          });
          return { kind: 'return_requested', order: mustGetState(db, order.id), warnings };
      }
    });
    if (outcome.kind === 'cancelled') this.deps.outbox.committed();
    if (outcome.kind === 'cancelled' || outcome.kind === 'return_requested') {
      this.deps.events.publish({ type: 'order.changed', order_id: outcome.order.id, status: outcome.order.status });
    }
    return outcome;
  }

  /** Staff (or a courier at the door) moving an order on. Refusals say why, in plain words. */
  async transition(input: AppApiParsedInput<'orders.transition'>, actor: string): Promise<OrderDetail> {
    const { db } = this.deps;
    const tables = this.deps.codeTables();
    const capturedAt = this.capturedAt(input.captured_at);
    const resolved = input.proof ? resolveProof(input.proof, tables) : undefined;

    const order = await this.deps.writes.run(() => {
      const state = getOrderState(db, input.id);
      if (!state) throw new OrderNotFoundError(input.id);
      const refusal = transitionRefusal({ status: state.status, returnRequested: state.return_requested_at !== null }, input.to);
      if (refusal) throw new TransitionRefusedError([refusal]);
      const withPartner = liveDispatchOfOrder(db, state.id);
      if (withPartner) {
        const name = PARTNER_DISPLAY_NAMES[withPartner.partner];
        throw new TransitionRefusedError([`${name} is delivering this order: its progress comes from ${name}, not from here.`]);
      }
      if ((input.to === 'attempted' || input.to === 'unable_to_deliver') && !input.notes) {
        throw new TransitionRefusedError([`Say why (notes) when marking an order ${input.to.replaceAll('_', ' ')}.`]);
      }
      if (resolved && input.to !== 'delivered') {
        throw new InvalidProofError(['Proof of delivery is recorded only when marking an order delivered.']);
      }
      let proofJson: string | null = null;
      if (input.to === 'delivered') {
        const content = loadOrderContent(db, state.id);
        if (!content) throw new OrderNotFoundError(input.id);
        const requirements = deliveryRequirements(content);
        const proof = resolved?.proof ?? {};
        const missing = missingDeliveryProof(requirements, proof);
        if (missing.length > 0) throw new TransitionRefusedError(missing);
        proofJson = resolved ? JSON.stringify(storedProof(resolved, requirements)) : null;
      }
      const now = this.now();
      setOrderStatus(db, state.id, input.to, now);
      this.appendStatusEvent(state, {
        order_id: state.id,
        type: 'status_changed',
        from_status: state.status,
        to_status: input.to,
        actor,
        notes: input.notes ?? null,
        captured_at: capturedAt ?? now,
        recorded_at: now,
        proof_json: proofJson,
      });
      return mustGetState(db, state.id);
    });
    this.deps.outbox.committed();
    this.deps.events.publish({ type: 'order.changed', order_id: order.id, status: order.status });
    return this.get(order.id);
  }

  get(orderId: string): OrderDetail {
    const { db } = this.deps;
    // One read transaction, so the parts and events come from the same moment.
    return db.transaction(() => {
      const state = getOrderState(db, orderId);
      const content = state && loadOrderContent(db, orderId);
      if (!state || !content) throw new OrderNotFoundError(orderId);
      const runId = findRunOfOrder(db, orderId)?.id ?? null;
      const dispatch = latestDispatchOfOrder(db, orderId);
      return toOrderDetail(state, content, listOrderEvents(db, orderId), this.deps.outbox.forOrder(orderId), this.deps.codeTables(), runId, dispatch ? toPartnerDispatchView(dispatch) : null);
    })();
  }

  /**
   * A print of the order's label, packing slip or run sheet, as an event on its timeline (no
   * push: BestRx's status table has no place for prints). Returns which copy the first of these
   * copies is, so a re-print shows as one.
   */
  async recordPrint(orderId: string, print: PrintRecord, actor: string): Promise<number> {
    const { db } = this.deps;
    const { copy, status } = await this.deps.writes.run(() => {
      const state = getOrderState(db, orderId);
      if (!state) throw new OrderNotFoundError(orderId);
      const copy = countPrintedCopies(db, orderId, print.document) + 1;
      const now = this.now();
      this.appendEvent({
        order_id: orderId,
        type: 'label_printed',
        from_status: null,
        to_status: null,
        actor,
        notes: printNotes(print, copy),
        captured_at: now,
        recorded_at: now,
        proof_json: JSON.stringify({ document: print.document, copy_number: copy, copies: print.copies, printer: print.printer, via: print.via }),
      });
      return { copy, status: state.status };
    });
    this.deps.events.publish({ type: 'order.changed', order_id: orderId, status });
    return copy;
  }

  /**
   * A fulfilment partner's progress, as order events. Runs inside the sync engine's write (the
   * same transaction that records the partner event in its inbox), so either both are kept or
   * neither. Each status on the way is its own event and its own push: BestRx hears "Picked Up"
   * and then "In Transit" when a partner reports "shipped" for an order it last saw acknowledged.
   * A partner's delivery needs no proof from RxRelay: the partner's carrier holds it.
   */
  applyPartnerProgressWithin(change: {
    orderId: string;
    actor: string;
    capturedAt: string;
    statuses: ReadonlyArray<{ to: OrderStatus; notes: string }>;
    /** A timeline note when no status changes (the partner confirmed, is preparing, gave up). */
    note?: string | undefined;
  }): OrderStateRow {
    const { db } = this.deps;
    let state = mustGetState(db, change.orderId);
    const now = this.now();
    for (const step of change.statuses) {
      const refusal = transitionRefusal({ status: state.status, returnRequested: state.return_requested_at !== null }, step.to);
      if (refusal) throw new TransitionRefusedError([refusal]);
      setOrderStatus(db, state.id, step.to, now);
      this.appendStatusEvent(state, {
        order_id: state.id,
        type: 'status_changed',
        from_status: state.status,
        to_status: step.to,
        actor: change.actor,
        notes: step.notes,
        captured_at: change.capturedAt,
        recorded_at: now,
        proof_json: null,
      });
      state = mustGetState(db, state.id);
    }
    if (change.note) this.appendPartnerEventWithin({ orderId: state.id, type: 'partner_update', actor: change.actor, notes: change.note, capturedAt: change.capturedAt });
    return state;
  }

  /**
   * An order a partner created on its own (Honeybee's Automatic Processing: an e-prescription
   * reached Honeybee and it started filling without asking). It joins the board like BestRx's
   * orders, with its origin recorded so no status push is ever sent for it. Inside a write.
   */
  insertPartnerOrderWithin(order: { content: OrderContent; origin: Exclude<OrderStateRow['origin'], 'bestrx'>; actor: string; notes: string; capturedAt: string }): OrderStateRow {
    const now = this.now();
    const { id } = this.insertOrderWithFreshIds({ content: order.content, requestJson: JSON.stringify(order.content), now, origin: order.origin });
    this.appendEvent({ order_id: id, type: 'created', from_status: null, to_status: 'created', actor: order.actor, notes: order.notes, captured_at: order.capturedAt, recorded_at: now, proof_json: null });
    return mustGetState(this.deps.db, id);
  }

  /** A hand-over or partner event on the order's timeline (no push: BestRx's table has no place for it). Inside a write. */
  appendPartnerEventWithin(event: { orderId: string; type: 'partner_dispatched' | 'partner_update'; actor: string; notes: string; capturedAt?: string; proof?: unknown }): void {
    const now = this.now();
    this.appendEvent({
      order_id: event.orderId,
      type: event.type,
      from_status: null,
      to_status: null,
      actor: event.actor,
      notes: event.notes,
      captured_at: event.capturedAt ?? now,
      recorded_at: now,
      proof_json: event.proof === undefined ? null : JSON.stringify(event.proof),
    });
  }

  /**
   * A cancel from BestRx for an order a partner is filling. United publishes no way to cancel an
   * order, so RxRelay cannot pass it on: the timeline says so, for staff to call the partner.
   */
  private noteCancelNotPassedOn(orderId: string, now: string): void {
    const dispatch = liveDispatchOfOrder(this.deps.db, orderId);
    if (!dispatch) return;
    const name = PARTNER_DISPLAY_NAMES[dispatch.partner];
    this.appendPartnerEventWithin({
      orderId,
      type: 'partner_update',
      actor: BESTRX_ACTOR,
      notes: `BestRx cancelled the order while ${name} has it; RxRelay cannot cancel it at ${name}: call ${name} to stop it.`,
      capturedAt: now,
    });
  }

  /** After a write that changed orders outside this service (the sync engine's) has committed. */
  announceCommitted(order: Pick<OrderStateRow, 'id' | 'status'>): void {
    this.deps.outbox.committed();
    this.deps.events.publish({ type: 'order.changed', order_id: order.id, status: order.status });
  }

  /** The signature image captured with an order event, if it carries one. */
  signaturePng(eventId: string): Buffer | undefined {
    const proofJson = findEventProofJson(this.deps.db, eventId);
    const signature = proofJson ? (JSON.parse(proofJson) as { signature_png_base64?: string | null }).signature_png_base64 : undefined;
    return signature ? Buffer.from(signature, 'base64') : undefined;
  }

  findByTrackingId(trackingId: string): OrderStateRow | undefined {
    const id = findOrderIdByTrackingId(this.deps.db, trackingId);
    return id ? getOrderState(this.deps.db, id) : undefined;
  }

  list(input: AppApiParsedInput<'orders.list'>): { orders: OrderSummary[]; total: number } {
    const words = (input.q ?? '').split(/\s+/).filter(Boolean).slice(0, 8);
    const filters = new Set(input.filters ?? []);
    const { rows, total } = this.deps.db.transaction(() =>
      listOrderSummaries(this.deps.db, {
        status: input.status,
        words,
        limit: input.limit,
        offset: input.offset,
        today: filters.has('today') ? this.today() : undefined,
        needsAttention: filters.has('needs_attention'),
        refrigerated: filters.has('refrigerated'),
        collect: filters.has('collect'),
        readyForRun: filters.has('ready_for_run'),
      }),
    )();
    return { orders: rows.map(toOrderSummary), total };
  }

  private appendEvent(event: Omit<NewOrderEvent, 'event_id' | 'device_id'>): { event_id: string; seq: number } {
    const eventId = this.eventId(this.deps.clock.now().getTime());
    const seq = appendOrderEvent(this.deps.db, { ...event, event_id: eventId, device_id: this.deps.deviceId }, event.type === 'created');
    this.deps.audit?.appendWithin({
      actor: event.actor,
      action: `order.${event.type}`,
      category: event.type === 'label_printed' ? 'print' : 'change',
      subject: event.order_id,
      details: { event_id: eventId, ...(event.to_status && event.to_status !== event.from_status ? { to: event.to_status } : {}) },
    });
    return { event_id: eventId, seq };
  }

  /**
   * A status change: the event, and in the same transaction the push that tells BestRx. An order
   * a partner created on its own is not BestRx's: BestRx would refuse pushes for an order it never sent.
   */
  private appendStatusEvent(order: OrderStateRow, event: Omit<NewOrderEvent, 'event_id' | 'device_id'> & { to_status: OrderStatus }): void {
    const { event_id, seq } = this.appendEvent(event);
    if (order.origin !== 'bestrx') return;
    this.deps.outbox.enqueue(order, { event_id, seq, to_status: event.to_status, captured_at: event.captured_at, notes: event.notes, proof_json: event.proof_json });
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  /** The pharmacy's today (this machine's time zone): its date, and when it began (UTC ISO). */
  private today(): { date: string; startsAt: string } {
    const now = this.deps.clock.now();
    const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    return { date: localDate(now), startsAt: midnight.toISOString() };
  }

  private capturedAt(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const at = new Date(value);
    if (at.getTime() > this.deps.clock.now().getTime() + CAPTURED_AT_FUTURE_TOLERANCE_MS) {
      throw new InvalidProofError(['captured_at is in the future; check the device clock.']);
    }
    return at.toISOString();
  }
}

/**
 * The order a CancelOrder means. (pharmacy, unique order id) identifies an order; when that
 * finds nothing, the provider order id or tracking id we issued (same pharmacy) may. Other ids
 * that name no order do not stop the cancel but are reported, so a mix-up on BestRx's side
 * shows; ids that name a *different* order stop it, since either could be the one meant.
 */
function findOrderToCancel(
  db: SqliteDatabase,
  request: CancelOrderRequest,
): { order: OrderStateRow; warnings: string[] } | { conflict: string } | undefined {
  const byKey = findIdempotencyKey(db, request.pharmacyId, request.uniqueOrderId);
  const byProviderId = request.providerOrderId ? getOrderState(db, request.providerOrderId) : undefined;
  const trackingOrderId = request.trackingId ? findOrderIdByTrackingId(db, request.trackingId) : undefined;
  const byTrackingId = trackingOrderId ? getOrderState(db, trackingOrderId) : undefined;
  const order = [byKey ? getOrderState(db, byKey.order_id) : undefined, byProviderId, byTrackingId].find(
    (candidate) => candidate !== undefined && candidate.bestrx_pharmacy_id === request.pharmacyId,
  );
  if (!order) return undefined;
  for (const [field, other] of [
    ['provider_order_id', byProviderId],
    ['tracking_id', byTrackingId],
  ] as const) {
    if (other && other.id !== order.id) {
      return { conflict: `bestrx_unique_order_id ${request.uniqueOrderId} and ${field} name two different orders; nothing was cancelled.` };
    }
  }
  const warnings: string[] = [];
  const compare = (field: string, sent: string | number | null, actual: string | number) => {
    if (sent !== null && sent !== actual) warnings.push(`${field} ${sent} does not match this order's ${field} ${actual}.`);
  };
  compare('bestrx_unique_order_id', request.uniqueOrderId, order.bestrx_unique_order_id);
  compare('bestrx_order_id', request.bestrxOrderId, order.bestrx_order_id);
  compare('provider_order_id', request.providerOrderId, order.id);
  compare('tracking_id', request.trackingId, order.tracking_id);
  return { order, warnings };
}

export const PRINTED_DOCUMENTS = ['label', 'packing_slip', 'run_sheet'] as const;

export interface PrintRecord {
  document: (typeof PRINTED_DOCUMENTS)[number];
  copies: number;
  /** The printer's name, when the app printed it itself. */
  printer: string | null;
  /** How it was printed: 'printer' (by the app), 'browser' (the renderer's print dialog), 'bestrx' (fetched by BestRx to print). */
  via: 'printer' | 'browser' | 'bestrx';
}

const DOCUMENT_NAMES: Record<PrintRecord['document'], string> = {
  label: 'Shipping label',
  packing_slip: 'Packing slip',
  run_sheet: 'Run sheet',
};

function printNotes(print: PrintRecord, copy: number): string {
  const how = print.via === 'bestrx' ? 'fetched by BestRx to print' : print.printer ? `printed on ${print.printer}` : 'printed';
  const copies = print.copies > 1 ? `copies ${copy}–${copy + print.copies - 1}` : `copy ${copy}`;
  return `${DOCUMENT_NAMES[print.document]} ${how} (${copies}${copy > 1 ? ', a re-print' : ''}).`;
}

function mustGetState(db: SqliteDatabase, orderId: string): OrderStateRow {
  const state = getOrderState(db, orderId);
  if (!state) throw new OrderNotFoundError(orderId);
  return state;
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function amendRefusal(order: OrderStateRow): string {
  if (order.status === 'cancelled') return 'The order was cancelled; it can no longer be changed. Send it with a new unique order id.';
  if (order.status === 'delivered') return 'The order was delivered; it can no longer be changed.';
  return `The order has been ${order.status.replaceAll('_', ' ')}; it can no longer be changed. Cancel it and send a new order.`;
}

function deliveryRequirements(content: OrderContent): DeliveryRequirements {
  return {
    signatureRequired: content.signature_required,
    photoIdRequired: content.photo_id_required,
    amountToCollectCents: content.amount_to_collect_cents,
    consents: content.consents.map((c) => ({ consentType: c.consent_type, options: c.consent_inputs })),
  };
}

type ProofInput = NonNullable<AppApiParsedInput<'orders.transition'>['proof']>;

interface ResolvedProof {
  proof: DeliveryProof;
  signatureBase64: string | undefined;
}

/** Turns the API's proof into domain terms, or explains every part that makes no sense. */
function resolveProof(input: ProofInput, tables: CodeTables): ResolvedProof {
  const problems: string[] = [];
  let signaturePng: Buffer | undefined;
  if (input.signature_png_base64 !== undefined) {
    const base64 = input.signature_png_base64.replace(/^data:image\/png;base64,/, '');
    signaturePng = Buffer.from(base64, 'base64');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || !signaturePng.subarray(0, 8).equals(PNG_MAGIC)) {
      problems.push('signature_png_base64 is not a base64 PNG image.');
    }
  }
  let signer: DeliveryProof['signer'];
  if (input.signer) {
    const relation = resolveCodedName(tables.relation, input.signer.relation);
    if (!relation) problems.push(`Unknown signer relation "${input.signer.relation}" (use ${Object.keys(tables.relation).join(', ')}).`);
    const idType = input.signer.id_type === undefined ? undefined : resolveCodedName(tables.idType, input.signer.id_type);
    if (input.signer.id_type !== undefined && !idType) {
      problems.push(`Unknown ID type "${input.signer.id_type}" (use ${Object.keys(tables.idType).join(', ')}).`);
    }
    signer = {
      relation: relation ?? 'other',
      firstName: input.signer.first_name,
      lastName: input.signer.last_name,
      jurisdiction: input.signer.jurisdiction ? input.signer.jurisdiction.toUpperCase() : undefined,
      idType,
      idNumber: input.signer.id_no || undefined,
    };
  }
  let collected: DeliveryProof['collected'];
  if (input.collected) {
    const amountCents = dollarsToCents(input.collected.amount);
    if (amountCents === undefined) problems.push('collected.amount must be in dollars and cents (at most two decimals).');
    collected = { amountCents: amountCents ?? 0, method: input.collected.method };
  }
  if (problems.length > 0) throw new InvalidProofError(problems);
  return {
    proof: {
      signaturePng,
      signer,
      consents: input.consents?.map((c) => ({ consentType: c.consent_type, response: c.response })),
      collected,
    },
    signatureBase64: signaturePng ? signaturePng.toString('base64') : undefined,
  };
}

/** What an event stores: names, not codes (codes are a BestRx wire detail that Settings may change),
 * and each consent's type exactly as BestRx sent it, so the status push can echo it. */
function storedProof(resolved: ResolvedProof, requirements: DeliveryRequirements) {
  const { proof } = resolved;
  const consents = matchConsentAnswers(requirements.consents, proof.consents ?? []).matched.map(({ answer }) => ({
    consent_type: answer.consentType,
    response: answer.response,
  }));
  return {
    signature_png_base64: resolved.signatureBase64 ?? null,
    signer: proof.signer
      ? {
          relation: proof.signer.relation,
          first_name: proof.signer.firstName,
          last_name: proof.signer.lastName,
          jurisdiction: proof.signer.jurisdiction ?? null,
          id_type: proof.signer.idType ?? null,
          id_no: proof.signer.idNumber ?? null,
        }
      : null,
    consents,
    collected: proof.collected ? { amount_cents: proof.collected.amountCents, method: proof.collected.method } : null,
  };
}
