// An order's content as BestRx described it, after lenient parsing: BestRx's own field names,
// money in integer cents, booleans as booleans, absent optional values as null. This is what
// is stored, compared for amendments, and shown; RxRelay's own state (status, ids, events)
// lives beside it, never inside it.
import { createHash } from 'node:crypto';

export interface PostalAddress {
  address_line_1: string;
  address_line_2: string | null;
  city: string;
  state: string;
  zip_code: string;
}

/** A store or customer address, where BestRx may send only some of the lines. */
export interface PartialPostalAddress {
  address_line_1: string | null;
  address_line_2: string | null;
  city: string | null;
  state: string | null;
  zip_code: string | null;
}

export interface StoreContent {
  bestrx_pharmacy_id: string;
  delivery_provider_acct_no: string | null;
  name: string | null;
  address: PartialPostalAddress | null;
  phone: string | null;
  fax: string | null;
  email: string | null;
  ncpdp: string | null;
  npi: string | null;
  dea: string | null;
}

export interface RecipientContent {
  entity_name: string | null;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  address: PostalAddress;
  home_phone: string | null;
  work_phone: string | null;
  mobile_phone: string | null;
  fax: string | null;
  email: string | null;
}

export interface CustomerContent {
  customer_unique_id: number | null;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  address: PartialPostalAddress | null;
}

export interface PrescriptionContent {
  customer_unique_id: number | null;
  rx_number: string;
  fill_date: string | null;
  amount_due_cents: number | null;
  partial_fill_seqno: number | null;
}

export interface OtcItemContent {
  customer_unique_id: number | null;
  upc: string | null;
  item_description: string | null;
  quantity: number | null;
  amount_due_cents: number | null;
}

/** consent_type is kept exactly as sent (string, number or boolean): it is echoed back to BestRx. */
export type ConsentType = string | number | boolean;

export interface ConsentContent {
  consent_header: string | null;
  consent_text: string | null;
  consent_inputs: string[];
  consent_type: ConsentType | null;
}

export interface OrderContent {
  bestrx_pharmacy_id: string;
  bestrx_order_id: number;
  bestrx_unique_order_id: number;
  pickup_date: string | null;
  requested_delivery_date: string | null;
  service_level: string | null;
  prescription_amount_cents: number;
  otc_amount_cents: number;
  tax_amount_cents: number;
  total_amount_cents: number;
  amount_to_collect_cents: number;
  declared_amount_cents: number;
  height: string | null;
  width: string | null;
  length: string | null;
  weight: string | null;
  refrigeration_needed: boolean;
  signature_required: boolean;
  photo_id_required: boolean;
  delivery_notes: string | null;
  store: StoreContent;
  recipient: RecipientContent;
  customers: CustomerContent[];
  prescriptions: PrescriptionContent[];
  otc_items: OtcItemContent[];
  consents: ConsentContent[];
}

/** JSON with object keys sorted at every level, so equal content always serialises equally
 * (written out directly: this runs on every CreateOrder, where a replacer that rebuilds every
 * object costs more than the rest of the hashing). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

/** A fingerprint of a request body's exact text (the idempotency key's `request_hash`). */
export function requestFingerprint(bodyText: string): string {
  return createHash('sha256').update(bodyText, 'utf8').digest('base64url');
}

/** The top-level fields (BestRx's names) whose values differ between two versions of an order. */
export function changedFields(before: OrderContent, after: OrderContent): string[] {
  return (Object.keys(after) as Array<keyof OrderContent>)
    .filter((key) => canonicalJson(before[key]) !== canonicalJson(after[key]))
    .map((key) => key.replace(/_cents$/, ''));
}

export function recipientDisplayName(recipient: Pick<RecipientContent, 'entity_name' | 'first_name' | 'last_name'>): string {
  const person = [recipient.first_name, recipient.last_name].filter(Boolean).join(' ');
  if (person && recipient.entity_name) return `${person} (${recipient.entity_name})`;
  return person || recipient.entity_name || '';
}

/** Lower-cased text that orders.list's `q` searches: who, where, and every id staff might read out. */
export function searchTextFor(ids: { id: string; tracking_id: string }, content: OrderContent): string {
  const r = content.recipient;
  const parts = [
    ids.id,
    ids.tracking_id,
    String(content.bestrx_order_id),
    String(content.bestrx_unique_order_id),
    r.entity_name,
    r.first_name,
    r.middle_name,
    r.last_name,
    r.address.address_line_1,
    r.address.address_line_2,
    r.address.city,
    r.address.zip_code,
    r.home_phone,
    r.work_phone,
    r.mobile_phone,
    r.email,
    ...content.customers.flatMap((c) => [c.first_name, c.last_name]),
    ...content.prescriptions.map((p) => p.rx_number),
  ];
  return parts
    .filter((p): p is string => typeof p === 'string' && p.length > 0)
    .join(' ')
    .toLowerCase();
}
