// United Pharmacy's partner API (../shared/seeds/united-pharmacy-api.txt): its paths, the
// shapes of what goes over the wire, and its validation rules, in one module shared by the
// client (which checks every request before sending it) and the sandbox simulator (which
// enforces the same rules, so a request the sandbox accepts is one the client would send).
//
// United publishes its rules and some response shapes (pharmacies, medications, webhooks); the
// rest is NOT FOUND (vendor-facts.md §3): the auth responses, the patient and order shapes, how an
// order is read back. Every shape defined here without a source is marked ASSUMPTION — confirm it
// against United's Swagger file or the sandbox tenant before going live; each lives only here.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const UNITED_SANDBOX_TENANT = 'sandbox';
/** "Base URL: http://localhost:8082/pharmacy/sandbox/api/v1 (Local Development)" (seed, Sandbox). */
export const UNITED_SANDBOX_PORT = 8082;
export const UNITED_PRODUCTION_BASE_URL_EXAMPLE = 'https://api.yourcompany.com/pharmacy/{tenant}/api/v1';

/** `/pharmacy/{tenant}/api/v1` — every path below is relative to it. */
export function unitedApiPrefix(tenant: string): string {
  return `/pharmacy/${encodeURIComponent(tenant)}/api/v1`;
}

// ---- limits the seed states -------------------------------------------------------------

/** Seed, "Access Token Validity: 30 days", "Refresh Token Validity: 60 days". */
export const ACCESS_TOKEN_LIFETIME_S = 30 * 24 * 3600;
export const REFRESH_TOKEN_LIFETIME_S = 60 * 24 * 3600;
/** Seed, "Limit: 20 credentials per tenant". */
export const MAX_CREDENTIALS_PER_TENANT = 20;
/** Seed, patients "default: 15 items per page, max: 100". */
export const PATIENTS_DEFAULT_PER_PAGE = 15;
export const PATIENTS_MAX_PER_PAGE = 100;
export const PATIENT_EMAIL_SEARCH_MAX = 80;
/** Seed, medications "paginated at 25 items per page". */
export const MEDICATIONS_PER_PAGE = 25;
/** Seed, order constraints. */
export const ORDER_LIMITS = {
  dispenseQuantity: { min: 1, max: 1000 },
  daysSupply: { min: 1, max: 365 },
  memo: 1024,
  clinicalNotes: 2048,
  reference: 100,
  webhookUrls: 5,
} as const;
/** Seed, "we retry 3 times with a 60-second delay between attempts". */
export const WEBHOOK_RETRIES = 3;
export const WEBHOOK_RETRY_DELAY_MS = 60_000;
export const WEBHOOK_EVENT_HEADER = 'x-webhook-event';
export const WEBHOOK_SIGNATURE_HEADER = 'x-webhook-signature';

export const UNITED_ORDER_STATUSES = ['pending', 'confirmed', 'processing', 'shipped', 'delivered', 'cancelled', 'failed', 'refunded'] as const;
export type UnitedOrderStatus = (typeof UNITED_ORDER_STATUSES)[number];
export const UNITED_WEBHOOK_EVENTS = [
  'order.created',
  'order.confirmed',
  'order.processing',
  'order.shipped',
  'order.delivered',
  'order.cancelled',
  'order.failed',
  'order.refunded',
] as const;
export type UnitedWebhookEvent = (typeof UNITED_WEBHOOK_EVENTS)[number];

/** The webhook event announcing a status (`pending` is announced as `order.created`). */
export function webhookEventFor(status: UnitedOrderStatus): UnitedWebhookEvent {
  return status === 'pending' ? 'order.created' : (`order.${status}` as UnitedWebhookEvent);
}

// ---- authentication (ASSUMPTION: shapes not published) ----------------------------------

/** POST auth/credentials body. ASSUMPTION: the setup token travels in the body; a valid access
 * token (Bearer) may be used instead to create a second credential for rotation. */
export const createCredentialRequest = z.object({
  setup_token: z.string().min(1).optional(),
  name: z.string().trim().min(1).max(100).optional(),
});
export type CreateCredentialRequest = z.infer<typeof createCredentialRequest>;

export const credentialSchema = z.object({
  client_id: z.string(),
  name: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable().optional(),
});
export type UnitedCredential = z.infer<typeof credentialSchema>;

/** POST auth/credentials answer (ASSUMPTION). The secret is shown once; `webhook_secret`, the key
 * of webhook signatures, is the tenant's (ASSUMPTION: United does not say where it comes from). */
export const createdCredentialSchema = credentialSchema.extend({
  client_secret: z.string(),
  webhook_secret: z.string().optional(),
});
export type UnitedCreatedCredential = z.infer<typeof createdCredentialSchema>;

export const tokenRequest = z.object({ client_id: z.string().min(1), client_secret: z.string().min(1) });
export const refreshRequest = z.object({ refresh_token: z.string().min(1) });

/** POST auth/token and auth/refresh answer (ASSUMPTION: OAuth-style field names). */
export const tokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.string(),
  expires_in: z.number().int().positive(),
  refresh_token: z.string(),
  refresh_expires_in: z.number().int().positive(),
});
export type UnitedTokenResponse = z.infer<typeof tokenResponseSchema>;

export const renameCredentialRequest = z.object({ name: z.string().trim().min(1).max(100) });

// ---- envelopes --------------------------------------------------------------------------

/** `{ data: T }`, as the seed's pharmacy and medication examples show. */
export function dataEnvelope<T extends z.ZodType>(schema: T) {
  return z.object({ data: schema });
}

export const paginationSchema = z.object({
  page: z.number().int(),
  per_page: z.number().int(),
  total: z.number().int(),
  total_pages: z.number().int(),
});
export type UnitedPagination = z.infer<typeof paginationSchema>;

export function pageEnvelope<T extends z.ZodType>(schema: T) {
  return z.object({ data: z.array(schema), pagination: paginationSchema });
}

/** Error body (ASSUMPTION: Laravel's `{ message, errors: { field: [text] } }`). */
export const errorBodySchema = z.object({
  message: z.string(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});
export type UnitedErrorBody = z.infer<typeof errorBodySchema>;

// ---- pharmacies and medications (published shapes) --------------------------------------

export const pharmacySchema = z.object({ id: z.string(), name: z.string(), slug: z.string(), status: z.string() });
export type UnitedPharmacy = z.infer<typeof pharmacySchema>;

export const medicationSchema = z.object({
  medication_id: z.string(),
  name: z.string(),
  strength: z.string().nullable(),
  form: z.string().nullable(),
  formulation: z.string().nullable(),
  quantity: z.string().nullable(),
  quantity_units: z.string().nullable(),
  schedule_code: z.string().nullable(),
  type: z.string().nullable(),
  pharmacy: z.string().nullable(),
  /** Dollars as a string ("188.00"). */
  price: z.string(),
});
export type UnitedMedication = z.infer<typeof medicationSchema>;

// ---- patients (rules published; field names ASSUMPTION) ---------------------------------

export const GENDERS = ['M', 'F', 'U'] as const;

export const patientAddressSchema = z.object({
  line1: z.string(),
  line2: z.string().nullable().optional(),
  city: z.string(),
  state: z.string(),
  zip: z.string(),
});

export const patientInputSchema = z.object({
  first_name: z.string(),
  last_name: z.string(),
  email: z.string(),
  date_of_birth: z.string(),
  gender: z.enum(GENDERS),
  phone_home: z.string().nullable().optional(),
  phone_work: z.string().nullable().optional(),
  phone_cell: z.string().nullable().optional(),
  address: patientAddressSchema,
});
export type UnitedPatientInput = z.infer<typeof patientInputSchema>;

export const patientSchema = patientInputSchema.extend({
  uuid: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type UnitedPatient = z.infer<typeof patientSchema>;

const NAME_PATTERN = /^[A-Za-z][A-Za-z' -]*$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Every way a patient breaks United's published rules (seed, "Validation Rules"), in words a
 * counter clerk can act on; empty when United will accept it. `today` is YYYY-MM-DD.
 */
export function patientProblems(patient: UnitedPatientInput, today: string): string[] {
  const problems: string[] = [];
  for (const [field, label] of [
    ['first_name', 'first name'],
    ['last_name', 'last name'],
  ] as const) {
    const value = patient[field];
    if (!value.trim()) problems.push(`${field}: the patient's ${label} is required.`);
    else if (value.length > 35) problems.push(`${field}: United accepts at most 35 characters in a name ("${value}" has ${value.length}).`);
    else if (!NAME_PATTERN.test(value)) problems.push(`${field}: United accepts only letters, spaces, hyphens and apostrophes in a name ("${value}").`);
  }
  if (!EMAIL.test(patient.email)) problems.push(`email: "${patient.email}" is not an email address.`);
  if (!ISO_DATE.test(patient.date_of_birth) || Number.isNaN(Date.parse(`${patient.date_of_birth}T00:00:00Z`))) {
    problems.push(`date_of_birth: use YYYY-MM-DD ("${patient.date_of_birth}").`);
  } else if (patient.date_of_birth >= today) {
    problems.push('date_of_birth: the date of birth must be in the past.');
  }
  if (!(GENDERS as readonly string[]).includes(patient.gender)) problems.push('gender: use M, F or U.');
  for (const field of ['phone_home', 'phone_work', 'phone_cell'] as const) {
    const value = patient[field];
    if (value != null && !/^\d{10}$/.test(value)) problems.push(`${field}: United needs exactly 10 digits ("${value}").`);
  }
  if (!patient.address.line1.trim()) problems.push('address.line1: the street address is required.');
  if (!patient.address.city.trim()) problems.push('address.city: the city is required.');
  if (!/^[A-Z]{2}$/.test(patient.address.state)) problems.push(`address.state: use the 2-letter state code ("${patient.address.state}").`);
  if (!/^(\d{5}|\d{9})$/.test(patient.address.zip)) problems.push(`address.zip: United needs a 5 or 9 digit ZIP ("${patient.address.zip}").`);
  return problems;
}

// ---- orders (rules published; response shape ASSUMPTION) --------------------------------

export const orderInputSchema = z.object({
  patient_id: z.string(),
  pharmacy_id: z.string(),
  medication_id: z.string(),
  dispense_quantity: z.number(),
  days_supply: z.number().optional(),
  order_id: z.string().optional(),
  customer_id: z.string().optional(),
  memo: z.string().optional(),
  clinical_notes: z.string().optional(),
  webhook_urls: z.array(z.string()).optional(),
});
export type UnitedOrderInput = z.infer<typeof orderInputSchema>;

/** Every way an order breaks United's published constraints (seed, "Order Processing"). */
export function orderProblems(order: UnitedOrderInput): string[] {
  const problems: string[] = [];
  for (const field of ['patient_id', 'pharmacy_id', 'medication_id'] as const) {
    if (!order[field]?.trim()) problems.push(`${field} is required.`);
  }
  const { dispenseQuantity, daysSupply } = ORDER_LIMITS;
  if (!Number.isInteger(order.dispense_quantity) || order.dispense_quantity < dispenseQuantity.min || order.dispense_quantity > dispenseQuantity.max) {
    problems.push(`dispense_quantity must be a whole number from ${dispenseQuantity.min} to ${dispenseQuantity.max}.`);
  }
  if (order.days_supply !== undefined && (!Number.isInteger(order.days_supply) || order.days_supply < daysSupply.min || order.days_supply > daysSupply.max)) {
    problems.push(`days_supply must be a whole number from ${daysSupply.min} to ${daysSupply.max}.`);
  }
  if (order.memo !== undefined && order.memo.length > ORDER_LIMITS.memo) problems.push(`memo is longer than ${ORDER_LIMITS.memo} characters.`);
  if (order.clinical_notes !== undefined && order.clinical_notes.length > ORDER_LIMITS.clinicalNotes) {
    problems.push(`clinical_notes is longer than ${ORDER_LIMITS.clinicalNotes} characters.`);
  }
  for (const field of ['order_id', 'customer_id'] as const) {
    const value = order[field];
    if (value !== undefined && value.length > ORDER_LIMITS.reference) problems.push(`${field} is longer than ${ORDER_LIMITS.reference} characters.`);
  }
  if (order.webhook_urls !== undefined) {
    if (order.webhook_urls.length > ORDER_LIMITS.webhookUrls) problems.push(`at most ${ORDER_LIMITS.webhookUrls} webhook_urls.`);
    for (const url of order.webhook_urls) {
      if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) problems.push(`webhook_urls: "${url}" is not an http(s) URL.`);
    }
  }
  return problems;
}

export const shippingSchema = z.object({
  carrier: z.string().nullable(),
  tracking: z.string().nullable(),
  shipping_status: z.string().nullable(),
});
export type UnitedShipping = z.infer<typeof shippingSchema>;

/** An order as United answers it (ASSUMPTION: POST /orders, GET /orders/{uuid}, GET /orders?order_id=). */
export const orderSchema = z.object({
  uuid: z.string(),
  order_id: z.string().nullable(),
  customer_id: z.string().nullable(),
  status: z.enum(UNITED_ORDER_STATUSES),
  patient_id: z.string(),
  pharmacy_id: z.string(),
  medication_id: z.string(),
  dispense_quantity: z.number(),
  days_supply: z.number().nullable(),
  shipping: shippingSchema.nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type UnitedOrder = z.infer<typeof orderSchema>;

// ---- webhooks (published shape) ---------------------------------------------------------

export const webhookPayloadSchema = z.object({
  event: z.string(),
  order: z.object({
    uuid: z.string(),
    order_id: z.string().nullable().optional(),
    customer_id: z.string().nullable().optional(),
    status: z.enum(UNITED_ORDER_STATUSES),
  }),
  shipping: shippingSchema.partial().optional(),
  timestamp: z.string(),
});
export type UnitedWebhookPayload = z.infer<typeof webhookPayloadSchema>;

// ---- webhook signatures -----------------------------------------------------------------

/**
 * X-Webhook-Signature: "HMAC-SHA256 of the raw JSON payload using your webhook secret" (seed).
 * ASSUMPTION: lowercase hex, as most HMAC webhook senders write it; a `sha256=` prefix (GitHub's
 * style) is tolerated on receipt.
 */
export function signWebhookBody(secret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** Compares in constant time, so a forger learns nothing from how long a refusal takes. */
export function webhookSignatureMatches(secret: string, rawBody: string | Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const sent = header.trim().replace(/^sha256=/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sent)) return false;
  return timingSafeEqual(Buffer.from(sent, 'hex'), Buffer.from(signWebhookBody(secret, rawBody), 'hex'));
}
