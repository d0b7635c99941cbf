// Orders for the label tests: the seed CreateOrder request (test/fixtures/bestrx) as the
// LabelOrder the app would hand to the labels, plus variations built from it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabelOrder } from '../../../src-main/core/labels';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');

interface SeedAddress {
  address_line_1: string;
  address_line_2: string | null;
  city: string;
  state: string;
  zip_code: string;
}

interface SeedRequest {
  bestrx_order_id: number;
  bestrx_unique_order_id: number;
  pickup_date: string;
  requested_delivery_date: string;
  service_level: string;
  total_amount: number;
  amount_to_collect: number;
  height: string;
  width: string;
  length: string;
  weight: string;
  refrigeration_needed: string;
  signature_required: string;
  photo_id_required: string;
  delivery_notes: string;
  store: {
    bestrx_pharmacy_id: string;
    delivery_provider_acct_no: string;
    name: string;
    address: SeedAddress;
    phone: string;
    fax: string;
    email: string;
    ncpdp: number;
    npi: string;
    dea: string;
  };
  recipient: {
    entity_name: string;
    first_name: string;
    middle_name: string;
    last_name: string;
    address: SeedAddress;
    home_phone: string;
    work_phone: string;
    mobile_phone: string;
    fax: string;
    email: string;
  };
  customers: Array<{ customer_unique_id: number; first_name: string; middle_name: string; last_name: string; address: SeedAddress }>;
  prescriptions: Array<{ customer_unique_id: number; rx_number: number; fill_date: string; amount_due: number; partial_fill_seqno: number }>;
  otc_items: Array<{ customer_unique_id: number; upc: string; item_description: string; quantity: number; amount_due: number }>;
  consents: Array<{ consent_header: string; consent_text: string; consent_inputs: string[]; consent_type: string }>;
}

const seed = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/bestrx/create-order.request.json'), 'utf8')) as SeedRequest;

export const SEED_TRACKING_ID = '4417123456789113';
export const SEED_TRACKING_URL = `https://track.rxrelay.test/t/${SEED_TRACKING_ID}`;

/** The seed order as RxRelay stores it: fixed provider and tracking ids, so golden files are stable. */
export function seedLabelOrder(): LabelOrder {
  return {
    id: 'RXR-0RCXK4M7QW2ZD9',
    tracking_id: SEED_TRACKING_ID,
    bestrx_order_id: seed.bestrx_order_id,
    origin: 'bestrx',
    bestrx_unique_order_id: seed.bestrx_unique_order_id,
    store: {
      ...seed.store,
      ncpdp: String(seed.store.ncpdp),
      address: { ...seed.store.address },
    },
    recipient: { ...seed.recipient, address: { ...seed.recipient.address } },
    flags: {
      refrigeration_needed: seed.refrigeration_needed === 'true',
      signature_required: seed.signature_required === 'true',
      photo_id_required: seed.photo_id_required === 'true',
    },
    amount_to_collect: seed.amount_to_collect,
    total_amount: seed.total_amount,
    service_level: seed.service_level,
    pickup_date: seed.pickup_date,
    requested_delivery_date: seed.requested_delivery_date,
    package: { height: seed.height, width: seed.width, length: seed.length, weight: seed.weight },
    customers: seed.customers.map((c) => ({ ...c, address: { ...c.address } })),
    prescriptions: seed.prescriptions.map((p) => ({ ...p, rx_number: String(p.rx_number) })),
    otc_items: seed.otc_items.map((o) => ({ ...o })),
    consents: seed.consents.map((c) => ({ ...c, consent_inputs: [...c.consent_inputs] })),
    delivery_notes: seed.delivery_notes,
  };
}

/** The seed order with every flag up, so each inverted box is drawn. */
export function allFlagsOrder(): LabelOrder {
  const order = seedLabelOrder();
  order.flags = { refrigeration_needed: true, signature_required: true, photo_id_required: true };
  return order;
}

/** Names and addresses longer than any label line: they must wrap, shrink or be cut, never overflow. */
export function longTextOrder(): LabelOrder {
  const order = allFlagsOrder();
  order.recipient.first_name = 'Maximiliana-Wilhelmina Alexandrova-Konstantinopoulou';
  order.recipient.middle_name = 'Bartholomew-Christophersen';
  order.recipient.last_name = 'Vanderschuyt-Oppenheimer-Castellanos';
  order.recipient.entity_name = 'The Extraordinarily Long Named Assisted Living & Rehabilitation Center of Bloomingdale';
  order.recipient.address.address_line_1 =
    '12345 North Extraordinarily Long Boulevard Of The Grand Republic Between Fifth And Sixth Avenue Building C Entrance Four';
  order.recipient.address.address_line_2 = 'Attention Receiving Department Loading Dock Number 7 Behind The Blue Dumpster';
  order.recipient.address.city = 'Rancho Santa Margarita Del Norte Springs';
  order.store.name = 'Bloomingdale Community Compounding & Specialty Pharmacy of Northern Illinois';
  order.service_level = 'Same day express before noon — priority handling';
  order.delivery_notes = 'Ring twice. '.repeat(40);
  order.amount_to_collect = 12345.67;
  return order;
}
