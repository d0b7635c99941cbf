// Honeybee Health's Partners API (../shared/seeds/honeybee-partners-api.txt, vendor-facts.md §1):
// its paths, the shapes of what goes over the wire, its error codes and On Hold reasons in words
// staff can act on, the rules RxRelay applies before creating an order, and the signature both
// sides compute. One module shared by the client (which checks every request before sending it)
// and the sandbox simulator (which enforces the same rules, so a request the sandbox accepts is
// one the client would send).
//
// Honeybee publishes the token exchange, the RX_RECEIVED event, the create-order body (pieced
// together from guides), the error bodies and 422 codes, the order statuses, the On Hold reasons
// (in prose) and the signature algorithm. It does NOT publish the order, patient and prescription
// answers, the other events' payloads, the shipping methods or the machine names of hold reasons
// (vendor-facts §1.14). Everything defined here without a source is marked ASSUMPTION — confirm
// it against Honeybee's sandbox before going live; each lives only here.
//
// Reading is lenient (unknown keys are dropped, not refused; case and spelling of statuses are
// normalised; a number where a string id is expected is accepted), because a strict parser turns
// every small vendor change into an outage. Writing is strict: RxRelay sends exactly the shapes below.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { STATE_NAMES_BY_CODE } from '../../address/usps-pub28-tables';
import { secretMatcher } from '../../security/secret-matcher';

/** Honeybee's sandbox is a hosted service; this is RxRelay's local simulator's port (ASSUMPTION: ours). */
export const HONEYBEE_SANDBOX_PORT = 8084;
/** §1.2: resource server (paths start `/v1`) and token server. */
export const HONEYBEE_PRODUCTION_BASE_URL = 'https://partners.honeybeehealth.com';
export const HONEYBEE_PRODUCTION_TOKEN_URL = 'https://auth.honeybeehealth.com/oauth/token';
/** §1.13: the sandbox resource host. Its token host is NOT FOUND: ask Honeybee. */
export const HONEYBEE_SANDBOX_BASE_URL = 'https://partners.sandbox.honeybeehealth.com';
/** §1.3: `expires_in: 43200` (12 hours) in the published token answer. */
export const HONEYBEE_TOKEN_LIFETIME_S = 43_200;

export const HONEYBEE_SIGNATURE_HEADER = 'x-honeybee-signature';
export const HONEYBEE_SECRET_HEADER = 'x-honeybee-secret';
export const REQUEST_ID_HEADER = 'x-request-id';

const segment = (value: string) => encodeURIComponent(value);

/** Every path RxRelay uses, relative to the resource server (the token path to the token server). */
export const HONEYBEE_PATHS = {
  token: '/oauth/token',
  orders: '/v1/orders',
  /** ASSUMPTION: the filter is `patient_id` (the guide says "query GET /orders for the patient"; no parameter is published). */
  ordersOfPatient: (patientId: string) => `/v1/orders?patient_id=${segment(patientId)}`,
  order: (orderNumber: string) => `/v1/orders/${segment(orderNumber)}`,
  reorders: (orderNumber: string) => `/v1/orders/${segment(orderNumber)}/reorders`,
  shippingAddress: (orderNumber: string) => `/v1/orders/${segment(orderNumber)}/shipping_address`,
  patient: (patientId: string) => `/v1/patients/${segment(patientId)}`,
  patientRx: (patientId: string) => `/v1/patients/${segment(patientId)}/rx`,
  simulate: '/v1/simulate',
} as const;

// ---- statuses -------------------------------------------------------------------------------

/** §1.10: title case, exact. */
export const HONEYBEE_ORDER_STATUSES = ['Processing', 'Filling', 'Shipped', 'Delivered', 'On Hold', 'Canceled'] as const;
export type HoneybeeOrderStatus = (typeof HONEYBEE_ORDER_STATUSES)[number];

const STATUS_BY_KEY: ReadonlyMap<string, HoneybeeOrderStatus> = new Map([
  ...HONEYBEE_ORDER_STATUSES.map((status) => [status.toLowerCase(), status] as const),
  ['onhold', 'On Hold'],
  ['cancelled', 'Canceled'],
]);

/**
 * The status a text names. The docs say "match literally" yet write "FILLING" in their own prose,
 * and an integrator's fixtures use "filling": case, `_`/`-` separators, surrounding spaces and the
 * British "Cancelled" are all read; anything else is undefined (never guessed).
 */
export function normalizeHoneybeeStatus(text: string): HoneybeeOrderStatus | undefined {
  if (typeof text !== 'string') return undefined;
  return STATUS_BY_KEY.get(text.trim().toLowerCase().replace(/[\s_-]+/g, ' '));
}

/** How far along the journey each status is; On Hold and Canceled are off it. */
const STATUS_RANK: Readonly<Record<HoneybeeOrderStatus, number>> = { Processing: 0, Filling: 1, Shipped: 2, Delivered: 3, 'On Hold': -1, Canceled: -1 };

export const statusSchema = z
  .string()
  .refine((text) => normalizeHoneybeeStatus(text) !== undefined, { message: 'not one of Honeybee\'s order statuses' })
  .transform((text) => normalizeHoneybeeStatus(text) as HoneybeeOrderStatus);

// ---- shared pieces --------------------------------------------------------------------------

/** Honeybee's ids are opaque strings ("ay87nt"); a number is read as its digits. */
const idString = z.union([z.string().min(1), z.number()]).transform(String);
/** Prescription and dispense ids are numbers in every sample; digits in a string are read too. */
const intId = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A body that is either the object itself or `{ <key>: object }` (ASSUMPTION: both seen in REST APIs of this style). */
const unwrap = (key: string) => (value: unknown) => (isObject(value) && isObject(value[key]) ? value[key] : value);

// ---- authentication -------------------------------------------------------------------------

/** §1.3, published. `token_type` is read in any case and written `Bearer`. */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z
    .string()
    .refine((type) => type.trim().toLowerCase() === 'bearer', { message: 'expected a Bearer token' })
    .transform(() => 'Bearer' as const),
  expires_in: z.number().positive(),
  created_at: z.number().optional(),
});
export type HoneybeeTokenResponse = z.infer<typeof tokenResponseSchema>;

// ---- patients -------------------------------------------------------------------------------

export const HONEYBEE_GENDERS = ['M', 'F', 'N'] as const;
export type HoneybeeGender = (typeof HONEYBEE_GENDERS)[number];

const genderOrNull = z.unknown().optional().transform((value): HoneybeeGender | null => {
  const upper = typeof value === 'string' ? value.trim().toUpperCase() : '';
  return (HONEYBEE_GENDERS as readonly string[]).includes(upper) ? (upper as HoneybeeGender) : null;
});

export const patientObjectSchema = z.object({
  id: idString,
  first_name: z.string(),
  last_name: z.string(),
  /** YYYY-MM-DD. */
  dob: z.string(),
  email: z.string().nullable().default(null),
  phone: z.string().nullable().default(null),
  /** Anything but M, F or N reads as unknown (null) rather than failing the whole patient. */
  gender: genderOrNull,
});

/**
 * GET /v1/patients/{id}. The matching guide names `email`, `first_name`, `last_name`, `dob`; the
 * answer itself is NOT FOUND. ASSUMPTION: the bare object; `{ "patient": {...} }` is read too.
 */
export const patientSchema = z.preprocess(unwrap('patient'), patientObjectSchema);
export type HoneybeePatient = z.infer<typeof patientObjectSchema>;

/** A GET patient answer; throws the ZodError when it is not a patient. */
export function readPatientBody(json: unknown): HoneybeePatient {
  return patientSchema.parse(json);
}

// ---- prescriptions (medication requests) and dispenses ------------------------------------

/** §1.8 data model: one fill of a prescription within an order. `quantity`/`package_size` are ASSUMPTION (mirroring the create body). */
export const dispenseSchema = z.object({
  dispense_id: z.union([z.string(), z.number()]),
  order_number: idString.optional(),
  order_status: statusSchema,
  quantity: z.number().optional(),
  package_size: z.number().optional(),
});
export type HoneybeeDispense = z.infer<typeof dispenseSchema>;

/** §1.8: `null` until shipped, then tracking. `carrier` and `shipped_at` come from the [3P] fixture (ASSUMPTION). */
export const shipmentSchema = z.object({
  tracking_no: z.string(),
  tracking_url: z.string().nullable().default(null),
  carrier: z.string().nullable().default(null),
  shipped_at: z.string().nullable().optional(),
});
export type HoneybeeShipment = z.infer<typeof shipmentSchema>;

/** The published sample writes `id` and `prescription_id` with the same value; either alone is read as both. */
function fillPrescriptionIds(value: unknown): unknown {
  if (!isObject(value)) return value;
  return { ...value, id: value.id ?? value.prescription_id, prescription_id: value.prescription_id ?? value.id };
}

const medicationRequestObject = z.object({
  id: intId,
  prescription_id: intId,
  active: z.boolean(),
  patient_id: idString.optional(),
  prescriber_name: z.string().nullable().optional(),
  /** ISO 8601 with offset. */
  receive_date: z.string(),
  drug_name: z.string(),
  /** A string: its leading zeros matter, so a number (zeros already lost) is refused rather than guessed. */
  ndc: z.string(),
  sig_text: z.string(),
  written_qty: z.number(),
  days_supply: z.number().nullable().optional(),
  refills_left: z.number(),
  expire_date: z.string(),
  /** "0" (a string) in the docs sample, 4 (a number) in the GitHub and sandbox examples. */
  drug_schedule: z.union([z.string(), z.number()]),
  medication_dispenses: z.array(dispenseSchema).optional(),
});

/** §1.8, published (RX_RECEIVED); GET /v1/patients/{id}/rx answers the same shape (ASSUMPTION). */
export const medicationRequestSchema = z.preprocess(fillPrescriptionIds, medicationRequestObject);
export type HoneybeeMedicationRequest = z.infer<typeof medicationRequestObject>;

/** A prescription as an order lists it: the medication request with this order's dispenses (ASSUMPTION). */
export const orderMedicationRequestSchema = z.preprocess(
  fillPrescriptionIds,
  medicationRequestObject.extend({ medication_dispenses: z.array(dispenseSchema).default([]) }),
);
export type HoneybeeOrderMedicationRequest = HoneybeeMedicationRequest & { medication_dispenses: HoneybeeDispense[] };

/**
 * A medication request in RX_UPDATED / SHIPMENT_UPDATED / ORDER_EXCEPTION. The docs' RX_UPDATED
 * sample lists fewer fields than RX_RECEIVED (and was cut off) and the [3P] fixtures show only
 * `prescription_id` (+ `shipment`): so only the id is required here.
 */
export const medicationUpdateSchema = z.preprocess(
  fillPrescriptionIds,
  medicationRequestObject.partial().extend({
    id: intId,
    prescription_id: intId,
    medication_dispenses: z.array(dispenseSchema).default([]),
    shipment: shipmentSchema.nullable().optional(),
  }),
);
export type HoneybeeMedicationUpdate = z.infer<typeof medicationUpdateSchema>;

/**
 * GET /v1/patients/{id}/rx. The docs' example is wrapped as `{ "medication_request": … }`: read as
 * an array or a single object, and `medication_requests` or a bare array too (ASSUMPTION). The
 * output is the list itself.
 */
export const prescriptionsListSchema = z.preprocess((value) => {
  if (Array.isArray(value)) return value;
  if (!isObject(value)) return value;
  const listed = value.medication_request !== undefined ? value.medication_request : value.medication_requests;
  if (listed === null) return [];
  if (listed === undefined) return value;
  return Array.isArray(listed) ? listed : [listed];
}, z.array(medicationRequestSchema));

/** A GET rx answer as its prescriptions; throws the ZodError when it is not that. */
export function readPrescriptionsBody(json: unknown): HoneybeeMedicationRequest[] {
  return prescriptionsListSchema.parse(json);
}

/** Schedules II–V are controlled (I cannot be prescribed). Read from 2..5 or "2", "C2", "CII", "IV". */
export function isControlledSchedule(schedule: string | number | null | undefined): boolean {
  if (typeof schedule === 'number') return Number.isInteger(schedule) && schedule >= 2 && schedule <= 5;
  if (typeof schedule !== 'string') return false;
  const text = schedule.trim().toUpperCase().replace(/^C-?/, '');
  return ['2', '3', '4', '5', 'II', 'III', 'IV', 'V'].includes(text);
}

// ---- addresses and identity documents (§1.7: field names [INF]) ----------------------------

export const addressSchema = z.object({
  first_name: z.string(),
  last_name: z.string(),
  street1: z.string(),
  street2: z.string().nullish(),
  city: z.string(),
  /** Two capital letters: a US state Honeybee ships to (42226, 42231). */
  state: z.string(),
  /** 5 digits or ZIP+4 (42227). */
  zip: z.string(),
  phone: z.string().nullish(),
  /** Default false: accept the address validator's corrected address ([INF]). */
  accept_suggested: z.boolean().optional(),
  /** Default false; true ships to an address Honeybee could not verify (overrides 42230). */
  ignore_warnings: z.boolean().optional(),
});
export type HoneybeeAddress = z.infer<typeof addressSchema>;

/** §1.7, codes 42216–42218. Decoding of the letters is [INF]. */
export const HONEYBEE_DOCUMENT_TYPES = ['DL', 'PP', 'MI', 'PR', 'SI', 'TI', 'OT'] as const;

export const identityDocumentSchema = z.object({
  document_type: z.string(),
  issuing_country: z.string(),
  issuing_state: z.string().optional(),
  document_number: z.string(),
  /** YYYY-MM-DD, not in the past (42220). */
  expiration_date: z.string(),
});
export type HoneybeeIdentityDocument = z.infer<typeof identityDocumentSchema>;

// ---- orders ---------------------------------------------------------------------------------

/** ASSUMPTION: Honeybee does not publish its `shipping.method_id` list (§1.6, "ask Honeybee"). */
export const HONEYBEE_SHIPPING_METHODS = [
  { id: 1, name: 'Standard (USPS)', carrier: 'USPS' },
  { id: 2, name: 'Two-day (UPS)', carrier: 'UPS' },
  { id: 3, name: 'Overnight (FedEx)', carrier: 'FedEx' },
] as const;

export const exceptionSchema = z.object({
  name: z.string(),
  message: z.string().default(''),
  order_actions: z.array(z.object({ event_key: z.string(), action: z.string() })).default([]),
});
export type HoneybeeException = z.infer<typeof exceptionSchema>;

export const skuLineSchema = z.object({ sku: z.string(), quantity: z.number(), package_size: z.number() });

export const orderObjectSchema = z.object({
  order_number: idString,
  patient_id: idString,
  created_at: z.string(),
  updated_at: z.string(),
  shipping: z.object({ method_id: z.number() }),
  address: addressSchema.nullable().default(null),
  medication_requests: z.array(orderMedicationRequestSchema).default([]),
  /** The OTC / packaging SKUs of the order. */
  items: z.array(skuLineSchema).optional(),
  /**
   * ASSUMPTION: the status of the order as a whole. Honeybee publishes the status only per
   * dispense; this is read when an order has no dispenses (SKU-only orders).
   */
  order_status: statusSchema.optional(),
  shipment: shipmentSchema.nullable().default(null),
  exception: exceptionSchema.nullable().default(null),
});

/**
 * An order: the create and reorder answers and GET /v1/orders/{order_number}. ASSUMPTION: the
 * shape is NOT FOUND (§1.6 "probably an order object with order_number and medication_requests /
 * medication_dispenses"); `{ "order": {...} }` is read too.
 */
export const orderSchema = z.preprocess(unwrap('order'), orderObjectSchema);
export type HoneybeeOrder = z.infer<typeof orderObjectSchema>;

/** GET /v1/orders?patient_id=… — ASSUMPTION: `{ "orders": [...] }`, newest first; a bare array is read too. */
export const ordersListSchema = z.preprocess((value) => (Array.isArray(value) ? { orders: value } : value), z.object({ orders: z.array(orderObjectSchema) }));
export type HoneybeeOrdersList = z.infer<typeof ordersListSchema>;

/** The overall status of a set of dispenses: see `orderStatusOf`. Undefined when there are none. */
export function statusOfDispenses(statuses: readonly HoneybeeOrderStatus[]): HoneybeeOrderStatus | undefined {
  if (statuses.length === 0) return undefined;
  if (statuses.includes('On Hold')) return 'On Hold';
  const live = statuses.filter((status) => status !== 'Canceled');
  if (live.length === 0) return 'Canceled';
  return live.reduce((least, status) => (STATUS_RANK[status] < STATUS_RANK[least] ? status : least));
}

/**
 * An order's overall status from its `medication_dispenses[].order_status` (where Honeybee puts
 * it): On Hold if any dispense is (someone must act); Canceled only if all are; otherwise the least
 * advanced of the rest, so an order counts as Delivered only when everything in it is. An order
 * without dispenses uses its own `order_status` (ASSUMPTION), else Processing.
 */
export function orderStatusOf(order: HoneybeeOrder): HoneybeeOrderStatus {
  const statuses = order.medication_requests.flatMap((request) => request.medication_dispenses.map((dispense) => dispense.order_status));
  return statusOfDispenses(statuses) ?? order.order_status ?? 'Processing';
}

// ---- creating an order (§1.6) ---------------------------------------------------------------

export const rxItemSchema = z.strictObject({
  prescription_id: z.number(),
  /** Packs. */
  quantity: z.number().optional(),
  /** Units in each pack. */
  package_size: z.number().optional(),
});
/** A pre-agreed OTC / packaging SKU ("packaging-pouch"); quantity and package_size are required (checked by `createOrderProblems`). */
export const skuItemSchema = z.strictObject({
  sku: z.string(),
  quantity: z.number().optional(),
  package_size: z.number().optional(),
});
export const orderItemSchema = z.union([rxItemSchema, skuItemSchema]);
export type HoneybeeOrderItem = z.infer<typeof orderItemSchema>;

export const patientSafetySchema = z.object({
  /** Item shapes NOT FOUND; RxRelay sends empty lists, as every published example does. */
  medications: z.array(z.unknown()),
  health_conditions: z.array(z.unknown()),
  allergies: z.array(z.unknown()),
});

/** `patient_safety` is present in every published example, even empty. */
export function emptyPatientSafety(): z.infer<typeof patientSafetySchema> {
  return { medications: [], health_conditions: [], allergies: [] };
}

export const createOrderRequestSchema = z.object({
  shipping: z.object({ method_id: z.number() }),
  patient: z.object({
    patient_id: z.string(),
    first_name: z.string().optional(),
    last_name: z.string().optional(),
    dob: z.string().optional(),
    gender: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    patient_safety: patientSafetySchema,
    /** Required for controlled substances (42208). */
    identity_documents: z.array(identityDocumentSchema).optional(),
  }),
  /** Omitted: Honeybee ships to the address on the e-Rx. */
  address: addressSchema.optional(),
  items: z.array(orderItemSchema),
});
export type HoneybeeCreateOrderRequest = z.infer<typeof createOrderRequestSchema>;

/** POST /v1/orders/{n}/reorders body. ASSUMPTION: optional, with what may change for the new order. */
export const reorderRequestSchema = z.object({
  shipping: z.object({ method_id: z.number() }).optional(),
  address: addressSchema.optional(),
});
export type HoneybeeReorderRequest = z.infer<typeof reorderRequestSchema>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isWholeAtLeast = (value: number, least: number) => Number.isInteger(value) && value >= least;
const isDate = (text: string) => ISO_DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);

/**
 * Problems with a delivery address, each "field: what is wrong" (never the value: it is a
 * patient's). §1.7 and the 422 codes 42221–42227; state must be a US state or territory code.
 */
export function addressProblems(address: HoneybeeAddress, prefix = 'address'): string[] {
  const problems: string[] = [];
  const required: Array<[keyof HoneybeeAddress, string]> = [
    ['first_name', 'the first name on the delivery address is required.'],
    ['last_name', 'the last name on the delivery address is required.'],
    ['street1', 'the street address is required.'],
    ['city', 'the city is required.'],
  ];
  for (const [field, words] of required) {
    const value = address[field];
    if (typeof value !== 'string' || !value.trim()) problems.push(`${prefix}.${field}: ${words}`);
  }
  if (!/^[A-Z]{2}$/.test(address.state) || !STATE_NAMES_BY_CODE.has(address.state)) {
    problems.push(`${prefix}.state: use the two-letter code of a US state, in capitals (e.g. TX).`);
  }
  if (!/^\d{5}(-?\d{4})?$/.test(address.zip)) problems.push(`${prefix}.zip: use a 5-digit ZIP code or ZIP+4 (12345-6789).`);
  return problems;
}

/**
 * Every rule RxRelay checks before sending POST /v1/orders, each "field: what is wrong" in plain
 * words. Honeybee publishes the fields and error codes, not all the rules: the ranges are ours
 * (ASSUMPTION) and keep obviously wrong orders from leaving RxRelay. `today` (YYYY-MM-DD) also
 * checks that ID documents have not expired and the date of birth is in the past.
 */
export function createOrderProblems(request: HoneybeeCreateOrderRequest, today?: string): string[] {
  const problems: string[] = [];
  if (!HONEYBEE_SHIPPING_METHODS.some((method) => method.id === request.shipping.method_id)) {
    const listed = HONEYBEE_SHIPPING_METHODS.map((method) => `${method.id} ${method.name}`).join(', ');
    problems.push(`shipping.method_id: choose one of Honeybee's shipping methods (${listed}).`);
  }

  const { patient } = request;
  if (!patient.patient_id.trim()) problems.push("patient.patient_id: the Honeybee patient id is required (it comes with Honeybee's new-prescription notice).");
  for (const [field, label] of [
    ['first_name', 'first name'],
    ['last_name', 'last name'],
  ] as const) {
    const value = patient[field];
    if (value !== undefined && !value.trim()) problems.push(`patient.${field}: the patient's ${label} cannot be blank.`);
  }
  if (patient.dob !== undefined) {
    if (!isDate(patient.dob)) problems.push('patient.dob: use the full date of birth as YYYY-MM-DD.');
    else if (today !== undefined && patient.dob >= today) problems.push('patient.dob: the date of birth must be in the past.');
  }
  if (patient.gender !== undefined && !(HONEYBEE_GENDERS as readonly string[]).includes(patient.gender)) problems.push('patient.gender: use M, F or N.');
  if (patient.email !== undefined && !EMAIL.test(patient.email)) problems.push('patient.email: this is not an email address.');
  if (patient.phone !== undefined && !/^\d{10}$/.test(patient.phone)) problems.push('patient.phone: use the 10-digit phone number, digits only.');
  (patient.identity_documents ?? []).forEach((document, index) => {
    const at = `patient.identity_documents.${index}`;
    if (!(HONEYBEE_DOCUMENT_TYPES as readonly string[]).includes(document.document_type)) {
      problems.push(`${at}.document_type: use DL (driver licence), PP (passport), MI (military ID), PR (permanent resident card), SI (state ID), TI (tribal ID) or OT (other).`);
    }
    if (!/^[A-Z]{2}$/.test(document.issuing_country)) problems.push(`${at}.issuing_country: use the two-letter country code (e.g. US).`);
    if (document.issuing_state !== undefined && !/^[A-Z]{2}$/.test(document.issuing_state)) problems.push(`${at}.issuing_state: use the two-letter state code (e.g. TX).`);
    if (!document.document_number.trim()) problems.push(`${at}.document_number: the document number is required.`);
    if (!isDate(document.expiration_date)) problems.push(`${at}.expiration_date: use the expiry date as YYYY-MM-DD.`);
    else if (today !== undefined && document.expiration_date < today) problems.push(`${at}.expiration_date: the document has expired.`);
  });

  if (request.address !== undefined) problems.push(...addressProblems(request.address));

  if (request.items.length === 0) problems.push('items: add at least one prescription or product.');
  request.items.forEach((item, index) => {
    const at = `items.${index}`;
    if ('prescription_id' in item) {
      if (!isWholeAtLeast(item.prescription_id, 1)) problems.push(`${at}.prescription_id: must be Honeybee's prescription id, a whole number above 0.`);
    } else {
      if (!item.sku.trim()) problems.push(`${at}.sku: the product code cannot be blank.`);
      if (item.quantity === undefined) problems.push(`${at}.quantity: a product needs the number of packs.`);
      if (item.package_size === undefined) problems.push(`${at}.package_size: a product needs the number of units in each pack.`);
    }
    if (item.quantity !== undefined && !isWholeAtLeast(item.quantity, 1)) problems.push(`${at}.quantity: the number of packs must be a whole number of at least 1.`);
    if (item.package_size !== undefined && !isWholeAtLeast(item.package_size, 1)) {
      problems.push(`${at}.package_size: the units in each pack must be a whole number of at least 1.`);
    }
  });
  return problems;
}

// ---- events (§1.8) --------------------------------------------------------------------------

export const HONEYBEE_EVENT_TYPES = ['RX_RECEIVED', 'RX_UPDATED', 'SHIPMENT_UPDATED', 'ORDER_EXCEPTION'] as const;
export type HoneybeeEventType = (typeof HONEYBEE_EVENT_TYPES)[number];

export const rxReceivedEventSchema = z.object({
  event_id: z.string().min(1),
  event_type: z.literal('RX_RECEIVED'),
  patient_id: idString,
  medication_requests: z.array(medicationRequestSchema),
});

/**
 * The order events. ASSUMPTION (payloads NOT FOUND): the RX_RECEIVED envelope plus `order_number`
 * at the top level (as in the [3P] fixtures), an optional `timestamp` (unix seconds in the
 * fixtures), and the medication requests with their dispenses.
 */
const orderEventBase = {
  event_id: z.string().min(1),
  patient_id: idString,
  order_number: idString,
  timestamp: z.union([z.number(), z.string()]).optional(),
  medication_requests: z.array(medicationUpdateSchema).default([]),
};
export const rxUpdatedEventSchema = z.object({ ...orderEventBase, event_type: z.literal('RX_UPDATED') });
export const shipmentUpdatedEventSchema = z.object({ ...orderEventBase, event_type: z.literal('SHIPMENT_UPDATED'), shipment: shipmentSchema });
export const orderExceptionEventSchema = z.object({ ...orderEventBase, event_type: z.literal('ORDER_EXCEPTION'), exception: exceptionSchema });

/**
 * Before the union: `event_type` in capitals (the docs' own prose mixes cases); `order_number`
 * lifted from the first dispense that has one when the top level has none; `shipment` lifted
 * from the first medication request carrying one (the [3P] fixture puts it there).
 */
function liftEventFields(value: unknown): unknown {
  if (!isObject(value)) return value;
  const event: Record<string, unknown> = { ...value };
  if (typeof event.event_type === 'string') event.event_type = event.event_type.trim().toUpperCase();
  const requests = Array.isArray(event.medication_requests) ? event.medication_requests.filter(isObject) : [];
  if (event.order_number === undefined || event.order_number === null) {
    const dispenses = requests.flatMap((request) => (Array.isArray(request.medication_dispenses) ? request.medication_dispenses.filter(isObject) : []));
    const found = dispenses.find((dispense) => dispense.order_number !== undefined && dispense.order_number !== null);
    if (found) event.order_number = found.order_number;
  }
  if (event.event_type === 'SHIPMENT_UPDATED' && !isObject(event.shipment)) {
    const carrying = requests.find((request) => isObject(request.shipment));
    if (carrying) event.shipment = carrying.shipment;
  }
  return event;
}

export const eventSchema = z.preprocess(
  liftEventFields,
  z.discriminatedUnion('event_type', [rxReceivedEventSchema, rxUpdatedEventSchema, shipmentUpdatedEventSchema, orderExceptionEventSchema]),
);
export type HoneybeeEvent = z.infer<typeof eventSchema>;
export type HoneybeeRxReceivedEvent = z.infer<typeof rxReceivedEventSchema>;
export type HoneybeeRxUpdatedEvent = z.infer<typeof rxUpdatedEventSchema>;
export type HoneybeeShipmentUpdatedEvent = z.infer<typeof shipmentUpdatedEventSchema>;
export type HoneybeeOrderExceptionEvent = z.infer<typeof orderExceptionEventSchema>;

export type HoneybeeEventParse =
  | { ok: true; event: HoneybeeEvent }
  /** `eventId`/`eventType` when they could be read, for the log and for acknowledging unknown event types. */
  | { ok: false; problems: string[]; eventId?: string; eventType?: string };

/**
 * A webhook body (the raw text, which is also what the signature covers) as an event. Problems
 * are "field: what is wrong", never values.
 */
export function parseHoneybeeEvent(rawBody: string): HoneybeeEventParse {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { ok: false, problems: ['body: not JSON.'] };
  }
  if (!isObject(json)) return { ok: false, problems: ['body: not a JSON object.'] };
  const eventId = typeof json.event_id === 'string' ? json.event_id : undefined;
  const eventType = typeof json.event_type === 'string' ? json.event_type.trim().toUpperCase() : undefined;
  const known = eventType !== undefined && (HONEYBEE_EVENT_TYPES as readonly string[]).includes(eventType);
  if (!known) {
    const problem = eventType === undefined ? 'event_type: missing.' : 'event_type: not an event type RxRelay knows.';
    return { ok: false, problems: [problem], ...(eventId ? { eventId } : {}), ...(eventType ? { eventType } : {}) };
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
    return { ok: false, problems, ...(eventId ? { eventId } : {}), eventType };
  }
  return { ok: true, event: parsed.data };
}

// ---- the sandbox's simulate endpoint (§1.13) ------------------------------------------------

export const simulationMedicationSchema = medicationRequestObject.omit({ id: true, prescription_id: true, patient_id: true, medication_dispenses: true }).partial();
export type HoneybeeSimulationMedication = z.infer<typeof simulationMedicationSchema>;

/**
 * POST /v1/simulate. Published: `simulation_type: "event"` with `event_type: "RX_RECEIVED"` and
 * `medication_requests`. ASSUMPTION (RxRelay's simulator only): `RX_UPDATED` without an
 * `order_number` starts an automatic-processing order; `ORDER_EXCEPTION` with `order_number`
 * (and optionally a hold reason `name`) puts that order On Hold.
 */
export const simulateRequestSchema = z.object({
  simulation_type: z.string(),
  simulation: z.object({
    event_type: z.string(),
    medication_requests: z.array(simulationMedicationSchema).optional(),
    order_number: z.string().optional(),
    name: z.string().optional(),
  }),
});
export type HoneybeeSimulateRequest = z.infer<typeof simulateRequestSchema>;

// ---- errors (§1.11) -------------------------------------------------------------------------

/** 400 and 422, published. The detail's field may be dotted ("address.not_found"). */
export const errorBodySchema = z.object({
  errors: z.array(
    z.object({
      code: z.number(),
      message: z.string().default(''),
      error_detail: z.array(z.object({ field: z.string().default(''), message: z.string().default('') })).optional(),
    }),
  ),
});
export type HoneybeeErrorBody = z.infer<typeof errorBodySchema>;

/** 409, published. */
export const conflictBodySchema = z.object({ error: z.object({ error_code: z.number(), message: z.string() }) });
export type HoneybeeConflictBody = z.infer<typeof conflictBodySchema>;

/**
 * The 422 codes by meaning. Published (§1.11) unless marked. Honeybee's codes run 42201–42293 and
 * its page was cut off at 42218; RxRelay's own sandbox-only codes sit above that range so they
 * cannot collide with a real code we have not seen.
 */
export const HONEYBEE_ERROR_CODES = {
  patientEmail: 42201,
  patientFirstName: 42202,
  patientLastName: 42203,
  patientPhone: 42204,
  patientGender: 42205,
  patientId: 42206,
  identityDocuments: 42208,
  documentType: 42216,
  issuingCountry: 42217,
  issuingState: 42218,
  documentNumber: 42219,
  documentExpiration: 42220,
  addressFirstName: 42221,
  addressLastName: 42222,
  street1: 42223,
  /** [INF]: missing from Honeybee's tables, probably street2. */
  street2: 42224,
  city: 42225,
  state: 42226,
  zip: 42227,
  alreadyShipped: 42228,
  controlledAddressChange: 42229,
  addressNotFound: 42230,
  stateNotShipped: 42231,
  /** "Invalid item NDC" (text cut off); RxRelay's simulator also uses it for an unknown prescription (ASSUMPTION). */
  invalidItem: 42241,
  poBoxShipping: 42293,
  /** ASSUMPTION (ours): a quantity or pack size that is not a whole number ≥ 1, or no items. */
  itemQuantity: 42294,
  /** ASSUMPTION (ours): a `shipping.method_id` Honeybee does not offer. */
  shippingMethod: 42295,
  /** ASSUMPTION (ours): more fills than 1 + the refills written. */
  refillsExhausted: 42296,
  /** ASSUMPTION (ours): the order's status does not allow this (a reorder of an unshipped order, a change to a canceled one). */
  orderStatus: 42297,
  /** ASSUMPTION (ours): POST /v1/simulate asked for something the sandbox cannot simulate. */
  simulationUnsupported: 42298,
  /** ASSUMPTION (ours): no published code for a bad date of birth. */
  patientDob: 42299,
} as const;

const C = HONEYBEE_ERROR_CODES;

/** Each 422 code as a sentence a counter clerk understands and can act on. */
export const HONEYBEE_ERROR_MESSAGES: Readonly<Record<number, string>> = {
  [C.patientEmail]: "Honeybee did not accept the patient's email address: check it for typos.",
  [C.patientFirstName]: "Honeybee did not accept the patient's first name: check it in the patient's details.",
  [C.patientLastName]: "Honeybee did not accept the patient's last name: check it in the patient's details.",
  [C.patientPhone]: "Honeybee did not accept the patient's phone number: enter the 10-digit number with its area code.",
  [C.patientGender]: "Honeybee did not accept the patient's gender: use M, F or N.",
  [C.patientId]: "Honeybee does not know this patient: match the patient again to the prescription Honeybee sent, then try again.",
  [C.identityDocuments]:
    "This is a controlled substance: Honeybee needs the patient's ID document (driver licence, passport or state ID) before it can fill it. Add the ID to the patient's details and send again.",
  [C.documentType]: 'Honeybee does not accept that kind of ID document: use a driver licence, passport, military ID, permanent resident card, state ID, tribal ID or other.',
  [C.issuingCountry]: "The ID document's issuing country must be its two-letter code (e.g. US): correct it and send again.",
  [C.issuingState]: "The ID document's issuing state must be its two-letter code (e.g. TX): correct it and send again.",
  [C.documentNumber]: "The ID document number is missing: enter it from the patient's ID and send again.",
  [C.documentExpiration]: "The patient's ID document has expired or its expiry date is not a valid date: ask the patient for a current ID.",
  [C.addressFirstName]: 'The first name on the delivery address is missing or not accepted: check the delivery address.',
  [C.addressLastName]: 'The last name on the delivery address is missing or not accepted: check the delivery address.',
  [C.street1]: 'The street address is missing or not accepted: check the delivery address.',
  [C.street2]: 'The second address line (apartment, suite, unit) was not accepted: check the delivery address.',
  [C.city]: 'The city is missing or not accepted: check the delivery address.',
  [C.state]: 'The state is not a valid two-letter state code: check the delivery address.',
  [C.zip]: 'Honeybee does not recognise the ZIP code for that state: check the delivery address.',
  [C.alreadyShipped]: 'The order has already shipped, so its delivery address can no longer be changed.',
  [C.controlledAddressChange]: 'This order holds a controlled substance: changing its delivery address needs Honeybee\'s approval. Contact Honeybee partner support.',
  [C.addressNotFound]:
    'Honeybee could not find this address: check it with the patient. If you are sure it is right, send it again with "ship to this address anyway".',
  [C.stateNotShipped]: 'Honeybee does not ship to that state: deliver this order another way, or correct the state if it is wrong.',
  [C.invalidItem]: 'Honeybee does not recognise one of the items: check that the prescription belongs to this patient and is still on file with Honeybee.',
  [C.poBoxShipping]: 'That shipping method cannot deliver to a PO Box or General Delivery address: choose another shipping method or a street address.',
  [C.itemQuantity]: 'One of the items has no valid quantity or pack size: enter whole numbers of at least 1.',
  [C.shippingMethod]: 'Honeybee does not offer that shipping method: choose one from the list.',
  [C.refillsExhausted]: 'This prescription has no fills left: ask the prescriber for a new prescription.',
  [C.orderStatus]: 'Honeybee cannot do that while the order is in its current status (for example, only a shipped or delivered order can be reordered).',
  [C.simulationUnsupported]: 'The Honeybee sandbox cannot simulate that event.',
  [C.patientDob]: "Honeybee did not accept the patient's date of birth: check it in the patient's details.",
};

/**
 * Honeybee's titles for its error codes, as the simulator writes them in `errors[].message`.
 * "Invalid Address Zip" and "Invalid Address Not Found" are published; the rest follow their style (ASSUMPTION).
 */
export const HONEYBEE_ERROR_TITLES: Readonly<Record<number, string>> = {
  [C.patientEmail]: 'Invalid Patient Email', [C.patientFirstName]: 'Invalid Patient First Name', [C.patientLastName]: 'Invalid Patient Last Name',
  [C.patientPhone]: 'Invalid Patient Phone', [C.patientGender]: 'Invalid Patient Gender', [C.patientId]: 'Invalid Patient Id',
  [C.identityDocuments]: 'Invalid Patient Identity Documents', [C.documentType]: 'Invalid Document Type', [C.issuingCountry]: 'Invalid Issuing Country',
  [C.issuingState]: 'Invalid Issuing State', [C.documentNumber]: 'Invalid Document Number', [C.documentExpiration]: 'Invalid Expiration Date',
  [C.addressFirstName]: 'Invalid Address First Name', [C.addressLastName]: 'Invalid Address Last Name', [C.street1]: 'Invalid Address Street1',
  [C.street2]: 'Invalid Address Street2', [C.city]: 'Invalid Address City', [C.state]: 'Invalid Address State', [C.zip]: 'Invalid Address Zip',
  [C.alreadyShipped]: 'Address Cannot Be Updated', [C.controlledAddressChange]: 'Address Change Requires Approval',
  [C.addressNotFound]: 'Invalid Address Not Found', [C.stateNotShipped]: 'State Cannot Be Shipped To', [C.invalidItem]: 'Invalid Item',
  [C.poBoxShipping]: 'Invalid Shipping Method For Address', [C.itemQuantity]: 'Invalid Item Quantity', [C.shippingMethod]: 'Invalid Shipping Method',
  [C.refillsExhausted]: 'No Refills Remaining', [C.orderStatus]: 'Invalid Order Status', [C.simulationUnsupported]: 'Invalid Simulation',
  [C.patientDob]: 'Invalid Patient Dob',
};

/** The code Honeybee uses for a problem with a request field (a `createOrderProblems` field path). */
export function honeybeeCodeForField(field: string): number | undefined {
  const direct: Record<string, number> = {
    'shipping.method_id': C.shippingMethod,
    'patient.patient_id': C.patientId,
    'patient.first_name': C.patientFirstName,
    'patient.last_name': C.patientLastName,
    'patient.dob': C.patientDob,
    'patient.gender': C.patientGender,
    'patient.email': C.patientEmail,
    'patient.phone': C.patientPhone,
    'address.first_name': C.addressFirstName,
    'address.last_name': C.addressLastName,
    'address.street1': C.street1,
    'address.street2': C.street2,
    'address.city': C.city,
    'address.state': C.state,
    'address.zip': C.zip,
    items: C.itemQuantity,
  };
  if (direct[field] !== undefined) return direct[field];
  const document = /^patient\.identity_documents\.\d+\.(\w+)$/.exec(field)?.[1];
  if (document !== undefined) {
    const byField: Record<string, number> = {
      document_type: C.documentType,
      issuing_country: C.issuingCountry,
      issuing_state: C.issuingState,
      document_number: C.documentNumber,
      expiration_date: C.documentExpiration,
    };
    return byField[document] ?? C.identityDocuments;
  }
  const item = /^items\.\d+\.(\w+)$/.exec(field)?.[1];
  if (item !== undefined) return item === 'prescription_id' || item === 'sku' ? C.invalidItem : C.itemQuantity;
  return undefined;
}

/**
 * A refused request's body as sentences staff can act on: one per error, the code's sentence
 * plus Honeybee's field detail when it says something the sentence does not; a code RxRelay does
 * not know reads "Honeybee refused the request (code N): <Honeybee's message>". A 409 body reads
 * as the duplicate it is. Anything else gives no sentences.
 */
export function describeHoneybeeErrors(body: unknown): string[] {
  const conflict = conflictBodySchema.safeParse(body);
  if (conflict.success) {
    return ['Honeybee is already handling the same request made moments ago (a duplicate): check the patient\'s Honeybee orders before trying again.'];
  }
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return [];
  return parsed.data.errors.map((error) => {
    const known = HONEYBEE_ERROR_MESSAGES[error.code];
    const sentence = known ?? `Honeybee refused the request (code ${error.code}): ${error.message.trim() || 'no reason given'}`;
    const details = (error.error_detail ?? [])
      .filter((detail) => detail.message.trim() && detail.message.trim().toLowerCase() !== error.message.trim().toLowerCase())
      .map((detail) => (detail.field ? `${detail.field}: ${detail.message.trim()}` : detail.message.trim()));
    return details.length > 0 ? `${sentence} (Honeybee says: ${details.join('; ')})` : sentence;
  });
}

// ---- On Hold reasons (§1.10) ----------------------------------------------------------------

export type HoneybeeHoldCategory = 'address' | 'pharmacist' | 'patient_profile' | 'order' | 'inventory' | 'payment' | 'unknown';

export interface HoneybeeHoldReason {
  category: HoneybeeHoldCategory;
  /** What happened, in plain words. */
  words: string;
  /** What staff should do about it. */
  action: string;
  /** Fixing the shipping address (PUT shipping_address) is the way out of this hold. */
  canChangeAddress: boolean;
}

/** Only an address hold is resolved by changing the order's shipping address. */
function hold(category: Exclude<HoneybeeHoldCategory, 'unknown'>, words: string, action: string): HoneybeeHoldReason {
  return { category, words, action, canChangeAddress: category === 'address' };
}

/**
 * The On Hold reasons Honeybee's help centre lists, by category. ASSUMPTION: the machine names
 * (`exception.name`) are NOT FOUND — only `AddressValidationFailed` is seen, in a [3P] fixture;
 * the others are ours, in the same style. Names are matched ignoring case and separators.
 */
export const HONEYBEE_HOLD_REASONS: Readonly<Record<string, HoneybeeHoldReason>> = {
  ShippingAddressMissing: hold('address', 'The order has no shipping address.', "Add the patient's shipping address to the order."),
  StateUnavailable: hold('address', "Honeybee cannot ship to the patient's state.",
    'Correct the address if the state is wrong; otherwise cancel the order and deliver another way.'),
  AddressValidationFailed: hold('address', 'Honeybee could not verify the shipping address.',
    'Check the address with the patient and correct the shipping address.'),
  AddressMissingUnit: hold('address', 'The shipping address needs an apartment or unit number.',
    'Ask the patient for the unit number and update the shipping address.'),
  DirectionsRejected: hold('pharmacist', "Honeybee's pharmacist could not accept the directions on the prescription.",
    'Ask the prescriber to clarify the directions or send a corrected prescription.'),
  DawChangeNotPermitted: hold('pharmacist', 'The prescription says dispense as written, so Honeybee may not substitute the product it has.',
    'Ask the prescriber to allow a substitution or send a new prescription.'),
  AllergyDetected: hold('pharmacist', "Honeybee's pharmacist found a possible allergy to this medication.",
    "Confirm the patient's allergies with the patient or prescriber and answer Honeybee."),
  DrugInteractionDetected: hold('pharmacist', "Honeybee's pharmacist found a possible interaction with another of the patient's medications.",
    "Confirm the patient's medication list with the prescriber and answer Honeybee."),
  RefillTooSoon: hold('pharmacist', 'It is too soon to refill this prescription.', 'Wait until the refill is due, or cancel the order.'),
  FillDenied: hold('pharmacist', "Honeybee's pharmacist declined to fill this prescription.",
    'Contact Honeybee partner support for the reason, then tell the patient.'),
  EmailMissing: hold('patient_profile', "Honeybee needs the patient's email address.", "Get the patient's email address and send it to Honeybee."),
  DobIssue: hold('patient_profile', "There is a problem with the patient's date of birth.",
    'Check the date of birth with the patient and send the correct one to Honeybee.'),
  IdentificationInvalid: hold('patient_profile', "The patient's ID details are missing or not valid (needed for controlled substances).",
    "Add a current ID document to the patient's details."),
  SuspectedDuplicate: hold('order', 'Honeybee thinks this order duplicates another one.',
    "Check the patient's Honeybee orders; cancel the duplicate or confirm this one is wanted."),
  AwaitingInventory: hold('inventory', 'Honeybee is waiting for stock of this medication.',
    'Nothing to do unless the patient cannot wait: then cancel and fill it elsewhere.'),
  OutOfStock: hold('inventory', 'Honeybee is out of stock of this medication.', 'Cancel and fill it elsewhere, or ask the prescriber for an alternative.'),
  PaymentNotReceived: hold('payment', "Honeybee has not received the patient's payment.", 'Collect the payment, or contact Honeybee partner support.'),
};

const holdKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
const HOLD_REASONS_BY_KEY: ReadonlyMap<string, HoneybeeHoldReason> = new Map(Object.entries(HONEYBEE_HOLD_REASONS).map(([name, reason]) => [holdKey(name), reason]));

/** The hold in words and what to do; a reason RxRelay does not know falls back to Honeybee's own message. */
export function describeHoldReason(exception: HoneybeeException | null): HoneybeeHoldReason {
  const known = exception ? HOLD_REASONS_BY_KEY.get(holdKey(exception.name)) : undefined;
  if (known) return { ...known };
  const message = exception?.message.trim();
  return {
    category: 'unknown',
    words: message || 'Honeybee put the order on hold without giving a reason.',
    action: 'Contact Honeybee partner support',
    canChangeAddress: false,
  };
}

// ---- X-Honeybee-Signature (§1.9) ------------------------------------------------------------

const CGI_UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

/**
 * Form encoding as CGI / RFC 3875 writes it (Python `quote_plus(safe="")`, Ruby `CGI.escape`, Go
 * `url.QueryEscape`): `A–Z a–z 0–9 - _ . ~` kept, space as `+`, every other UTF-8 byte as `%XX`
 * in capitals. Not encodeURIComponent (keeps `!'()*`) nor querystring.escape (the same): a body
 * with any of those would be signed differently from Honeybee.
 */
export function cgiEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (byte < 0x80 && CGI_UNRESERVED.test(char)) out += char;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The X-Honeybee-Signature value: HMAC-SHA1, keyed with the lowercase hex SHA-256 of the secret
 * (the 64 ASCII characters themselves), over cgiEscape(method + url + body); then base64 of the
 * 20-byte digest followed by a newline byte (28 characters, no padding). `rawBody` must be the
 * exact text sent or received, never a re-serialisation.
 */
export function honeybeeSignature(secret: string, method: string, url: string, rawBody: string): string {
  const key = createHash('sha256').update(secret, 'utf8').digest('hex');
  const mac = createHmac('sha1', key).update(cgiEscape(method + url + rawBody), 'utf8').digest();
  return Buffer.concat([mac, Buffer.from('\n')]).toString('base64');
}

/** Whether a header (trimmed: Ruby's Base64 adds a newline) is the signature, compared in constant time. */
export function verifyHoneybeeSignature(secret: string, method: string, url: string, rawBody: string, header: string): boolean {
  if (typeof header !== 'string' || !secret) return false;
  const presented = Buffer.from(header.trim(), 'utf8');
  const expected = Buffer.from(honeybeeSignature(secret, method, url, rawBody), 'utf8');
  // The length of a signature is public (always 28); only its content must not leak through timing.
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** Whether an X-Honeybee-Secret header is the static secret set in the dashboard, in constant time. */
export function honeybeeSecretMatches(expected: string, header: string | undefined): boolean {
  return typeof header === 'string' && secretMatcher(expected)(header.trim());
}
