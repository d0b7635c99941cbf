// The partner sync engine (product spec, "Partners"): hands orders to fulfilment partners and
// follows them back into RxRelay's board and BestRx's status pushes.
//
// Hand-over as a saga. Each partner defines its steps (United: patient, then order). Before a
// step calls the partner, its start is committed (`step_started_at`); when it returns, the
// partner ids it got are committed with the move to the next step. So after a crash, a timeout
// or a retry, a step that may have reached the partner is told so, and its connector looks for
// what it made before making it again: no second patient, no second order.
//
// Inbound events. Webhooks (when the partner can reach this desktop) and polls (always: a
// pharmacy PC behind NAT rarely receives webhooks) both become inbox rows keyed by the
// partner's event id; an event is applied once, in the same transaction as the order events and
// BestRx pushes it causes. A webhook that arrives before the hand-over stored the partner's order
// id waits in the inbox and is applied when the saga stores it.
//
// Partner-originated work (Honeybee). Prescriptions a partner announces without filling them
// (RX_RECEIVED) wait in incoming prescriptions until staff match one to an order and dispatch it
// with them; orders a partner makes on its own (Automatic Processing) are found from their
// webhooks and by listing the partner's recent orders, and join the board as orders of that
// partner's origin (no BestRx pushes: BestRx never sent them), followed like any hand-over.
//
// Pace. Every call to a partner passes its circuit (partner-circuit.ts): Retry-After pauses
// the partner, repeated failures open the circuit, and each partner runs on its own loop, so one
// dead partner never delays another.
import { randomUUID } from 'node:crypto';
import {
  PARTNER_DISPLAY_NAMES,
  type AppApiOutput,
  type AppApiParsedInput,
  type IncomingPrescriptionView,
  type OrderDetail,
  type PartnerName,
} from '../../../src-shared/app-api-contract';
import { PRE_PICKUP_STATUSES, type OrderStatus } from '../../../src-shared/order-status';
import { localDate } from '../../../src-shared/local-date';
import type { AppEventBus } from '../app-events';
import type { Clock } from '../clock';
import { formatDollars } from '../domain/money';
import { pathBetween } from '../domain/order-lifecycle';
import type { Logger } from '../logger';
import { OrderNotFoundError, TransitionRefusedError, type OrderService } from '../orders/order-service';
import { findRunOfOrder } from '../storage/courier-runs-repository';
import type { SqliteDatabase } from '../storage/database';
import { getOrderState, loadOrderContent, type OrderStateRow } from '../storage/orders-repository';
import {
  countPrescriptionsRequestedByRxRelay,
  dismissPartnerPrescription,
  getPartnerPrescription,
  insertAdoptedDispatch,
  insertPartnerPrescription,
  latestDispatchOfOrder,
  listOrphanInboxRefs,
  listPartnerPrescriptions,
  listPatientsToFetch,
  listPrescriptionsMatchedTo,
  matchPartnerPrescription,
  recordFillRequested,
  upsertPartnerPatient,
  countDispatchesByState,
  countDispatchesOfOrder,
  countUnresolvedFailures,
  findDispatchByPartnerOrder,
  findDispatchByReference,
  findInboxEvent,
  getPartnerDispatch,
  insertInboxEvent,
  insertPartnerDispatch,
  listDueDispatches,
  listUnappliedInboxEvents,
  liveDispatchOfOrder,
  makeDispatchesDue,
  markDispatchFailed,
  markInboxEventApplied,
  markStepStarted,
  leaseDispatch,
  nextDueAt,
  recordAttemptFailed,
  recordPartnerProgress,
  recordPolled,
  recordPollFailed,
  recordStepDone,
  type PartnerDispatchRow,
} from '../storage/partners-repository';
import type { WriteQueue } from '../storage/write-queue';
import { PartnerCircuit, type CircuitState } from './partner-circuit';
import {
  PartnerRequestError,
  type DispatchDetails,
  type DispatchOrder,
  type IncomingPrescription,
  type PartnerConnector,
  type PartnerInboundEvent,
  type PartnerProgress,
  type WebhookHeaders,
} from './partner-connector';
import { incomingPrescriptionView } from './incoming-prescriptions';
import { isControlledSchedule } from './honeybee/honeybee-api';

/** Retries of a failed step or poll: the first within ~2 s, doubling (full jitter) up to 15 minutes. */
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 15 * 60_000;
/** A hand-over the partner could not be reached for in a day is given back to staff: a patient is waiting. */
export const DISPATCH_GIVE_UP_MS = 24 * 60 * 60_000;
/** How many due hand-overs one pass works through before yielding to the timer. */
const PASS_BATCH = 25;
/**
 * While a step or a poll runs, its hand-over is not due again for this long: the timer does not
 * spin on a row that is in flight, and a process that died mid-call retries after the lease.
 */
const IN_FLIGHT_LEASE_MS = 2 * 60_000;
/** How long stopping waits for hand-over steps still talking to a partner. */
const STOP_WAIT_MS = 5_000;
/** A partner that keeps saying it does not know an order (polls answering 404) has lost it. */
const NOT_FOUND_POLLS_TO_GIVE_UP = 3;
/** A partner event dated further ahead than this is a partner clock problem: it is dated now. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export class PartnerNotConnectedError extends Error {
  constructor(readonly partner: PartnerName, reason?: string) {
    super(reason ?? `RxRelay is not connected to ${PARTNER_DISPLAY_NAMES[partner]}: connect it in Settings → Partners.`);
    this.name = 'PartnerNotConnectedError';
  }
}

export class PrescriptionNotFoundError extends Error {
  constructor(readonly partner: PartnerName, readonly prescriptionId: string) {
    super(`${PARTNER_DISPLAY_NAMES[partner]} has announced no prescription ${prescriptionId}.`);
    this.name = 'PrescriptionNotFoundError';
  }
}

/** Details missing or invalid for the partner; each problem names its field. */
export class DispatchDetailsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
    this.name = 'DispatchDetailsError';
  }
}

/** The partner is paused (Retry-After, open circuit); the hand-over waits and will be retried. */
export class PartnerPausedError extends Error {
  constructor(readonly partner: PartnerName, readonly until: Date | undefined) {
    super(`${PARTNER_DISPLAY_NAMES[partner]} is paused after failures${until ? ` until ${until.toISOString()}` : ''}; RxRelay will try again.`);
    this.name = 'PartnerPausedError';
  }
}

export interface PartnerHealth {
  connected: boolean;
  last_sync: string | null;
  last_error: string | null;
  circuit: CircuitState;
  next_try_at: string | null;
  open_orders: number;
  failed_dispatches: number;
}

export interface PartnerSyncEngineDependencies {
  db: SqliteDatabase;
  writes: WriteQueue;
  clock: Clock;
  orders: OrderService;
  events: AppEventBus;
  logger: Logger;
  /** How often a partner's open orders are polled. */
  pollIntervalMs: (partner: PartnerName) => number;
  /** Where the partner can send webhooks to this RxRelay, if anywhere. */
  webhookUrl: (partner: PartnerName) => string | undefined;
  /** Default true; tests drive passes by hand with `runPass`. */
  schedule?: boolean;
  random?: () => number;
  /** Tests: called at each point of a hand-over where a crash is interesting; throwing there is a crash. */
  crashPoint?: (point: string) => void;
}

interface PartnerSlot {
  connector: PartnerConnector;
  circuit: PartnerCircuit;
  connected: boolean;
  lastSync: string | null;
  lastError: string | null;
  timer: NodeJS.Timeout | undefined;
  pass: Promise<void> | undefined;
  again: boolean;
  /** When to list the partner's recent orders again (partners that start work on their own). */
  nextDiscoveryAt: number;
  /** Partner orders looked at and found not to be the partner's own (a requested fill not stored yet): not fetched again. */
  declined: Set<string>;
}

export class PartnerSyncEngine {
  private readonly slots = new Map<PartnerName, PartnerSlot>();
  /** Hand-overs being worked on right now: a saga runs once at a time, whoever started it. */
  private readonly inFlight = new Set<string>();
  /** Sagas started by `dispatch()` (outside a pass), so `stop()` can wait for them. */
  private readonly sagas = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly deps: PartnerSyncEngineDependencies) {}

  /** Adds or replaces a partner's connector (Settings switched it between sandbox and live). */
  async setConnector(connector: PartnerConnector): Promise<void> {
    const previous = this.slots.get(connector.partner);
    if (previous) {
      clearTimeout(previous.timer);
      await previous.pass;
      if (previous.connector !== connector) await previous.connector.close();
    }
    this.slots.set(connector.partner, {
      connector,
      circuit: new PartnerCircuit(this.deps.clock),
      connected: false,
      lastSync: null,
      lastError: null,
      timer: undefined,
      pass: undefined,
      again: false,
      nextDiscoveryAt: 0,
      declined: new Set(),
    });
    // Leases taken by a process that is gone (a crash mid-call) mean nothing now: every live
    // hand-over of this partner is looked at at once (this process's own in-flight ones are skipped).
    await this.deps.writes.run(() => makeDispatchesDue(this.deps.db, connector.partner, this.now()));
    this.deps.events.publish({ type: 'partners.changed', partner: connector.partner });
    this.wake(connector.partner);
  }

  connector(partner: PartnerName): PartnerConnector | undefined {
    return this.slots.get(partner)?.connector;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    await Promise.allSettled([...this.slots.values()].map((slot) => slot.pass));
    // A saga's calls time out on their own (the clients' timeouts); stopping does not wait longer than that.
    await Promise.race([Promise.allSettled([...this.sagas]), new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
    await Promise.allSettled([...this.slots.values()].map((slot) => slot.connector.close()));
  }

  // ---- hand-over -------------------------------------------------------------------------

  async dispatch(input: AppApiParsedInput<'orders.dispatch'>, actor: string): Promise<OrderDetail> {
    const { db, orders } = this.deps;
    const slot = this.slots.get(input.partner);
    if (!slot) throw new PartnerNotConnectedError(input.partner);
    const { connector } = slot;
    const handOver = this.orderToHandOver(input.id);
    if (!handOver) throw new OrderNotFoundError(input.id);
    const { state, order: dispatchOrder } = handOver;
    this.refuseIfNotDispatchable(state, connector);
    const incoming = this.withIncomingPrescriptions(connector, state.id, input.details ?? {});
    const { details } = incoming;
    const problems = [...incoming.problems, ...(incoming.problems.length > 0 ? [] : connector.dispatchProblems(dispatchOrder, details, localDate(this.deps.clock.now())))];
    // A partner's carrier collects no payment for the pharmacy: BestRx would hear "Delivered" with nothing collected.
    const toCollect = dispatchOrder.content.amount_to_collect_cents;
    if (toCollect > 0) problems.unshift(`${formatDollars(toCollect)} is to be collected at the door, which ${connector.displayName} cannot do: deliver this order in-house.`);
    if (problems.length > 0) throw new DispatchDetailsError(problems);

    const id = randomUUID();
    const order = await this.deps.writes.run(() => {
      // Again inside the write: another request may have dispatched or moved it meanwhile.
      const current = getOrderState(db, input.id) as OrderStateRow;
      this.refuseIfNotDispatchable(current, connector);
      const earlier = countDispatchesOfOrder(db, current.id, connector.partner);
      const now = this.now();
      insertPartnerDispatch(db, {
        id,
        order_id: current.id,
        partner: connector.partner,
        step: connector.steps[0]?.name ?? null,
        // The partner sees this as our order reference; a second hand-over of the same order gets its own.
        reference: earlier === 0 ? current.id : `${current.id}-${earlier + 1}`,
        details_json: JSON.stringify(details),
        created_by: actor,
        now,
      });
      if (incoming.prescriptionIds.length > 0) {
        recordFillRequested(db, { partner: connector.partner, prescriptionIds: incoming.prescriptionIds, orderId: current.id, by: actor, now });
      }
      orders.appendPartnerEventWithin({
        orderId: current.id,
        type: 'partner_dispatched',
        actor,
        notes: `Sent to ${connector.displayName} for fulfilment.`,
        proof: { partner: connector.partner, dispatch_id: id },
      });
      return orders.applyPartnerProgressWithin({
        orderId: current.id,
        actor,
        capturedAt: now,
        statuses: current.status === 'created' ? [{ to: 'acknowledged', notes: `Accepted for delivery by ${connector.displayName}.` }] : [],
      });
    });
    orders.announceCommitted(order);
    this.publishChanged(connector.partner);
    const saga = this.runSaga(id);
    this.sagas.add(saga);
    try {
      await saga;
    } finally {
      this.sagas.delete(saga);
    }
    return orders.get(order.id);
  }

  /**
   * A partner that announces prescriptions (Honeybee) fills only those: the hand-over names them
   * (or takes the ones staff matched to this order), all of one partner patient, each still with a
   * fill left; without fill items, one pack of the written quantity each.
   */
  private withIncomingPrescriptions(
    connector: PartnerConnector,
    orderId: string,
    given: DispatchDetails,
  ): { details: DispatchDetails; problems: string[]; prescriptionIds: string[] } {
    if (!connector.originatedWork) return { details: given, problems: [], prescriptionIds: [] };
    const { db } = this.deps;
    const name = connector.displayName;
    const ids = given.prescription_ids ?? listPrescriptionsMatchedTo(db, connector.partner, orderId).map((row) => row.prescription_id);
    if (ids.length === 0) {
      return {
        details: given,
        problems: [`prescription_ids is required: match one of ${name}'s incoming prescriptions to this order first, or name it.`],
        prescriptionIds: [],
      };
    }
    const problems: string[] = [];
    const rows = [];
    for (const id of ids) {
      const row = getPartnerPrescription(db, connector.partner, id);
      if (!row) problems.push(`prescription_ids: ${name} has not announced prescription ${id}; only its incoming prescriptions can be filled.`);
      else if (row.dismissed_at) problems.push(`prescription_ids: prescription ${id} (${row.drug_name}) was set aside; match it to this order again first.`);
      else if (row.fills_requested >= 1 + (row.refills_left ?? 0)) {
        problems.push(`prescription_ids: prescription ${id} (${row.drug_name}) has no fill left (${row.fills_requested} requested, ${row.refills_left ?? 0} refills written).`);
      } else rows.push(row);
    }
    const controlled = rows.filter((row) => isControlledSchedule(row.drug_schedule));
    if (controlled.length > 0 && !given.identity_document) {
      problems.push(
        `identity_document is required: ${controlled.map((row) => row.drug_name).join(', ')} ${controlled.length === 1 ? 'is a controlled substance' : 'are controlled substances'}, and ${name} needs the patient's ID (type, number, expiry).`,
      );
    }
    const patients = new Set(rows.map((row) => row.partner_patient_id));
    if (patients.size > 1) problems.push(`prescription_ids: these prescriptions are for different ${name} patients; request one patient's fill at a time.`);
    for (const item of given.fill_items ?? []) {
      if (!ids.includes(item.prescription_id)) problems.push(`fill_items: prescription ${item.prescription_id} is not among the prescriptions being filled.`);
    }
    if (problems.length > 0) return { details: given, problems, prescriptionIds: [] };
    const fillItems = rows.map(
      (row) =>
        given.fill_items?.find((item) => item.prescription_id === row.prescription_id) ?? {
          prescription_id: row.prescription_id,
          quantity: 1,
          package_size: Math.max(1, Math.round(row.written_qty ?? 1)),
        },
    );
    return {
      details: { ...given, prescription_ids: ids, fill_items: fillItems, partner_patient_id: rows[0]?.partner_patient_id },
      problems: [],
      prescriptionIds: ids,
    };
  }

  /** The patient's prescriptions at the partner, for staff to pick from (CaryRx live). */
  async patientPrescriptions(input: AppApiParsedInput<'partners.patientPrescriptions'>): Promise<AppApiOutput<'partners.patientPrescriptions'>> {
    const handOver = this.orderToHandOver(input.id);
    if (!handOver) throw new OrderNotFoundError(input.id);
    const connector = this.slots.get(input.partner)?.connector;
    if (!connector) throw new PartnerNotConnectedError(input.partner);
    if (!connector.patientPrescriptions) throw new PartnerNotConnectedError(input.partner, `${connector.displayName} does not keep prescriptions for staff to pick.`);
    const find = connector.patientPrescriptions.bind(connector);
    return this.callThrough(input.partner, () => find(handOver.order, input.patient_email));
  }

  /** An order as a connector sees it, with its current state; undefined when there is no such order. */
  private orderToHandOver(orderId: string): { state: OrderStateRow; order: DispatchOrder } | undefined {
    const state = getOrderState(this.deps.db, orderId);
    const content = state && loadOrderContent(this.deps.db, orderId);
    return state && content ? { state, order: { id: state.id, trackingId: state.tracking_id, content } } : undefined;
  }

  private refuseIfNotDispatchable(state: OrderStateRow, connector: PartnerConnector): void {
    const { db } = this.deps;
    if (!PRE_PICKUP_STATUSES.includes(state.status)) {
      throw new TransitionRefusedError([`The order is ${state.status.replaceAll('_', ' ')}: only an order still at the pharmacy can be sent to a partner.`]);
    }
    const live = liveDispatchOfOrder(db, state.id);
    if (live) throw new TransitionRefusedError([`The order was already sent to ${PARTNER_DISPLAY_NAMES[live.partner]}.`]);
    const run = findRunOfOrder(db, state.id);
    if (run) throw new TransitionRefusedError([`The order is on courier run "${run.name}" (${run.courier}); ${connector.displayName} cannot take it too.`]);
  }

  /** Runs a hand-over's remaining steps, each committed before the next; stops at the first failure (recorded, retried later). */
  private async runSaga(dispatchId: string): Promise<void> {
    if (this.inFlight.has(dispatchId)) return;
    this.inFlight.add(dispatchId);
    try {
      for (;;) {
        const row = getPartnerDispatch(this.deps.db, dispatchId);
        const slot = row && this.slots.get(row.partner);
        if (!row || !slot || row.state !== 'dispatching') return;
        const done = await this.runStep(row, slot);
        if (!done) return;
      }
    } finally {
      this.inFlight.delete(dispatchId);
    }
  }

  /** One step; true when it succeeded and the saga may go on. */
  private async runStep(row: PartnerDispatchRow, slot: PartnerSlot): Promise<boolean> {
    const { db, orders } = this.deps;
    const { connector } = slot;
    const stepIndex = connector.steps.findIndex((s) => s.name === row.step);
    const step = connector.steps[stepIndex];
    if (!step) {
      await this.deps.writes.run(() => markDispatchFailed(db, { id: row.id, error: `Unknown step "${row.step ?? ''}".`, now: this.now() }));
      return false;
    }
    const handOver = this.orderToHandOver(row.order_id);
    if (!handOver) return false;
    const { state } = handOver;
    // A previous attempt got as far as calling the partner: tell the step to look first.
    const mayHaveRunBefore = row.step_started_at !== null;
    // BestRx may have cancelled the order while the hand-over waited: then nothing more is sent.
    if (state.status === 'cancelled' || state.return_requested_at !== null) {
      const placedMaybe = mayHaveRunBefore && stepIndex === connector.steps.length - 1;
      const reason = `BestRx cancelled the order before it reached ${connector.displayName}; nothing more was sent.${
        placedMaybe ? ` An earlier attempt may already have placed it: check with ${connector.displayName}.` : ''
      }`;
      const order = await this.deps.writes.run(() => {
        markDispatchFailed(db, { id: row.id, error: reason, now: this.now() });
        return orders.applyPartnerProgressWithin({ orderId: row.order_id, actor: connector.partner, capturedAt: this.now(), statuses: [], note: reason });
      });
      orders.announceCommitted(order);
      this.publishChanged(connector.partner);
      return false;
    }
    await this.deps.writes.run(() => markStepStarted(db, row.id, this.now(), this.leaseUntil()));
    this.crashPoint(`before-call:${step.name}`);
    let refs: Record<string, string>;
    try {
      refs = await this.callPartner(slot, () =>
        step.run({
          dispatchId: row.id,
          order: handOver.order,
          details: JSON.parse(row.details_json) as DispatchDetails,
          refs: JSON.parse(row.refs_json) as Record<string, string>,
          reference: row.reference,
          mayHaveRunBefore,
          webhookUrl: this.deps.webhookUrl(connector.partner),
          startedAt: row.created_at,
          today: localDate(this.deps.clock.now()),
          isPartnerOrderTaken: (ref) => findDispatchByPartnerOrder(db, connector.partner, ref) !== undefined,
        }),
      );
    } catch (error) {
      await this.stepFailed(row, slot, error);
      return false;
    }
    this.crashPoint(`after-call:${step.name}`);
    const merged = { ...(JSON.parse(row.refs_json) as Record<string, string>), ...refs };
    const next = connector.steps[stepIndex + 1];
    const partnerOrderRef = next ? null : (merged[connector.orderRef] ?? null);
    await this.deps.writes.run(() => {
      const now = this.now();
      recordStepDone(db, {
        id: row.id,
        refsJson: JSON.stringify(merged),
        nextStep: next?.name ?? null,
        partnerOrderRef,
        partnerStatus: null,
        // The hand-over's first poll at once: it learns the partner's first status.
        nextAttemptAt: now,
        now,
      });
      orders.appendPartnerEventWithin({ orderId: row.order_id, type: 'partner_update', actor: connector.partner, notes: step.done, proof: { step: step.name, refs } });
    });
    this.crashPoint(`after-store:${step.name}`);
    orders.announceCommitted(getOrderState(db, row.order_id) as OrderStateRow);
    if (partnerOrderRef) {
      for (const waiting of listUnappliedInboxEvents(db, connector.partner, partnerOrderRef)) {
        await this.ingest(connector, { eventId: waiting.event_id, partnerOrderRef, progress: JSON.parse(waiting.payload_json) as PartnerProgress }, waiting.source);
      }
      this.publishChanged(connector.partner);
      this.wake(connector.partner);
    }
    return true;
  }

  private async stepFailed(row: PartnerDispatchRow, slot: PartnerSlot, error: unknown): Promise<void> {
    const { db, orders } = this.deps;
    const { connector } = slot;
    const message = describeFailure(connector.displayName, error);
    const permanent = error instanceof PartnerRequestError && !error.transient && error.kind !== 'unauthorized';
    const nowMs = this.deps.clock.now().getTime();
    const givenUp = nowMs - Date.parse(row.created_at) >= DISPATCH_GIVE_UP_MS;
    if (permanent || givenUp) {
      // The last step may have reached the partner before it failed: staff must not fill it twice.
      const placedMaybe = row.step_started_at !== null && row.step === connector.steps.at(-1)?.name;
      const reason =
        (givenUp && !permanent ? `${connector.displayName} could not be reached for a day: ${message}` : message) +
        (placedMaybe ? ` An earlier attempt may already have placed the order: check with ${connector.displayName} before sending it again.` : '');
      const order = await this.deps.writes.run(() => {
        markDispatchFailed(db, { id: row.id, error: reason, now: this.now() });
        return orders.applyPartnerProgressWithin({
          orderId: row.order_id,
          actor: connector.partner,
          capturedAt: this.now(),
          statuses: [],
          note: `${reason} The order is back with the pharmacy: deliver it in-house or send it to a partner again.`,
        });
      });
      orders.announceCommitted(order);
      this.deps.logger.warn('partners.dispatch_failed', { partner: connector.partner, dispatch_id: row.id, kind: failureKind(error) });
    } else {
      const retryAt = this.retryAt(row.attempts, slot, error);
      await this.deps.writes.run(() => recordAttemptFailed(db, { id: row.id, error: message, nextAttemptAt: retryAt, now: this.now() }));
      this.deps.logger.warn('partners.step_retry', { partner: connector.partner, dispatch_id: row.id, step: row.step, kind: failureKind(error), next_attempt_at: retryAt });
    }
    this.publishChanged(connector.partner);
  }

  // ---- inbound events --------------------------------------------------------------------

  /** A webhook's raw body and headers: verified by the partner's connector, then through the inbox. */
  async receiveWebhook(
    partner: string,
    rawBody: string,
    headers: WebhookHeaders,
    query: URLSearchParams = new URLSearchParams(),
  ): Promise<{ status: number; body: object }> {
    const slot = this.slots.get(partner as PartnerName);
    if (!slot) return { status: 404, body: { error: `No partner "${partner}" is connected.` } };
    const verdict = slot.connector.verifyWebhook(rawBody, headers, query);
    if (!verdict.ok) {
      this.deps.logger.warn('partners.webhook_refused', { partner: slot.connector.partner, reason: verdict.reason });
      return { status: verdict.httpStatus, body: { error: verdict.reason } };
    }
    const outcomes: string[] = [];
    if (verdict.prescriptions && verdict.prescriptions.length > 0) outcomes.push(...(await this.receivePrescriptions(slot.connector, verdict.prescriptions)));
    for (const event of verdict.events) outcomes.push(await this.ingest(slot.connector, event, 'webhook'));
    // Orders the partner made on its own, and patients to fetch, are looked at by the partner's loop.
    if (slot.connector.originatedWork) this.wake(slot.connector.partner);
    // A webhook proves the partner can reach us, not that our credentials still work: only the time.
    slot.lastSync = this.now();
    return { status: 200, body: { received: true, outcomes } };
  }

  /** Prescriptions the partner announced: into incoming prescriptions, once each (a re-delivered event adds nothing). */
  private async receivePrescriptions(connector: PartnerConnector, prescriptions: readonly IncomingPrescription[]): Promise<Array<'prescription_received' | 'duplicate'>> {
    const { db } = this.deps;
    const outcomes = await this.deps.writes.run(() => {
      const receivedAt = this.now();
      return prescriptions.map((p) =>
        insertPartnerPrescription(db, {
          partner: connector.partner,
          prescription_id: p.prescriptionId,
          partner_patient_id: p.partnerPatientId,
          event_id: p.eventId,
          drug_name: p.drugName,
          ndc: p.ndc,
          sig_text: p.sigText,
          written_qty: p.writtenQty,
          refills_left: p.refillsLeft,
          expire_date: p.expireDate,
          drug_schedule: p.drugSchedule,
          prescriber_name: p.prescriberName,
          received_at: receivedAt,
        })
          ? ('prescription_received' as const)
          : ('duplicate' as const),
      );
    });
    if (outcomes.includes('prescription_received')) {
      this.deps.logger.info('partners.prescriptions_received', { partner: connector.partner, count: outcomes.filter((o) => o === 'prescription_received').length });
      this.publishChanged(connector.partner);
    }
    return outcomes;
  }

  incomingPrescriptions(input: AppApiParsedInput<'partners.incomingPrescriptions'>): AppApiOutput<'partners.incomingPrescriptions'> {
    const { db } = this.deps;
    return { prescriptions: listPartnerPrescriptions(db, input.partner, input.include_done).map((row) => incomingPrescriptionView(db, row)) };
  }

  /** Staff say which order an incoming prescription is for (its patient), or undo it. */
  async matchPrescription(input: AppApiParsedInput<'partners.matchPrescription'>, actor: string): Promise<IncomingPrescriptionView> {
    const { db } = this.deps;
    const name = PARTNER_DISPLAY_NAMES[input.partner];
    await this.deps.writes.run(() => {
      const row = getPartnerPrescription(db, input.partner, input.prescription_id);
      if (!row) throw new PrescriptionNotFoundError(input.partner, input.prescription_id);
      if (input.order_id !== null) {
        const order = getOrderState(db, input.order_id);
        if (!order) throw new OrderNotFoundError(input.order_id);
        if (order.origin !== 'bestrx') throw new TransitionRefusedError([`Order ${order.id} was created by ${PARTNER_DISPLAY_NAMES[order.origin]}, not BestRx: match the prescription to the pharmacy's order for this patient.`]);
        if (!PRE_PICKUP_STATUSES.includes(order.status)) {
          throw new TransitionRefusedError([`Order ${order.id} is ${order.status.replaceAll('_', ' ')}: only an order still at the pharmacy can be filled by ${name}.`]);
        }
      }
      matchPartnerPrescription(db, { partner: input.partner, prescriptionId: input.prescription_id, orderId: input.order_id, by: actor, now: this.now() });
    });
    this.publishChanged(input.partner);
    return incomingPrescriptionView(db, getPartnerPrescription(db, input.partner, input.prescription_id)!);
  }

  async dismissPrescription(input: AppApiParsedInput<'partners.dismissPrescription'>, actor: string): Promise<IncomingPrescriptionView> {
    const { db } = this.deps;
    await this.deps.writes.run(() => {
      if (!getPartnerPrescription(db, input.partner, input.prescription_id)) throw new PrescriptionNotFoundError(input.partner, input.prescription_id);
      dismissPartnerPrescription(db, { partner: input.partner, prescriptionId: input.prescription_id, by: actor, now: this.now() });
    });
    this.publishChanged(input.partner);
    return incomingPrescriptionView(db, getPartnerPrescription(db, input.partner, input.prescription_id)!);
  }

  /** A new shipping address for the order at its partner (Honeybee, before it ships; also the fix for an address hold). */
  async changeShippingAddress(input: AppApiParsedInput<'partners.changeShippingAddress'>, actor: string): Promise<OrderDetail> {
    const { db, orders } = this.deps;
    const handOver = this.orderToHandOver(input.id);
    if (!handOver) throw new OrderNotFoundError(input.id);
    const dispatch = liveDispatchOfOrder(db, input.id);
    if (!dispatch || !dispatch.partner_order_ref) throw new TransitionRefusedError(['The order is not with a partner that has placed it: there is no partner order to change.']);
    const slot = this.slots.get(dispatch.partner);
    if (!slot) throw new PartnerNotConnectedError(dispatch.partner);
    const { connector } = slot;
    if (!connector.changeShippingAddress) throw new TransitionRefusedError([`${connector.displayName} offers no way to change an order's shipping address: call them.`]);
    const change = connector.changeShippingAddress.bind(connector);
    const recipient = handOver.order.content.recipient;
    const address = { ...input.address, address_line_2: input.address.address_line_2 ?? null, state: input.address.state.toUpperCase() };
    const progress = await this.callPartner(slot, () =>
      change(JSON.parse(dispatch.refs_json) as Record<string, string>, {
        firstName: recipient.first_name ?? recipient.entity_name ?? '',
        lastName: recipient.last_name ?? '',
        address,
        acceptSuggested: input.accept_suggested,
        ignoreWarnings: input.ignore_warnings,
      }),
    );
    const order = await this.deps.writes.run(() =>
      orders.applyPartnerProgressWithin({
        orderId: input.id,
        actor,
        capturedAt: this.now(),
        statuses: [],
        note: `Shipping address changed at ${connector.displayName}: ${[address.address_line_1, address.address_line_2, address.city, address.state, address.zip_code].filter(Boolean).join(', ')}.`,
      }),
    );
    orders.announceCommitted(order);
    await this.ingest(connector, { eventId: connector.eventIdFor(dispatch.partner_order_ref, progress), partnerOrderRef: dispatch.partner_order_ref, progress }, 'poll');
    return orders.get(input.id);
  }

  /** The partner ships a shipped order again (Honeybee's reorder); the new partner order joins the board as the partner's own. */
  async reorder(input: AppApiParsedInput<'partners.reorder'>, actor: string): Promise<OrderDetail> {
    const { db, orders } = this.deps;
    if (!getOrderState(db, input.id)) throw new OrderNotFoundError(input.id);
    const dispatch = latestDispatchOfOrder(db, input.id);
    if (!dispatch || !dispatch.partner_order_ref) throw new TransitionRefusedError(['The order was never placed with a partner: there is nothing to reorder.']);
    const slot = this.slots.get(dispatch.partner);
    if (!slot) throw new PartnerNotConnectedError(dispatch.partner);
    const { connector } = slot;
    if (!connector.reorder) throw new TransitionRefusedError([`${connector.displayName} offers no reorder: send a new order instead.`]);
    const reorder = connector.reorder.bind(connector);
    const newRef = await this.callPartner(slot, () => reorder(JSON.parse(dispatch.refs_json) as Record<string, string>));
    const adopted = await this.adopt(slot, newRef, { force: true, note: `Reorder of ${connector.displayName} order ${dispatch.partner_order_ref} (order ${input.id}), asked for by ${actor}.` });
    if (!adopted) throw new TransitionRefusedError([`${connector.displayName} placed the reorder as ${newRef}, but RxRelay could not put it on the board yet; it will appear with the next sync.`]);
    return orders.get(adopted);
  }

  /**
   * An inbound event through the inbox: 'duplicate' when it was applied before, 'waiting' when
   * its hand-over does not know the partner's order id yet, else applied with the order events
   * it causes, all in one transaction.
   */
  private async ingest(connector: PartnerConnector, event: PartnerInboundEvent, source: 'webhook' | 'poll'): Promise<'applied' | 'duplicate' | 'waiting' | 'unknown'> {
    const { db, orders } = this.deps;
    const partner = connector.partner;
    const result = await this.deps.writes.run(() => {
      const now = this.now();
      const known = findInboxEvent(db, partner, event.eventId);
      if (known?.applied_at) return { outcome: 'duplicate' as const };
      if (!known) {
        insertInboxEvent(db, {
          partner,
          event_id: event.eventId,
          source,
          partner_order_ref: event.partnerOrderRef,
          partner_status: event.progress.status,
          payload_json: JSON.stringify(event.progress),
          received_at: now,
        });
      }
      const dispatch =
        findDispatchByPartnerOrder(db, partner, event.partnerOrderRef) ?? (event.reference ? findDispatchByReference(db, partner, event.reference) : undefined);
      if (!dispatch) return { outcome: 'unknown' as const };
      if (dispatch.partner_order_ref !== event.partnerOrderRef) {
        if (dispatch.state !== 'failed') return { outcome: 'waiting' as const };
        // The partner has an order for a hand-over RxRelay gave up: staff must know before it is filled twice.
        const order = orders.applyPartnerProgressWithin({
          orderId: dispatch.order_id,
          actor: partner,
          capturedAt: this.partnerTime(event.progress.at),
          statuses: [],
          note: `${connector.displayName} reports its order ${event.partnerOrderRef} as "${event.progress.status}" for this order, after RxRelay had taken the order back: check with ${connector.displayName} that it is not filled twice.`,
        });
        markInboxEventApplied(db, partner, event.eventId, dispatch.id, now);
        return { outcome: 'applied' as const, order };
      }
      const order = this.applyProgress(connector, dispatch, event.progress);
      markInboxEventApplied(db, partner, event.eventId, dispatch.id, now);
      return { outcome: 'applied' as const, order };
    });
    if (result.outcome === 'applied' && result.order) orders.announceCommitted(result.order);
    return result.outcome;
  }

  /** Inside the inbox write: the partner's status onto the hand-over, the order and BestRx. */
  private applyProgress(connector: PartnerConnector, dispatch: PartnerDispatchRow, progress: PartnerProgress): OrderStateRow | undefined {
    const { db, orders } = this.deps;
    const meaning = connector.meaningOf(progress.status);
    const capturedAt = this.partnerTime(progress.at);
    if (!meaning) {
      return orders.applyPartnerProgressWithin({
        orderId: dispatch.order_id,
        actor: connector.partner,
        capturedAt,
        statuses: [],
        note: `${connector.displayName} reports a status RxRelay does not know: "${progress.status}".`,
      });
    }
    const current = dispatch.partner_status ? connector.meaningOf(dispatch.partner_status) : undefined;
    if (current && meaning.rank < current.rank) return undefined;
    if (current && meaning.rank === current.rank && dispatch.partner_status === progress.status) return undefined;
    if (dispatch.state === 'finished' || dispatch.state === 'failed') {
      return orders.applyPartnerProgressWithin({
        orderId: dispatch.order_id,
        actor: connector.partner,
        capturedAt,
        statuses: [],
        note: `${meaning.describe} (after the hand-over had ended; nothing was changed.)`,
      });
    }
    const state = meaning.failed ? 'failed' : meaning.final ? 'finished' : 'open';
    recordPartnerProgress(db, {
      id: dispatch.id,
      partnerStatus: progress.status,
      carrier: progress.carrier ?? null,
      tracking: progress.tracking ?? null,
      trackingUrl: progress.trackingUrl ?? null,
      attentionJson: progress.attention
        ? JSON.stringify({ reason: progress.attention.reason, action: progress.attention.action, can_change_address: progress.attention.canChangeAddress })
        : null,
      state,
      now: this.now(),
    });
    if (meaning.failed) markDispatchFailed(db, { id: dispatch.id, error: meaning.describe, now: this.now() });
    const order = getOrderState(db, dispatch.order_id) as OrderStateRow;
    const lifecycle = { status: order.status, returnRequested: order.return_requested_at !== null };
    const carrier = progress.carrier ?? dispatch.carrier ?? undefined;
    const tracking = progress.tracking ?? dispatch.tracking ?? undefined;
    const trackingUrl = progress.trackingUrl ?? dispatch.tracking_url ?? undefined;
    let target: OrderStatus | null = meaning.status;
    // A partner that gives up after the package left cannot hand it back at the counter.
    if (meaning.failed && !PRE_PICKUP_STATUSES.includes(order.status)) target = 'unable_to_deliver';
    // An order the partner made on its own has no pharmacy to fall back to: cancelled there, cancelled here.
    else if (meaning.failed && order.origin !== 'bestrx') target = 'cancelled';
    const path = target ? pathBetween(lifecycle, target) : [];
    const statuses = (path ?? []).map((to) => ({ to, notes: statusNotes(connector.displayName, to, meaning.describe, carrier, tracking, progress.eta, trackingUrl) }));
    let note: string | undefined;
    if (path === undefined) {
      note = `${meaning.describe} RxRelay's order is ${order.status.replaceAll('_', ' ')}, so nothing was changed: check with ${connector.displayName}.`;
    } else if (progress.attention) {
      note = `${meaning.describe}: ${progress.attention.reason} What to do: ${progress.attention.action}`;
    } else if (statuses.length === 0) {
      note = meaning.failed ? `${meaning.describe} The order is back with the pharmacy: deliver it in-house or send it to a partner again.` : meaning.describe;
    }
    return orders.applyPartnerProgressWithin({ orderId: dispatch.order_id, actor: connector.partner, capturedAt, statuses, note });
  }

  // ---- the loop --------------------------------------------------------------------------

  /** Look at a partner's due work soon (after a dispatch, a change of settings, staff's "sync now"). */
  wake(partner: PartnerName): void {
    const slot = this.slots.get(partner);
    if (!slot || this.stopped || this.deps.schedule === false) return;
    this.scheduleIn(partner, slot, 0);
  }

  /** Staff asked: forget the backoff and the open circuit, and look at everything now. */
  async syncNow(partner: PartnerName): Promise<void> {
    const slot = this.slots.get(partner);
    if (!slot) throw new PartnerNotConnectedError(partner);
    slot.circuit.reset();
    await this.deps.writes.run(() => makeDispatchesDue(this.deps.db, partner, this.now()));
    try {
      await this.callPartner(slot, () => slot.connector.check());
    } catch {
      // Recorded in the partner's health; staff see it in Sync status.
    }
    await this.runPass(partner);
  }

  /** One pass over a partner's due hand-overs (single-flight per partner). */
  runPass(partner: PartnerName): Promise<void> {
    const slot = this.slots.get(partner);
    if (!slot) return Promise.resolve();
    if (slot.pass) {
      slot.again = true;
      return slot.pass;
    }
    slot.pass = this.pass(partner, slot).finally(() => {
      slot.pass = undefined;
      if (slot.again) {
        slot.again = false;
        this.wake(partner);
      } else {
        this.scheduleNext(partner, slot);
      }
    });
    return slot.pass;
  }

  /** Tests: passes until nothing is due now. */
  async runUntilIdle(partner: PartnerName, maxPasses = 50): Promise<void> {
    for (let i = 0; i < maxPasses; i++) {
      await this.runPass(partner);
      const due = listDueDispatches(this.deps.db, partner, this.now(), 1).filter((d) => !this.inFlight.has(d.id));
      const slot = this.slots.get(partner);
      if (due.length === 0 || !slot || slot.circuit.blockedUntil) return;
    }
  }

  private async pass(partner: PartnerName, slot: PartnerSlot): Promise<void> {
    if (this.stopped) return;
    if (slot.connector.originatedWork) {
      try {
        await this.originatedWorkPass(slot);
      } catch (error) {
        // Recorded in the partner's health by callPartner; the hand-overs below still get their turn.
        if (!(error instanceof PartnerRequestError) && !(error instanceof PartnerPausedError)) {
          this.deps.logger.error('partners.originated_work_error', { partner, error: (error as Error).name });
        }
      }
    }
    const due = listDueDispatches(this.deps.db, partner, this.now(), PASS_BATCH);
    for (const dispatch of due) {
      if (this.stopped || slot.circuit.blockedUntil) return;
      if (this.inFlight.has(dispatch.id)) continue;
      try {
        if (dispatch.state === 'dispatching') await this.runSaga(dispatch.id);
        else await this.poll(dispatch, slot);
      } catch (error) {
        this.deps.logger.error('partners.pass_error', { partner, dispatch_id: dispatch.id, error: (error as Error).name });
      }
    }
  }

  private async poll(dispatch: PartnerDispatchRow, slot: PartnerSlot): Promise<void> {
    const { db } = this.deps;
    const { connector } = slot;
    this.inFlight.add(dispatch.id);
    try {
      await this.deps.writes.run(() => leaseDispatch(db, dispatch.id, this.leaseUntil()));
      let progress: PartnerProgress;
      try {
        progress = await this.callPartner(slot, () => connector.fetchProgress(JSON.parse(dispatch.refs_json) as Record<string, string>));
      } catch (error) {
        if (error instanceof PartnerRequestError && error.kind === 'not_found' && dispatch.attempts + 1 >= NOT_FOUND_POLLS_TO_GIVE_UP) {
          await this.givePartnerOrderUp(dispatch, connector);
          return;
        }
        const retryAt = this.retryAt(dispatch.attempts + 1, slot, error);
        await this.deps.writes.run(() => recordPollFailed(db, { id: dispatch.id, error: describeFailure(connector.displayName, error), nextAttemptAt: retryAt, now: this.now() }));
        return;
      }
      const ref = dispatch.partner_order_ref as string;
      await this.ingest(connector, { eventId: connector.eventIdFor(ref, progress), partnerOrderRef: ref, progress }, 'poll');
      const nextPoll = new Date(this.deps.clock.now().getTime() + this.deps.pollIntervalMs(connector.partner)).toISOString();
      await this.deps.writes.run(() => {
        const current = getPartnerDispatch(db, dispatch.id);
        if (current && current.state === 'open') recordPolled(db, { id: dispatch.id, nextAttemptAt: nextPoll, now: this.now() });
      });
    } finally {
      this.inFlight.delete(dispatch.id);
    }
  }

  /**
   * Work the partner started on its own: fetch the patient record of newly announced
   * prescriptions (for matching), and put on the board the partner's own orders, whether a
   * webhook named them or the partner's list of recent orders shows them.
   */
  private async originatedWorkPass(slot: PartnerSlot): Promise<void> {
    const { db } = this.deps;
    const { connector } = slot;
    const work = connector.originatedWork;
    if (!work) return;
    for (const partnerPatientId of listPatientsToFetch(db, connector.partner, 10)) {
      let record;
      try {
        record = await this.callPartner(slot, () => work.patient(partnerPatientId));
      } catch (error) {
        if (!(error instanceof PartnerRequestError) || error.kind !== 'not_found') throw error;
        // The partner does not know its own patient id: kept empty, so staff match by hand and it is not asked again.
        record = { partnerPatientId, firstName: null, lastName: null, dob: null, email: null };
      }
      await this.deps.writes.run(() =>
        upsertPartnerPatient(db, {
          partner: connector.partner,
          partner_patient_id: partnerPatientId,
          first_name: record.firstName,
          last_name: record.lastName,
          dob: record.dob,
          email: record.email,
          fetched_at: this.now(),
        }),
      );
      this.publishChanged(connector.partner);
    }
    for (const ref of listOrphanInboxRefs(db, connector.partner, 10)) {
      if (this.stopped) return;
      if (!slot.declined.has(ref)) await this.adopt(slot, ref);
    }
    const nowMs = this.deps.clock.now().getTime();
    if (nowMs < slot.nextDiscoveryAt) return;
    slot.nextDiscoveryAt = nowMs + this.deps.pollIntervalMs(connector.partner);
    const recent = await this.callPartner(slot, () => work.recentOrders());
    if (recent === 'unchanged') return;
    for (const order of recent) {
      if (this.stopped) return;
      if (slot.declined.has(order.partnerOrderRef) || findDispatchByPartnerOrder(db, connector.partner, order.partnerOrderRef)) continue;
      // A fill RxRelay requested (a hand-over of a BestRx order names its prescriptions) belongs to that hand-over, not the board's new orders.
      if (countPrescriptionsRequestedByRxRelay(db, connector.partner, order.prescriptionIds) > 0) {
        slot.declined.add(order.partnerOrderRef);
        continue;
      }
      await this.adopt(slot, order.partnerOrderRef);
    }
  }

  /**
   * Puts a partner's own order on the board (origin: the partner) with an open hand-over that
   * follows it, then applies what the partner already said about it. Returns the new order's id;
   * undefined when it was not the partner's own or is on the board already.
   */
  private async adopt(slot: PartnerSlot, partnerOrderRef: string, options: { force?: boolean; note?: string } = {}): Promise<string | undefined> {
    const { db, orders } = this.deps;
    const { connector } = slot;
    const work = connector.originatedWork;
    if (!work) return undefined;
    const adopted = await this.callPartner(slot, () => work.adoptOrder(partnerOrderRef));
    if (!options.force && countPrescriptionsRequestedByRxRelay(db, connector.partner, adopted.prescriptionIds) > 0) {
      slot.declined.add(partnerOrderRef);
      return undefined;
    }
    const name = connector.displayName;
    const order = await this.deps.writes.run(() => {
      if (findDispatchByPartnerOrder(db, connector.partner, partnerOrderRef)) return undefined;
      const now = this.now();
      const created = orders.insertPartnerOrderWithin({
        content: adopted.content,
        origin: connector.partner,
        actor: connector.partner,
        notes: options.note ?? `Created by ${name} on its own when an e-prescription reached it (Automatic Processing): ${name} order ${partnerOrderRef}. BestRx did not send this order and hears nothing about it.`,
        capturedAt: now,
      });
      insertAdoptedDispatch(db, {
        id: randomUUID(),
        order_id: created.id,
        partner: connector.partner,
        reference: `${connector.partner}:${partnerOrderRef}`,
        // Naming its prescriptions counts their fill: an announced prescription Honeybee filled itself leaves incoming prescriptions.
        details_json: JSON.stringify({ prescription_ids: adopted.prescriptionIds }),
        refs_json: JSON.stringify(adopted.refs),
        created_by: connector.partner,
        partnerOrderRef,
        now,
      });
      return orders.applyPartnerProgressWithin({ orderId: created.id, actor: connector.partner, capturedAt: now, statuses: [{ to: 'acknowledged', notes: `Being filled by ${name}.` }] });
    });
    if (!order) return undefined;
    this.deps.logger.info('partners.order_adopted', { partner: connector.partner, order_id: order.id });
    this.deps.events.publish({ type: 'order.created', order_id: order.id, status: order.status });
    orders.announceCommitted(order);
    for (const waiting of listUnappliedInboxEvents(db, connector.partner, partnerOrderRef)) {
      await this.ingest(connector, { eventId: waiting.event_id, partnerOrderRef, progress: JSON.parse(waiting.payload_json) as PartnerProgress }, waiting.source);
    }
    await this.ingest(connector, { eventId: connector.eventIdFor(partnerOrderRef, adopted.progress), partnerOrderRef, progress: adopted.progress }, 'poll');
    this.publishChanged(connector.partner);
    return order.id;
  }

  /** The partner no longer knows the order (a sandbox restarted empty, an order deleted there): the pharmacy takes it back. */
  private async givePartnerOrderUp(dispatch: PartnerDispatchRow, connector: PartnerConnector): Promise<void> {
    const { db, orders } = this.deps;
    const reason = `${connector.displayName} no longer knows its order ${dispatch.partner_order_ref ?? ''}. The order is back with the pharmacy: check with ${connector.displayName}, then deliver it in-house or send it again.`;
    const order = await this.deps.writes.run(() => {
      markDispatchFailed(db, { id: dispatch.id, error: reason, now: this.now() });
      return orders.applyPartnerProgressWithin({ orderId: dispatch.order_id, actor: connector.partner, capturedAt: this.now(), statuses: [], note: reason });
    });
    orders.announceCommitted(order);
    this.publishChanged(connector.partner);
  }

  private scheduleNext(partner: PartnerName, slot: PartnerSlot): void {
    if (this.stopped || this.deps.schedule === false || this.slots.get(partner) !== slot) return;
    const nowMs = this.deps.clock.now().getTime();
    const due = nextDueAt(this.deps.db, partner);
    const blocked = slot.circuit.blockedUntil?.getTime() ?? 0;
    const discovery = slot.connector.originatedWork ? slot.nextDiscoveryAt : undefined;
    if (!due && discovery === undefined) return;
    const dueAt = Math.min(due ? Date.parse(due) : Number.POSITIVE_INFINITY, discovery ?? Number.POSITIVE_INFINITY);
    const at = Math.max(dueAt, blocked);
    this.scheduleIn(partner, slot, Math.max(50, at - nowMs));
  }

  private scheduleIn(partner: PartnerName, slot: PartnerSlot, delayMs: number): void {
    clearTimeout(slot.timer);
    // Timers are capped so a clock change (or a long sleep of the laptop) is noticed within a minute.
    slot.timer = setTimeout(() => {
      if (this.stopped || this.slots.get(partner) !== slot) return;
      this.runPass(partner).catch((error: unknown) => this.deps.logger.error('partners.pass_failed', { partner, error: (error as Error).name }));
    }, Math.min(delayMs, 60_000));
    slot.timer.unref();
  }

  // ---- calling a partner -----------------------------------------------------------------

  /** Every call to a partner: through its circuit, recording its health. */
  private async callPartner<T>(slot: PartnerSlot, call: () => Promise<T>): Promise<T> {
    if (!slot.circuit.permit()) throw new PartnerPausedError(slot.connector.partner, slot.circuit.blockedUntil);
    try {
      const result = await call();
      slot.circuit.succeeded();
      this.heardFrom(slot);
      return result;
    } catch (error) {
      const wasConnected = slot.connected;
      if (error instanceof PartnerRequestError && !error.transient && error.kind !== 'unauthorized') {
        // The partner answered (and refused this request): it is up.
        slot.circuit.succeeded();
        this.heardFrom(slot);
      } else {
        slot.circuit.failed(error instanceof PartnerRequestError && error.kind === 'unauthorized' ? 'auth' : 'transient', error instanceof PartnerRequestError ? error.retryAfterMs : undefined);
        slot.connected = false;
        slot.lastError = describeFailure(slot.connector.displayName, error);
        if (wasConnected) this.deps.logger.warn('partners.disconnected', { partner: slot.connector.partner, kind: failureKind(error) });
        this.publishChanged(slot.connector.partner);
      }
      throw error;
    }
  }

  private heardFrom(slot: PartnerSlot): void {
    const changed = !slot.connected || slot.lastError !== null;
    slot.connected = true;
    slot.lastError = null;
    slot.lastSync = this.now();
    if (changed) this.publishChanged(slot.connector.partner);
  }

  /** A call staff make through the app API (the catalog): through the partner's circuit, like the engine's own. */
  async callThrough<T>(partner: PartnerName, call: (connector: PartnerConnector) => Promise<T>): Promise<T> {
    const slot = this.slots.get(partner);
    if (!slot) throw new PartnerNotConnectedError(partner);
    return this.callPartner(slot, () => call(slot.connector));
  }

  /** Checks the connection (credentials included) without any order. */
  async checkConnection(partner: PartnerName): Promise<void> {
    const slot = this.slots.get(partner);
    if (!slot) throw new PartnerNotConnectedError(partner);
    await this.callPartner(slot, () => slot.connector.check());
  }

  health(partner: PartnerName): PartnerHealth | undefined {
    const slot = this.slots.get(partner);
    if (!slot) return undefined;
    const counts = countDispatchesByState(this.deps.db, partner);
    return {
      connected: slot.connected,
      last_sync: slot.lastSync,
      last_error: slot.lastError,
      circuit: slot.circuit.state,
      next_try_at: slot.circuit.blockedUntil?.toISOString() ?? null,
      open_orders: counts.dispatching + counts.open,
      failed_dispatches: countUnresolvedFailures(this.deps.db, partner),
    };
  }

  private retryAt(attempts: number, slot: PartnerSlot, error: unknown): string {
    const nowMs = this.deps.clock.now().getTime();
    const random = this.deps.random ?? Math.random;
    const bound = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
    const retryAfter = error instanceof PartnerRequestError ? (error.retryAfterMs ?? 0) : 0;
    const blocked = (slot.circuit.blockedUntil?.getTime() ?? nowMs) - nowMs;
    return new Date(nowMs + Math.max(random() * bound, retryAfter, blocked)).toISOString();
  }

  private leaseUntil(): string {
    return new Date(this.deps.clock.now().getTime() + IN_FLIGHT_LEASE_MS).toISOString();
  }

  private publishChanged(partner: PartnerName): void {
    this.deps.events.publish({ type: 'partners.changed', partner });
  }

  private crashPoint(point: string): void {
    this.deps.crashPoint?.(point);
  }

  private partnerTime(at: string | undefined): string {
    const nowMs = this.deps.clock.now().getTime();
    const ms = at ? Date.parse(at) : Number.NaN;
    return Number.isNaN(ms) || ms > nowMs + FUTURE_TOLERANCE_MS ? new Date(nowMs).toISOString() : new Date(ms).toISOString();
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** BestRx's status notes for a partner's move: "shipped → In Transit with carrier and tracking" (product spec). */
function statusNotes(
  partnerName: string,
  to: OrderStatus,
  describe: string,
  carrier: string | undefined,
  tracking: string | undefined,
  eta: string | undefined,
  trackingUrl?: string | undefined,
): string {
  const shipment = [carrier, tracking ? `tracking ${tracking}` : undefined, trackingUrl ? `(${trackingUrl})` : undefined].filter(Boolean).join(' ');
  const expected = eta ? ` Expected ${eta}.` : '';
  switch (to) {
    case 'picked_up':
      return `Picked up by ${partnerName}.`;
    case 'in_transit':
      return (shipment ? `Shipped by ${partnerName} via ${shipment}.` : `Shipped by ${partnerName}.`) + expected;
    case 'out_for_delivery':
      return (shipment ? `Out for delivery with ${partnerName}: ${shipment}.` : `Out for delivery with ${partnerName}.`) + expected;
    case 'delivered':
      return shipment ? `Delivered by ${partnerName} (${shipment}).` : `Delivered by ${partnerName}.`;
    default:
      return describe;
  }
}

function failureKind(error: unknown): string {
  if (error instanceof PartnerRequestError) return error.kind;
  if (error instanceof PartnerPausedError) return 'paused';
  return 'internal';
}

/** A failure in words staff can act on; never a token or patient data (the connector's messages are written that way). */
export function describeFailure(partnerName: string, error: unknown): string {
  if (error instanceof PartnerRequestError) {
    const details = error.details.length > 0 ? ` ${error.details.join(' ')}` : '';
    return `${error.message}${details}`;
  }
  if (error instanceof PartnerPausedError) return error.message;
  return `RxRelay hit an unexpected problem talking to ${partnerName}.`;
}
