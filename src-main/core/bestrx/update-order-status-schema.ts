// What BestRx's POST /Order/UpdateOrderStatus accepts: the single definition, from the seed
// document (../shared/seeds/bestrx-dispensing-service.txt, "This message is sent from the
// delivery/shipping provider to BestRx"). RxRelay's status outbox builds its payloads typed by
// `UpdateOrderStatusPayload`; the BestRx simulator refuses anything this schema refuses, so a
// payload that drifts from the seed fails in tests rather than at a pharmacy.
//
// Deliberately strict (BestRx publishes no schema beyond the example, so the example's shape is
// the contract):
// - every key of the seed example is required, except `signer_info`, which is null or absent
//   when nothing was signed; unknown keys are refused, which catches misspellings;
// - the seed's own spelling `status_Code_description` (capital C) — vendor-facts.md §2.8;
// - codes (`status_code`, `relation`, `id_type`) are numeric text, as in the example;
// - `consent_type` is echoed exactly as BestRx sent it in CreateOrder (a number or text in
//   BestRx's examples);
// - `signature` is empty, or base64 of a PNG image (no `data:` prefix); `signature_url` is
//   empty or an http(s) URL; `jurisdiction`, `id_type` and `id_no` are text, empty when no ID
//   was checked (never null: the seed shows no nulls, and "" cannot be misread).
import { z } from 'zod';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMERIC_CODE = /^\d{1,4}$/;
const NOT_BLANK = /\S/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const text = (maxLength: number) => z.string({ error: 'must be text' }).max(maxLength, `must be at most ${maxLength} characters`);
const requiredText = (maxLength: number) => text(maxLength).regex(NOT_BLANK, 'must not be empty');
const numericCode = (example: string) => {
  const message = `must be a numeric code written as text (e.g. "${example}")`;
  return z.string({ error: message }).regex(NUMERIC_CODE, message);
};
const wholeNumber = z
  .number({ error: 'must be a whole number (e.g. 123456789)' })
  .int('must be a whole number (e.g. 123456789)')
  .nonnegative('must not be negative');

/** Base64 of a PNG: canonical base64 whose bytes start with the PNG signature. */
export function isBase64Png(value: string): boolean {
  if (value.length < 12 || !BASE64.test(value)) return false;
  return Buffer.from(value.slice(0, 12), 'base64').subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const orderStatusSchema = z.strictObject({
  date: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone (e.g. 2022-09-10T09:47:27.5232761Z)' }),
  status_code: numericCode('7'),
  status_Code_description: requiredText(100),
  status_notes: text(2000),
});

const signerInfoSchema = z.strictObject({
  relation: numericCode('3'),
  first_name: requiredText(100),
  last_name: requiredText(100),
  jurisdiction: text(50),
  id_type: z
    .string({ error: 'must be a numeric code written as text (e.g. "6"), or empty when no ID was checked' })
    .regex(/^(?:\d{1,4})?$/, 'must be a numeric code written as text (e.g. "6"), or empty when no ID was checked'),
  id_no: text(100),
});

const consentInfoSchema = z.strictObject({
  // Whatever BestRx sent in CreateOrder comes back unchanged; RxRelay's reader also lets
  // true/false and null through, so those are echoes too.
  consent_type: z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'must be echoed exactly as BestRx sent it in CreateOrder (text, number, true/false or null)' }),
  consent_response: requiredText(200),
});

export const updateOrderStatusSchema = z.strictObject({
  bestrx_pharmacy_id: z.string({ error: 'must be a GUID (e.g. ef0a4740-0be9-44f7-b89d-9e66eeba0b9a)' }).regex(GUID, 'must be a GUID (e.g. ef0a4740-0be9-44f7-b89d-9e66eeba0b9a)'),
  bestrx_order_id: wholeNumber,
  bestrx_unique_order_id: wholeNumber,
  provider_order_id: requiredText(64),
  tracking_id: requiredText(64),
  order_status: orderStatusSchema,
  signature: z
    .string({ error: 'must be text: empty, or a base64-encoded PNG image' })
    .refine((value) => value === '' || isBase64Png(value), 'must be empty or a base64-encoded PNG image (plain base64, no data: prefix)'),
  signature_url: z.string({ error: 'must be text: empty, or a URL' }).refine((value) => value === '' || isHttpUrl(value), 'must be empty or an http(s) URL'),
  signer_info: signerInfoSchema.nullable().optional(),
  consent_info: z.array(consentInfoSchema, { error: 'must be a list (empty when no consent was asked)' }).max(50, 'must have at most 50 entries'),
});

/** An UpdateOrderStatus request body exactly as BestRx accepts it. */
export type UpdateOrderStatusPayload = z.infer<typeof updateOrderStatusSchema>;
export type UpdateOrderStatusOrderStatus = UpdateOrderStatusPayload['order_status'];
export type UpdateOrderStatusSignerInfo = NonNullable<UpdateOrderStatusPayload['signer_info']>;
export type UpdateOrderStatusConsentInfo = UpdateOrderStatusPayload['consent_info'][number];

export interface PayloadProblem {
  /** BestRx's own field path: `order_status.status_code`, `consent_info[0].consent_response`. */
  field: string;
  problem: string;
  missing: boolean;
}

export type PayloadCheck = { ok: true; payload: UpdateOrderStatusPayload } | { ok: false; problems: PayloadProblem[] };

/** Spellings a provider is likely to use by mistake, and what BestRx calls the field. */
const KNOWN_MISSPELLINGS: Readonly<Record<string, string>> = {
  status_code_description: 'status_Code_description',
  Status_Code_Description: 'status_Code_description',
  consents: 'consent_info',
  signer: 'signer_info',
};

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Checks a body against the schema; on failure, one problem per bad field, named by BestRx's path. */
export function checkUpdateOrderStatus(body: unknown): PayloadCheck {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, problems: [{ field: '(body)', problem: 'must be a JSON object', missing: false }] };
  }
  const result = updateOrderStatusSchema.safeParse(body);
  if (result.success) return { ok: true, payload: result.data };
  const problems: PayloadProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = KNOWN_MISSPELLINGS[key];
        problems.push({
          field: fieldPath([...issue.path, key]),
          problem: hint ? `is not a field BestRx knows; it is spelled ${hint}` : 'is not a field BestRx knows',
          missing: false,
        });
      }
      continue;
    }
    const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_union') && valueAt(body, issue.path) === undefined;
    problems.push({ field: fieldPath(issue.path), problem: missing ? 'is required' : issue.message, missing });
  }
  return { ok: false, problems };
}

// ---- BestRx's answer -------------------------------------------------------------------------

export interface UpdateOrderStatusMessage {
  message_code: string;
  message: string;
  /** 0 Information, 1 Warning, 2 Error, 3 Success, 4 Unknown (RxRelay's default message_type table). */
  message_type: number;
}

/** BestRx's answer as the seed shows it: `status_updated` is the text "true" or "false". */
export interface UpdateOrderStatusAnswer {
  data: Record<string, never>;
  status_updated: 'true' | 'false' | boolean;
  messages: UpdateOrderStatusMessage[];
}

/**
 * Whether an answer body says the status was updated. The seed writes `"true"`; a .NET service
 * may as well send `true` or `"True"`, so all are read. Undefined when the body does not say.
 * A 200 whose body says false is a failure (product spec, "Status pushes").
 */
export function statusUpdatedIn(answer: unknown): boolean | undefined {
  if (answer === null || typeof answer !== 'object') return undefined;
  const value = (answer as { status_updated?: unknown }).status_updated;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}
