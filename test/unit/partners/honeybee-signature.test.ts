// Honeybee's wire module on its own: the X-Honeybee-Signature algorithm against the published test
// vector (vendor-facts §1.9) and the exact CGI encoder it depends on; status normalisation and an
// order's overall status; the rules RxRelay checks before creating an order; the error bodies and
// hold reasons in words staff can act on; and the lenient reading of events and answers.
import { describe, expect, it } from 'vitest';
import {
  cgiEscape,
  createOrderProblems,
  describeHoldReason,
  describeHoneybeeErrors,
  HONEYBEE_ERROR_CODES,
  HONEYBEE_ERROR_MESSAGES,
  HONEYBEE_HOLD_REASONS,
  HONEYBEE_PATHS,
  honeybeeCodeForField,
  honeybeeSecretMatches,
  honeybeeSignature,
  isControlledSchedule,
  normalizeHoneybeeStatus,
  orderSchema,
  orderStatusOf,
  parseHoneybeeEvent,
  patientSchema,
  prescriptionsListSchema,
  readPatientBody,
  readPrescriptionsBody,
  tokenResponseSchema,
  verifyHoneybeeSignature,
  type HoneybeeCreateOrderRequest,
  type HoneybeeOrder,
  type HoneybeeOrderStatus,
} from '../../../src-main/core/partners/honeybee/honeybee-api';

// vendor-facts §1.9, exactly these bytes (no trailing newline).
const VECTOR = {
  secret: '[CLIENT_SECRET_HERE]',
  url: 'https://webhook.site/bafb9675-e60a-4db3-ab3c-377061a12ed5',
  body:
    '{"event_id":"5d62dca6-1ce3-4807-afc6-8cfaa47577c5","event_type":"RX_RECEIVED","patient_id":"v3y4od","medication_requests":[{"id":82,"prescription_id":82,"active":true,"patient_id":"v3y4od","prescriber_name":"Dr. Jane Foster","receive_date":"2023-05-10T16:16:58.469+00:00","drug_name":"ATORVASTATIN 10MG TABLET","ndc":"5976201551","sig_text":"Take 1 tablet daily","written_qty":90,"days_supply":null,"refills_left":2,"expire_date":"2023-06-12T14:15:22Z","drug_schedule":4}]}',
  signature: 'WjK28W47ZwXsBAWTVJNjTIO2fRUK',
};

describe('X-Honeybee-Signature', () => {
  it('reproduces the published test vector', () => {
    expect(honeybeeSignature(VECTOR.secret, 'POST', VECTOR.url, VECTOR.body)).toBe(VECTOR.signature);
    expect(verifyHoneybeeSignature(VECTOR.secret, 'POST', VECTOR.url, VECTOR.body, VECTOR.signature)).toBe(true);
  });

  it('is 28 characters of base64 over the digest and a newline byte', () => {
    const signature = honeybeeSignature('s3cret', 'POST', 'https://example.com/hook', '{}');
    expect(signature).toMatch(/^[A-Za-z0-9+/]{28}$/);
    const raw = Buffer.from(signature, 'base64');
    expect(raw).toHaveLength(21);
    expect(raw.at(-1)).toBe(0x0a);
  });

  it('fails when one byte of the body, the URL, the method or the secret differs', () => {
    const changedBody = VECTOR.body.replace('"written_qty":90', '"written_qty":91');
    expect(changedBody).toHaveLength(VECTOR.body.length);
    expect(verifyHoneybeeSignature(VECTOR.secret, 'POST', VECTOR.url, changedBody, VECTOR.signature)).toBe(false);
    // A re-serialisation with spaces is a different body: the raw text must be signed.
    expect(verifyHoneybeeSignature(VECTOR.secret, 'POST', VECTOR.url, JSON.stringify(JSON.parse(VECTOR.body), null, 1), VECTOR.signature)).toBe(false);
    expect(verifyHoneybeeSignature(VECTOR.secret, 'POST', `${VECTOR.url}/`, VECTOR.body, VECTOR.signature)).toBe(false);
    expect(verifyHoneybeeSignature(VECTOR.secret, 'PUT', VECTOR.url, VECTOR.body, VECTOR.signature)).toBe(false);
    expect(verifyHoneybeeSignature('[CLIENT_SECRET_HERe]', 'POST', VECTOR.url, VECTOR.body, VECTOR.signature)).toBe(false);
  });

  it('trims the header (Ruby adds a newline) and refuses other lengths without throwing', () => {
    expect(verifyHoneybeeSignature(VECTOR.secret, 'POST', VECTOR.url, VECTOR.body, `${VECTOR.signature}\n`)).toBe(true);
    expect(verifyHoneybeeSignature(VECTOR.secret, 'POST', VECTOR.url, VECTOR.body, `  ${VECTOR.signature}\r\n`)).toBe(true);
    expect(verifyHoneybeeSignature(VECTOR.secret, 'POST', VECTOR.url, VECTOR.body, VECTOR.signature.slice(0, 27))).toBe(false);
    expect(verifyHoneybeeSignature(VECTOR.secret, 'POST', VECTOR.url, VECTOR.body, `${VECTOR.signature}=`)).toBe(false);
    expect(verifyHoneybeeSignature(VECTOR.secret, 'POST', VECTOR.url, VECTOR.body, '')).toBe(false);
    expect(verifyHoneybeeSignature('', 'POST', VECTOR.url, VECTOR.body, honeybeeSignature('', 'POST', VECTOR.url, VECTOR.body))).toBe(false);
  });

  it('signs bodies with the characters encodeURIComponent and querystring.escape leave alone, as Honeybee does', () => {
    const body = '{"sig_text":"Take (1) tablet * daily! Don\'t skip"}';
    const bySpec = honeybeeSignature('k', 'POST', 'https://x.test/h', body);
    // The same HMAC over the RFC 3986 form (the official Node example's mistake) differs.
    const rfc3986 = encodeURIComponent('POST' + 'https://x.test/h' + body);
    expect(cgiEscape('POST' + 'https://x.test/h' + body)).not.toBe(rfc3986);
    expect(bySpec).not.toBe(honeybeeSignature('k', 'POST', 'https://x.test/h', body.replace(/[!'()*]/g, '')));
  });

  it('compares the static X-Honeybee-Secret exactly (trimmed)', () => {
    expect(honeybeeSecretMatches('static-1', 'static-1')).toBe(true);
    expect(honeybeeSecretMatches('static-1', ' static-1\n')).toBe(true);
    expect(honeybeeSecretMatches('static-1', 'static-2')).toBe(false);
    expect(honeybeeSecretMatches('static-1', undefined)).toBe(false);
    expect(honeybeeSecretMatches('', '')).toBe(false);
  });
});

describe('cgiEscape', () => {
  it.each([
    ['space', 'a b', 'a+b'],
    ['RFC 3986 sub-delims', "!'()*", '%21%27%28%29%2A'],
    ['unreserved', 'AZaz09-_.~', 'AZaz09-_.~'],
    ['UTF-8 bytes, upper-case hex', 'é', '%C3%A9'],
    ['four-byte characters', '💊', '%F0%9F%92%8A'],
    ['URL punctuation', 'https://a.b/c?d=e&f', 'https%3A%2F%2Fa.b%2Fc%3Fd%3De%26f'],
    ['JSON punctuation', '{"a":[1,2]}', '%7B%22a%22%3A%5B1%2C2%5D%7D'],
    ['plus, percent and newline', '+%\n', '%2B%25%0A'],
    ['empty', '', ''],
  ])('%s', (_name, input, expected) => {
    expect(cgiEscape(input)).toBe(expected);
  });
});

describe('order statuses', () => {
  it.each<[string, HoneybeeOrderStatus | undefined]>([
    ['Processing', 'Processing'],
    ['FILLING', 'Filling'],
    ['filling', 'Filling'],
    ['  Shipped ', 'Shipped'],
    ['delivered', 'Delivered'],
    ['On Hold', 'On Hold'],
    ['ON_HOLD', 'On Hold'],
    ['on-hold', 'On Hold'],
    ['onhold', 'On Hold'],
    ['Canceled', 'Canceled'],
    ['Cancelled', 'Canceled'],
    ['CANCELLED', 'Canceled'],
    ['', undefined],
    ['Hold', undefined],
    ['Shipping', undefined],
    ['pro cessing', undefined],
  ])('%j reads as %j', (text, status) => {
    expect(normalizeHoneybeeStatus(text)).toBe(status);
  });

  const order = (...dispenses: HoneybeeOrderStatus[][]): HoneybeeOrder =>
    orderSchema.parse({
      order_number: 'HB1',
      patient_id: 'p1',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      shipping: { method_id: 1 },
      medication_requests: dispenses.map((statuses, i) => ({
        ...rxRequest(100 + i),
        medication_dispenses: statuses.map((order_status, j) => ({ dispense_id: j, order_status })),
      })),
    });

  it('is On Hold when any dispense is, Canceled only when all are, else the least advanced', () => {
    expect(orderStatusOf(order(['Delivered'], ['On Hold']))).toBe('On Hold');
    expect(orderStatusOf(order(['Canceled', 'On Hold']))).toBe('On Hold');
    expect(orderStatusOf(order(['Canceled'], ['Canceled', 'Canceled']))).toBe('Canceled');
    expect(orderStatusOf(order(['Canceled'], ['Shipped']))).toBe('Shipped');
    expect(orderStatusOf(order(['Delivered', 'Filling'], ['Shipped']))).toBe('Filling');
    expect(orderStatusOf(order(['Delivered'], ['Shipped']))).toBe('Shipped');
    expect(orderStatusOf(order(['Processing', 'Delivered']))).toBe('Processing');
    expect(orderStatusOf(order(['Delivered'], ['Delivered']))).toBe('Delivered');
  });

  it('reads statuses in any case on the wire, and an order without dispenses by its own status', () => {
    const parsed = orderSchema.parse({
      order: {
        order_number: 42,
        patient_id: 'p1',
        created_at: 'x',
        updated_at: 'x',
        shipping: { method_id: 1 },
        medication_requests: [{ ...rxRequest(7), medication_dispenses: [{ dispense_id: '1', order_status: 'SHIPPED' }] }],
        unknown_future_field: true,
      },
    });
    expect(parsed.order_number).toBe('42');
    expect(orderStatusOf(parsed)).toBe('Shipped');
    expect(parsed.shipment).toBeNull();
    expect(parsed.exception).toBeNull();
    const skuOnly = orderSchema.parse({ order_number: 'HB2', patient_id: 'p', created_at: 'x', updated_at: 'x', shipping: { method_id: 1 }, order_status: 'on hold' });
    expect(orderStatusOf(skuOnly)).toBe('On Hold');
    expect(orderStatusOf({ ...skuOnly, order_status: undefined })).toBe('Processing');
    expect(orderSchema.safeParse({ ...skuOnly, order_status: 'Lost' }).success).toBe(false);
  });
});

function rxRequest(id: number) {
  return {
    id,
    prescription_id: id,
    active: true,
    receive_date: '2026-01-01T00:00:00+00:00',
    drug_name: 'ATORVASTATIN 10MG TABLET',
    ndc: '00071015523',
    sig_text: 'Take 1 tablet daily',
    written_qty: 90,
    refills_left: 2,
    expire_date: '2027-01-01T00:00:00Z',
    drug_schedule: '0',
  };
}

describe('createOrderProblems', () => {
  const valid = (): HoneybeeCreateOrderRequest => ({
    shipping: { method_id: 1 },
    patient: {
      patient_id: 'v3y4od',
      first_name: 'Ada',
      last_name: 'Moreno',
      dob: '1960-04-12',
      gender: 'F',
      email: 'ada@example.com',
      phone: '5125550142',
      patient_safety: { medications: [], health_conditions: [], allergies: [] },
      identity_documents: [{ document_type: 'DL', issuing_country: 'US', issuing_state: 'TX', document_number: 'D123', expiration_date: '2030-01-01' }],
    },
    address: { first_name: 'Ada', last_name: 'Moreno', street1: '1200 Barton Springs Rd', street2: 'Apt 4', city: 'Austin', state: 'TX', zip: '78704-1234' },
    items: [{ prescription_id: 82, quantity: 1, package_size: 30 }, { sku: 'packaging-pouch', quantity: 1, package_size: 1 }],
  });
  const today = '2026-11-21';

  it('accepts a complete request, and one with only the patient id and an Rx item', () => {
    expect(createOrderProblems(valid(), today)).toEqual([]);
    const minimal: HoneybeeCreateOrderRequest = {
      shipping: { method_id: 3 },
      patient: { patient_id: 'abc123', patient_safety: { medications: [], health_conditions: [], allergies: [] } },
      items: [{ prescription_id: 5 }],
    };
    expect(createOrderProblems(minimal)).toEqual([]);
  });

  it.each<[string, (r: HoneybeeCreateOrderRequest) => void, string]>([
    ['no items', (r) => (r.items = []), 'items: '],
    ['a prescription id of 0', (r) => (r.items = [{ prescription_id: 0 }]), 'items.0.prescription_id: '],
    ['a fractional prescription id', (r) => (r.items = [{ prescription_id: 1.5 }]), 'items.0.prescription_id: '],
    ['0 packs', (r) => (r.items = [{ prescription_id: 1, quantity: 0 }]), 'items.0.quantity: '],
    ['half a pack', (r) => (r.items = [{ prescription_id: 1, quantity: 0.5 }]), 'items.0.quantity: '],
    ['an empty pack', (r) => (r.items = [{ prescription_id: 1, package_size: 0 }]), 'items.0.package_size: '],
    ['a product without packs', (r) => (r.items = [{ prescription_id: 1 }, { sku: 'pouch', package_size: 1 }]), 'items.1.quantity: '],
    ['a product without pack size', (r) => (r.items = [{ sku: 'pouch', quantity: 1 }]), 'items.0.package_size: '],
    ['a blank product code', (r) => (r.items = [{ sku: ' ', quantity: 1, package_size: 1 }]), 'items.0.sku: '],
    ['a missing street', (r) => (r.address!.street1 = ' '), 'address.street1: '],
    ['a missing first name on the address', (r) => (r.address!.first_name = ''), 'address.first_name: '],
    ['a missing last name on the address', (r) => (r.address!.last_name = ''), 'address.last_name: '],
    ['a missing city', (r) => (r.address!.city = ''), 'address.city: '],
    ['a spelled-out state', (r) => (r.address!.state = 'Texas'), 'address.state: '],
    ['a lower-case state', (r) => (r.address!.state = 'tx'), 'address.state: '],
    ['a state code that does not exist', (r) => (r.address!.state = 'XX'), 'address.state: '],
    ['a 4-digit ZIP', (r) => (r.address!.zip = '7870'), 'address.zip: '],
    ['a ZIP+3', (r) => (r.address!.zip = '78704-123'), 'address.zip: '],
    ['gender U', (r) => (r.patient.gender = 'U'), 'patient.gender: '],
    ['an email without a domain', (r) => (r.patient.email = 'ada@'), 'patient.email: '],
    ['a 7-digit phone', (r) => (r.patient.phone = '5550142'), 'patient.phone: '],
    ['a punctuated phone', (r) => (r.patient.phone = '(512) 555-0142'), 'patient.phone: '],
    ['a blank patient id', (r) => (r.patient.patient_id = ''), 'patient.patient_id: '],
    ['a blank first name', (r) => (r.patient.first_name = ' '), 'patient.first_name: '],
    ['a date of birth in US order', (r) => (r.patient.dob = '04/12/1960'), 'patient.dob: '],
    ['a date of birth that does not exist', (r) => (r.patient.dob = '1960-02-30'), 'patient.dob: '],
    ['a date of birth in the future', (r) => (r.patient.dob = '2030-01-01'), 'patient.dob: '],
    ['an unknown shipping method', (r) => (r.shipping.method_id = 9), 'shipping.method_id: '],
    ['an unknown ID document type', (r) => (r.patient.identity_documents![0]!.document_type = 'XX'), 'patient.identity_documents.0.document_type: '],
    ['an expired ID document', (r) => (r.patient.identity_documents![0]!.expiration_date = '2020-01-01'), 'patient.identity_documents.0.expiration_date: '],
    ['an ID document without a number', (r) => (r.patient.identity_documents![0]!.document_number = ''), 'patient.identity_documents.0.document_number: '],
    ['a three-letter issuing country', (r) => (r.patient.identity_documents![0]!.issuing_country = 'USA'), 'patient.identity_documents.0.issuing_country: '],
  ])('names the field for %s, with a code Honeybee uses for it', (_name, spoil, prefix) => {
    const request = valid();
    spoil(request);
    const problems = createOrderProblems(request, today);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${prefix.replace(/\./g, '\\.')}[A-Za-z"(]`));
    const field = problems[0]!.split(': ')[0]!;
    expect(HONEYBEE_ERROR_MESSAGES[honeybeeCodeForField(field)!]).toEqual(expect.any(String));
  });

  it('never repeats the values it refuses (they are a patient\'s)', () => {
    const request = valid();
    request.patient.email = 'ada.moreno@@example.com';
    request.patient.phone = '555-867-5309';
    request.address!.zip = '7870X';
    const text = createOrderProblems(request, today).join(' ');
    expect(text).not.toContain('ada.moreno');
    expect(text).not.toContain('867');
    expect(text).not.toContain('7870X');
  });
});

describe('error bodies in words', () => {
  it('reads the documented 422 example as the code\'s sentence plus Honeybee\'s detail', () => {
    const body = { errors: [{ code: 42227, message: 'Invalid Address Zip', error_detail: [{ field: 'zip', message: 'did not exist in the state provided' }] }] };
    expect(describeHoneybeeErrors(body)).toEqual([
      'Honeybee does not recognise the ZIP code for that state: check the delivery address. (Honeybee says: zip: did not exist in the state provided)',
    ]);
  });

  it('leaves out a detail that only repeats the message, and explains an unknown code with Honeybee\'s own words', () => {
    const body = {
      errors: [
        { code: 42230, message: 'Invalid Address Not Found', error_detail: [{ field: 'address.not_found', message: 'Invalid Address Not Found' }] },
        { code: 42277, message: 'Something new' },
        { code: 42208, message: 'Invalid Patient Identity Documents' },
      ],
    };
    const sentences = describeHoneybeeErrors(body);
    expect(sentences).toHaveLength(3);
    expect(sentences[0]).toBe(HONEYBEE_ERROR_MESSAGES[42230]);
    expect(sentences[0]).toContain('ship to this address anyway');
    expect(sentences[1]).toBe('Honeybee refused the request (code 42277): Something new');
    expect(sentences[2]).toMatch(/controlled substance.*ID document/);
  });

  it('reads a 409 as a duplicate and anything else as nothing', () => {
    const conflict = { error: { error_code: 409, message: 'Your request is conflicting with another recent request.' } };
    expect(describeHoneybeeErrors(conflict)).toEqual([expect.stringMatching(/duplicate/)]);
    expect(describeHoneybeeErrors('<html>')).toEqual([]);
    expect(describeHoneybeeErrors({ message: 'x' })).toEqual([]);
  });

  it('has a sentence for every code it names, each ending as a sentence', () => {
    for (const code of Object.values(HONEYBEE_ERROR_CODES)) {
      expect(HONEYBEE_ERROR_MESSAGES[code], String(code)).toMatch(/^[A-Z].*\.$/);
    }
    for (const code of [42201, 42202, 42203, 42204, 42205, 42206, 42208, 42216, 42217, 42218, 42219, 42220, 42221, 42222, 42223, 42225, 42226, 42227, 42228, 42229, 42230, 42231, 42241, 42293]) {
      expect(HONEYBEE_ERROR_MESSAGES[code], String(code)).toBeDefined();
    }
  });
});

describe('On Hold reasons', () => {
  it('explains each published reason with an action, and only address reasons are fixed by a new address', () => {
    const categories = new Set<string>();
    for (const [name, reason] of Object.entries(HONEYBEE_HOLD_REASONS)) {
      const described = describeHoldReason({ name, message: '', order_actions: [] });
      expect(described).toEqual(reason);
      expect(described.words.length).toBeGreaterThan(10);
      expect(described.action.length).toBeGreaterThan(10);
      expect(described.canChangeAddress).toBe(described.category === 'address');
      categories.add(described.category);
    }
    expect([...categories].sort()).toEqual(['address', 'inventory', 'order', 'patient_profile', 'payment', 'pharmacist']);
    expect(Object.keys(HONEYBEE_HOLD_REASONS)).toHaveLength(17);
  });

  it('matches names whatever their case or separators', () => {
    expect(describeHoldReason({ name: 'address_validation_failed', message: '', order_actions: [] })).toMatchObject({ category: 'address', canChangeAddress: true });
    expect(describeHoldReason({ name: 'REFILL-TOO-SOON', message: '', order_actions: [] })).toMatchObject({ category: 'pharmacist', canChangeAddress: false });
  });

  it('falls back to Honeybee\'s own message for a reason it does not know, and to support', () => {
    expect(describeHoldReason({ name: 'PrescriberLicenseExpired', message: 'The prescriber licence has expired.', order_actions: [] })).toEqual({
      category: 'unknown',
      words: 'The prescriber licence has expired.',
      action: 'Contact Honeybee partner support',
      canChangeAddress: false,
    });
    expect(describeHoldReason(null)).toMatchObject({ category: 'unknown', action: 'Contact Honeybee partner support', canChangeAddress: false });
  });
});

describe('events', () => {
  it('reads the published RX_RECEIVED, keeping the NDC a string and the schedule as sent', () => {
    const parsed = parseHoneybeeEvent(VECTOR.body);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.event.event_type !== 'RX_RECEIVED') throw new Error('not RX_RECEIVED');
    expect(parsed.event.patient_id).toBe('v3y4od');
    expect(parsed.event.medication_requests[0]).toMatchObject({ prescription_id: 82, ndc: '5976201551', drug_schedule: 4, days_supply: null });
    const docsSample = VECTOR.body.replace('"drug_schedule":4', '"drug_schedule":"0"').replace('"ndc":"5976201551"', '"ndc":"00071015523"');
    const fromDocs = parseHoneybeeEvent(docsSample);
    expect(fromDocs.ok && fromDocs.event.event_type === 'RX_RECEIVED' && fromDocs.event.medication_requests[0]).toMatchObject({ ndc: '00071015523', drug_schedule: '0' });
    expect(parseHoneybeeEvent(VECTOR.body.replace('"ndc":"5976201551"', '"ndc":5976201551')).ok).toBe(false);
  });

  it('lifts the order number from the dispenses and reads the event type in any case', () => {
    const body = JSON.stringify({
      event_id: 'e1',
      event_type: 'rx_updated',
      patient_id: 'v3y4od',
      medication_requests: [{ id: 82, medication_dispenses: [{ dispense_id: 5, order_number: 'HB100001', order_status: 'FILLING' }] }],
    });
    const parsed = parseHoneybeeEvent(body);
    expect(parsed).toMatchObject({ ok: true, event: { event_type: 'RX_UPDATED', order_number: 'HB100001' } });
    if (!parsed.ok || parsed.event.event_type !== 'RX_UPDATED') throw new Error('not RX_UPDATED');
    expect(parsed.event.medication_requests[0]).toMatchObject({ id: 82, prescription_id: 82, medication_dispenses: [{ order_status: 'Filling' }] });
  });

  it('reads the [3P] SHIPMENT_UPDATED fixture, lifting the shipment off the medication request', () => {
    const fixture = JSON.stringify({
      event_id: 'e2',
      event_type: 'SHIPMENT_UPDATED',
      patient_id: 'p9',
      order_number: 'HB-100001',
      timestamp: 1712448200,
      medication_requests: [{ prescription_id: 10001, shipment: { tracking_no: '1Z999', carrier: 'UPS', method: '2DAY', shipped_at: '2026-04-07T12:00:00Z' } }],
    });
    const parsed = parseHoneybeeEvent(fixture);
    expect(parsed).toMatchObject({ ok: true, event: { event_type: 'SHIPMENT_UPDATED', shipment: { tracking_no: '1Z999', carrier: 'UPS', tracking_url: null } } });
  });

  it('reads the [3P] ORDER_EXCEPTION fixture', () => {
    const fixture = JSON.stringify({
      event_id: 'e3',
      event_type: 'ORDER_EXCEPTION',
      patient_id: 'p9',
      order_number: 'HB-100001',
      timestamp: 1712448300,
      exception: { name: 'AddressValidationFailed', message: 'Bad address', order_actions: [{ event_key: 'contact_patient', action: 'Contact the patient' }] },
    });
    const parsed = parseHoneybeeEvent(fixture);
    expect(parsed).toMatchObject({ ok: true, event: { event_type: 'ORDER_EXCEPTION', medication_requests: [], exception: { name: 'AddressValidationFailed' } } });
  });

  it('says what is wrong, without values, and names an event type it does not know', () => {
    expect(parseHoneybeeEvent('{"event_type":')).toEqual({ ok: false, problems: ['body: not JSON.'] });
    expect(parseHoneybeeEvent('[]')).toEqual({ ok: false, problems: ['body: not a JSON object.'] });
    expect(parseHoneybeeEvent('{"event_id":"e4","event_type":"PATIENT_MERGED"}')).toEqual({
      ok: false,
      problems: ['event_type: not an event type RxRelay knows.'],
      eventId: 'e4',
      eventType: 'PATIENT_MERGED',
    });
    const noOrder = parseHoneybeeEvent('{"event_id":"e5","event_type":"RX_UPDATED","patient_id":"secret-patient","medication_requests":[]}');
    expect(noOrder.ok).toBe(false);
    expect(!noOrder.ok && noOrder.problems.join(' ')).toContain('order_number');
    expect(!noOrder.ok && noOrder.problems.join(' ')).not.toContain('secret-patient');
  });
});

describe('answers', () => {
  it('reads the token answer with any case of Bearer', () => {
    expect(tokenResponseSchema.parse({ access_token: 't', token_type: 'bearer', expires_in: 43200, created_at: 1592972935 })).toEqual({
      access_token: 't',
      token_type: 'Bearer',
      expires_in: 43200,
      created_at: 1592972935,
    });
    expect(tokenResponseSchema.safeParse({ access_token: 't', token_type: 'mac', expires_in: 43200 }).success).toBe(false);
  });

  it('reads a patient bare or wrapped, with unknown genders as unknown', () => {
    const bare = { id: 'ay87nt', first_name: 'Ada', last_name: 'Moreno', dob: '1960-04-12', email: 'ada@example.com', phone: null, gender: 'f' };
    expect(readPatientBody(bare)).toEqual({ ...bare, gender: 'F' });
    expect(patientSchema.parse({ patient: { ...bare, gender: 'X' } })).toMatchObject({ id: 'ay87nt', gender: null });
    expect(readPatientBody({ id: 5, first_name: 'A', last_name: 'B', dob: '2000-01-01' })).toEqual({ id: '5', first_name: 'A', last_name: 'B', dob: '2000-01-01', email: null, phone: null, gender: null });
    expect(() => readPatientBody({ patient: null })).toThrow();
  });

  it('reads the prescription list under either key, as an array or one object', () => {
    const one = rxRequest(1);
    const two = { ...rxRequest(2), prescription_id: undefined };
    expect(readPrescriptionsBody({ medication_request: [one, two] }).map((r) => r.prescription_id)).toEqual([1, 2]);
    expect(readPrescriptionsBody({ medication_request: one })).toHaveLength(1);
    expect(readPrescriptionsBody({ medication_requests: [one] })).toHaveLength(1);
    expect(readPrescriptionsBody([one])).toHaveLength(1);
    expect(readPrescriptionsBody({ medication_request: null })).toEqual([]);
    expect(prescriptionsListSchema.safeParse({ prescriptions: [one] }).success).toBe(false);
  });

  it('knows which schedules are controlled', () => {
    for (const schedule of [2, 3, 4, 5, '2', '4', 'C2', 'CII', 'c-iv', 'V']) expect(isControlledSchedule(schedule), String(schedule)).toBe(true);
    for (const schedule of [0, 1, 6, '0', '', 'I', 'OTC', null, undefined, 2.5]) expect(isControlledSchedule(schedule), String(schedule)).toBe(false);
  });

  it('encodes path segments', () => {
    expect(HONEYBEE_PATHS.order('HB 1/2')).toBe('/v1/orders/HB%201%2F2');
    expect(HONEYBEE_PATHS.reorders('HB1')).toBe('/v1/orders/HB1/reorders');
    expect(HONEYBEE_PATHS.shippingAddress('HB1')).toBe('/v1/orders/HB1/shipping_address');
    expect(HONEYBEE_PATHS.patient('a/b')).toBe('/v1/patients/a%2Fb');
    expect(HONEYBEE_PATHS.patientRx('ay87nt')).toBe('/v1/patients/ay87nt/rx');
    expect(HONEYBEE_PATHS.ordersOfPatient('a&b')).toBe('/v1/orders?patient_id=a%26b');
  });
});
