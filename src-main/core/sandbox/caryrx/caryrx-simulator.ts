// A local stand-in for CaryRx's Fulfilment API (../shared/seeds/caryrx-fulfilment-api.txt),
// served on loopback under `/v1`. It keeps everything in memory and enforces the same rules and
// shapes as the client (caryrx-api.ts), so a request it accepts is one the client would send:
// the `apikey` header, webhook registration with the doc's test payloads, patients and their
// delivery locations, simulated prescriptions, and orders that move along by themselves and are
// announced to the registered order callbacks.
//
// Order of checks on a request: apikey (401) → JSON body (415/413/400) → schema and rules (400)
// → the ids in the path (404) → the ids in the body (400). Status codes are ASSUMPTIONS: CaryRx
// publishes none.
import { randomBytes, randomInt } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { Agent, request as httpRequest } from 'undici';
import type { z } from 'zod';
import { systemClock, type Clock } from '../../clock';
import { silentLogger, type Logger } from '../../logger';
import {
  APIKEY_HEADER,
  callbackRegistrationSchema,
  callbackUrlProblems,
  CARYRX_ENTITY_TYPES,
  CARYRX_PATHS,
  findPatientInputSchema,
  findPatientProblems,
  locationInputSchema,
  locationProblems,
  ORDER_EVENT_TEST_PAYLOAD,
  orderInputSchema,
  orderProblems,
  patientInputSchema,
  patientProblems,
  PRESCRIPTION_EVENT_TEST_PAYLOAD,
  prescriptionInputSchema,
  prescriptionProblems,
  withSnakeCaseKeys,
  type CaryRxEntityRef,
  type CaryRxLocationInput,
  type CaryRxOrder,
  type CaryRxOrderStatus,
  type CaryRxPatient,
  type CaryRxPatientInput,
  type CaryRxPrescription,
  type CaryRxShippingMethod,
} from '../../partners/caryrx/caryrx-api';
import { secretMatcher } from '../../security/secret-matcher';
import { appendBounded } from '../bounded-log';

export const CARYRX_SIMULATOR_BODY_LIMIT_BYTES = 256 * 1024;
export const DEFAULT_CARYRX_ORDER_STEP_MS = 30_000;
export const DEFAULT_CARYRX_CALLBACK_TIMEOUT_MS = 5_000;
/** How far ahead of "now" the ETA is when an order goes out (ours). */
const ETA_AHEAD_MS: Record<CaryRxShippingMethod, number> = { sameday_delivery: 3 * 3600_000, '2day_mailorder': 48 * 3600_000 };

/** ASSUMPTION: the two journeys, one per shipping method (statuses defined in caryrx-api.ts). */
const JOURNEYS: Record<CaryRxShippingMethod, readonly CaryRxOrderStatus[]> = {
  sameday_delivery: ['pending', 'ready_to_fill', 'filling', 'filled', 'out_for_delivery', 'delivered'],
  '2day_mailorder': ['pending', 'ready_to_fill', 'filling', 'filled', 'shipped', 'delivered'],
};
const GONE_OUT: ReadonlySet<string> = new Set(['shipped', 'out_for_delivery']);
const FINAL: ReadonlySet<string> = new Set(['delivered', 'cancelled', 'failed']);
/** ASSUMPTION: an order can be cancelled until it leaves the pharmacy. */
const CANCELLABLE: ReadonlySet<string> = new Set(['pending', 'ready_to_fill', 'filling', 'filled']);

export interface CaryRxSimulatorOptions {
  /** 0 (the default) picks a free port; sandbox mode passes CARYRX_SANDBOX_PORT. */
  port?: number;
  clock?: Clock;
  logger?: Logger;
  /** Generated when absent; the caller shows it, as CaryRx hands one out per environment. */
  apiKey?: string;
  /** How often an order moves one status on; 0 = only when `advanceOrder` is called. */
  stepMs?: number;
  callbackTimeoutMs?: number;
}

export interface CaryRxSimulatorRequest {
  method: string;
  path: string;
  status: number;
}

export interface CaryRxCallbackDelivery {
  url: string;
  kind: 'prescription' | 'order';
  /** Null when no answer came (refused, timed out). */
  status: number | null;
  body: string;
}

/** A patient as the simulator keeps it: the record CaryRx answers plus what only a search needs. */
export interface CaryRxSimulatedPatient {
  record: CaryRxPatient;
  email: string;
  phone_number: string;
  created_at: string;
  updated_at: string;
  locations: Array<CaryRxEntityRef & { input: CaryRxLocationInput }>;
}

export interface CaryRxSimulator {
  /** e.g. http://127.0.0.1:8083 — the base URL a client is configured with (paths start `/v1`). */
  url: string;
  apiKey: string;
  /** Moves an order one status on; undefined when it is unknown or has no next status. */
  advanceOrder(orderId: string): CaryRxOrder | undefined;
  /** Fails an order that is not final yet; undefined otherwise. */
  failOrder(orderId: string): CaryRxOrder | undefined;
  /** Cancels an order that has not left the pharmacy; undefined otherwise. */
  cancelOrder(orderId: string): CaryRxOrder | undefined;
  patients(): CaryRxSimulatedPatient[];
  orders(): CaryRxOrder[];
  prescriptions(): CaryRxPrescription[];
  requests(): CaryRxSimulatorRequest[];
  callbackDeliveries(): CaryRxCallbackDelivery[];
  close(): Promise<void>;
}

interface OrderRecord {
  order: CaryRxOrder;
  journey: readonly CaryRxOrderStatus[];
  timer: NodeJS.Timeout | undefined;
}

type FieldErrors = Record<string, string[]>;

export async function startCaryRxSimulator(options: CaryRxSimulatorOptions = {}): Promise<CaryRxSimulator> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const stepMs = options.stepMs ?? DEFAULT_CARYRX_ORDER_STEP_MS;
  const callbackTimeoutMs = options.callbackTimeoutMs ?? DEFAULT_CARYRX_CALLBACK_TIMEOUT_MS;
  const apiKey = options.apiKey ?? `sandbox-${randomBytes(18).toString('base64url')}`;
  const apiKeyMatches = secretMatcher(apiKey);

  const patientsById = new Map<string, CaryRxSimulatedPatient>();
  const prescriptionsById = new Map<string, CaryRxPrescription>();
  const ordersById = new Map<string, OrderRecord>();
  const prescriptionCallbacks = new Set<string>();
  const orderCallbacks = new Set<string>();
  const requestLog: CaryRxSimulatorRequest[] = [];
  const deliveries: CaryRxCallbackDelivery[] = [];
  const callbackAgent = new Agent({ connect: { timeout: callbackTimeoutMs }, headersTimeout: callbackTimeoutMs, bodyTimeout: callbackTimeoutMs });
  let closed = false;

  const nowIso = () => clock.now().toISOString();
  const today = () => nowIso().slice(0, 10);

  function newRef(entityType: string): CaryRxEntityRef {
    const at = nowIso();
    return { entity_type: entityType, id: caryId(), created_at: at, updated_at: at };
  }

  // ---- orders and callbacks -------------------------------------------------------------

  function scheduleNextStep(record: OrderRecord): void {
    clearTimeout(record.timer);
    record.timer = undefined;
    if (closed || stepMs <= 0 || nextStatus(record) === undefined) return;
    record.timer = setTimeout(() => advanceOrder(record.order.id), stepMs);
    record.timer.unref();
  }

  function nextStatus(record: OrderRecord): CaryRxOrderStatus | undefined {
    const at = record.journey.indexOf(record.order.order_status as CaryRxOrderStatus);
    return at === -1 ? undefined : record.journey[at + 1];
  }

  function changeStatus(record: OrderRecord, status: CaryRxOrderStatus): CaryRxOrder {
    const order = record.order;
    order.order_status = status;
    order.updated_at = nowIso();
    if (GONE_OUT.has(status)) {
      order.shipment_tracking_url = `https://track.cary.example/${order.id}`;
      order.shipment_tracking_eta = new Date(clock.now().getTime() + ETA_AHEAD_MS[order.shipping_method as CaryRxShippingMethod]).toISOString();
    }
    logger.info('sandbox.caryrx.order_status', { order: order.id, status });
    for (const url of orderCallbacks) void deliver(url, 'order', JSON.stringify(order));
    scheduleNextStep(record);
    return structuredClone(order);
  }

  function advanceOrder(orderId: string): CaryRxOrder | undefined {
    const record = ordersById.get(orderId);
    const next = record && nextStatus(record);
    return record && next ? changeStatus(record, next) : undefined;
  }

  /** Fire and forget: a receiver that is down, slow or refuses is noted, never retried, never fatal. */
  async function deliver(url: string, kind: CaryRxCallbackDelivery['kind'], body: string): Promise<void> {
    if (closed) return;
    let status: number | null = null;
    try {
      const response = await httpRequest(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'CaryRx-Callbacks/sandbox' },
        body,
        dispatcher: callbackAgent,
      });
      status = response.statusCode;
      await response.body.dump();
    } catch {
      // Noted below with no status.
    }
    if (closed) return;
    appendBounded(deliveries, { url, kind, status, body });
    if (status === null || status < 200 || status >= 300) logger.warn('sandbox.caryrx.callback_failed', { kind, status });
  }

  // ---- the HTTP side --------------------------------------------------------------------

  const app = Fastify({
    logger: false,
    bodyLimit: CARYRX_SIMULATOR_BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
  });
  // JSON only (fastify would otherwise also take text/plain).
  app.removeContentTypeParser(['text/plain']);

  app.addHook('onResponse', async (request, reply) => {
    appendBounded(requestLog, { method: request.method, path: pathOf(request), status: reply.statusCode });
  });

  // Every call carries the key (doc: "passed as a header with each rest call"), unknown paths too.
  app.addHook('onRequest', async (request, reply) => {
    const presented = request.headers[APIKEY_HEADER];
    if (typeof presented !== 'string' || !apiKeyMatches(presented)) return reply.code(401).send({ message: 'Invalid or missing apikey.' });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send({ message: 'Send the body as JSON (Content-Type: application/json).' });
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ message: 'The body is too large.' });
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(400).send({ message: 'The body is not valid JSON.' });
    logger.error('sandbox.caryrx.internal_error', { path: pathOf(request), error: error.name });
    return reply.code(500).send({ message: 'Server Error' });
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ message: `No such endpoint: ${request.method} ${pathOf(request)}.` }));

  // ---- webhooks ----

  const registration = (kind: CaryRxCallbackDelivery['kind'], urls: Set<string>, testPayload: object) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const parsed = callbackRegistrationSchema.safeParse(withSnakeCaseKeys(request.body ?? {}));
      if (!parsed.success) return invalid(reply, zodErrors(parsed.error));
      const errors = problemsByField(callbackUrlProblems(parsed.data.callback_url));
      if (Object.keys(errors).length > 0) return invalid(reply, errors);
      const url = parsed.data.callback_url;
      // "Upon first registering an endpoint you will receive a test payload": first time only.
      if (!urls.has(url)) {
        urls.add(url);
        void deliver(url, kind, JSON.stringify(testPayload));
      }
      logger.info('sandbox.caryrx.callback_registered', { kind });
      return reply.code(200).send(newRef(CARYRX_ENTITY_TYPES.webhook));
    };

  app.post(CARYRX_PATHS.prescriptionEvents, registration('prescription', prescriptionCallbacks, PRESCRIPTION_EVENT_TEST_PAYLOAD));
  app.post(CARYRX_PATHS.orderEvents, registration('order', orderCallbacks, ORDER_EVENT_TEST_PAYLOAD));

  // ---- patients ----

  app.post(CARYRX_PATHS.patients, async (request, reply) => {
    const parsed = patientInputSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, zodErrors(parsed.error));
    const errors = problemsByField(patientProblems(parsed.data, today()));
    if (Object.keys(errors).length > 0) return invalid(reply, errors);
    const input: CaryRxPatientInput = parsed.data;
    const ref = newRef(CARYRX_ENTITY_TYPES.patient);
    patientsById.set(ref.id, {
      record: {
        id: ref.id,
        first_name: input.first_name,
        last_name: input.last_name,
        dob: input.dob,
        state: null,
        cary_patient: false,
        pause_interventions: false,
        tags: [],
        prescriptions: [],
        orders: [],
        contact_info: [],
      },
      email: input.email,
      phone_number: input.phone_number,
      created_at: ref.created_at,
      updated_at: ref.updated_at,
      locations: [],
    });
    return reply.code(201).send(ref);
  });

  app.post(CARYRX_PATHS.findPatient, async (request, reply) => {
    const parsed = findPatientInputSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, zodErrors(parsed.error));
    const errors = problemsByField(findPatientProblems(parsed.data));
    if (Object.keys(errors).length > 0) return invalid(reply, errors);
    const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
    const { first_name, last_name, email } = parsed.data;
    const match = [...patientsById.values()].find((p) => same(p.record.first_name, first_name) && same(p.record.last_name, last_name) && same(p.email, email));
    if (!match) return reply.code(404).send({ message: 'No patient matches.' });
    return patientRef(match);
  });

  app.get<{ Params: { patientId: string } }>('/v1/patients/:patientId', async (request, reply) => {
    const patient = patientsById.get(request.params.patientId);
    return patient ? structuredClone(patient.record) : reply.code(404).send({ message: 'Patient not found.' });
  });

  app.post<{ Params: { patientId: string } }>('/v1/patients/:patientId/location', async (request, reply) => {
    const { patientId } = request.params;
    const body = withSnakeCaseKeys(request.body ?? {});
    // The path names the patient; the body may repeat it (the doc's sample does).
    const withPatient = isObject(body) && body.patient_id === undefined ? { ...body, patient_id: patientId } : body;
    const parsed = locationInputSchema.safeParse(withPatient);
    if (!parsed.success) return invalid(reply, zodErrors(parsed.error));
    const errors = problemsByField(locationProblems(parsed.data));
    if (parsed.data.patient_id !== patientId) addError(errors, 'patient_id', 'patient_id does not match the patient in the path.');
    if (Object.keys(errors).length > 0) return invalid(reply, errors);
    const patient = patientsById.get(patientId);
    if (!patient) return reply.code(404).send({ message: 'Patient not found.' });
    const ref = newRef(CARYRX_ENTITY_TYPES.location);
    patient.locations.push({ ...ref, input: parsed.data });
    return reply.code(201).send(ref);
  });

  // ---- prescriptions ----

  app.post(CARYRX_PATHS.prescriptions, async (request, reply) => {
    const parsed = prescriptionInputSchema.safeParse(withSnakeCaseKeys(request.body ?? {}));
    if (!parsed.success) return invalid(reply, zodErrors(parsed.error));
    const errors = problemsByField(prescriptionProblems(parsed.data));
    const patient = patientsById.get(parsed.data.patient_id);
    if (Object.keys(errors).length === 0 && !patient) addError(errors, 'patient_id', 'No such patient.');
    if (Object.keys(errors).length > 0 || !patient) return invalid(reply, errors);
    const input = parsed.data;
    const ref = newRef(CARYRX_ENTITY_TYPES.prescription);
    const prescription: CaryRxPrescription = {
      id: ref.id,
      source: 'escript',
      status: 'verified',
      medication_name: input.medication_name,
      last_fill: null,
      days_supply: input.days_supply,
      qty_written: input.qty_written,
      total_tablets_remaining: input.qty_written * (input.refills_written + 1),
      refills_remaining: input.refills_written,
      qty_dispensed: 0,
      refills_written: input.refills_written,
      prior_auth_status: null,
      rx_number: 1_000_000 + randomInt(9_000_000),
      prior_auth_last_update: null,
      auto_refill: false,
      payment_token: null,
      external_id: null,
      patient: { entity_type: CARYRX_ENTITY_TYPES.patient, id: patient.record.id },
      prescriber: null,
    };
    prescriptionsById.set(ref.id, prescription);
    patient.record.prescriptions.push(ref);
    // Doc: a prescription received into the pharmacy is announced over the prescription webhook.
    for (const url of prescriptionCallbacks) void deliver(url, 'prescription', JSON.stringify(prescription));
    return reply.code(201).send(ref);
  });

  app.get<{ Params: { prescriptionId: string } }>('/v1/prescriptions/:prescriptionId', async (request, reply) => {
    const prescription = prescriptionsById.get(request.params.prescriptionId);
    return prescription ? structuredClone(prescription) : reply.code(404).send({ message: 'Prescription not found.' });
  });

  // ---- orders ----

  app.post(CARYRX_PATHS.orders, async (request, reply) => {
    const parsed = orderInputSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalid(reply, zodErrors(parsed.error));
    const input = parsed.data;
    const errors = problemsByField(orderProblems(input));
    const patient = patientsById.get(input.patient_id);
    const location = patient?.locations.find((l) => l.id === input.patient_location_id);
    if (Object.keys(errors).length === 0) {
      if (!patient) addError(errors, 'patient_id', 'No such patient.');
      else if (!location) addError(errors, 'patient_location_id', "Not one of the patient's locations.");
      for (const { id } of input.prescriptions) {
        const prescription = prescriptionsById.get(id);
        if (!prescription) addError(errors, 'prescriptions', `No such prescription: ${id}.`);
        else if (prescription.patient.id !== input.patient_id) addError(errors, 'prescriptions', `Prescription ${id} is another patient's.`);
      }
    }
    if (Object.keys(errors).length > 0 || !patient || !location) return invalid(reply, errors);
    const method = input.shipping_method as CaryRxShippingMethod;
    const ref = newRef(CARYRX_ENTITY_TYPES.order);
    const address = location.input;
    const record: OrderRecord = {
      order: {
        id: ref.id,
        shipping_method: method,
        packaging_method: method === '2day_mailorder' ? 'usps_firstclass' : 'courier',
        delivery_schedule: method === '2day_mailorder' ? 'mailorder' : 'sameday',
        order_status: 'pending',
        created_at: ref.created_at,
        updated_at: ref.updated_at,
        flags: null,
        patient_location_id: location.id,
        address_to_street1: address.address_to_street1,
        address_to_street2: address.address_to_street2 ?? null,
        address_to_city: address.address_to_city,
        address_to_state: address.address_to_state,
        address_to_zip: address.address_to_zip,
        shipment_tracking_url: null,
        shipment_tracking_eta: null,
        prescriptions: input.prescriptions.map(({ id }) => {
          const prescription = prescriptionsById.get(id);
          return { entity_type: CARYRX_ENTITY_TYPES.prescription, id, prescription: prescription?.medication_name, is_refill: false };
        }),
        patient: { entity_type: CARYRX_ENTITY_TYPES.patient, id: patient.record.id },
      },
      journey: JOURNEYS[method],
      timer: undefined,
    };
    ordersById.set(ref.id, record);
    patient.record.orders.push(ref);
    logger.info('sandbox.caryrx.order_created', { order: ref.id, shipping_method: method });
    scheduleNextStep(record);
    return reply.code(201).send(structuredClone(record.order));
  });

  app.get<{ Params: { orderId: string } }>('/v1/orders/:orderId', async (request, reply) => {
    const record = ordersById.get(request.params.orderId);
    return record ? structuredClone(record.order) : reply.code(404).send({ message: 'Order not found.' });
  });

  function patientRef(patient: CaryRxSimulatedPatient): CaryRxEntityRef {
    return { entity_type: CARYRX_ENTITY_TYPES.patient, id: patient.record.id, created_at: patient.created_at, updated_at: patient.updated_at };
  }

  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  logger.info('sandbox.caryrx.simulator_started', { url });

  return {
    url,
    apiKey,
    advanceOrder,
    failOrder(orderId) {
      const record = ordersById.get(orderId);
      return record && !FINAL.has(record.order.order_status) ? changeStatus(record, 'failed') : undefined;
    },
    cancelOrder(orderId) {
      const record = ordersById.get(orderId);
      return record && CANCELLABLE.has(record.order.order_status) ? changeStatus(record, 'cancelled') : undefined;
    },
    patients: () => structuredClone([...patientsById.values()]),
    orders: () => structuredClone([...ordersById.values()].map((r) => r.order)),
    prescriptions: () => structuredClone([...prescriptionsById.values()]),
    requests: () => requestLog.map((entry) => ({ ...entry })),
    callbackDeliveries: () => deliveries.map((delivery) => ({ ...delivery })),
    async close() {
      closed = true;
      for (const record of ordersById.values()) clearTimeout(record.timer);
      await app.close();
      await callbackAgent.destroy();
    },
  };
}

// ---- helpers ------------------------------------------------------------------------------

const pathOf = (request: FastifyRequest) => request.url.split('?')[0] ?? '';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Ten lowercase letters and digits, like the doc's ids ("wuyhosgwuc", "2zgoxnmqjy"). */
function caryId(): string {
  let id = '';
  while (id.length < 10) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function addError(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

/** ASSUMPTION: a refused body answers 400 with `{ message, errors: { field: [text] } }`. */
function invalid(reply: FastifyReply, errors: FieldErrors): FastifyReply {
  return reply.code(400).send({ message: 'The request is invalid.', errors });
}

function zodErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) addError(errors, issue.path.map(String).join('.') || 'body', issue.message);
  return errors;
}

/** The shared rules' problems ("dob: use YYYY-MM-DD.") filed under the field each names. */
function problemsByField(problems: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const problem of problems) {
    const labelled = /^([a-z_0-9]+): (.*)$/s.exec(problem);
    if (labelled?.[1] && labelled[2] !== undefined) addError(errors, labelled[1], labelled[2]);
    else addError(errors, 'body', problem);
  }
  return errors;
}
