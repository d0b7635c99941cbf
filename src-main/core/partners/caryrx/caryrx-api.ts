// CaryRx's Fulfilment API (../shared/seeds/caryrx-fulfilment-api.txt, vendor-facts.md §4): its
// paths, the shapes of what goes over the wire, and the validation rules RxRelay applies, in one
// module shared by the client (which checks every request before sending it) and the sandbox
// simulator (which enforces the same rules, so a request the sandbox accepts is one the client
// would send).
//
// CaryRx publishes only a short use-case page, and the copy we have lost its punctuation: `first
// name` is reconstructed as `first_name`, dates as ISO 8601, and key casing is uncertain
// throughout. Published: the `apikey` header, the paths, the request bodies, the samples of the
// test payloads and of GET patient / prescription / order. NOT FOUND: base URLs, status codes,
// the error model, order statuses, webhook signing. Everything defined here without a source is
// marked ASSUMPTION — confirm it against CaryRx's development environment before going live;
// each lives only here.
import { z } from 'zod';

/** CaryRx publishes no sandbox address; this is RxRelay's local simulator's (ASSUMPTION: ours). */
export const CARYRX_SANDBOX_PORT = 8083;

/** Doc: "an api key will be provided to you for development, uat and production". */
export const CARYRX_ENVIRONMENTS = ['development', 'uat', 'production'] as const;
export type CaryRxEnvironment = (typeof CARYRX_ENVIRONMENTS)[number];

/** One environment as RxRelay is configured for it: the base URLs are handed out, not published. */
export interface CaryRxEnvironmentConfig {
  environment: CaryRxEnvironment;
  /** Scheme and host (and any path prefix CaryRx gives) in front of `/v1/...`. */
  baseUrl: string;
  apiKey: string;
}

/** Doc: "the api key is passed as a header with each rest call: apikey: test-123". */
export const APIKEY_HEADER = 'apikey';

const segment = (id: string) => encodeURIComponent(id);

/** Every path CaryRx documents, relative to the environment's base URL. */
export const CARYRX_PATHS = {
  prescriptionEvents: '/v1/prescriptions/events',
  orderEvents: '/v1/orders/events',
  patients: '/v1/patients',
  /** [3P] only (an integrator's client); the doc's flow says "create a patient (unless patient already exists)". */
  findPatient: '/v1/patients/find',
  patient: (patientId: string) => `/v1/patients/${segment(patientId)}`,
  patientLocation: (patientId: string) => `/v1/patients/${segment(patientId)}/location`,
  prescriptions: '/v1/prescriptions',
  prescription: (prescriptionId: string) => `/v1/prescriptions/${segment(prescriptionId)}`,
  orders: '/v1/orders',
  order: (orderId: string) => `/v1/orders/${segment(orderId)}`,
} as const;

// ---- values ---------------------------------------------------------------------------------

/**
 * ASSUMPTION (defined only here): the doc names no list. `pending` (the create-order body, the
 * GET order sample) and `ready_to_fill` (the order-event test payload) are seen; the rest is our
 * guess at a fill-and-deliver pipeline. Answers are parsed with any string, so a status CaryRx
 * really uses reaches the connector's status table instead of failing the parse.
 */
export const CARYRX_ORDER_STATUSES = ['pending', 'ready_to_fill', 'filling', 'filled', 'shipped', 'out_for_delivery', 'delivered', 'cancelled', 'failed'] as const;
export type CaryRxOrderStatus = (typeof CARYRX_ORDER_STATUSES)[number];

/** Both seen in the doc (create-order body; GET order sample). Others NOT FOUND. */
export const CARYRX_SHIPPING_METHODS = ['sameday_delivery', '2day_mailorder'] as const;
export type CaryRxShippingMethod = (typeof CARYRX_SHIPPING_METHODS)[number];

/** Webhook registration `authType`: only "none" is seen; other values and any signing scheme are NOT FOUND. */
export const CARYRX_CALLBACK_AUTH_TYPES = ['none'] as const;
export type CaryRxCallbackAuthType = (typeof CARYRX_CALLBACK_AUTH_TYPES)[number];

/** Limits CaryRx does not publish; ours (ASSUMPTION), so nothing absurd leaves RxRelay. */
export const CARYRX_LIMITS = {
  name: 100,
  note: 1000,
  medicationName: 200,
  street: 200,
  city: 100,
} as const;

// ---- shared shapes --------------------------------------------------------------------------

/**
 * What every create (patient, location, prescription, webhook) answers, per the doc's examples:
 * `{ "entity_type": "patient", "id": "wuyhosgwuc", "created_at": ..., "updated_at": ... }`.
 * `entity_type` is any string: the doc's samples are not consistent about it.
 */
export const entityRefSchema = z.object({
  entity_type: z.string(),
  id: z.string().min(1),
  created_at: z.string(),
  updated_at: z.string(),
});
export type CaryRxEntityRef = z.infer<typeof entityRefSchema>;

/** A reference embedded in a record: the GET samples sometimes leave the timestamps out. */
export const linkedRefSchema = z.object({
  entity_type: z.string(),
  id: z.string().min(1),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type CaryRxLinkedRef = z.infer<typeof linkedRefSchema>;

/** The doc's `entity_type` values as the simulator writes them. "patientlocation" has no separator in the doc (ASSUMPTION: camelCase). */
export const CARYRX_ENTITY_TYPES = {
  patient: 'patient',
  location: 'patientLocation',
  prescription: 'prescription',
  order: 'order',
  /** ASSUMPTION: the registration answer is not shown in the doc. */
  webhook: 'webhook',
} as const;

/** Error body. ASSUMPTION: the error model is NOT FOUND; `{ message, errors: { field: [text] } }`. */
export const errorBodySchema = z.object({
  message: z.string(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});
export type CaryRxErrorBody = z.infer<typeof errorBodySchema>;

// ---- casing -----------------------------------------------------------------------------------

/**
 * The doc's bodies write some keys with no separator at all ("callbackurl", "authtype",
 * "patientid", "locationname") where the rest read as snake_case ("first name"): those were
 * probably camelCase. The simulator therefore accepts both spellings of these keys; the client
 * sends the spelling each shape below names (camelCase only for the webhook registration, as the
 * doc shows it — ASSUMPTION, confirm in development).
 */
export const CAMEL_CASE_ALIASES: Readonly<Record<string, string>> = {
  callbackUrl: 'callback_url',
  authType: 'auth_type',
  patientId: 'patient_id',
  locationName: 'location_name',
};

/** A body with the camelCase spellings above renamed to snake_case (a snake_case key present wins). */
export function withSnakeCaseKeys(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const renamed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const snake = CAMEL_CASE_ALIASES[key];
    if (snake === undefined) renamed[key] = value;
    else if (!(snake in body)) renamed[snake] = value;
  }
  return renamed;
}

// ---- webhook registration -------------------------------------------------------------------

/** What the client sends: the doc's `{ "callbackUrl": "https://...", "authType": "none" }`. */
export interface CaryRxCallbackRegistrationBody {
  callbackUrl: string;
  authType: CaryRxCallbackAuthType;
}

/** A registration as the simulator reads it, after `withSnakeCaseKeys`. */
export const callbackRegistrationSchema = z.object({
  callback_url: z.string(),
  auth_type: z.enum(CARYRX_CALLBACK_AUTH_TYPES).default('none'),
});
export type CaryRxCallbackRegistration = z.infer<typeof callbackRegistrationSchema>;

export function callbackUrlProblems(url: string): string[] {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) return ['callback_url: the callback address must be an http(s) URL.'];
  return [];
}

// ---- patients -------------------------------------------------------------------------------

export const patientInputSchema = z.object({
  first_name: z.string(),
  last_name: z.string(),
  /** YYYY-MM-DD (the doc's "2000 01 01"). */
  dob: z.string(),
  email: z.string(),
  /** Ten digits, no punctuation (the doc's "1000010101"). */
  phone_number: z.string(),
});
export type CaryRxPatientInput = z.infer<typeof patientInputSchema>;

export const findPatientInputSchema = z.object({
  first_name: z.string(),
  last_name: z.string(),
  email: z.string(),
});
export type CaryRxFindPatientInput = z.infer<typeof findPatientInputSchema>;

/** GET /v1/patients/{id}, per the doc's sample (which shows no email or phone: `contact_info` is an empty list there). */
export const patientRecordSchema = z.object({
  id: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  dob: z.string().nullable(),
  state: z.string().nullable().optional(),
  cary_patient: z.boolean().optional(),
  pause_interventions: z.boolean().optional(),
  tags: z.array(z.unknown()).optional(),
  prescriptions: z.array(linkedRefSchema),
  orders: z.array(linkedRefSchema),
  contact_info: z.array(z.unknown()).optional(),
});
export type CaryRxPatient = z.infer<typeof patientRecordSchema>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Problems are "field: what is wrong", never the value: they reach error messages and the
 * simulator's answers, and the values are a patient's.
 */
function nameProblems(record: { first_name: string; last_name: string }, problems: string[]): void {
  for (const field of ['first_name', 'last_name'] as const) {
    const value = record[field];
    if (!value.trim()) problems.push(`${field}: the patient's ${field === 'first_name' ? 'first' : 'last'} name is required.`);
    else if (value.length > CARYRX_LIMITS.name) problems.push(`${field}: at most ${CARYRX_LIMITS.name} characters.`);
  }
}

function emailProblems(email: string, problems: string[]): void {
  if (!EMAIL.test(email)) problems.push('email: not an email address.');
}

/** Every way a patient breaks the rules RxRelay applies (ASSUMPTION: ours, CaryRx publishes none); `today` is YYYY-MM-DD. */
export function patientProblems(patient: CaryRxPatientInput, today: string): string[] {
  const problems: string[] = [];
  nameProblems(patient, problems);
  if (!ISO_DATE.test(patient.dob) || Number.isNaN(Date.parse(`${patient.dob}T00:00:00Z`))) problems.push('dob: use YYYY-MM-DD.');
  else if (patient.dob >= today) problems.push('dob: the date of birth must be in the past.');
  emailProblems(patient.email, problems);
  if (!/^\d{10}$/.test(patient.phone_number)) problems.push('phone_number: exactly 10 digits, no punctuation.');
  return problems;
}

export function findPatientProblems(query: CaryRxFindPatientInput): string[] {
  const problems: string[] = [];
  nameProblems(query, problems);
  emailProblems(query.email, problems);
  return problems;
}

// ---- locations ------------------------------------------------------------------------------

/** POST /v1/patients/{id}/location body (the doc's sample; `patient_id` repeats the path's id). */
export const locationInputSchema = z.object({
  patient_id: z.string(),
  location_name: z.string(),
  address_to_street1: z.string(),
  address_to_street2: z.string().optional(),
  address_to_city: z.string(),
  /** Two capital letters. */
  address_to_state: z.string(),
  /** 5 or 9 digits. */
  address_to_zip: z.string(),
  address_to_latitude: z.number().optional(),
  address_to_longitude: z.number().optional(),
});
export type CaryRxLocationInput = z.infer<typeof locationInputSchema>;

/** Our rules (ASSUMPTION). */
export function locationProblems(location: CaryRxLocationInput): string[] {
  const problems: string[] = [];
  if (!location.patient_id.trim()) problems.push('patient_id: the patient is required.');
  if (!location.location_name.trim()) problems.push('location_name: name the location (e.g. "home").');
  else if (location.location_name.length > CARYRX_LIMITS.name) problems.push(`location_name: at most ${CARYRX_LIMITS.name} characters.`);
  if (!location.address_to_street1.trim()) problems.push('address_to_street1: the street address is required.');
  else if (location.address_to_street1.length > CARYRX_LIMITS.street) problems.push(`address_to_street1: at most ${CARYRX_LIMITS.street} characters.`);
  if (location.address_to_street2 !== undefined && location.address_to_street2.length > CARYRX_LIMITS.street) {
    problems.push(`address_to_street2: at most ${CARYRX_LIMITS.street} characters.`);
  }
  if (!location.address_to_city.trim()) problems.push('address_to_city: the city is required.');
  else if (location.address_to_city.length > CARYRX_LIMITS.city) problems.push(`address_to_city: at most ${CARYRX_LIMITS.city} characters.`);
  if (!/^[A-Z]{2}$/.test(location.address_to_state)) problems.push('address_to_state: use the 2-letter state code.');
  if (!/^(\d{5}|\d{9})$/.test(location.address_to_zip)) problems.push('address_to_zip: a 5 or 9 digit ZIP.');
  const { address_to_latitude: latitude, address_to_longitude: longitude } = location;
  if (latitude !== undefined && !(Number.isFinite(latitude) && Math.abs(latitude) <= 90)) problems.push('address_to_latitude: from -90 to 90.');
  if (longitude !== undefined && !(Number.isFinite(longitude) && Math.abs(longitude) <= 180)) problems.push('address_to_longitude: from -180 to 180.');
  return problems;
}

// ---- prescriptions --------------------------------------------------------------------------

/**
 * POST /v1/prescriptions body: "should only be used for testing" (doc) — real prescriptions
 * arrive by e-Rx and are announced over the prescription-events webhook. The doc's `"data":
 * "null"` may be a string or a JSON null; both are accepted.
 */
export const prescriptionInputSchema = z.object({
  patient_id: z.string(),
  medication_name: z.string(),
  qty_written: z.number(),
  refills_written: z.number(),
  days_supply: z.number(),
  data: z.string().nullable().optional(),
});
export type CaryRxPrescriptionInput = z.infer<typeof prescriptionInputSchema>;

/** Our rules (ASSUMPTION). */
export function prescriptionProblems(prescription: CaryRxPrescriptionInput): string[] {
  const problems: string[] = [];
  if (!prescription.patient_id.trim()) problems.push('patient_id: the patient is required.');
  if (!prescription.medication_name.trim()) problems.push('medication_name: the medication is required.');
  else if (prescription.medication_name.length > CARYRX_LIMITS.medicationName) problems.push(`medication_name: at most ${CARYRX_LIMITS.medicationName} characters.`);
  for (const field of ['qty_written', 'days_supply'] as const) {
    const value = prescription[field];
    if (!Number.isInteger(value) || value < 1) problems.push(`${field}: a whole number of at least 1.`);
  }
  if (!Number.isInteger(prescription.refills_written) || prescription.refills_written < 0) problems.push('refills_written: a whole number of at least 0.');
  return problems;
}

export const prescriberSchema = z.object({
  prescriber_name: z.string().nullable().optional(),
  prescriber_clinic: z.string().nullable().optional(),
  prescriber_address: z.string().nullable().optional(),
  prescriber_address2: z.string().nullable().optional(),
  prescriber_city: z.string().nullable().optional(),
  prescriber_state: z.string().nullable().optional(),
  prescriber_zip: z.string().nullable().optional(),
  prescriber_phone: z.string().nullable().optional(),
  prescriber_fax: z.string().nullable().optional(),
  prescriber_npi: z.string().nullable().optional(),
  prescriber_dea: z.string().nullable().optional(),
});

/**
 * GET /v1/prescriptions/{id} (the doc's sample) and the prescription-events payload (the doc's
 * test payload, which has a subset of the same fields). `status`: "pending" and "verified" are
 * seen; the list is NOT FOUND, so any string.
 */
export const prescriptionRecordSchema = z.object({
  id: z.string(),
  status: z.string(),
  source: z.string().optional(),
  medication_name: z.string(),
  last_fill: z.string().nullable().optional(),
  days_supply: z.number(),
  qty_written: z.number(),
  total_tablets_remaining: z.number().nullable().optional(),
  refills_remaining: z.number().nullable().optional(),
  qty_dispensed: z.number().nullable().optional(),
  refills_written: z.number(),
  prior_auth_status: z.string().nullable().optional(),
  rx_number: z.union([z.number(), z.string()]).nullable().optional(),
  prior_auth_last_update: z.string().nullable().optional(),
  auto_refill: z.boolean().optional(),
  payment_token: z.string().nullable().optional(),
  external_id: z.string().nullable().optional(),
  patient: linkedRefSchema,
  prescriber: prescriberSchema.nullable().optional(),
});
export type CaryRxPrescription = z.infer<typeof prescriptionRecordSchema>;

/** The prescription-events payload is the prescription record (doc's test payload). */
export const prescriptionEventSchema = prescriptionRecordSchema;
export type CaryRxPrescriptionEvent = CaryRxPrescription;

// ---- orders ---------------------------------------------------------------------------------

/** POST /v1/orders body (the doc's sample). The client fills `central_fill: false` and `order_status: "pending"` as the doc does. */
export const orderInputSchema = z.object({
  shipping_method: z.string(),
  central_fill: z.boolean().optional(),
  patient_id: z.string(),
  patient_location_id: z.string(),
  prescriptions: z.array(z.object({ id: z.string() })),
  patient_delivery_note: z.string().optional(),
  patient_pharmacy_note: z.string().optional(),
  order_status: z.literal('pending').optional(),
});
export type CaryRxOrderInput = z.infer<typeof orderInputSchema>;

/** Our rules (ASSUMPTION). */
export function orderProblems(order: CaryRxOrderInput): string[] {
  const problems: string[] = [];
  if (!(CARYRX_SHIPPING_METHODS as readonly string[]).includes(order.shipping_method)) {
    problems.push(`shipping_method: one of ${CARYRX_SHIPPING_METHODS.join(', ')}.`);
  }
  if (!order.patient_id.trim()) problems.push('patient_id: the patient is required.');
  if (!order.patient_location_id.trim()) problems.push('patient_location_id: the delivery location is required.');
  if (order.prescriptions.length === 0) problems.push('prescriptions: at least one prescription.');
  else if (order.prescriptions.some((p) => !p.id.trim())) problems.push('prescriptions: every prescription needs its id.');
  else if (new Set(order.prescriptions.map((p) => p.id)).size !== order.prescriptions.length) problems.push('prescriptions: a prescription is listed twice.');
  for (const field of ['patient_delivery_note', 'patient_pharmacy_note'] as const) {
    const note = order[field];
    if (note !== undefined && note.length > CARYRX_LIMITS.note) problems.push(`${field}: at most ${CARYRX_LIMITS.note} characters.`);
  }
  return problems;
}

/** A prescription as an order lists it (GET order sample: a reference plus its name and whether it is a refill). */
export const orderPrescriptionRefSchema = linkedRefSchema.extend({
  prescription: z.string().optional(),
  is_refill: z.boolean().optional(),
});

const orderObjectSchema = z.object({
  id: z.string(),
  shipping_method: z.string(),
  packaging_method: z.string().nullable().optional(),
  /** Create-order answer: "mailorder" for 2day_mailorder. */
  delivery_schedule: z.string().nullable().optional(),
  order_status: z.string(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  flags: z.unknown().optional(),
  patient_location_id: z.string().nullable().optional(),
  address_to_name: z.string().nullable().optional(),
  address_to_street1: z.string().nullable().optional(),
  address_to_street2: z.string().nullable().optional(),
  address_to_city: z.string().nullable().optional(),
  address_to_state: z.string().nullable().optional(),
  address_to_zip: z.string().nullable().optional(),
  /** From the order-event test payload. */
  shipment_tracking_url: z.string().nullable().optional(),
  shipment_tracking_eta: z.string().nullable().optional(),
  sameday_location_x: z.string().nullable().optional(),
  sameday_location_y: z.string().nullable().optional(),
  prescriptions: z.array(orderPrescriptionRefSchema),
  patient: linkedRefSchema,
});

/**
 * An order: the create-order answer, GET /v1/orders/{id} and the order-events payload (ASSUMPTION:
 * one shape for all three; the doc's three samples overlap but each shows a different subset).
 * The GET sample spells "updatedat" with no separator: `updatedAt` is read as `updated_at`.
 */
export const orderRecordSchema = z.preprocess((value) => {
  if (value === null || typeof value !== 'object' || 'updated_at' in value || !('updatedAt' in value)) return value;
  const { updatedAt, ...rest } = value as Record<string, unknown>;
  return { ...rest, updated_at: updatedAt };
}, orderObjectSchema);
export type CaryRxOrder = z.infer<typeof orderObjectSchema>;

/** ASSUMPTION: an order event carries the order record, as the doc's order-events test payload does. */
export const orderEventSchema = orderRecordSchema;
export type CaryRxOrderEvent = CaryRxOrder;

// ---- the test payloads ----------------------------------------------------------------------

/** "Upon first registering an endpoint you will receive a test payload" — the doc's, reconstructed. */
export const PRESCRIPTION_EVENT_TEST_PAYLOAD: CaryRxPrescriptionEvent = {
  id: 'test-object',
  status: 'pending',
  source: 'escript',
  medication_name: 'amoxicillian 10mg',
  qty_written: 10,
  last_fill: '01-01-2000',
  days_supply: 10,
  total_tablets_remaining: 10,
  refills_remaining: 0,
  refills_written: 0,
  qty_dispensed: 0,
  // The doc's sample calls the patient an "entity_type": "prescription"; kept as published.
  patient: { entity_type: 'prescription', id: 'd0abcdoa', created_at: '2020-12-15T09:23:30.097Z', updated_at: '2020-12-15T09:23:30.097Z' },
};

export const ORDER_EVENT_TEST_PAYLOAD: CaryRxOrderEvent = {
  id: 'd1abcxox',
  shipping_method: 'sameday_delivery',
  packaging_method: 'usps_firstclass',
  address_to_name: 'string',
  address_to_street1: 'string',
  address_to_street2: 'string',
  address_to_city: 'string',
  address_to_state: 'string',
  address_to_zip: 'string',
  shipment_tracking_url: 'string',
  shipment_tracking_eta: '2020-12-15T19:56:49.685Z',
  sameday_location_x: 'string',
  sameday_location_y: 'string',
  order_status: 'ready_to_fill',
  // "entity_type": "order" on a prescription: the doc's sample, kept as published.
  prescriptions: [{ entity_type: 'order', id: 'd0abcdoa', created_at: '2020-12-15T19:56:49.685Z', updated_at: '2020-12-15T19:56:49.686Z' }],
  patient: { entity_type: 'patient', id: 'd0abcdoa', created_at: '2020-12-15T19:56:49.686Z', updated_at: '2020-12-15T19:56:49.686Z' },
};

/** Ids of the test payloads: a receiver acknowledges them and changes nothing. */
export const CARYRX_TEST_PAYLOAD_IDS: ReadonlySet<string> = new Set([PRESCRIPTION_EVENT_TEST_PAYLOAD.id, ORDER_EVENT_TEST_PAYLOAD.id]);
