// CaryRx as a partner of the sync engine (vendor-facts §4.3 flow): a patient (found or created),
// their delivery location, the prescriptions, then the order; progress by GET and by callbacks.
//
// Prescriptions: live, CaryRx receives them itself by e-Rx, and staff pick which of the
// patient's prescriptions go (`prescription_ids`, listed by partners.patientPrescriptions); in
// the sandbox, RxRelay creates one per BestRx prescription, as CaryRx's doc says to only in
// development.
//
// Callbacks: CaryRx documents only `authType: "none"` (no signature), so the URL RxRelay
// registers carries a random token of its own, checked in constant time: a post without it
// changes nothing. Polling by GET, with the API key, runs regardless.
import { timingSafeEqual } from 'node:crypto';
import type { AppApiOutput } from '../../../../src-shared/app-api-contract';
import type {
  DispatchDetails,
  DispatchOrder,
  DispatchStep,
  DispatchStepContext,
  PartnerConnector,
  PartnerProgress,
  PartnerRefs,
  PartnerStatusMeaning,
  WebhookVerdict,
} from '../partner-connector';
import { PartnerRequestError } from '../partner-connector';
import {
  CARYRX_ORDER_STATUSES,
  CARYRX_SHIPPING_METHODS,
  CARYRX_TEST_PAYLOAD_IDS,
  orderEventSchema,
  patientProblems,
  type CaryRxOrder,
  type CaryRxOrderStatus,
  type CaryRxPatientInput,
} from './caryrx-api';
import type { CaryRxClient } from './caryrx-client';
import { CARYRX_STATUS_MEANINGS } from './caryrx-status-map';

const DEFAULT_SHIPPING_METHOD = 'sameday_delivery';

export class CaryRxConnector implements PartnerConnector {
  readonly partner = 'caryrx' as const;
  readonly displayName = 'CaryRx';
  readonly orderRef = 'order';
  readonly dispatchFields;
  readonly steps: readonly DispatchStep[] = [
    { name: 'patient', done: 'Patient found or registered with CaryRx.', run: (context) => this.ensurePatient(context) },
    { name: 'location', done: 'Delivery address registered with CaryRx.', run: (context) => this.createLocation(context) },
    { name: 'prescriptions', done: 'Prescriptions ready at CaryRx.', run: (context) => this.ensurePrescriptions(context) },
    { name: 'order', done: 'Order placed with CaryRx.', run: (context) => this.placeOrder(context) },
  ];

  constructor(
    readonly client: CaryRxClient,
    readonly mode: 'sandbox' | 'live',
    /** The secret in the callback URL RxRelay registers with CaryRx. */
    private readonly callbackToken: string,
  ) {
    this.dispatchFields =
      mode === 'live'
        ? (['patient_dob', 'patient_email', 'prescription_ids', 'shipping_method', 'central_fill', 'clinical_notes'] as const)
        : (['patient_dob', 'patient_email', 'shipping_method', 'central_fill', 'clinical_notes'] as const);
  }

  dispatchProblems(order: DispatchOrder, details: DispatchDetails, today: string): string[] {
    const problems: string[] = [];
    if (!details.patient_dob) problems.push('patient_dob is required for CaryRx.');
    if (!details.patient_email) problems.push('patient_email is required for CaryRx.');
    if (this.mode === 'live' && !details.prescription_ids?.length) problems.push("prescription_ids is required for CaryRx: pick the patient's prescriptions at CaryRx.");
    if (details.shipping_method !== undefined && !(CARYRX_SHIPPING_METHODS as readonly string[]).includes(details.shipping_method)) {
      problems.push(`shipping_method must be one of ${CARYRX_SHIPPING_METHODS.join(', ')}.`);
    }
    if (details.clinical_notes !== undefined && details.clinical_notes.length > 1000) problems.push('clinical_notes: at most 1000 characters for CaryRx.');
    if (problems.length > 0) return problems;
    const patient = patientFor(order, details);
    if (!patient.phone_number) problems.push("The recipient has no 10-digit phone number, which CaryRx needs: ask BestRx to send one.");
    problems.push(...patientProblems({ ...patient, phone_number: patient.phone_number || '0000000000' }, today));
    if (this.mode === 'sandbox' && order.content.prescriptions.length === 0) problems.push('The order has no prescriptions to send to CaryRx.');
    return problems;
  }

  async check(): Promise<void> {
    await this.client.ping();
  }

  /** Registers RxRelay's callback URL for prescription and order events (CaryRx answers with a test payload each). */
  async registerCallbacks(callbackBaseUrl: string): Promise<void> {
    const url = `${callbackBaseUrl}?token=${encodeURIComponent(this.callbackToken)}`;
    await this.client.registerPrescriptionEvents(url);
    await this.client.registerOrderEvents(url);
  }

  async fetchProgress(refs: PartnerRefs): Promise<PartnerProgress> {
    const orderId = refs[this.orderRef];
    if (!orderId) throw new Error('The hand-over has no CaryRx order id yet.');
    return progressOf(await this.client.getOrder(orderId));
  }

  meaningOf(status: string): PartnerStatusMeaning | undefined {
    return (CARYRX_ORDER_STATUSES as readonly string[]).includes(status) ? CARYRX_STATUS_MEANINGS[status as CaryRxOrderStatus] : undefined;
  }

  eventIdFor(partnerOrderRef: string, progress: PartnerProgress): string {
    // CaryRx's events carry no event id; an order passes each status once.
    return `${partnerOrderRef}:${progress.status}`;
  }

  verifyWebhook(rawBody: string, _headers: Readonly<Record<string, string | string[] | undefined>>, query: URLSearchParams): WebhookVerdict {
    const presented = Buffer.from(query.get('token') ?? '');
    const expected = Buffer.from(this.callbackToken);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      return { ok: false, httpStatus: 401, reason: 'the callback URL token does not match' };
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return { ok: false, httpStatus: 400, reason: 'the body is not JSON' };
    }
    const id = typeof json === 'object' && json !== null && 'id' in json ? String((json as { id: unknown }).id) : '';
    // Registration's test payloads, and prescription events (a new e-Rx at CaryRx), need nothing from the engine.
    if (CARYRX_TEST_PAYLOAD_IDS.has(id) || (typeof json === 'object' && json !== null && 'medication_name' in json)) return { ok: true, events: [] };
    const order = orderEventSchema.safeParse(json);
    if (!order.success) return { ok: false, httpStatus: 400, reason: 'the body is not a CaryRx order or prescription event' };
    const progress = progressOf(order.data);
    return { ok: true, events: [{ eventId: this.eventIdFor(order.data.id, progress), partnerOrderRef: order.data.id, progress }] };
  }

  async patientPrescriptions(order: DispatchOrder, email: string): Promise<AppApiOutput<'partners.patientPrescriptions'>> {
    const { first_name, last_name } = patientFor(order, { patient_email: email });
    const found = await this.client.findPatient({ first_name, last_name, email });
    if (!found) return { patient_found: false, prescriptions: [] };
    const patient = await this.client.getPatient(found.id);
    const prescriptions = [];
    for (const ref of patient.prescriptions.slice(0, 50)) {
      const p = await this.client.getPrescription(ref.id);
      prescriptions.push({
        id: p.id,
        medication_name: p.medication_name,
        status: p.status,
        rx_number: p.rx_number === null || p.rx_number === undefined ? null : String(p.rx_number),
        refills_remaining: p.refills_remaining ?? null,
      });
    }
    return { patient_found: true, prescriptions };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** CaryRx's "create a patient, unless they already exist": found by name and email first. */
  private async ensurePatient(context: DispatchStepContext): Promise<Record<string, string>> {
    const patient = patientFor(context.order, context.details);
    const found = await this.client.findPatient({ first_name: patient.first_name, last_name: patient.last_name, email: patient.email });
    if (found) return { patient: found.id };
    return { patient: (await this.client.createPatient(patient)).id };
  }

  /**
   * The delivery address. CaryRx publishes no way to list a patient's locations, so a crash
   * between CaryRx creating one and RxRelay storing its id leaves an unused location there; the
   * order, which matters, is never doubled (see placeOrder).
   */
  private async createLocation(context: DispatchStepContext): Promise<Record<string, string>> {
    const patientId = mustRef(context, 'patient');
    const address = context.order.content.recipient.address;
    const location = await this.client.createLocation(patientId, {
      patient_id: patientId,
      location_name: `RxRelay ${context.reference}`,
      address_to_street1: address.address_line_1,
      ...(address.address_line_2 ? { address_to_street2: address.address_line_2 } : {}),
      address_to_city: address.city,
      address_to_state: address.state.trim().toUpperCase(),
      address_to_zip: address.zip_code.replace(/[\s-]/g, ''),
    });
    return { location: location.id };
  }

  /** Live: the prescriptions staff picked (they must be this patient's). Sandbox: one per BestRx prescription, reused if made before. */
  private async ensurePrescriptions(context: DispatchStepContext): Promise<Record<string, string>> {
    const patientId = mustRef(context, 'patient');
    const patient = await this.client.getPatient(patientId);
    const theirs = new Set(patient.prescriptions.map((p) => p.id));
    if (this.mode === 'live') {
      const picked = context.details.prescription_ids ?? [];
      const foreign = picked.filter((id) => !theirs.has(id));
      if (foreign.length > 0) throw new PartnerRequestError('rejected', `CaryRx does not list prescription ${foreign.join(', ')} for this patient.`);
      return { prescriptions: picked.join(',') };
    }
    const existing = new Map<string, string>();
    for (const ref of patient.prescriptions) {
      const prescription = await this.client.getPrescription(ref.id);
      existing.set(prescription.medication_name, prescription.id);
    }
    const ids: string[] = [];
    for (const rx of context.order.content.prescriptions) {
      // BestRx sends no drug names (minimum necessary): the sandbox names each prescription by its Rx number.
      const name = `Rx ${rx.rx_number}`;
      const id =
        existing.get(name) ??
        (await this.client.createPrescription({ patient_id: patientId, medication_name: name, qty_written: 30, refills_written: 0, days_supply: 30, data: 'null' })).id;
      existing.set(name, id);
      ids.push(id);
    }
    return { prescriptions: ids.join(',') };
  }

  /** The order, placed once: after an attempt that may have reached CaryRx, the patient's orders are searched for it first. */
  private async placeOrder(context: DispatchStepContext): Promise<Record<string, string>> {
    const patientId = mustRef(context, 'patient');
    const locationId = mustRef(context, 'location');
    const prescriptionIds = mustRef(context, 'prescriptions').split(',');
    if (context.mayHaveRunBefore) {
      const patient = await this.client.getPatient(patientId);
      for (const ref of patient.orders) {
        const order = await this.client.getOrder(ref.id);
        const same =
          order.patient_location_id === locationId &&
          order.prescriptions.length === prescriptionIds.length &&
          order.prescriptions.every((p) => prescriptionIds.includes(p.id));
        if (same) return { order: order.id };
      }
    }
    const delivery = context.order.content.delivery_notes;
    const created = await this.client.createOrder({
      shipping_method: context.details.shipping_method ?? DEFAULT_SHIPPING_METHOD,
      central_fill: context.details.central_fill ?? false,
      patient_id: patientId,
      patient_location_id: locationId,
      prescriptions: prescriptionIds.map((id) => ({ id })),
      ...(delivery ? { patient_delivery_note: delivery.slice(0, 1000) } : {}),
      ...(context.details.clinical_notes ? { patient_pharmacy_note: context.details.clinical_notes } : {}),
      order_status: 'pending',
    });
    return { order: created.id };
  }
}

function mustRef(context: DispatchStepContext, name: string): string {
  const value = context.refs[name];
  if (!value) throw new Error(`The ${name} step has not run.`);
  return value;
}

function progressOf(order: CaryRxOrder): PartnerProgress {
  const sameDay = order.shipping_method === 'sameday_delivery';
  const out = order.shipment_tracking_url ?? undefined;
  return {
    status: order.order_status,
    at: order.updated_at,
    carrier: out ? (sameDay ? 'CaryRx same-day courier' : (order.packaging_method ?? 'mail').replaceAll('_', ' ')) : undefined,
    tracking: out,
    eta: order.shipment_tracking_eta ?? undefined,
  };
}

/** The patient CaryRx fills for: BestRx's first customer, else the recipient; phone as 10 digits. */
export function patientFor(order: DispatchOrder, details: DispatchDetails): CaryRxPatientInput {
  const { recipient } = order.content;
  const customer = order.content.customers.find((c) => c.first_name || c.last_name);
  const phone = [recipient.mobile_phone, recipient.home_phone, recipient.work_phone]
    .map((p) => (p ?? '').replace(/\D/g, ''))
    .map((digits) => (digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits))
    .find((digits) => digits.length === 10);
  return {
    first_name: (customer?.first_name ?? recipient.first_name ?? '').trim(),
    last_name: (customer?.last_name ?? recipient.last_name ?? '').trim(),
    dob: details.patient_dob ?? '',
    email: details.patient_email ?? recipient.email ?? '',
    phone_number: phone ?? '',
  };
}
