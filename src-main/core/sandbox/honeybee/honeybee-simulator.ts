// A local stand-in for Honeybee Health's Partners API (../shared/seeds/honeybee-partners-api.txt,
// vendor-facts.md §1), served on loopback: the token server at `/oauth/token` and the resource
// server under `/v1`, on one port (Honeybee runs them on two hosts; one port is ours). It keeps
// everything in memory and enforces the same rules and shapes as the client (honeybee-api.ts), so
// a request it accepts is one the client would send: OAuth client credentials, e-prescriptions
// arriving (by hand or through POST /v1/simulate) in either workflow, orders with Honeybee's 422
// codes and its 409 for duplicates, orders that move along by themselves, holds and releases,
// webhooks with both of Honeybee's authenticity headers, signed responses, and faults on demand.
//
// Order of checks on a `/v1` request: injected fault → Accept (406) → Bearer token (401) → JSON
// body (400) → the id in the path (404) → rules (422) → duplicates (409). Status codes are
// Honeybee's (§1.4); the bodies of 401/404/406 are ASSUMPTIONS in the shape of its 400/422 body.
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { Agent, request as httpRequest } from 'undici';
import type { z } from 'zod';
import { loadZipDirectory, type ZipDirectory } from '../../address/zip-directory';
import { systemClock, type Clock } from '../../clock';
import { silentLogger, type Logger } from '../../logger';
import {
  addressProblems, addressSchema, createOrderProblems, createOrderRequestSchema, describeHoldReason, HONEYBEE_ERROR_CODES as CODES, HONEYBEE_ERROR_TITLES,
  HONEYBEE_PATHS, HONEYBEE_SECRET_HEADER, HONEYBEE_SHIPPING_METHODS, HONEYBEE_SIGNATURE_HEADER, HONEYBEE_TOKEN_LIFETIME_S, honeybeeCodeForField,
  honeybeeSignature, isControlledSchedule, reorderRequestSchema, REQUEST_ID_HEADER, simulateRequestSchema,
  type HoneybeeAddress, type HoneybeeEventType, type HoneybeeException, type HoneybeeGender, type HoneybeeMedicationRequest, type HoneybeeOrder,
  type HoneybeeOrderStatus, type HoneybeePatient, type HoneybeeShipment, type HoneybeeSimulationMedication, type HoneybeeTokenResponse,
} from '../../partners/honeybee/honeybee-api';
import { secretMatcher } from '../../security/secret-matcher';
import { appendBounded } from '../bounded-log';

export const HONEYBEE_SIMULATOR_BODY_LIMIT_BYTES = 256 * 1024;
export const DEFAULT_HONEYBEE_ORDER_STEP_MS = 30_000;
export const DEFAULT_HONEYBEE_WEBHOOK_TIMEOUT_MS = 10_000;
/** How long a `timeout-after-create` fault holds the connection before dropping it (ours). */
export const HONEYBEE_HANG_MS = 60_000;
/** ASSUMPTION: the 409 window ("conflicting with another recent request"; no duration is published). */
export const HONEYBEE_DUPLICATE_WINDOW_MS = 5 * 60_000;
/** ASSUMPTION: states Honeybee does not ship to (42231 is published, the list is not). */
export const HONEYBEE_UNSHIPPED_STATES: readonly string[] = ['HI', 'AK', 'PR'];
/** A street1 containing this word is "not found" by the sandbox's address check (42230). Ours. */
export const HONEYBEE_UNKNOWN_STREET_WORD = 'NOWHERE';

const NEXT_STATUS: Partial<Record<HoneybeeOrderStatus, HoneybeeOrderStatus>> = { Processing: 'Filling', Filling: 'Shipped', Shipped: 'Delivered' };
const HOLDABLE: ReadonlySet<HoneybeeOrderStatus> = new Set(['Processing', 'Filling']);
const GONE_OUT: ReadonlySet<HoneybeeOrderStatus> = new Set(['Shipped', 'Delivered']);
/** ASSUMPTION: which event announces which status (§1.8 names the events, not this table). */
const EVENT_FOR: Record<HoneybeeOrderStatus, HoneybeeEventType> = {
  Processing: 'RX_UPDATED', Filling: 'RX_UPDATED', Shipped: 'SHIPMENT_UPDATED', Delivered: 'RX_UPDATED', 'On Hold': 'ORDER_EXCEPTION', Canceled: 'RX_UPDATED',
};
const CONFLICT_BODY = { error: { error_code: 409, message: 'Your request is conflicting with another recent request. Please check your orders before trying again.' } };
/** The patient of a POST /v1/simulate RX_RECEIVED, which names only medications: made up, never real. */
const SIMULATED_PATIENT = { first_name: 'Sandbox', last_name: 'Patient', dob: '1980-01-01', phone: '5125550142', gender: 'F' as const };
const SIMULATED_ADDRESS: HoneybeeAddress = { first_name: 'Sandbox', last_name: 'Patient', street1: '1200 Barton Springs Rd', city: 'Austin', state: 'TX', zip: '78704' };

export type HoneybeeFaultKind = 'http-500' | 'drop' | 'timeout-after-create' | 'conflict';

export interface HoneybeeSimulatorOptions {
  /** 0 (the default) picks a free port; sandbox mode passes HONEYBEE_SANDBOX_PORT. */
  port?: number;
  clock?: Clock;
  logger?: Logger;
  /** How often an order moves one status on; 0 = only when `advanceOrder` is called. */
  stepMs?: number;
  /** The OAuth client credentials (generated when absent, as the Partner Portal issues them). */
  clientId?: string;
  clientSecret?: string;
  /** The X-Honeybee-Secret value (set in the dashboard). */
  staticSecret?: string;
  /** The event-signing credentials' secret, which keys X-Honeybee-Signature on webhooks. */
  signingSecret?: string;
  tokenTtlSeconds?: number;
  webhookUrl?: string;
  webhookTimeoutMs?: number;
}

export interface HoneybeeSimulatorRequest {
  method: string;
  /** Without the query string. */
  path: string;
  /** Null when no answer was sent (a dropped or held connection). */
  status: number | null;
  requestId: string;
}

export interface HoneybeeWebhookDelivery {
  url: string;
  event_type: HoneybeeEventType;
  event_id: string;
  /** Null when no answer came (refused, timed out). */
  status: number | null;
  body: string;
  headers: Record<string, string>;
}

export interface HoneybeeSimulatedPatient {
  patient: HoneybeePatient;
  /** The address on the e-Rx, where an order without one ships. */
  address: HoneybeeAddress | null;
}

export interface HoneybeeErxInput {
  /** `requested`: the partner calls POST /v1/orders; `automatic`: Honeybee creates the order at once. */
  workflow: 'requested' | 'automatic';
  patient?: { first_name: string; last_name: string; dob: string; email?: string | null; phone?: string | null; gender?: HoneybeeGender | null; address?: HoneybeeAddress };
  /** Reuse a patient the sandbox already has. */
  patient_id?: string;
  /** Missing fields take sample values; none given = one sample prescription. */
  medications?: HoneybeeSimulationMedication[];
}

export interface HoneybeeErxResult {
  patient_id: string;
  prescription_ids: number[];
  order_number?: string;
}

export interface HoneybeeSimulator {
  /** e.g. http://127.0.0.1:8084 — the resource server's base (paths start `/v1`). */
  url: string;
  /** `${url}/oauth/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  staticSecret: string;
  signingSecret: string;
  /** The dashboard's one webhook URL; undefined stops deliveries. */
  setWebhookUrl(url: string | undefined): void;
  /** An e-prescription arriving: RX_RECEIVED, and in the automatic workflow an order at once (RX_UPDATED). */
  receiveErx(input: HoneybeeErxInput): HoneybeeErxResult;
  /** One status on (Processing → Filling → Shipped → Delivered); undefined when unknown or not movable. */
  advanceOrder(orderNumber: string): HoneybeeOrder | undefined;
  /** On Hold with an exception (default `AddressValidationFailed`), from Processing or Filling. */
  holdOrder(orderNumber: string, name?: string): HoneybeeOrder | undefined;
  /** From On Hold back to Filling. */
  releaseOrder(orderNumber: string): HoneybeeOrder | undefined;
  /** Canceled, unless it has shipped or is canceled already. */
  cancelOrder(orderNumber: string): HoneybeeOrder | undefined;
  /** The next `count` `/v1` calls fail so (`timeout-after-create`: the next POST /v1/orders calls). */
  failNext(kind: HoneybeeFaultKind, count?: number): void;
  /** Every token issued so far is expired from now on. */
  expireTokens(): void;
  patients(): HoneybeeSimulatedPatient[];
  orders(): HoneybeeOrder[];
  prescriptions(): HoneybeeMedicationRequest[];
  requests(): HoneybeeSimulatorRequest[];
  /** Every event made, delivered or not (no webhook URL). */
  events(): Array<{ event_id: string; event_type: HoneybeeEventType; body: string }>;
  webhookDeliveries(): HoneybeeWebhookDelivery[];
  tokensIssued(): number;
  /** Delivers an earlier event again, same id and body (Honeybee may repeat itself); false when unknown or no URL. */
  resendEvent(eventId: string): boolean;
  close(): Promise<void>;
}

interface PrescriptionRecord {
  request: HoneybeeMedicationRequest;
  /** `refills_left` as the e-Rx arrived. */
  refillsWritten: number;
}

interface OrderRecord {
  order: HoneybeeOrder;
  status: HoneybeeOrderStatus;
  seq: number;
  createdMs: number;
  prescriptionIds: number[];
  /** Same patient + same items: what the 409 check compares. */
  duplicateKey: string;
  /** A reorder replaces a lost or damaged shipment: it spends no refill (ASSUMPTION). */
  replacement: boolean;
  timer: NodeJS.Timeout | undefined;
}

interface RxItem { prescription_id: number; quantity?: number; package_size?: number }
interface SkuItem { sku: string; quantity: number; package_size: number }
interface NewOrder {
  patientId: string;
  methodId: number;
  address: HoneybeeAddress | null;
  rxItems: RxItem[];
  skuItems: SkuItem[];
  replacement: boolean;
  /** The request sent no address: Honeybee uses the e-Rx's and holds the order when it is unusable. */
  addressFromErx: boolean;
}
type ErrorEntry = { code: number; message: string; error_detail?: Array<{ field: string; message: string }> };
type EventBody = { event_id: string; event_type: HoneybeeEventType; [key: string]: unknown };

export async function startHoneybeeSimulator(options: HoneybeeSimulatorOptions = {}): Promise<HoneybeeSimulator> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const stepMs = options.stepMs ?? DEFAULT_HONEYBEE_ORDER_STEP_MS;
  const webhookTimeoutMs = options.webhookTimeoutMs ?? DEFAULT_HONEYBEE_WEBHOOK_TIMEOUT_MS;
  const tokenTtlSeconds = options.tokenTtlSeconds ?? HONEYBEE_TOKEN_LIFETIME_S;
  const secret = () => randomBytes(32).toString('base64url');
  const clientId = options.clientId ?? randomBytes(16).toString('hex');
  const clientSecret = options.clientSecret ?? secret();
  const staticSecret = options.staticSecret ?? secret();
  const signingSecret = options.signingSecret ?? secret();
  const clientIdMatches = secretMatcher(clientId);
  const clientSecretMatches = secretMatcher(clientSecret);
  let webhookUrl = checkedWebhookUrl(options.webhookUrl);
  // The ZIP-in-state check (42227) needs the offline ZIP table; without it only the ZIP's format is checked.
  const zips: ZipDirectory | undefined = await loadZipDirectory().catch(() => {
    logger.warn('sandbox.honeybee.zip_table_unavailable');
    return undefined;
  });

  const patientsById = new Map<string, HoneybeeSimulatedPatient>();
  const prescriptionsById = new Map<number, PrescriptionRecord>();
  const ordersByNumber = new Map<string, OrderRecord>();
  const tokens = new Map<string, { expiresAtMs: number; forcedExpired: boolean }>();
  const authenticated = new WeakSet<FastifyRequest>();
  const unanswered = new WeakSet<FastifyRequest>();
  const heldSockets = new Set<Socket>();
  const requestLog: HoneybeeSimulatorRequest[] = [];
  const eventLog: Array<{ event_id: string; event_type: HoneybeeEventType; body: string }> = [];
  const deliveries: HoneybeeWebhookDelivery[] = [];
  const faults: Array<Exclude<HoneybeeFaultKind, 'timeout-after-create'>> = [];
  const webhookAgent = new Agent({ connect: { timeout: webhookTimeoutMs }, headersTimeout: webhookTimeoutMs, bodyTimeout: webhookTimeoutMs });
  let createTimeouts = 0;
  let issuedCount = 0;
  let nextPrescriptionId = 1001;
  let nextDispenseId = 700_001;
  let orderSeq = 0;
  // One delivery at a time, in the order the events happened (ASSUMPTION: Honeybee's ordering is NOT FOUND).
  let deliveryChain: Promise<void> = Promise.resolve();
  let closed = false;

  const nowMs = () => clock.now().getTime();
  const nowIso = () => clock.now().toISOString();

  // ---- prescriptions and refills -----------------------------------------------------------

  /** Orders that spend a fill of the prescription (not canceled, not replacements). */
  const fillsOf = (prescriptionId: number) =>
    [...ordersByNumber.values()].filter((r) => !r.replacement && r.status !== 'Canceled' && r.prescriptionIds.includes(prescriptionId)).length;

  /** The first fill is not a refill: `refills_left` drops from the second fill on. */
  function prescriptionView(record: PrescriptionRecord): HoneybeeMedicationRequest {
    const refillsLeft = Math.max(0, record.refillsWritten - Math.max(0, fillsOf(record.request.id) - 1));
    return { ...structuredClone(record.request), refills_left: refillsLeft };
  }

  function newPrescription(patientId: string, input: HoneybeeSimulationMedication): PrescriptionRecord {
    const id = nextPrescriptionId++;
    const year = new Date(nowMs() + 365 * 24 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    // Key order and date forms as in Honeybee's published RX_RECEIVED sample.
    const request: HoneybeeMedicationRequest = {
      id, prescription_id: id, active: input.active ?? true, patient_id: patientId, prescriber_name: input.prescriber_name ?? 'Dr. Jane Foster',
      receive_date: input.receive_date ?? nowIso().replace(/Z$/, '+00:00'), drug_name: input.drug_name ?? 'ATORVASTATIN 10MG TABLET',
      ndc: input.ndc ?? '59762015501', sig_text: input.sig_text ?? 'Take 1 tablet daily', written_qty: input.written_qty ?? 90,
      days_supply: input.days_supply ?? null, refills_left: input.refills_left ?? 2, expire_date: input.expire_date ?? year, drug_schedule: input.drug_schedule ?? 0,
    };
    const record = { request, refillsWritten: request.refills_left };
    prescriptionsById.set(id, record);
    return record;
  }

  function receiveErx(input: HoneybeeErxInput): HoneybeeErxResult {
    let patient: HoneybeeSimulatedPatient | undefined;
    if (input.patient_id !== undefined) {
      patient = patientsById.get(input.patient_id);
      if (!patient) throw new Error('receiveErx: the Honeybee sandbox has no patient with that id.');
    } else if (input.patient) {
      const { address, first_name, last_name, dob, email, phone, gender } = input.patient;
      const id = uniqueId(() => randomChars('abcdefghijklmnopqrstuvwxyz0123456789', 6), (candidate) => patientsById.has(candidate));
      patient = { patient: { id, first_name, last_name, dob, email: email ?? null, phone: phone ?? null, gender: gender ?? null }, address: address ? withoutFlags(address) : null };
      patientsById.set(id, patient);
    } else {
      throw new Error('receiveErx needs a patient or a patient_id.');
    }
    const patientId = patient.patient.id;
    const medications = input.medications && input.medications.length > 0 ? input.medications : [{}];
    const stored = medications.map((medication) => newPrescription(patientId, medication));
    logger.info('sandbox.honeybee.erx_received', { patient: patientId, prescriptions: stored.length, workflow: input.workflow });
    emit({ event_id: randomUUID(), event_type: 'RX_RECEIVED', patient_id: patientId, medication_requests: stored.map(prescriptionView) });
    const result: HoneybeeErxResult = { patient_id: patientId, prescription_ids: stored.map((p) => p.request.id) };
    if (input.workflow === 'automatic') {
      const rxItems = stored.map((p) => ({ prescription_id: p.request.id }));
      const record = createOrder({ patientId, methodId: HONEYBEE_SHIPPING_METHODS[0].id, address: patient.address, rxItems, skuItems: [], replacement: false, addressFromErx: true });
      result.order_number = record.order.order_number;
    }
    return result;
  }

  // ---- orders ------------------------------------------------------------------------------

  function createOrder(input: NewOrder): OrderRecord {
    const orderNumber = uniqueId(() => `HB${randomChars('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', 8)}`, (candidate) => ordersByNumber.has(candidate));
    const at = nowIso();
    const prescriptionIds = [...new Set(input.rxItems.map((item) => item.prescription_id))];
    const order: HoneybeeOrder = {
      order_number: orderNumber, patient_id: input.patientId, created_at: at, updated_at: at, shipping: { method_id: input.methodId },
      address: input.address ? withoutFlags(input.address) : null, medication_requests: [],
      ...(input.skuItems.length > 0 ? { items: input.skuItems.map((item) => ({ ...item })) } : {}),
      order_status: 'Processing', shipment: null, exception: null,
    };
    const record: OrderRecord = {
      order, status: 'Processing', seq: ++orderSeq, createdMs: nowMs(), prescriptionIds, replacement: input.replacement, timer: undefined,
      duplicateKey: duplicateKey(input.patientId, input.rxItems, input.skuItems),
    };
    ordersByNumber.set(orderNumber, record);
    // After the order is counted, so the snapshot's refills_left includes this fill.
    order.medication_requests = prescriptionIds.map((id) => {
      const prescription = prescriptionsById.get(id) as PrescriptionRecord;
      const dispenses = input.rxItems.filter((item) => item.prescription_id === id).map((item) => ({
        dispense_id: nextDispenseId++, order_number: orderNumber, order_status: 'Processing' as HoneybeeOrderStatus,
        quantity: item.quantity ?? 1, package_size: item.package_size ?? prescription.request.written_qty,
      }));
      return { ...prescriptionView(prescription), medication_dispenses: dispenses };
    });
    logger.info('sandbox.honeybee.order_created', { order: orderNumber, replacement: input.replacement });
    announce(record);
    const holdName = input.addressFromErx ? erxAddressHold(order.address) : undefined;
    if (holdName) changeStatus(record, 'On Hold', holdException(holdName));
    else scheduleNextStep(record);
    return record;
  }

  /** Why Honeybee would hold an order shipping to the e-Rx's address (ASSUMPTION: the sandbox's stand-in checks). */
  function erxAddressHold(address: HoneybeeAddress | null): string | undefined {
    if (!address) return 'ShippingAddressMissing';
    if (HONEYBEE_UNSHIPPED_STATES.includes(address.state)) return 'StateUnavailable';
    return fullAddressErrors({ ...address, ignore_warnings: false }).length > 0 ? 'AddressValidationFailed' : undefined;
  }

  function scheduleNextStep(record: OrderRecord): void {
    clearTimeout(record.timer);
    record.timer = undefined;
    if (closed || stepMs <= 0 || NEXT_STATUS[record.status] === undefined) return;
    const orderNumber = record.order.order_number;
    record.timer = setTimeout(() => {
      try {
        advanceOrder(orderNumber);
      } catch (error) {
        logger.error('sandbox.honeybee.step_failed', { order: orderNumber, error: (error as Error).name });
      }
    }, stepMs);
    record.timer.unref();
  }

  function changeStatus(record: OrderRecord, status: HoneybeeOrderStatus, exception: HoneybeeException | null = null): HoneybeeOrder {
    const { order } = record;
    record.status = status;
    order.order_status = status;
    order.updated_at = nowIso();
    for (const request of order.medication_requests) {
      for (const dispense of request.medication_dispenses) {
        if (status === 'Canceled' || dispense.order_status !== 'Canceled') dispense.order_status = status;
      }
    }
    if (status === 'Shipped') order.shipment = newShipment(order.shipping.method_id, order.updated_at);
    order.exception = status === 'On Hold' ? exception : null;
    logger.info('sandbox.honeybee.order_status', { order: order.order_number, status });
    announce(record);
    scheduleNextStep(record);
    return structuredClone(order);
  }

  function advanceOrder(orderNumber: string): HoneybeeOrder | undefined {
    const record = ordersByNumber.get(orderNumber);
    const next = record && NEXT_STATUS[record.status];
    return record && next ? changeStatus(record, next) : undefined;
  }

  function holdOrder(orderNumber: string, name = 'AddressValidationFailed'): HoneybeeOrder | undefined {
    const record = ordersByNumber.get(orderNumber);
    return record && HOLDABLE.has(record.status) ? changeStatus(record, 'On Hold', holdException(name)) : undefined;
  }

  // ---- events and webhooks -----------------------------------------------------------------

  /** The order's change as its event: ids, drug data and statuses only — Honeybee's webhooks carry no PHI. */
  function announce(record: OrderRecord): void {
    const { order } = record;
    const eventType = EVENT_FOR[record.status];
    const base = {
      event_id: randomUUID(), event_type: eventType, patient_id: order.patient_id, order_number: order.order_number,
      timestamp: Math.floor(nowMs() / 1000), medication_requests: structuredClone(order.medication_requests),
    };
    if (eventType === 'SHIPMENT_UPDATED' && order.shipment) emit({ ...base, shipment: { ...order.shipment } });
    else if (eventType === 'ORDER_EXCEPTION' && order.exception) emit({ ...base, exception: structuredClone(order.exception) });
    else emit({ ...base, event_type: 'RX_UPDATED' });
  }

  function emit(event: EventBody): void {
    // Compact JSON, as Honeybee writes and signs it (Ruby to_json).
    const body = JSON.stringify(event);
    appendBounded(eventLog, { event_id: event.event_id, event_type: event.event_type, body });
    if (webhookUrl) deliver(webhookUrl, event.event_type, event.event_id, body);
  }

  function deliver(url: string, eventType: HoneybeeEventType, eventId: string, body: string): void {
    deliveryChain = deliveryChain.then(() => deliverNow(url, eventType, eventId, body)).catch(() => undefined);
  }

  /** Fire and forget: a receiver that is down, slow or refuses is noted, never retried (Honeybee's retry policy is NOT FOUND), never fatal. */
  async function deliverNow(url: string, eventType: HoneybeeEventType, eventId: string, body: string): Promise<void> {
    if (closed) return;
    const signature = honeybeeSignature(signingSecret, 'POST', url, body);
    const headers = { 'content-type': 'application/json', 'user-agent': 'Honeybee-Webhooks/sandbox', [HONEYBEE_SECRET_HEADER]: staticSecret, [HONEYBEE_SIGNATURE_HEADER]: signature };
    let status: number | null = null;
    try {
      const response = await httpRequest(url, { method: 'POST', headers, body, dispatcher: webhookAgent });
      status = response.statusCode;
      await response.body.dump();
    } catch {
      // Noted below with no status.
    }
    if (closed) return;
    appendBounded(deliveries, { url, event_type: eventType, event_id: eventId, status, body, headers });
    if (status === null || status < 200 || status >= 300) logger.warn('sandbox.honeybee.webhook_failed', { event_type: eventType, status });
  }

  // ---- tokens ------------------------------------------------------------------------------

  function issueToken(): HoneybeeTokenResponse {
    const now = nowMs();
    for (const [token, record] of tokens) if (record.forcedExpired || now >= record.expiresAtMs) tokens.delete(token);
    const accessToken = randomBytes(32).toString('base64url');
    tokens.set(accessToken, { expiresAtMs: now + tokenTtlSeconds * 1000, forcedExpired: false });
    issuedCount += 1;
    return { access_token: accessToken, token_type: 'Bearer', expires_in: tokenTtlSeconds, created_at: Math.floor(now / 1000) };
  }

  function tokenIsValid(authorization: string | undefined): boolean {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    const record = token === undefined ? undefined : tokens.get(token);
    return record !== undefined && !record.forcedExpired && nowMs() < record.expiresAtMs;
  }

  // ---- address checks shared by create, reorder and address change ------------------------

  /** What Honeybee's address validation adds to the format rules: a shippable state, the ZIP in that state, an address that exists. */
  function addressErrors(address: HoneybeeAddress): ErrorEntry[] {
    if (HONEYBEE_UNSHIPPED_STATES.includes(address.state)) return [codeError(CODES.stateNotShipped, 'state', 'is not a state Honeybee ships to')];
    if (zips && zips.lookup(address.zip)?.state !== address.state) return [codeError(CODES.zip, 'zip', 'did not exist in the state provided')];
    if (address.street1.toUpperCase().includes(HONEYBEE_UNKNOWN_STREET_WORD) && address.ignore_warnings !== true) {
      return [codeError(CODES.addressNotFound, 'address.not_found', 'the address could not be found')];
    }
    return [];
  }

  /** The shared format rules first, then the validation above; empty when the address is fine. */
  function fullAddressErrors(address: HoneybeeAddress): ErrorEntry[] {
    const problems = addressProblems(address);
    return problems.length > 0 ? problems.map(problemError) : addressErrors(address);
  }

  // ---- the HTTP side -----------------------------------------------------------------------

  const app = Fastify({
    logger: false,
    bodyLimit: HONEYBEE_SIMULATOR_BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: () => randomUUID(),
  });
  app.removeContentTypeParser(['text/plain']);
  // The token server takes a form (§1.3).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  const logRequest = (request: FastifyRequest, status: number | null) =>
    appendBounded(requestLog, { method: request.method, path: pathOf(request), status, requestId: request.id });
  app.addHook('onResponse', async (request, reply) => {
    if (!unanswered.has(request)) logRequest(request, reply.statusCode);
  });

  /** No answer at all: the connection is destroyed now, or held until it closes or HONEYBEE_HANG_MS passes. */
  function noAnswer(request: FastifyRequest, reply: FastifyReply, hold: boolean): FastifyReply {
    unanswered.add(request);
    logRequest(request, null);
    reply.hijack();
    const socket = request.raw.socket;
    if (!hold) {
      socket.destroy();
      return reply;
    }
    heldSockets.add(socket);
    const timer = setTimeout(() => socket.destroy(), HONEYBEE_HANG_MS);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      heldSockets.delete(socket);
    });
    return reply;
  }

  app.addHook('onRequest', async (request, reply) => {
    if (!pathOf(request).startsWith('/v1/')) return;
    const fault = faults.shift();
    if (fault === 'drop') return noAnswer(request, reply, false);
    if (fault === 'http-500') return reply.code(500).send(errorsBody([{ code: 500, message: 'Internal Server Error' }]));
    if (fault === 'conflict') return reply.code(409).send(CONFLICT_BODY);
    // ASSUMPTION: "the only supported value" (§1.4) is enforced with a 406.
    if (!acceptsJson(request.headers.accept)) {
      return reply.code(406).send(errorsBody([{ code: 406, message: 'Not Acceptable', error_detail: [{ field: 'accept', message: 'must be application/json' }] }]));
    }
    if (!tokenIsValid(request.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Bearer error="invalid_token"').send(errorsBody([{ code: 401, message: 'Unauthorized' }]));
    }
    authenticated.add(request);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    if (!pathOf(request).startsWith('/v1/')) return payload;
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
    if (request.method === 'GET' && reply.statusCode === 200) {
      const etag = `W/"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
      reply.header('etag', etag);
      if (etagMatches(request.headers['if-none-match'], etag)) {
        reply.code(304).removeHeader('content-type');
        return null;
      }
    }
    // §1.4: signed with the secret of the credentials behind the token, so only for authenticated calls.
    const url = `http://${request.headers.host ?? '127.0.0.1'}${request.url}`;
    if (authenticated.has(request)) reply.header(HONEYBEE_SIGNATURE_HEADER, honeybeeSignature(clientSecret, request.method, url, body));
    return payload;
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (pathOf(request) === HONEYBEE_PATHS.token && status < 500) return reply.code(400).send({ error: 'invalid_request' });
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send(errorsBody([{ code: 413, message: 'Payload Too Large' }]));
    if (status >= 400 && status < 500) return badRequest(reply, [{ field: 'body', message: 'send a JSON body (Content-Type: application/json)' }]);
    logger.error('sandbox.honeybee.internal_error', { path: pathOf(request), error: error.name });
    return reply.code(500).send(errorsBody([{ code: 500, message: 'Internal Server Error' }]));
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).send(errorsBody([{ code: 404, message: 'Not Found' }])));

  // ---- token server (§1.3) ----

  app.post(HONEYBEE_PATHS.token, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const isForm = /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '');
    const form = isForm && isObject(request.body) ? (request.body as Record<string, string>) : undefined;
    if (!form) return reply.code(400).send({ error: 'invalid_request', error_description: 'Send an application/x-www-form-urlencoded body.' });
    // HTTP Basic or the form body (§1.3); Basic wins when both are sent.
    const basic = basicCredentials(request.headers.authorization);
    const id = basic?.id ?? form.client_id;
    const presented = basic?.secret ?? form.client_secret;
    if (!id || !presented || !clientIdMatches(id) || !clientSecretMatches(presented)) {
      return reply.code(401).header('www-authenticate', 'Basic realm="Honeybee"').send({ error: 'invalid_client' });
    }
    if (form.grant_type === undefined) return reply.code(400).send({ error: 'invalid_request', error_description: 'grant_type is required.' });
    if (form.grant_type !== 'client_credentials') return reply.code(400).send({ error: 'unsupported_grant_type' });
    return issueToken();
  });

  // ---- patients and prescriptions ----

  app.get<{ Params: { patientId: string } }>('/v1/patients/:patientId', async (request, reply) => {
    const patient = patientsById.get(request.params.patientId);
    return patient ? structuredClone(patient.patient) : notFound(reply);
  });

  app.get<{ Params: { patientId: string } }>('/v1/patients/:patientId/rx', async (request, reply) => {
    const { patientId } = request.params;
    if (!patientsById.has(patientId)) return notFound(reply);
    const dispensesOf = (id: number) =>
      [...ordersByNumber.values()].flatMap((r) => r.order.medication_requests.filter((m) => m.id === id).flatMap((m) => structuredClone(m.medication_dispenses)));
    // ASSUMPTION: an array under the docs' `medication_request` key, each with its dispenses so far.
    const mine = [...prescriptionsById.values()].filter((p) => p.request.patient_id === patientId);
    return { medication_request: mine.map((p) => ({ ...prescriptionView(p), medication_dispenses: dispensesOf(p.request.id) })) };
  });

  // ---- orders ----

  app.post(HONEYBEE_PATHS.orders, async (request, reply) => {
    const parsed = createOrderRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) return badRequest(reply, zodDetails(parsed.error));
    const input = parsed.data;
    const problems = createOrderProblems(input, nowIso().slice(0, 10));
    if (problems.length > 0) return unprocessable(reply, problems.map(problemError));
    const patient = patientsById.get(input.patient.patient_id);
    if (!patient) return unprocessable(reply, [codeError(CODES.patientId, 'patient_id', 'does not exist')]);
    const patientId = patient.patient.id;
    const rxItems = input.items.filter((item): item is RxItem => 'prescription_id' in item);
    const skuItems = input.items.filter((item): item is SkuItem => 'sku' in item);
    const itemErrors = input.items.flatMap((item, index) =>
      'prescription_id' in item && prescriptionsById.get(item.prescription_id)?.request.patient_id !== patientId
        ? [codeError(CODES.invalidItem, `items.${index}.prescription_id`, 'is not a prescription of this patient')]
        : [],
    );
    if (itemErrors.length > 0) return unprocessable(reply, itemErrors);
    const key = duplicateKey(patientId, rxItems, skuItems);
    const isRecentTwin = (r: OrderRecord) => r.duplicateKey === key && !r.replacement && r.status !== 'Canceled' && nowMs() - r.createdMs < HONEYBEE_DUPLICATE_WINDOW_MS;
    if ([...ordersByNumber.values()].some(isRecentTwin)) return reply.code(409).send(CONFLICT_BODY);
    const addressErrorList = input.address ? addressErrors(input.address) : [];
    if (addressErrorList.length > 0) return unprocessable(reply, addressErrorList);
    const controlled = rxItems.some((item) => isControlledSchedule(prescriptionsById.get(item.prescription_id)?.request.drug_schedule));
    if (controlled && (input.patient.identity_documents ?? []).length === 0) {
      return unprocessable(reply, [codeError(CODES.identityDocuments, 'patient.identity_documents', 'are required for a controlled substance')]);
    }
    const exhausted = [...new Set(rxItems.map((item) => item.prescription_id))].filter(
      (id) => fillsOf(id) >= (prescriptionsById.get(id) as PrescriptionRecord).refillsWritten + 1,
    );
    if (exhausted.length > 0) return unprocessable(reply, exhausted.map(() => codeError(CODES.refillsExhausted, 'items.prescription_id', 'has no refills left')));
    const address = input.address ?? patient.address;
    const record = createOrder({ patientId, methodId: input.shipping.method_id, address, rxItems, skuItems, replacement: false, addressFromErx: !input.address });
    if (createTimeouts > 0) {
      // The order exists; the answer never comes (the client must look before it retries).
      createTimeouts -= 1;
      return noAnswer(request, reply, true);
    }
    return reply.code(201).send(structuredClone(record.order));
  });

  app.get<{ Querystring: Record<string, unknown> }>(HONEYBEE_PATHS.orders, async (request) => {
    const patientId = typeof request.query.patient_id === 'string' ? request.query.patient_id : undefined;
    const listed = [...ordersByNumber.values()].filter((r) => patientId === undefined || r.order.patient_id === patientId).sort((a, b) => b.seq - a.seq);
    return { orders: listed.map((r) => structuredClone(r.order)) };
  });

  app.get<{ Params: { orderNumber: string } }>('/v1/orders/:orderNumber', async (request, reply) => {
    const record = ordersByNumber.get(request.params.orderNumber);
    return record ? structuredClone(record.order) : notFound(reply);
  });

  app.post<{ Params: { orderNumber: string } }>('/v1/orders/:orderNumber/reorders', async (request, reply) => {
    const original = ordersByNumber.get(request.params.orderNumber);
    if (!original) return notFound(reply);
    const parsed = reorderRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) return badRequest(reply, zodDetails(parsed.error));
    if (!GONE_OUT.has(original.status)) return unprocessable(reply, [codeError(CODES.orderStatus, 'order_status', 'only a shipped or delivered order can be reordered')]);
    const methodId = parsed.data.shipping?.method_id ?? original.order.shipping.method_id;
    if (!HONEYBEE_SHIPPING_METHODS.some((method) => method.id === methodId)) return unprocessable(reply, [codeError(CODES.shippingMethod, 'shipping.method_id', 'is not offered')]);
    const addressErrorList = parsed.data.address ? fullAddressErrors(parsed.data.address) : [];
    if (addressErrorList.length > 0) return unprocessable(reply, addressErrorList);
    const rxItems = original.order.medication_requests.flatMap((m) =>
      m.medication_dispenses.map((d) => ({ prescription_id: m.id, quantity: d.quantity, package_size: d.package_size })),
    );
    const address = parsed.data.address ?? original.order.address;
    const skuItems = original.order.items ?? [];
    const record = createOrder({ patientId: original.order.patient_id, methodId, address, rxItems, skuItems, replacement: true, addressFromErx: false });
    return reply.code(201).send(structuredClone(record.order));
  });

  app.put<{ Params: { orderNumber: string } }>('/v1/orders/:orderNumber/shipping_address', async (request, reply) => {
    const record = ordersByNumber.get(request.params.orderNumber);
    if (!record) return notFound(reply);
    const parsed = addressSchema.safeParse(request.body ?? {});
    if (!parsed.success) return badRequest(reply, zodDetails(parsed.error));
    if (GONE_OUT.has(record.status)) return unprocessable(reply, [codeError(CODES.alreadyShipped, 'order_status', 'the order has already shipped')]);
    if (record.status === 'Canceled') return unprocessable(reply, [codeError(CODES.orderStatus, 'order_status', 'the order is canceled')]);
    if (record.order.medication_requests.some((m) => isControlledSchedule(m.drug_schedule))) {
      return unprocessable(reply, [codeError(CODES.controlledAddressChange, 'address', 'needs approval for a controlled substance')]);
    }
    const errors = fullAddressErrors(parsed.data);
    if (errors.length > 0) return unprocessable(reply, errors);
    record.order.address = withoutFlags(parsed.data);
    record.order.updated_at = nowIso();
    // An address hold is resolved by a good address: back to Filling (§1.10: On Hold → Filling).
    if (record.status === 'On Hold' && describeHoldReason(record.order.exception).canChangeAddress) return changeStatus(record, 'Filling');
    return structuredClone(record.order);
  });

  // ---- sandbox ----

  app.post(HONEYBEE_PATHS.simulate, async (request, reply) => {
    const parsed = simulateRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) return badRequest(reply, zodDetails(parsed.error));
    const { simulation_type: type, simulation } = parsed.data;
    const eventType = simulation.event_type.trim().toUpperCase();
    const unsupported = (field: string, message: string) => unprocessable(reply, [codeError(CODES.simulationUnsupported, field, message)]);
    if (type !== 'event') return unsupported('simulation_type', 'only "event" can be simulated');
    const erx = (workflow: HoneybeeErxInput['workflow']) => {
      const patient = { ...SIMULATED_PATIENT, email: `sandbox.patient.${randomInt(1_000_000)}@example.com`, address: SIMULATED_ADDRESS };
      return receiveErx({ workflow, patient, medications: simulation.medication_requests });
    };
    if (eventType === 'RX_RECEIVED') return reply.code(202).send({ event_type: eventType, ...erx('requested') });
    if (eventType === 'RX_UPDATED') {
      if (simulation.order_number !== undefined) return unsupported('simulation.order_number', 'RX_UPDATED is simulated as a new automatic order, without order_number');
      return reply.code(202).send({ event_type: eventType, ...erx('automatic') });
    }
    if (eventType === 'ORDER_EXCEPTION') {
      const orderNumber = simulation.order_number ?? '';
      if (!ordersByNumber.has(orderNumber)) return unsupported('simulation.order_number', 'is not an order of this sandbox');
      if (!holdOrder(orderNumber, simulation.name)) return unprocessable(reply, [codeError(CODES.orderStatus, 'order_status', 'only a Processing or Filling order can be put on hold')]);
      return reply.code(202).send({ event_type: eventType, order_number: orderNumber });
    }
    return unsupported('simulation.event_type', 'the sandbox simulates RX_RECEIVED, RX_UPDATED and ORDER_EXCEPTION');
  });

  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const listening = app.server.address();
  const port = typeof listening === 'object' && listening ? listening.port : (options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  logger.info('sandbox.honeybee.simulator_started', { url });

  return {
    url,
    tokenUrl: url + HONEYBEE_PATHS.token,
    clientId,
    clientSecret,
    staticSecret,
    signingSecret,
    setWebhookUrl: (next) => void (webhookUrl = checkedWebhookUrl(next)),
    receiveErx,
    advanceOrder,
    holdOrder,
    releaseOrder(orderNumber) {
      const record = ordersByNumber.get(orderNumber);
      return record?.status === 'On Hold' ? changeStatus(record, 'Filling') : undefined;
    },
    cancelOrder(orderNumber) {
      const record = ordersByNumber.get(orderNumber);
      return record && !GONE_OUT.has(record.status) && record.status !== 'Canceled' ? changeStatus(record, 'Canceled') : undefined;
    },
    failNext(kind, count = 1) {
      const times = Math.max(0, Math.floor(count));
      if (kind === 'timeout-after-create') createTimeouts += times;
      else faults.push(...Array.from({ length: times }, () => kind));
    },
    expireTokens: () => tokens.forEach((record) => (record.forcedExpired = true)),
    patients: () => structuredClone([...patientsById.values()]),
    orders: () => [...ordersByNumber.values()].sort((a, b) => a.seq - b.seq).map((r) => structuredClone(r.order)),
    prescriptions: () => [...prescriptionsById.values()].map(prescriptionView),
    requests: () => requestLog.map((entry) => ({ ...entry })),
    events: () => eventLog.map((entry) => ({ ...entry })),
    webhookDeliveries: () => deliveries.map((delivery) => ({ ...delivery, headers: { ...delivery.headers } })),
    tokensIssued: () => issuedCount,
    resendEvent(eventId) {
      const event = eventLog.find((entry) => entry.event_id === eventId);
      if (!event || !webhookUrl || closed) return false;
      deliver(webhookUrl, event.event_type, event.event_id, event.body);
      return true;
    },
    async close() {
      closed = true;
      for (const record of ordersByNumber.values()) clearTimeout(record.timer);
      for (const socket of heldSockets) socket.destroy();
      await app.close();
      await webhookAgent.destroy();
    },
  };
}

// ---- helpers ------------------------------------------------------------------------------

/** The path alone: query strings (a patient id) are never logged. */
const pathOf = (request: FastifyRequest) => request.url.split('?')[0] ?? '';

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function checkedWebhookUrl(url: string | undefined): string | undefined {
  if (url !== undefined && (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))) throw new Error('The Honeybee webhook URL must be an http(s) URL.');
  return url;
}

function randomChars(alphabet: string, length: number): string {
  let text = '';
  while (text.length < length) text += alphabet[randomInt(alphabet.length)];
  return text;
}

function uniqueId(make: () => string, taken: (candidate: string) => boolean): string {
  for (;;) {
    const candidate = make();
    if (!taken(candidate)) return candidate;
  }
}

/** The request-only switches are not part of the stored address. */
function withoutFlags(address: HoneybeeAddress): HoneybeeAddress {
  const { accept_suggested: _accept, ignore_warnings: _ignore, ...stored } = address;
  return { ...stored };
}

function duplicateKey(patientId: string, rxItems: readonly RxItem[], skuItems: readonly SkuItem[]): string {
  const ids = [...new Set(rxItems.map((item) => item.prescription_id))].sort((a, b) => a - b);
  return JSON.stringify([patientId, ids, [...new Set(skuItems.map((item) => item.sku))].sort()]);
}

/** ASSUMPTION: the carrier of each shipping method (HONEYBEE_SHIPPING_METHODS), its number format and its public tracking page. */
function newShipment(methodId: number, shippedAt: string): HoneybeeShipment {
  const carrier = HONEYBEE_SHIPPING_METHODS.find((method) => method.id === methodId)?.carrier ?? 'USPS';
  if (carrier === 'UPS') {
    const number = `1Z${randomChars('0123456789ABCDEFGHJKLMNPRSTUVWXYZ', 16)}`;
    return { tracking_no: number, tracking_url: `https://www.ups.com/track?tracknum=${number}`, carrier, shipped_at: shippedAt };
  }
  if (carrier === 'FedEx') {
    const number = randomChars('0123456789', 12);
    return { tracking_no: number, tracking_url: `https://www.fedex.com/fedextrack/?trknbr=${number}`, carrier, shipped_at: shippedAt };
  }
  // USPS domestic parcels: 22 digits starting 9400.
  const number = `9400${randomChars('0123456789', 18)}`;
  return { tracking_no: number, tracking_url: `https://tools.usps.com/go/TrackConfirmAction?tLabels=${number}`, carrier, shipped_at: shippedAt };
}

/** ASSUMPTION: the exception Honeybee attaches, with order actions in the [3P] fixture's shape. */
function holdException(name: string): HoneybeeException {
  const reason = describeHoldReason({ name, message: '', order_actions: [] });
  const fix = reason.canChangeAddress
    ? { event_key: 'update_shipping_address', action: 'Update the shipping address' }
    : { event_key: 'contact_partner_support', action: 'Contact Honeybee partner support' };
  const message = reason.category === 'unknown' ? `The order is on hold (${name}).` : reason.words;
  return { name, message, order_actions: [fix, { event_key: 'cancel_order', action: 'Cancel the order' }] };
}

const acceptsJson = (accept: string | undefined) => (accept ?? '').split(',').some((part) => part.split(';')[0]?.trim().toLowerCase() === 'application/json');

function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return (ifNoneMatch ?? '').split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

function basicCredentials(authorization: string | undefined): { id: string; secret: string } | undefined {
  const encoded = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  const decoded = encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: each part is form-encoded before it is joined.
  const formDecode = (text: string) => {
    try {
      return decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      return text;
    }
  };
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

const errorsBody = (errors: ErrorEntry[]) => ({ errors });

/** One 422 entry in Honeybee's shape. The doc's example names an address field without its `address.` prefix ("zip"). */
function codeError(code: number, field: string, message: string): ErrorEntry {
  return { code, message: HONEYBEE_ERROR_TITLES[code] ?? 'Unprocessable Entity', error_detail: [{ field: field.replace(/^address\.(?!not_found$)/, ''), message }] };
}

/** A shared-rules problem ("address.zip: use a 5-digit ZIP…") under the code Honeybee uses for that field. */
function problemError(problem: string): ErrorEntry {
  const labelled = /^([\w.]+): (.*)$/s.exec(problem);
  const field = labelled?.[1] ?? 'body';
  return codeError(honeybeeCodeForField(field) ?? 422, field, labelled?.[2] ?? problem);
}

const unprocessable = (reply: FastifyReply, errors: ErrorEntry[]) => reply.code(422).send(errorsBody(errors));

/** ASSUMPTION: a body not in the expected shape answers 400 with code 400 and the fields. */
const badRequest = (reply: FastifyReply, details: Array<{ field: string; message: string }>) =>
  reply.code(400).send(errorsBody([{ code: 400, message: 'Bad Request', error_detail: details }]));

const notFound = (reply: FastifyReply) => reply.code(404).send(errorsBody([{ code: 404, message: 'Not Found' }]));

const zodDetails = (error: z.ZodError) => error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || 'body', message: issue.message }));
