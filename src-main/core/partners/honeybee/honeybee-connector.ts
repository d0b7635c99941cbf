// Honeybee Health as a partner of the sync engine, in both of its workflows (seed: "Supported
// Partners API Workflows"):
//
// - Partner Requested Fills. Honeybee announces an e-prescription with RX_RECEIVED and fills
//   nothing until asked. The prescription waits in incoming prescriptions; staff match it to the
//   BestRx order of that patient and dispatch the order to Honeybee, which is one step here:
//   POST /v1/orders with the prescriptions, packs and package sizes, the shipping method and the
//   order's delivery address. Honeybee has no idempotency key (§1.12): a 409, a timeout, or a
//   retry after a crash is settled by looking at the patient's orders (GET /v1/orders) for one
//   with the same prescriptions made since the hand-over began, before anything is posted again.
// - Automatic Processing. Honeybee makes the order itself; RX_UPDATED / SHIPMENT_UPDATED name it
//   and the list of recent orders shows it, and the engine puts it on the board (`originatedWork`).
//
// Webhooks: `X-Honeybee-Secret` (a static secret, compared in constant time) and/or
// `X-Honeybee-Signature` (HMAC-SHA1 over method + receiver URL + raw body, §1.9). Whichever is
// configured must be presented and right; with neither configured, nothing is accepted.
import type {
  AdoptedPartnerOrder,
  DispatchDetails,
  DispatchOrder,
  DispatchStep,
  DispatchStepContext,
  IncomingPrescription,
  PartnerConnector,
  PartnerInboundEvent,
  PartnerOriginatedWork,
  PartnerProgress,
  PartnerRefs,
  PartnerStatusMeaning,
  ShippingAddressChange,
  WebhookVerdict,
} from '../partner-connector';
import { PartnerRequestError } from '../partner-connector';
import type { OrderContent } from '../../domain/order-content';
import {
  createOrderProblems,
  describeHoldReason,
  emptyPatientSafety,
  HONEYBEE_SECRET_HEADER,
  HONEYBEE_SHIPPING_METHODS,
  HONEYBEE_SIGNATURE_HEADER,
  honeybeeSecretMatches,
  normalizeHoneybeeStatus,
  orderStatusOf,
  parseHoneybeeEvent,
  statusOfDispenses,
  verifyHoneybeeSignature,
  type HoneybeeAddress,
  type HoneybeeCreateOrderRequest,
  type HoneybeeEvent,
  type HoneybeeException,
  type HoneybeeIdentityDocument,
  type HoneybeeOrder,
  type HoneybeeShipment,
} from './honeybee-api';
import type { HoneybeeClient } from './honeybee-client';
import { HONEYBEE_STATUS_MEANINGS } from './honeybee-status-map';

const NAME = 'Honeybee Health';
/** Honeybee's creation time and ours differ a little; an order made this long before the hand-over began is not ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface HoneybeeWebhookSecrets {
  /** The X-Honeybee-Secret value set in Honeybee's dashboard. */
  staticSecret?: string | undefined;
  /** The client secret of the event-signing credentials (X-Honeybee-Signature). */
  signingSecret?: string | undefined;
}

export class HoneybeeConnector implements PartnerConnector {
  readonly partner = 'honeybee' as const;
  readonly displayName = NAME;
  readonly orderRef = 'order_number';
  readonly dispatchFields = ['prescription_ids', 'fill_items', 'shipping_method', 'patient_email', 'patient_dob', 'patient_gender', 'address_options', 'identity_document'] as const;
  readonly steps: readonly DispatchStep[] = [{ name: 'order', done: 'Fill requested from Honeybee Health.', run: (context) => this.requestFill(context) }];
  readonly originatedWork: PartnerOriginatedWork = {
    patient: async (partnerPatientId) => {
      const patient = await this.client.getPatient(partnerPatientId);
      return { partnerPatientId, firstName: patient.first_name, lastName: patient.last_name, dob: patient.dob, email: patient.email };
    },
    recentOrders: async () => {
      const orders = await this.client.recentOrders();
      return orders === 'unchanged' ? orders : orders.map((order) => ({ partnerOrderRef: order.order_number, prescriptionIds: prescriptionIdsOf(order) }));
    },
    adoptOrder: (partnerOrderRef) => this.adoptOrder(partnerOrderRef),
  };

  constructor(
    readonly client: HoneybeeClient,
    readonly mode: 'sandbox' | 'live',
    private readonly secrets: HoneybeeWebhookSecrets,
    /** The exact URL Honeybee posts events to (the signature covers it), when RxRelay can be reached. */
    private readonly receiverUrl: () => string | undefined,
  ) {}

  dispatchProblems(order: DispatchOrder, details: DispatchDetails, today: string): string[] {
    if (details.shipping_method !== undefined && !HONEYBEE_SHIPPING_METHODS.some((method) => String(method.id) === details.shipping_method)) {
      return [`shipping_method must be one of ${HONEYBEE_SHIPPING_METHODS.map((method) => `${method.id} (${method.name})`).join(', ')}.`];
    }
    return createOrderProblems(this.orderRequest(order, details), today);
  }

  async check(): Promise<void> {
    await this.client.ping();
  }

  // ---- the fill --------------------------------------------------------------------------------

  /** What Honeybee is asked for: the prescriptions in packs, for the partner's patient, to the order's address (or the e-Rx's). */
  private orderRequest(order: DispatchOrder, details: DispatchDetails): HoneybeeCreateOrderRequest {
    const recipient = order.content.recipient;
    const firstName = recipient.first_name ?? recipient.entity_name ?? '';
    const lastName = recipient.last_name ?? '';
    const phone = [recipient.mobile_phone, recipient.home_phone, recipient.work_phone].map((p) => p?.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '')).find((p) => p?.length === 10);
    const address: HoneybeeAddress | undefined = details.ship_to_prescription_address
      ? undefined
      : {
          first_name: firstName,
          last_name: lastName,
          street1: recipient.address.address_line_1,
          ...(recipient.address.address_line_2 ? { street2: recipient.address.address_line_2 } : {}),
          city: recipient.address.city,
          state: recipient.address.state.toUpperCase(),
          zip: recipient.address.zip_code,
          ...(phone ? { phone } : {}),
          accept_suggested: details.address_accept_suggested ?? false,
          ignore_warnings: details.address_ignore_warnings ?? false,
        };
    const email = details.patient_email ?? recipient.email ?? undefined;
    return {
      shipping: { method_id: Number(details.shipping_method ?? HONEYBEE_SHIPPING_METHODS[0].id) },
      patient: {
        patient_id: details.partner_patient_id ?? '',
        ...(details.patient_dob ? { dob: details.patient_dob } : {}),
        // RxRelay's "U" (unknown) is Honeybee's "N" (not specified).
        ...(details.patient_gender ? { gender: details.patient_gender === 'U' ? 'N' : details.patient_gender } : {}),
        ...(email ? { email } : {}),
        patient_safety: emptyPatientSafety(),
        ...(details.identity_document
          ? {
              identity_documents: [
                {
                  document_type: details.identity_document.document_type as HoneybeeIdentityDocument['document_type'],
                  issuing_country: details.identity_document.issuing_country.toUpperCase(),
                  ...(details.identity_document.issuing_state ? { issuing_state: details.identity_document.issuing_state.toUpperCase() } : {}),
                  document_number: details.identity_document.document_number,
                  expiration_date: details.identity_document.expiration_date,
                },
              ],
            }
          : {}),
      },
      ...(address ? { address } : {}),
      items: (details.fill_items ?? []).map((item) => ({ prescription_id: Number(item.prescription_id), quantity: item.quantity, package_size: item.package_size })),
    };
  }

  private async requestFill(context: DispatchStepContext): Promise<Record<string, string>> {
    const request = this.orderRequest(context.order, context.details);
    const patientId = request.patient.patient_id;
    const wanted = new Set(request.items.flatMap((item) => ('prescription_id' in item ? [String(item.prescription_id)] : [])));
    // After a crash or a timeout the order may exist already: look before posting again.
    const lookFirst = async (): Promise<Record<string, string> | undefined> => {
      const since = Date.parse(context.startedAt) - CLOCK_SKEW_MS;
      const found = (await this.client.ordersOfPatient(patientId)).find(
        (order) =>
          Date.parse(order.created_at) >= since &&
          orderStatusOf(order) !== 'Canceled' &&
          sameSet(prescriptionIdsOf(order), wanted) &&
          !context.isPartnerOrderTaken(order.order_number),
      );
      return found ? { order_number: found.order_number, patient_id: patientId } : undefined;
    };
    if (context.mayHaveRunBefore) {
      const found = await lookFirst();
      if (found) return found;
    }
    let outcome;
    try {
      outcome = await this.client.createOrder(request, context.today);
    } catch (error) {
      // No answer (a timeout, a dropped connection): the order may have been made. Look; retry later only if it was not.
      if (error instanceof PartnerRequestError && error.kind === 'unavailable' && error.httpStatus === undefined) {
        const found = await lookFirst().catch(() => undefined);
        if (found) return found;
      }
      throw error;
    }
    if (outcome.kind === 'conflict') {
      const found = await lookFirst();
      if (found) return found;
      throw new PartnerRequestError('unavailable', `${NAME} is still handling an earlier request for these prescriptions (409); RxRelay will look for the order before asking again`, {
        httpStatus: 409,
      });
    }
    return { order_number: outcome.order.order_number, patient_id: patientId };
  }

  // ---- following orders ------------------------------------------------------------------------

  async fetchProgress(refs: PartnerRefs): Promise<PartnerProgress> {
    const orderNumber = refs[this.orderRef];
    if (!orderNumber) throw new Error('The hand-over has no Honeybee order number yet.');
    return progressOfOrder(await this.client.getOrder(orderNumber));
  }

  meaningOf(status: string): PartnerStatusMeaning | undefined {
    const known = normalizeHoneybeeStatus(status);
    if (!known) return undefined;
    return HONEYBEE_STATUS_MEANINGS[known];
  }

  eventIdFor(partnerOrderRef: string, progress: PartnerProgress): string {
    // A poll has no event id: the order's status as of its last change stands for it.
    return `${partnerOrderRef}:${progress.status}:${progress.at ?? ''}`;
  }

  async changeShippingAddress(refs: PartnerRefs, change: ShippingAddressChange): Promise<PartnerProgress> {
    const orderNumber = refs[this.orderRef];
    if (!orderNumber) throw new PartnerRequestError('not_found', 'The hand-over has no Honeybee order number yet.');
    const order = await this.client.changeShippingAddress(orderNumber, {
      first_name: change.firstName,
      last_name: change.lastName,
      street1: change.address.address_line_1,
      ...(change.address.address_line_2 ? { street2: change.address.address_line_2 } : {}),
      city: change.address.city,
      state: change.address.state,
      zip: change.address.zip_code,
      accept_suggested: change.acceptSuggested,
      ignore_warnings: change.ignoreWarnings,
    });
    return progressOfOrder(order);
  }

  async reorder(refs: PartnerRefs): Promise<string> {
    const orderNumber = refs[this.orderRef];
    if (!orderNumber) throw new PartnerRequestError('not_found', 'The hand-over has no Honeybee order number yet.');
    return (await this.client.reorder(orderNumber)).order_number;
  }

  /** A Honeybee order for the board: its patient and address from Honeybee, its medications as the items. */
  private async adoptOrder(partnerOrderRef: string): Promise<AdoptedPartnerOrder> {
    const order = await this.client.getOrder(partnerOrderRef);
    const patient = await this.client.getPatient(order.patient_id);
    const address = order.address;
    const medications = order.medication_requests.map((request) => `${request.drug_name} ×${request.written_qty}`);
    const content: OrderContent = {
      bestrx_pharmacy_id: '',
      bestrx_order_id: 0,
      bestrx_unique_order_id: 0,
      pickup_date: null,
      requested_delivery_date: null,
      service_level: HONEYBEE_SHIPPING_METHODS.find((method) => method.id === order.shipping.method_id)?.name ?? null,
      prescription_amount_cents: 0,
      otc_amount_cents: 0,
      tax_amount_cents: 0,
      total_amount_cents: 0,
      amount_to_collect_cents: 0,
      declared_amount_cents: 0,
      height: null,
      width: null,
      length: null,
      weight: null,
      refrigeration_needed: false,
      signature_required: false,
      photo_id_required: false,
      delivery_notes: `${NAME} order ${order.order_number}: ${medications.join('; ') || 'no prescriptions listed'}.`,
      store: { bestrx_pharmacy_id: '', delivery_provider_acct_no: null, name: NAME, address: null, phone: null, fax: null, email: null, ncpdp: null, npi: null, dea: null },
      recipient: {
        entity_name: null,
        first_name: address?.first_name ?? patient.first_name,
        middle_name: null,
        last_name: address?.last_name ?? patient.last_name,
        address: {
          address_line_1: address?.street1 ?? 'The address on the e-prescription',
          address_line_2: address?.street2 ?? null,
          city: address?.city ?? '',
          state: address?.state ?? '',
          zip_code: address?.zip ?? '',
        },
        home_phone: null,
        work_phone: null,
        mobile_phone: address?.phone ?? patient.phone,
        fax: null,
        email: patient.email,
      },
      customers: [{ customer_unique_id: null, first_name: patient.first_name, middle_name: null, last_name: patient.last_name, address: null }],
      prescriptions: order.medication_requests.map((request) => ({
        customer_unique_id: null,
        rx_number: String(request.prescription_id),
        fill_date: null,
        amount_due_cents: null,
        partial_fill_seqno: null,
      })),
      otc_items: (order.items ?? []).map((item) => ({ customer_unique_id: null, upc: null, item_description: item.sku, quantity: item.quantity, amount_due_cents: null })),
      consents: [],
    };
    return {
      content,
      refs: { order_number: order.order_number, patient_id: order.patient_id },
      progress: progressOfOrder(order),
      prescriptionIds: prescriptionIdsOf(order),
    };
  }

  // ---- webhooks --------------------------------------------------------------------------------

  verifyWebhook(rawBody: string, headers: Readonly<Record<string, string | string[] | undefined>>): WebhookVerdict {
    const refusal = this.authenticate(rawBody, headers);
    if (refusal) return { ok: false, httpStatus: 401, reason: refusal };
    const parsed = parseHoneybeeEvent(rawBody);
    if (!parsed.ok) {
      // An event type RxRelay does not know is acknowledged (Honeybee would retry it forever) and changes nothing.
      if (parsed.eventType && parsed.eventId && !parsed.problems.some((p) => !p.startsWith('event_type'))) return { ok: true, events: [] };
      return { ok: false, httpStatus: 400, reason: `not a Honeybee event: ${parsed.problems.join(' ')}` };
    }
    return eventToVerdict(parsed.event);
  }

  /** Undefined when authentic; else why not (for the log: never the presented values). */
  private authenticate(rawBody: string, headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
    const { staticSecret, signingSecret } = this.secrets;
    if (!staticSecret && !signingSecret) return 'no Honeybee webhook secret is configured, so no event can be trusted';
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    if (staticSecret && !honeybeeSecretMatches(staticSecret, header(HONEYBEE_SECRET_HEADER))) return 'the X-Honeybee-Secret header is missing or wrong';
    if (signingSecret) {
      const url = this.receiverUrl();
      const signature = header(HONEYBEE_SIGNATURE_HEADER);
      if (!url) return 'the receiver URL is not known, so X-Honeybee-Signature cannot be checked';
      if (!signature || !verifyHoneybeeSignature(signingSecret, 'POST', url, rawBody, signature)) return 'the X-Honeybee-Signature header is missing or does not match the body';
    }
    return undefined;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function eventToVerdict(event: HoneybeeEvent): WebhookVerdict {
  if (event.event_type === 'RX_RECEIVED') {
    const prescriptions: IncomingPrescription[] = event.medication_requests.map((request) => ({
      eventId: event.event_id,
      prescriptionId: String(request.prescription_id),
      partnerPatientId: request.patient_id ?? event.patient_id,
      drugName: request.drug_name,
      ndc: request.ndc,
      sigText: request.sig_text,
      writtenQty: request.written_qty,
      refillsLeft: request.refills_left,
      expireDate: request.expire_date,
      drugSchedule: String(request.drug_schedule),
      prescriberName: request.prescriber_name ?? null,
    }));
    return { ok: true, events: [], prescriptions };
  }
  const statuses = event.medication_requests.flatMap((request) => request.medication_dispenses.map((dispense) => dispense.order_status));
  const exception = event.event_type === 'ORDER_EXCEPTION' ? event.exception : null;
  const status = event.event_type === 'ORDER_EXCEPTION' ? 'On Hold' : statusOfDispenses(statuses);
  // An update without a status tells RxRelay nothing to apply; the next poll reads the order itself.
  if (!status) return { ok: true, events: [] };
  const shipment = event.event_type === 'SHIPMENT_UPDATED' ? event.shipment : null;
  const progress = progressFrom(status, eventTime(event.timestamp), shipment, exception);
  const inbound: PartnerInboundEvent = { eventId: event.event_id, partnerOrderRef: event.order_number, progress };
  return { ok: true, events: [inbound] };
}

function progressOfOrder(order: HoneybeeOrder): PartnerProgress {
  return progressFrom(orderStatusOf(order), order.updated_at, order.shipment, order.exception);
}

function progressFrom(status: string, at: string | undefined, shipment: HoneybeeShipment | null, exception: HoneybeeException | null): PartnerProgress {
  const hold = status === 'On Hold' ? describeHoldReason(exception) : undefined;
  return {
    status,
    at,
    carrier: shipment?.carrier ?? undefined,
    tracking: shipment?.tracking_no ?? undefined,
    trackingUrl: shipment?.tracking_url ?? undefined,
    attention: hold ? { reason: hold.words, action: hold.action, canChangeAddress: hold.canChangeAddress } : undefined,
  };
}

/** Event timestamps are unix seconds in the one sample there is ([3P]); an ISO string is read too. */
function eventTime(timestamp: number | string | undefined): string | undefined {
  if (timestamp === undefined) return undefined;
  const ms = typeof timestamp === 'number' ? timestamp * 1000 : Date.parse(timestamp);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function prescriptionIdsOf(order: HoneybeeOrder): string[] {
  return order.medication_requests.map((request) => String(request.prescription_id));
}

function sameSet(ids: readonly string[], wanted: ReadonlySet<string>): boolean {
  return ids.length === wanted.size && ids.every((id) => wanted.has(id));
}
