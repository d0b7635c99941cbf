// The BestRx seed document's examples (../shared/seeds/bestrx-dispensing-service.txt), copied
// here value for value so the product never reads test fixtures at run time. A unit test proves
// each constant still equals its fixture in test/fixtures/bestrx/.
//
// Builders return fresh copies: a caller may change what it gets without changing the seed.
import type { CancelOrderBody, BestRxStoreBody, CreateOrderBody, ValidateAddressBody } from './bestrx-request-bodies';
import type { UpdateOrderStatusAnswer, UpdateOrderStatusPayload } from '../../bestrx/update-order-status-schema';

/** The seed's pharmacy ("BestRx Pharmacy", Oak Brook), as CreateOrder sends it (ncpdp a number). */
export const SEED_STORE: Readonly<BestRxStoreBody> = Object.freeze({
  bestrx_pharmacy_id: 'ef0a4740-0be9-44f7-b89d-9e66eeba0b9a',
  delivery_provider_acct_no: '98989898',
  name: 'BestRx Pharmacy',
  address: {
    address_line_1: '2625 Butterfield Rd',
    address_line_2: 'Suite 200S',
    city: 'Oak Brook',
    state: 'IL',
    zip_code: '60523',
  },
  phone: '6308939210',
  fax: '6303393171',
  email: 'pharmacy@bestrx.com',
  ncpdp: 1234567,
  npi: '1234567890',
  dea: 'BR1234563',
});

/** CancelOrder and ValidateAddress send the same store with ncpdp as a string. */
const seedStoreWithTextNcpdp = (): BestRxStoreBody => ({ ...structuredClone(SEED_STORE), ncpdp: '1234567' });

const SEED_CREATE_ORDER: CreateOrderBody = {
  bestrx_order_id: 123456789,
  bestrx_unique_order_id: 1001,
  pickup_date: '2020-05-31',
  requested_delivery_date: '2020-06-02',
  service_level: 'normal',
  prescription_amount: 32.15,
  otc_amount: 65.24,
  tax_amount: 54.23,
  // The seed's total is not rx + otc + tax (151.62); RxRelay answers that with a Warning.
  total_amount: 97.83,
  amount_to_collect: 97.83,
  declared_amount: 50,
  height: '2 in',
  width: '2 in',
  length: '3 in',
  weight: '8 oz',
  refrigeration_needed: 'false',
  signature_required: 'true',
  photo_id_required: 'false',
  delivery_notes: 'Please leave on back porch if no one is home.',
  store: SEED_STORE,
  recipient: {
    entity_name: 'Doe Industries',
    last_name: 'Doe',
    first_name: 'Jane',
    middle_name: 'Joplin',
    address: {
      address_line_1: '500 Second Ave',
      address_line_2: 'Suite 100',
      city: 'Bloomingdale',
      state: 'IL',
      zip_code: '60108',
    },
    home_phone: '6305551111',
    work_phone: '6305551111',
    mobile_phone: '45678946785',
    fax: '6305552222',
    email: 'jane.doe@doeind.com',
  },
  customers: [
    {
      customer_unique_id: 111111,
      last_name: 'Doe',
      first_name: 'Jane',
      middle_name: 'Joplin',
      address: {
        address_line_1: '123 Main St',
        address_line_2: 'Suite 10',
        city: 'Lombard',
        state: 'IL',
        zip_code: '60523',
      },
    },
  ],
  prescriptions: [
    {
      customer_unique_id: 111111,
      rx_number: 610011,
      fill_date: '2022-05-31',
      amount_due: 10,
      partial_fill_seqno: 1,
    },
  ],
  otc_items: [
    {
      customer_unique_id: 111111,
      upc: '616784366630',
      item_description: 'BANDAGE ELASTIC 6IN N LTX 3666',
      quantity: 1,
      amount_due: 25.26,
    },
  ],
  consents: [
    {
      consent_header: 'Enroll in Auto-Refills?',
      consent_text:
        'The prescriptions in your order are eligible for our auto-refill program. Would you like to enroll in that program so that your prescriptions can be automatically refilled without you having to contact the pharmacy?',
      consent_inputs: ['no'],
      consent_type: '0',
    },
  ],
};

/** The seed's CreateOrder (ids 123456789 / 1001), with top-level fields replaced by `overrides`. */
export function seedCreateOrderBody(overrides: Partial<CreateOrderBody> = {}): CreateOrderBody {
  return { ...structuredClone(SEED_CREATE_ORDER), ...structuredClone(overrides) };
}

/**
 * The seed's CancelOrder. Its ids (bestrx_order_id 106, provider_order_id "123456789") match
 * no order anyone created; pass the ids RxRelay answered CreateOrder with to cancel a real one.
 */
export function seedCancelOrderBody(overrides: Partial<CancelOrderBody> = {}): CancelOrderBody {
  return {
    bestrx_order_id: 106,
    bestrx_unique_order_id: 1001,
    provider_order_id: '123456789',
    tracking_id: '12345',
    store: seedStoreWithTextNcpdp(),
    notes: 'Shipment Cancelled',
    ...structuredClone(overrides),
  };
}

/** The seed's ValidateAddress: a Hoffman Estates address with its unit written twice. */
export function seedValidateAddressBody(overrides: Partial<ValidateAddressBody> = {}): ValidateAddressBody {
  return {
    store: seedStoreWithTextNcpdp(),
    address_to_validate: {
      address_line_1: '908 ATLANTIC AVE APT A APT A',
      address_line_2: '',
      city: 'HOFFMAN ESTATES',
      state: 'IL',
      zip_code: '60169',
    },
    ...structuredClone(overrides),
  };
}

/** The seed's UpdateOrderStatus request (provider → BestRx), including its "2" = "Order Created". */
export function seedUpdateOrderStatusPayload(overrides: Partial<UpdateOrderStatusPayload> = {}): UpdateOrderStatusPayload {
  return {
    bestrx_pharmacy_id: 'ef0a4740-0be9-44f7-b89d-9e66eeba0b9a',
    bestrx_order_id: 123456789,
    bestrx_unique_order_id: 1001,
    provider_order_id: 'POI123456',
    tracking_id: '15646323',
    order_status: {
      date: '2022-09-10T09:47:27.5232761Z',
      status_code: '2',
      status_Code_description: 'Order Created',
      status_notes:
        'An example would be if there was a delivery exception, the reason for that exception could be displayed here ("recipient not home").',
    },
    signature: '',
    signature_url: '',
    signer_info: {
      relation: '3',
      first_name: 'John',
      last_name: 'Doe',
      jurisdiction: 'IL',
      id_type: '6',
      id_no: 'D200-3333-4444',
    },
    consent_info: [{ consent_type: 1, consent_response: 'Yes' }],
    ...structuredClone(overrides),
  };
}

/** BestRx's answer to an UpdateOrderStatus it accepted, as the seed shows it. */
export function seedUpdateOrderStatusAnswer(): UpdateOrderStatusAnswer {
  return { data: {}, status_updated: 'true', messages: [] };
}
