// The three requests BestRx sends a delivery provider, as lenient schemas (field lists:
// ../shared/seeds/bestrx-dispensing-service.txt). A parse either yields the canonical content
// or a list of every problem, each naming BestRx's own field path.
import type { OrderContent } from '../domain/order-content';
import {
  calendarDate,
  dollars,
  echoedCode,
  flag,
  guid,
  isPlainObject,
  list,
  optionalObject,
  quantity,
  readBody,
  requiredObject,
  text,
  textList,
  wholeNumber,
  type FieldProblem,
  type FieldValue,
  type ParseResult,
} from './lenient-fields';

const NAME = 100;
const LINE = 200;
const NOTES = 2000;

const optionalAddress = optionalObject({
  address_line_1: text(LINE).optional(),
  address_line_2: text(LINE).optional(),
  city: text(NAME).optional(),
  state: text(NAME).optional(),
  zip_code: text(20).optional(),
});

const requiredAddress = requiredObject({
  address_line_1: text(LINE).required(),
  address_line_2: text(LINE).optional(),
  city: text(NAME).required(),
  state: text(NAME).required(),
  zip_code: text(20).required(),
});

const store = requiredObject({
  bestrx_pharmacy_id: guid().required(),
  delivery_provider_acct_no: text(NAME).optional(),
  name: text(LINE).optional(),
  address: optionalAddress,
  phone: text(40).optional(),
  fax: text(40).optional(),
  email: text(LINE).optional(),
  ncpdp: text(20).optional(),
  npi: text(20).optional(),
  dea: text(20).optional(),
});

const createOrderSchema = {
  bestrx_order_id: wholeNumber().required(),
  bestrx_unique_order_id: wholeNumber().required(),
  pickup_date: calendarDate().optional(),
  requested_delivery_date: calendarDate().optional(),
  service_level: text(NAME).optional(),
  prescription_amount: dollars().optional(),
  otc_amount: dollars().optional(),
  tax_amount: dollars().optional(),
  total_amount: dollars().required(),
  amount_to_collect: dollars().required(),
  declared_amount: dollars().optional(),
  height: text(40).optional(),
  width: text(40).optional(),
  length: text(40).optional(),
  weight: text(40).optional(),
  refrigeration_needed: flag(),
  signature_required: flag(),
  photo_id_required: flag(),
  delivery_notes: text(NOTES).optional(),
  store,
  recipient: requiredObject({
    entity_name: text(LINE).optional(),
    first_name: text(NAME).optional(),
    middle_name: text(NAME).optional(),
    last_name: text(NAME).optional(),
    address: requiredAddress,
    home_phone: text(40).optional(),
    work_phone: text(40).optional(),
    mobile_phone: text(40).optional(),
    fax: text(40).optional(),
    email: text(LINE).optional(),
  }),
  customers: list(
    {
      customer_unique_id: wholeNumber().optional(),
      first_name: text(NAME).optional(),
      middle_name: text(NAME).optional(),
      last_name: text(NAME).optional(),
      address: optionalAddress,
    },
    200,
  ),
  prescriptions: list(
    {
      customer_unique_id: wholeNumber().optional(),
      rx_number: text(40).required(),
      fill_date: calendarDate().optional(),
      amount_due: dollars().optional(),
      partial_fill_seqno: wholeNumber(9999).optional(),
    },
    500,
  ),
  otc_items: list(
    {
      customer_unique_id: wholeNumber().optional(),
      upc: text(40).optional(),
      item_description: text(LINE).optional(),
      quantity: quantity().optional(),
      amount_due: dollars().optional(),
    },
    500,
  ),
  consents: list(
    {
      consent_header: text(LINE).optional(),
      consent_text: text(10_000).optional(),
      consent_inputs: textList(20, LINE),
      consent_type: echoedCode(),
    },
    50,
  ),
};

const hasText = (value: unknown) => (typeof value === 'string' && value.trim() !== '') || typeof value === 'number';

export interface ParsedCreateOrder {
  content: OrderContent;
  /** True when any of the parts of the total was sent, so a mismatch is worth a warning. */
  totalPartsSent: boolean;
}

/** A recipient is a person (first + last name) or an organisation (entity name). Checked on
 * the raw body so it is reported even when other fields also failed. */
function checkRecipientName(body: Record<string, unknown>, problems: FieldProblem[]): void {
  const recipient = isPlainObject(body.recipient) ? body.recipient : undefined;
  if (body.recipient != null && !recipient) return; // "must be an object" is reported already
  const named = hasText(recipient?.entity_name) || (hasText(recipient?.first_name) && hasText(recipient?.last_name));
  if (!named) {
    problems.push({ field: 'recipient.first_name', problem: 'and recipient.last_name (or recipient.entity_name) are required', missing: true });
  }
}

export function parseCreateOrder(body: unknown): ParseResult<ParsedCreateOrder> {
  const parsed = readBody(createOrderSchema, body, checkRecipientName);
  if (!parsed.ok) return parsed;
  const v = parsed.value;
  const content: OrderContent = {
    bestrx_pharmacy_id: v.store.bestrx_pharmacy_id,
    bestrx_order_id: v.bestrx_order_id,
    bestrx_unique_order_id: v.bestrx_unique_order_id,
    pickup_date: v.pickup_date,
    requested_delivery_date: v.requested_delivery_date,
    service_level: v.service_level,
    prescription_amount_cents: v.prescription_amount ?? 0,
    otc_amount_cents: v.otc_amount ?? 0,
    tax_amount_cents: v.tax_amount ?? 0,
    total_amount_cents: v.total_amount,
    amount_to_collect_cents: v.amount_to_collect,
    declared_amount_cents: v.declared_amount ?? 0,
    height: v.height,
    width: v.width,
    length: v.length,
    weight: v.weight,
    refrigeration_needed: v.refrigeration_needed,
    signature_required: v.signature_required,
    photo_id_required: v.photo_id_required,
    delivery_notes: v.delivery_notes,
    store: v.store,
    recipient: {
      ...v.recipient,
      address: { ...v.recipient.address, state: v.recipient.address.state.toUpperCase() },
    },
    customers: v.customers,
    prescriptions: v.prescriptions.map((p) => ({
      customer_unique_id: p.customer_unique_id,
      rx_number: p.rx_number,
      fill_date: p.fill_date,
      amount_due_cents: p.amount_due,
      partial_fill_seqno: p.partial_fill_seqno,
    })),
    otc_items: v.otc_items.map((o) => ({
      customer_unique_id: o.customer_unique_id,
      upc: o.upc,
      item_description: o.item_description,
      quantity: o.quantity,
      amount_due_cents: o.amount_due,
    })),
    consents: v.consents,
  };
  const raw = body as Record<string, unknown>;
  const totalPartsSent = [raw.prescription_amount, raw.otc_amount, raw.tax_amount].some((x) => x !== undefined && x !== null);
  return { ok: true, value: { content, totalPartsSent } };
}

const cancelOrderSchema = {
  bestrx_order_id: wholeNumber().required(),
  bestrx_unique_order_id: wholeNumber().required(),
  provider_order_id: text(64).optional(),
  tracking_id: text(64).optional(),
  store: requiredObject({ bestrx_pharmacy_id: guid().required() }),
  notes: text(NOTES).optional(),
};

export type ParsedCancelOrder = { [K in keyof typeof cancelOrderSchema]: FieldValue<(typeof cancelOrderSchema)[K]> };

export function parseCancelOrder(body: unknown): ParseResult<ParsedCancelOrder> {
  return readBody(cancelOrderSchema, body);
}

const validateAddressSchema = {
  address_to_validate: requiredObject({
    address_line_1: text(LINE).required(),
    address_line_2: text(LINE).optional(),
    city: text(NAME).optional(),
    state: text(NAME).optional(),
    zip_code: text(20).optional(),
  }),
};

export type ParsedValidateAddress = { [K in keyof typeof validateAddressSchema]: FieldValue<(typeof validateAddressSchema)[K]> };

/** Without a ZIP the city and state are what place the address; without either it cannot be checked. */
function checkAddressIsPlaceable(body: Record<string, unknown>, problems: FieldProblem[]): void {
  const address = isPlainObject(body.address_to_validate) ? body.address_to_validate : undefined;
  if (address && !hasText(address.zip_code) && !(hasText(address.city) && hasText(address.state))) {
    problems.push({ field: 'address_to_validate.zip_code', problem: '(or city and state) is required', missing: true });
  }
}

export function parseValidateAddress(body: unknown): ParseResult<ParsedValidateAddress> {
  return readBody(validateAddressSchema, body, checkAddressIsPlaceable);
}
