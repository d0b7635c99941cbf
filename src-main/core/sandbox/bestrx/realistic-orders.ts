// Realistic CreateOrder bodies for the sandbox and for tests: the seed's pharmacy sending varied
// orders to made-up people and organisations around Chicago's western suburbs.
//
// The people and organisations are fictional; their addresses are real and public (village
// halls, civic centres, libraries), so a demo never points at anyone's home and every address
// passes RxRelay's offline ZIP check (a unit test looks each city/ZIP pair up). Phone numbers
// are in the 555-01xx range reserved for fiction; e-mails use example.com.
//
// Deterministic: the same random source (and `today`) gives the same orders, so a seeded test
// can replay exactly what the sandbox sent.
import { chance, integerBetween, pickOne, pickSome, type RandomSource } from '../seeded-random';
import type {
  BestRxAddressBody,
  BestRxConsentBody,
  BestRxCustomerBody,
  BestRxFlag,
  BestRxOtcItemBody,
  BestRxPrescriptionBody,
  BestRxRecipientBody,
  CreateOrderBody,
} from './bestrx-request-bodies';
import { SEED_STORE } from './seed-examples';

export interface DemoPlace {
  /** Which public building this is, for whoever reads the list. */
  building: string;
  address: BestRxAddressBody;
}

const place = (building: string, line1: string, city: string, zip: string): DemoPlace => ({
  building,
  address: { address_line_1: line1, address_line_2: null, city, state: 'IL', zip_code: zip },
});

/** Real public addresses, city/state/ZIP as USPS has them (checked against the ZIP directory in a test). */
export const DEMO_PLACES: readonly DemoPlace[] = [
  place('Bloomingdale Village Hall', '201 S Bloomingdale Rd', 'Bloomingdale', '60108'),
  place('Oak Brook Village Hall', '1200 Oak Brook Rd', 'Oak Brook', '60523'),
  place('Lombard Village Hall', '255 E Wilson Ave', 'Lombard', '60148'),
  place('Hoffman Estates Village Hall', '1900 Hassell Rd', 'Hoffman Estates', '60169'),
  place('Elmhurst City Hall', '209 N York St', 'Elmhurst', '60126'),
  place('Wheaton City Hall', '303 W Wesley St', 'Wheaton', '60187'),
  place('Glen Ellyn Civic Center', '535 Duane St', 'Glen Ellyn', '60137'),
  place('Naperville Municipal Center', '400 S Eagle St', 'Naperville', '60540'),
  place('Downers Grove Public Library', '1050 Curtiss St', 'Downers Grove', '60515'),
  place('Villa Park Village Hall', '20 S Ardmore Ave', 'Villa Park', '60181'),
  place('Addison Village Hall', '1 Friendship Plz', 'Addison', '60101'),
  place('Carol Stream Village Hall', '500 N Gary Ave', 'Carol Stream', '60188'),
  place('Schaumburg Village Hall', '101 Schaumburg Ct', 'Schaumburg', '60193'),
  place('Itasca Village Hall', '550 W Irving Park Rd', 'Itasca', '60143'),
  place('Roselle Village Hall', '31 S Prospect St', 'Roselle', '60172'),
  place('Westmont Village Hall', '31 W Quincy St', 'Westmont', '60559'),
  place('Hinsdale Memorial Building', '19 E Chicago Ave', 'Hinsdale', '60521'),
  place('Woodridge Village Hall', '5 Plaza Dr', 'Woodridge', '60517'),
  place('Lisle Village Hall', '925 Burlington Ave', 'Lisle', '60532'),
  place('Bensenville Village Hall', '12 S Center St', 'Bensenville', '60106'),
  place('Wood Dale City Hall', '404 N Wood Dale Rd', 'Wood Dale', '60191'),
  place('Elk Grove Village Hall', '901 Wellington Ave', 'Elk Grove Village', '60007'),
];

/** Fictional people: no real patient's name. */
const FIRST_NAMES = ['Avery', 'Jordan', 'Maria', 'Samuel', 'Priya', 'Walter', 'Grace', 'Tomasz', 'Keisha', 'Daniel', 'Lucia', 'Harold', 'Mei', 'Omar', 'Ruth', 'Ethan'];
const MIDDLE_NAMES = ['A', 'J', 'Lee', 'Marie', 'R', 'T'];
const LAST_NAMES = ['Whitfield', 'Kowalczyk', 'Okafor', 'Lindqvist', 'Ramirez', 'Brennan', 'Nakamura', 'Castellano', 'Haddad', 'Pruitt', 'Van Dorn', 'Delacroix'];

/** Fictional organisations that receive deliveries for several residents. */
const ORGANISATIONS = ['Prairie Path Assisted Living', 'Salt Creek Group Home', 'Maple Terrace Senior Residence', 'Butterfield Memory Care', 'Meadowbrook Adult Day Center'];

const UNIT_LINES_FOR_PEOPLE = ['Apt 2B', 'Apt 104', 'Unit 5', 'Apt 3F'];
const UNIT_LINES_FOR_ORGANISATIONS = ['Suite 100', 'Suite 210', 'Rm 12'];

/**
 * Everyday OTC items, priced in cents. The UPCs start with 4, the range GS1 leaves to retailers
 * for their own in-store codes, so none is a real manufacturer's product (check digits valid);
 * the bandage is the seed's own example.
 */
const OTC_CATALOG: ReadonlyArray<{ upc: string; description: string; cents: number }> = [
  { upc: '400000100012', description: 'ACETAMINOPHEN 500MG CAPLET 100CT', cents: 899 },
  { upc: '400000100029', description: 'IBUPROFEN 200MG TABLET 50CT', cents: 649 },
  { upc: '616784366630', description: 'BANDAGE ELASTIC 6IN N LTX 3666', cents: 2526 },
  { upc: '400000100036', description: 'LORATADINE 10MG TABLET 30CT', cents: 1199 },
  { upc: '400000100043', description: 'ALCOHOL PREP PADS 100CT', cents: 449 },
  { upc: '400000100050', description: 'SALINE NASAL SPRAY 1.5OZ', cents: 579 },
  { upc: '400000100067', description: 'DIGITAL THERMOMETER', cents: 1099 },
  { upc: '400000100074', description: 'PILL ORGANIZER 7 DAY', cents: 399 },
];

const DELIVERY_NOTES = [
  'Ring the doorbell twice.',
  'Leave with the front desk.',
  'Call on arrival; side entrance.',
  'Deliver to the nursing station.',
  'Dog in yard; please knock.',
];

const AUTO_REFILL_CONSENT: BestRxConsentBody = {
  consent_header: 'Enroll in Auto-Refills?',
  consent_text:
    'The prescriptions in your order are eligible for our auto-refill program. Would you like to enroll in that program so that your prescriptions can be automatically refilled without you having to contact the pharmacy?',
  consent_inputs: ['yes', 'no'],
  consent_type: '0',
};

const COUNSELING_CONSENT: BestRxConsentBody = {
  consent_header: 'Pharmacist counseling',
  consent_text: 'Would you like a pharmacist to call you about how to take your new prescription?',
  consent_inputs: ['yes', 'no'],
  consent_type: '1',
};

/** Illinois sales tax on non-prescription items in DuPage County, roughly. */
const OTC_TAX_RATE = 0.07;
/** BestRx ids are .NET ints. */
const MAX_BESTRX_ID = 2_147_483_647;

export interface RealisticOrderOptions {
  /** Unique order ids already used; a fresh one is drawn until it is not among them. */
  usedUniqueOrderIds?: ReadonlySet<number>;
  /** Fill and pickup dates are around this day (default: now). Pass it for deterministic output. */
  today?: Date;
}

const dollars = (cents: number) => cents / 100;
const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const addDays = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);
const phone = (random: RandomSource) => `630555${String(integerBetween(random, 100, 199)).padStart(4, '0')}`;

/** BestRx's habit: some orders spell their booleans as strings. */
function flagWriter(random: RandomSource): (value: boolean) => BestRxFlag {
  const asText = chance(random, 0.5);
  return (value) => (asText ? (value ? 'true' : 'false') : value);
}

function drawUniqueOrderId(random: RandomSource, used: ReadonlySet<number> | undefined): number {
  for (;;) {
    const id = integerBetween(random, 1_000, MAX_BESTRX_ID);
    if (!used?.has(id)) return id;
  }
}

interface Household {
  recipient: BestRxRecipientBody;
  customers: BestRxCustomerBody[];
}

function personName(random: RandomSource, lastName = pickOne(random, LAST_NAMES)) {
  return { first_name: pickOne(random, FIRST_NAMES), middle_name: chance(random, 0.4) ? pickOne(random, MIDDLE_NAMES) : null, last_name: lastName };
}

function household(random: RandomSource): Household {
  const where = pickOne(random, DEMO_PLACES);
  const customerId = () => integerBetween(random, 100_000, 999_999);
  if (chance(random, 0.2)) {
    // An organisation receiving for several residents (an LTC facility, a group home).
    const address = { ...where.address, address_line_2: chance(random, 0.5) ? pickOne(random, UNIT_LINES_FOR_ORGANISATIONS) : null };
    const residents = Array.from({ length: integerBetween(random, 2, 3) }, () => ({ customer_unique_id: customerId(), ...personName(random), address }));
    const contact = personName(random);
    return {
      recipient: {
        entity_name: pickOne(random, ORGANISATIONS),
        first_name: contact.first_name,
        last_name: contact.last_name,
        middle_name: null,
        address,
        home_phone: null,
        work_phone: phone(random),
        mobile_phone: null,
        fax: chance(random, 0.5) ? phone(random) : null,
        email: null,
      },
      customers: residents,
    };
  }
  const address = { ...where.address, address_line_2: chance(random, 0.3) ? pickOne(random, UNIT_LINES_FOR_PEOPLE) : null };
  const patient = personName(random);
  const customers: BestRxCustomerBody[] = [{ customer_unique_id: customerId(), ...patient, address }];
  if (chance(random, 0.25)) customers.push({ customer_unique_id: customerId(), ...personName(random, patient.last_name), address });
  return {
    recipient: {
      entity_name: null,
      ...patient,
      address,
      home_phone: chance(random, 0.6) ? phone(random) : null,
      work_phone: null,
      mobile_phone: phone(random),
      fax: null,
      email: chance(random, 0.5) ? `${patient.first_name}.${patient.last_name}`.toLowerCase().replace(/\s+/g, '') + '@example.com' : null,
    },
    customers,
  };
}

/** One varied, valid CreateOrder body from the seed's pharmacy. */
export function generateRealisticOrder(random: RandomSource, options: RealisticOrderOptions = {}): CreateOrderBody {
  const today = options.today ?? new Date();
  const flag = flagWriter(random);
  const { recipient, customers } = household(random);
  const customerIds = customers.map((c) => Number(c.customer_unique_id));

  const prescriptions: BestRxPrescriptionBody[] = [];
  let prescriptionCents = 0;
  for (let i = integerBetween(random, 1, 3); i > 0; i--) {
    // Most copays are small; some are zero, a few are large (brand drugs).
    const cents = chance(random, 0.15) ? 0 : chance(random, 0.1) ? integerBetween(random, 5_000, 35_000) : integerBetween(random, 100, 4_500);
    prescriptionCents += cents;
    const rxNumber = integerBetween(random, 600_000, 9_999_999);
    prescriptions.push({
      customer_unique_id: pickOne(random, customerIds),
      rx_number: chance(random, 0.3) ? String(rxNumber) : rxNumber,
      fill_date: isoDay(addDays(today, -integerBetween(random, 0, 3))),
      amount_due: dollars(cents),
      partial_fill_seqno: chance(random, 0.1) ? integerBetween(random, 1, 3) : null,
    });
  }

  const otcItems: BestRxOtcItemBody[] = [];
  let otcCents = 0;
  if (chance(random, 0.35)) {
    for (const item of pickSome(random, OTC_CATALOG, integerBetween(random, 1, 2))) {
      const quantity = integerBetween(random, 1, 3);
      otcCents += item.cents * quantity;
      otcItems.push({
        customer_unique_id: pickOne(random, customerIds),
        upc: item.upc,
        item_description: item.description,
        quantity,
        amount_due: dollars(item.cents * quantity),
      });
    }
  }
  const taxCents = Math.round(otcCents * OTC_TAX_RATE);
  const totalCents = prescriptionCents + otcCents + taxCents;
  // Some patients prepaid, some pay at the door, some owe only part.
  const collectCents = chance(random, 0.3) ? 0 : chance(random, 0.15) ? Math.round(totalCents / 2) : totalCents;

  const consents: BestRxConsentBody[] = [];
  if (chance(random, 0.25)) consents.push(structuredClone(AUTO_REFILL_CONSENT));
  if (chance(random, 0.1)) consents.push({ ...structuredClone(COUNSELING_CONSENT), consent_type: chance(random, 0.5) ? 1 : '1' });

  const refrigerated = chance(random, 0.1);
  const controlled = chance(random, 0.15);
  const pickupDay = addDays(today, chance(random, 0.8) ? 0 : 1);
  return {
    bestrx_order_id: integerBetween(random, 100_000, MAX_BESTRX_ID),
    bestrx_unique_order_id: drawUniqueOrderId(random, options.usedUniqueOrderIds),
    pickup_date: isoDay(pickupDay),
    requested_delivery_date: chance(random, 0.7) ? isoDay(addDays(pickupDay, integerBetween(random, 0, 1))) : null,
    service_level: 'normal',
    prescription_amount: dollars(prescriptionCents),
    otc_amount: dollars(otcCents),
    tax_amount: dollars(taxCents),
    total_amount: dollars(totalCents),
    amount_to_collect: dollars(collectCents),
    declared_amount: dollars(Math.ceil(totalCents / 1000) * 1000),
    height: `${integerBetween(random, 2, 6)} in`,
    width: `${integerBetween(random, 2, 8)} in`,
    length: `${integerBetween(random, 3, 10)} in`,
    weight: refrigerated ? `${integerBetween(random, 2, 5)} lb` : `${integerBetween(random, 2, 24)} oz`,
    refrigeration_needed: flag(refrigerated),
    signature_required: flag(controlled || chance(random, 0.45)),
    photo_id_required: flag(controlled),
    delivery_notes: chance(random, 0.4) ? pickOne(random, DELIVERY_NOTES) : null,
    store: structuredClone(SEED_STORE),
    recipient,
    customers,
    prescriptions,
    otc_items: otcItems,
    consents,
  };
}
