// United Pharmacy as a partner of the sync engine: what a hand-over needs (a patient, then an
// order), how to read an order's progress back, and how to trust a webhook.
//
// A United order is one medication for one patient. RxRelay's order from BestRx names who
// receives the package and which prescriptions are in it, but not what United needs: the
// patient's date of birth, email and gender, and which of United's pharmacies and catalog items
// fill it. Staff add those at dispatch (product spec, `orders.dispatch` details).
import { webhookPayloadSchema, WEBHOOK_EVENT_HEADER, WEBHOOK_SIGNATURE_HEADER, webhookSignatureMatches, type UnitedOrderStatus, type UnitedPatient, type UnitedPatientInput, orderProblems, patientProblems, UNITED_ORDER_STATUSES, webhookEventFor, type UnitedOrderInput } from './united-api';
import type { UnitedClient } from './united-client';
import { PartnerRequestError } from '../partner-connector';
import { UNITED_STATUS_MEANINGS } from './united-status-map';
import type {
  DispatchDetails,
  DispatchOrder,
  DispatchStep,
  DispatchStepContext,
  PartnerCatalog,
  PartnerConnector,
  PartnerProgress,
  PartnerRefs,
  PartnerStatusMeaning,
  WebhookVerdict,
} from '../partner-connector';

/** The details United needs that BestRx does not send; each is named when missing. */
const REQUIRED_DETAILS = ['patient_dob', 'patient_email', 'patient_gender', 'pharmacy_id', 'medication_id', 'dispense_quantity'] as const;

export class UnitedConnector implements PartnerConnector {
  readonly partner = 'united' as const;
  readonly displayName = 'United Pharmacy';
  readonly orderRef = 'order';
  readonly dispatchFields = [...REQUIRED_DETAILS, 'days_supply', 'clinical_notes'] as const;
  readonly steps: readonly DispatchStep[] = [
    { name: 'patient', done: 'Patient registered with United Pharmacy.', run: (context) => this.ensurePatient(context) },
    { name: 'order', done: 'Order placed with United Pharmacy.', run: (context) => this.placeOrder(context) },
  ];
  readonly catalog: PartnerCatalog;

  constructor(
    readonly client: UnitedClient,
    readonly mode: 'sandbox' | 'live',
  ) {
    this.catalog = {
      pharmacies: async () => (await client.listPharmacies()).map(({ id, name, status }) => ({ id, name, status })),
      medications: async (pharmacyId, page) => {
        const { data, pagination, fetchedAt } = await client.medications(pharmacyId, page);
        return {
          medications: data.map((m) => ({
            medication_id: m.medication_id,
            name: m.name,
            strength: m.strength,
            form: m.form,
            formulation: m.formulation,
            price: m.price,
            type: m.type,
          })),
          page: pagination.page,
          total_pages: pagination.total_pages,
          total: pagination.total,
          fetched_at: fetchedAt,
        };
      },
    };
  }

  dispatchProblems(order: DispatchOrder, details: DispatchDetails, today: string): string[] {
    const missing = REQUIRED_DETAILS.filter((field) => details[field] === undefined).map((field) => `${field} is required for United Pharmacy.`);
    if (missing.length > 0) return missing;
    const problems = patientProblems(patientFor(order, details), today);
    problems.push(
      ...orderProblems(orderFor({ order, details, patientId: 'patient', reference: order.id, webhookUrl: undefined })).filter(
        (problem) => !problem.startsWith('order_id'),
      ),
    );
    return problems;
  }

  async check(): Promise<void> {
    await this.client.ping();
  }

  async fetchProgress(refs: PartnerRefs): Promise<PartnerProgress> {
    const orderId = refs[this.orderRef];
    if (!orderId) throw new Error('The hand-over has no United order id yet.');
    const order = await this.client.getOrder(orderId);
    return {
      status: order.status,
      at: order.updated_at,
      carrier: order.shipping?.carrier ?? undefined,
      tracking: order.shipping?.tracking ?? undefined,
      shippingStatus: order.shipping?.shipping_status ?? undefined,
    };
  }

  meaningOf(status: string): PartnerStatusMeaning | undefined {
    return (UNITED_ORDER_STATUSES as readonly string[]).includes(status) ? UNITED_STATUS_MEANINGS[status as UnitedOrderStatus] : undefined;
  }

  eventIdFor(partnerOrderRef: string, progress: PartnerProgress): string {
    // United's webhooks carry no event id, and each order passes each status once: the order
    // and the status name the event, whether a webhook or a poll saw it first.
    return `${partnerOrderRef}:${progress.status}`;
  }

  verifyWebhook(rawBody: string, headers: Readonly<Record<string, string | string[] | undefined>>): WebhookVerdict {
    const secret = this.client.webhookSecret();
    if (!secret) return { ok: false, httpStatus: 401, reason: 'no webhook secret is configured for United Pharmacy' };
    const signature = headerValue(headers[WEBHOOK_SIGNATURE_HEADER]);
    if (!webhookSignatureMatches(secret, rawBody, signature)) return { ok: false, httpStatus: 401, reason: 'the X-Webhook-Signature does not match' };
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return { ok: false, httpStatus: 400, reason: 'the body is not JSON' };
    }
    const parsed = webhookPayloadSchema.safeParse(json);
    if (!parsed.success) return { ok: false, httpStatus: 400, reason: 'the body is not a United order event' };
    const payload = parsed.data;
    const eventHeader = headerValue(headers[WEBHOOK_EVENT_HEADER]);
    if (eventHeader !== payload.event || payload.event !== webhookEventFor(payload.order.status)) {
      return { ok: false, httpStatus: 400, reason: `X-Webhook-Event "${eventHeader ?? ''}" does not match the event in the body` };
    }
    const progress: PartnerProgress = {
      status: payload.order.status,
      at: payload.timestamp,
      carrier: payload.shipping?.carrier ?? undefined,
      tracking: payload.shipping?.tracking ?? undefined,
      shippingStatus: payload.shipping?.shipping_status ?? undefined,
    };
    return {
      ok: true,
      events: [
        {
          eventId: this.eventIdFor(payload.order.uuid, progress),
          partnerOrderRef: payload.order.uuid,
          reference: payload.order.order_id ?? undefined,
          progress,
        },
      ],
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /**
   * The patient, registered once: United's email search finds a patient RxRelay registered
   * before (an earlier order, or an attempt whose answer was lost), so a retry never creates a
   * second one. Only a patient with the same name and date of birth counts as the same person.
   */
  private async ensurePatient(context: DispatchStepContext): Promise<Record<string, string>> {
    const wanted = patientFor(context.order, context.details);
    const existing = await this.findPatient(wanted);
    if (existing) {
      // United ships to the patient's address on file (an order carries none): bring it up to date.
      if (!samePatientDetails(existing, wanted)) await this.client.updatePatient(existing.uuid, wanted);
      return { patient: existing.uuid };
    }
    const created = await this.client.createPatient(wanted);
    return { patient: created.uuid };
  }

  private async findPatient(wanted: UnitedPatientInput): Promise<UnitedPatient | undefined> {
    const same = (p: UnitedPatient) =>
      p.email.toLowerCase() === wanted.email.toLowerCase() &&
      p.first_name.toLowerCase() === wanted.first_name.toLowerCase() &&
      p.last_name.toLowerCase() === wanted.last_name.toLowerCase() &&
      p.date_of_birth === wanted.date_of_birth;
    for (let page = 1; ; page++) {
      const { data, pagination } = await this.client.listPatients({ email: wanted.email, page, per_page: 100 });
      const match = data.find(same);
      if (match) return match;
      if (page >= pagination.total_pages) return undefined;
    }
  }

  /**
   * The order, placed once. After an attempt that may have reached United (a crash or timeout
   * before its answer was stored), United is asked for an order with our reference first.
   */
  private async placeOrder(context: DispatchStepContext): Promise<Record<string, string>> {
    const patientId = context.refs.patient;
    if (!patientId) throw new Error('The patient step has not run.');
    if (context.mayHaveRunBefore) {
      // The lookup by reference is an assumption about United's API: only an order that really
      // carries our reference is ours (a lookup that ignored the filter would list others').
      const ours = (await this.client.findOrdersByReference(context.reference)).filter((o) => o.order_id === context.reference);
      if (ours.length > 1) throw new PartnerRequestError('rejected', `United Pharmacy holds ${ours.length} orders with reference ${context.reference}: check with United which one to keep.`);
      if (ours[0]) return { order: ours[0].uuid };
    }
    const created = await this.client.createOrder(orderFor({ order: context.order, details: context.details, patientId, reference: context.reference, webhookUrl: context.webhookUrl }));
    return { order: created.uuid };
  }
}

function samePatientDetails(stored: UnitedPatient, wanted: UnitedPatientInput): boolean {
  const a = stored.address;
  const b = wanted.address;
  return (
    a.line1 === b.line1 &&
    (a.line2 ?? null) === (b.line2 ?? null) &&
    a.city === b.city &&
    a.state === b.state &&
    a.zip === b.zip &&
    (stored.phone_cell ?? null) === (wanted.phone_cell ?? null) &&
    (stored.phone_home ?? null) === (wanted.phone_home ?? null) &&
    (stored.phone_work ?? null) === (wanted.phone_work ?? null) &&
    stored.gender === wanted.gender
  );
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The person the prescription is for: BestRx's first customer, else the recipient. */
export function patientFor(order: DispatchOrder, details: DispatchDetails): UnitedPatientInput {
  const { recipient } = order.content;
  const customer = order.content.customers.find((c) => c.first_name || c.last_name);
  const address = recipient.address;
  return {
    first_name: (customer?.first_name ?? recipient.first_name ?? '').trim(),
    last_name: (customer?.last_name ?? recipient.last_name ?? '').trim(),
    email: details.patient_email ?? recipient.email ?? '',
    date_of_birth: details.patient_dob ?? '',
    gender: details.patient_gender ?? 'U',
    phone_home: tenDigits(recipient.home_phone),
    phone_work: tenDigits(recipient.work_phone),
    phone_cell: tenDigits(recipient.mobile_phone),
    address: {
      line1: address.address_line_1,
      line2: address.address_line_2 ?? null,
      city: address.city,
      state: address.state.trim().toUpperCase(),
      zip: address.zip_code.replace(/[\s-]/g, ''),
    },
  };
}

/**
 * A US phone number as United's 10 digits, or nothing: a number United would refuse is left out
 * (it is optional) rather than stopping the hand-over. A leading country code 1 is dropped.
 */
function tenDigits(phone: string | null): string | null {
  if (!phone) return null;
  const digits = phone.replace(/\D/g, '');
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  return national.length === 10 ? national : null;
}

function orderFor(input: { order: DispatchOrder; details: DispatchDetails; patientId: string; reference: string; webhookUrl: string | undefined }): UnitedOrderInput {
  const { order, details } = input;
  const customer = order.content.customers[0]?.customer_unique_id ?? null;
  return {
    patient_id: input.patientId,
    pharmacy_id: details.pharmacy_id ?? '',
    medication_id: details.medication_id ?? '',
    dispense_quantity: details.dispense_quantity ?? 0,
    ...(details.days_supply !== undefined ? { days_supply: details.days_supply } : {}),
    order_id: input.reference,
    ...(customer !== null ? { customer_id: String(customer) } : {}),
    memo: `RxRelay ${order.id}, BestRx order ${order.content.bestrx_order_id}`,
    ...(details.clinical_notes ? { clinical_notes: details.clinical_notes } : {}),
    ...(input.webhookUrl ? { webhook_urls: [input.webhookUrl] } : {}),
  };
}
