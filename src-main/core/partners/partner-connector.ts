// What the sync engine needs of a fulfilment partner, and nothing more: one connector per
// partner implements it (United Pharmacy, CaryRx, Honeybee Health). The engine owns
// persistence, retries, the inbox and the BestRx side; a connector owns the partner's wire
// format, its auth, and the one table that maps the partner's statuses onto RxRelay's.
import type { OrderStatus } from '../../../src-shared/order-status';
import type { AppApiOutput, DispatchField, PartnerName } from '../../../src-shared/app-api-contract';
import type { OrderContent, PostalAddress } from '../domain/order-content';

/**
 * Why a call to a partner failed, in the terms that decide what happens next:
 * - rate_limited (429) and unavailable (5xx, timeout, connection refused): try again later, the
 *   partner's `Retry-After` first; they count towards the circuit breaker;
 * - unauthorized: the credentials no longer work (revoked, expired refresh and secret): staff must
 *   reconnect; retrying blindly would only be refused again;
 * - rejected (4xx the partner will refuse again), invalid_request (refused here, before sending):
 *   this request will never succeed as it is;
 * - not_found: the partner does not know the thing asked for;
 * - invalid_response: the partner answered something this connector does not understand.
 */
export type PartnerFailureKind = 'rate_limited' | 'unavailable' | 'unauthorized' | 'rejected' | 'invalid_request' | 'not_found' | 'invalid_response';

export class PartnerRequestError extends Error {
  constructor(
    readonly kind: PartnerFailureKind,
    message: string,
    readonly options: { httpStatus?: number | undefined; retryAfterMs?: number | undefined; details?: string[] | undefined } = {},
  ) {
    super(message);
    this.name = 'PartnerRequestError';
  }

  get httpStatus(): number | undefined {
    return this.options.httpStatus;
  }

  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }

  get details(): string[] {
    return this.options.details ?? [];
  }

  /** Worth trying again later with the same request. */
  get transient(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'unavailable' || this.kind === 'invalid_response';
  }
}

/** What staff add at dispatch that BestRx did not send (product spec, `orders.dispatch`). */
export interface DispatchDetails {
  patient_dob?: string | undefined;
  patient_email?: string | undefined;
  patient_gender?: 'M' | 'F' | 'U' | undefined;
  medication_id?: string | undefined;
  pharmacy_id?: string | undefined;
  prescription_ids?: string[] | undefined;
  shipping_method?: string | undefined;
  dispense_quantity?: number | undefined;
  days_supply?: number | undefined;
  clinical_notes?: string | undefined;
  central_fill?: boolean | undefined;
  fill_items?: Array<{ prescription_id: string; quantity: number; package_size: number }> | undefined;
  ship_to_prescription_address?: boolean | undefined;
  address_accept_suggested?: boolean | undefined;
  address_ignore_warnings?: boolean | undefined;
  identity_document?:
    | { document_type: string; issuing_country: string; issuing_state?: string | undefined; document_number: string; expiration_date: string }
    | undefined;
  /**
   * Not from staff: the partner's patient the prescriptions belong to, filled in by the engine
   * from the incoming prescriptions (Honeybee) when the hand-over is recorded.
   */
  partner_patient_id?: string | undefined;
}

/** The order being handed over, as the connector sees it. */
export interface DispatchOrder {
  id: string;
  trackingId: string;
  content: OrderContent;
}

/** The partner's ids gathered so far (patient, order, ...), by the name the connector gives them. */
export type PartnerRefs = Readonly<Record<string, string>>;

export interface DispatchStepContext {
  dispatchId: string;
  order: DispatchOrder;
  details: DispatchDetails;
  refs: PartnerRefs;
  /** Our reference for the partner's order (unique per hand-over; the partner echoes it back). */
  reference: string;
  /**
   * An earlier attempt at this step was started and never recorded an outcome (a crash, a
   * timeout): the partner may already have done it, so look before creating.
   */
  mayHaveRunBefore: boolean;
  /** Where the partner should send webhooks, when this RxRelay can be reached. */
  webhookUrl: string | undefined;
  /** When the hand-over began (ISO 8601): a partner order made before it is not this hand-over's. */
  startedAt: string;
  /** The pharmacy's date (YYYY-MM-DD), for rules about dates. */
  today: string;
  /** Another hand-over already follows this partner order (a look-up must not claim it twice). */
  isPartnerOrderTaken(partnerOrderRef: string): boolean;
}

export interface DispatchStep {
  name: string;
  /** Shown on the order's timeline ("Patient registered with United Pharmacy"). */
  done: string;
  /** Runs the step; returns the partner ids it got, to be stored before the next step starts. */
  run(context: DispatchStepContext): Promise<Record<string, string>>;
}

/** Where the partner says an order is. */
export interface PartnerProgress {
  /** The partner's own status name ("shipped"). */
  status: string;
  /** When it happened, per the partner (ISO 8601), if it says. */
  at?: string | undefined;
  carrier?: string | undefined;
  tracking?: string | undefined;
  shippingStatus?: string | undefined;
  /** When the partner expects to deliver (ISO 8601). */
  eta?: string | undefined;
  /** The carrier's tracking page, when the partner gives one. */
  trackingUrl?: string | undefined;
  /** The partner holds the order until staff act (Honeybee's On Hold). */
  attention?: PartnerAttentionInfo | undefined;
}

export interface PartnerAttentionInfo {
  reason: string;
  action: string;
  canChangeAddress: boolean;
}

/** A prescription the partner took in without filling it (Honeybee's RX_RECEIVED). */
export interface IncomingPrescription {
  eventId: string;
  prescriptionId: string;
  partnerPatientId: string;
  drugName: string;
  ndc: string;
  sigText: string | null;
  writtenQty: number | null;
  refillsLeft: number | null;
  expireDate: string | null;
  /** The DEA schedule as the partner sent it ("0", 4). */
  drugSchedule: string | null;
  prescriberName: string | null;
}

/** The partner's own record of a patient, for staff to match its prescriptions to orders. */
export interface PartnerPatientRecord {
  partnerPatientId: string;
  firstName: string | null;
  lastName: string | null;
  dob: string | null;
  email: string | null;
}

/** A partner order RxRelay did not hand over (Honeybee created it on e-Rx receipt), ready for the board. */
export interface AdoptedPartnerOrder {
  /** What the board shows: the patient and the address from the partner, the medications as the order's items. */
  content: OrderContent;
  refs: Record<string, string>;
  progress: PartnerProgress;
  /** The partner's prescription ids the order fills. */
  prescriptionIds: string[];
}

/** What a partner that starts work on its own offers (Honeybee: incoming prescriptions, Automatic Processing). */
export interface PartnerOriginatedWork {
  patient(partnerPatientId: string): Promise<PartnerPatientRecord>;
  /**
   * The partner's recent orders (ref and prescription ids), to find ones it made on its own;
   * 'unchanged' when the partner says nothing changed since the last look (ETag).
   */
  recentOrders(): Promise<Array<{ partnerOrderRef: string; prescriptionIds: string[] }> | 'unchanged'>;
  adoptOrder(partnerOrderRef: string): Promise<AdoptedPartnerOrder>;
}

/** A new shipping address for an order at the partner. */
export interface ShippingAddressChange {
  firstName: string;
  lastName: string;
  address: PostalAddress;
  acceptSuggested: boolean;
  ignoreWarnings: boolean;
}

/** An inbound partner event (a webhook, or a change seen by polling), before dedup. */
export interface PartnerInboundEvent {
  /** Unique per partner: the inbox refuses a second event with the same id. */
  eventId: string;
  /** The partner's order id, to find the dispatch. */
  partnerOrderRef: string;
  /** Our reference for the order as the partner echoes it (finds a hand-over whose partner id is not stored yet). */
  reference?: string | undefined;
  progress: PartnerProgress;
}

/** One row of a partner's status table: what RxRelay makes of the partner's status. */
export interface PartnerStatusMeaning {
  /** RxRelay's status it means, or null when the order stays where it is (the partner is working on it). */
  status: OrderStatus | null;
  /** The partner will do nothing more with the order. */
  final: boolean;
  /** The partner gave the order up: staff take it back (in-house delivery, or another partner). */
  failed: boolean;
  /** Words for the timeline. */
  describe: string;
  /**
   * How far along the partner's journey this status is: an event ranked below the hand-over's
   * current status is stale (a webhook retried after a later poll) and changes nothing.
   */
  rank: number;
}

/** A webhook's HTTP headers, as the listener received them. */
export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

export type WebhookVerdict =
  | { ok: true; events: PartnerInboundEvent[]; prescriptions?: IncomingPrescription[] | undefined }
  | { ok: false; httpStatus: 400 | 401 | 404; reason: string };

export interface PartnerHealthCheck {
  /** Proves the connection works end to end (credentials included). */
  check(): Promise<void>;
}

/** A partner's catalog (United: pharmacies and their medications with real-time prices). */
export interface PartnerCatalog {
  pharmacies(): Promise<Array<{ id: string; name: string; status: string }>>;
  medications(
    pharmacyId: string,
    page: number,
  ): Promise<{
    medications: Array<{ medication_id: string; name: string; strength: string | null; form: string | null; formulation: string | null; price: string; type: string | null }>;
    page: number;
    total_pages: number;
    total: number;
    fetched_at: string;
  }>;
}

export interface PartnerConnector extends PartnerHealthCheck {
  readonly partner: PartnerName;
  readonly displayName: string;
  readonly mode: 'sandbox' | 'live';
  /** What the dispatch form must ask for (the details this partner needs beyond the order). */
  readonly dispatchFields: readonly DispatchField[];
  /** Steps of a dispatch, in order; each step's refs are stored before the next starts. */
  readonly steps: readonly DispatchStep[];
  /** The ref that names the partner's order once the last step ran (polling and webhooks use it). */
  readonly orderRef: string;
  /**
   * Every problem with dispatching this order with these details, each naming the missing or
   * invalid field ("patient_dob is required"); empty when the dispatch can start.
   */
  dispatchProblems(order: DispatchOrder, details: DispatchDetails, today: string): string[];
  /** The partner's current view of an order. */
  fetchProgress(refs: PartnerRefs): Promise<PartnerProgress>;
  /** The one table mapping this partner's statuses; undefined for a status it does not know. */
  meaningOf(status: string): PartnerStatusMeaning | undefined;
  /** Checks a webhook (its signature over the raw body, or the secret in its URL) and turns it into inbound events. */
  verifyWebhook(rawBody: string, headers: WebhookHeaders, query: URLSearchParams): WebhookVerdict;
  /** The id an inbound event gets, so a webhook and a poll that see the same change are one event. */
  eventIdFor(partnerOrderRef: string, progress: PartnerProgress): string;
  /** The patient's prescriptions at the partner, when staff pick which to send (CaryRx live). */
  patientPrescriptions?(order: DispatchOrder, email: string): Promise<AppApiOutput<'partners.patientPrescriptions'>>;
  /** Browsing what the partner sells, when it has a catalog. */
  readonly catalog?: PartnerCatalog | undefined;
  /** Work the partner starts on its own, when it does (Honeybee). */
  readonly originatedWork?: PartnerOriginatedWork | undefined;
  /** Replaces the shipping address of the partner's order (Honeybee, before it ships); its progress after. */
  changeShippingAddress?(refs: PartnerRefs, change: ShippingAddressChange): Promise<PartnerProgress>;
  /** Asks the partner to ship a shipped order again; the new order's ref (Honeybee's reorder). */
  reorder?(refs: PartnerRefs): Promise<string>;
  close(): Promise<void>;
}
