// The three requests BestRx sends a delivery provider, as lenient zod schemas
// (field lists: ../shared/seeds/bestrx-dispensing-service.txt). A parse either yields the
// canonical content or a list of every problem, each naming BestRx's own field path.
import { z } from 'zod';
import type { OrderContent } from '../domain/order-content';
import {
  calendarDate,
  dollars,
  echoedCode,
  fieldProblems,
  flag,
  guid,
  list,
  optionalObject,
  quantity,
  requiredObject,
  text,
  textList,
  wholeNumber,
  type FieldProblem,
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

const createOrderSchema = z.object({
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
    z.object(
      {
        customer_unique_id: wholeNumber().optional(),
        first_name: text(NAME).optional(),
        middle_name: text(NAME).optional(),
        last_name: text(NAME).optional(),
        address: optionalAddress,
      },
      { error: 'must be an object' },
    ),
    200,
  ),
  prescriptions: list(
    z.object(
      {
        customer_unique_id: wholeNumber().optional(),
        rx_number: text(40).required(),
        fill_date: calendarDate().optional(),
        amount_due: dollars().optional(),
        partial_fill_seqno: wholeNumber(9999).optional(),
      },
      { error: 'must be an object' },
    ),
    500,
  ),
  otc_items: list(
    z.object(
      {
        customer_unique_id: wholeNumber().optional(),
        upc: text(40).optional(),
        item_description: text(LINE).optional(),
        quantity: quantity().optional(),
        amount_due: dollars().optional(),
      },
      { error: 'must be an object' },
    ),
    500,
  ),
  consents: list(
    z.object(
      {
        consent_header: text(LINE).optional(),
        consent_text: text(10_000).optional(),
        consent_inputs: textList(20, LINE),
        consent_type: echoedCode(),
      },
      { error: 'must be an object' },
    ),
    50,
  ),
});

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const hasText = (value: unknown) => (typeof value === 'string' && value.trim() !== '') || typeof value === 'number';

export interface ParsedCreateOrder {
  content: OrderContent;
  /** True when any of the parts of the total was sent, so a mismatch is worth a warning. */
  totalPartsSent: boolean;
}

export function parseCreateOrder(body: unknown): ParseResult<ParsedCreateOrder> {
  if (!isPlainObject(body)) return { ok: false, problems: [{ field: '(body)', problem: 'must be a JSON object', missing: false }] };
  const parsed = createOrderSchema.safeParse(body);
  const problems = parsed.success ? [] : fieldProblems(parsed.error);

  // A recipient is a person (first + last name) or an organisation (entity name). Checked on
  // the raw body so it is reported even when other fields also failed.
  const recipient = isPlainObject(body.recipient) ? body.recipient : undefined;
  if (body.recipient == null || recipient) {
    const named = hasText(recipient?.entity_name) || (hasText(recipient?.first_name) && hasText(recipient?.last_name));
    if (!named) {
      problems.push({
        field: 'recipient.first_name',
        problem: 'and recipient.last_name (or recipient.entity_name) are required',
        missing: true,
      });
    }
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems };

  const v = parsed.data;
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
  const totalPartsSent = [body.prescription_amount, body.otc_amount, body.tax_amount].some((x) => x !== undefined && x !== null);
  return { ok: true, value: { content, totalPartsSent } };
}

const cancelOrderSchema = z.object({
  bestrx_order_id: wholeNumber().required(),
  bestrx_unique_order_id: wholeNumber().required(),
  provider_order_id: text(64).optional(),
  tracking_id: text(64).optional(),
  store: requiredObject({ bestrx_pharmacy_id: guid().required() }),
  notes: text(NOTES).optional(),
});

export type ParsedCancelOrder = z.output<typeof cancelOrderSchema>;

export function parseCancelOrder(body: unknown): ParseResult<ParsedCancelOrder> {
  if (!isPlainObject(body)) return { ok: false, problems: [{ field: '(body)', problem: 'must be a JSON object', missing: false }] };
  const parsed = cancelOrderSchema.safeParse(body);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problems: fieldProblems(parsed.error) };
}

const validateAddressSchema = z.object({
  address_to_validate: requiredObject({
    address_line_1: text(LINE).required(),
    address_line_2: text(LINE).optional(),
    city: text(NAME).optional(),
    state: text(NAME).optional(),
    zip_code: text(20).optional(),
  }),
});

export type ParsedValidateAddress = z.output<typeof validateAddressSchema>;

export function parseValidateAddress(body: unknown): ParseResult<ParsedValidateAddress> {
  if (!isPlainObject(body)) return { ok: false, problems: [{ field: '(body)', problem: 'must be a JSON object', missing: false }] };
  const parsed = validateAddressSchema.safeParse(body);
  const problems = parsed.success ? [] : fieldProblems(parsed.error);
  const address = isPlainObject(body.address_to_validate) ? body.address_to_validate : undefined;
  // Without a ZIP the city and state are what place the address; without either it cannot be checked.
  if (address && !hasText(address.zip_code) && !(hasText(address.city) && hasText(address.state))) {
    problems.push({ field: 'address_to_validate.zip_code', problem: '(or city and state) is required', missing: true });
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  return { ok: true, value: parsed.data };
}
