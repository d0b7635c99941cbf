// BestRx's three provider endpoints against the real listener on a loopback port, with SQLite
// in a temp folder: the seed's examples verbatim, every way a request can be wrong, and proof
// that a rejected request changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidTrackingId } from '../../src-main/core/domain/order-ids';
import { createOrderBody, seedExample, seedExampleText } from '../helpers/fixtures';
import { basicAuth, httpRequest, type RawResponse } from '../helpers/http';
import { startHarness, snapshotDatabase, TEST_CREDENTIALS, type Harness } from '../helpers/rxrelay-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

function expectEnvelope(json: unknown, valid: boolean) {
  expect(json).toMatchObject({ data: expect.any(Object), request_is_valid: valid, messages: expect.any(Array) });
  for (const m of (json as { messages: unknown[] }).messages) {
    expect(m).toEqual({ message_code: expect.any(String), message: expect.any(String), message_type: expect.any(Number) });
  }
}

/** The same JSON object with its keys in reverse order, at every level. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

const orderCount = () => (h.db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n;

/** Runs a request that must be refused and proves the database is byte-for-byte unchanged. */
async function expectRejectedWithoutChange(send: () => Promise<RawResponse>, status: number): Promise<RawResponse> {
  await h.settle(); // status pushes of earlier steps are delivered in the background
  const before = snapshotDatabase(h.db);
  const response = await send();
  expect(response.status).toBe(status);
  expectEnvelope(response.json, false);
  expect(snapshotDatabase(h.db)).toEqual(before);
  return response;
}

describe('CreateOrder', () => {
  it('accepts the seed example verbatim and answers in the envelope with our ids and links', async () => {
    const response = await h.post('/Order/CreateOrder', seedExampleText('create-order.request'));
    expect(response.status).toBe(200);
    expectEnvelope(response.json, true);
    const data = response.json.data;
    expect(data).toMatchObject({
      bestrx_order_id: 123456789,
      bestrx_unique_order_id: 1001,
      bestrx_pharmacy_id: 'ef0a4740-0be9-44f7-b89d-9e66eeba0b9a',
      label_file_type: 1,
      manifesto_file_type: 1,
      order_status: { status_code: '1', status_code_description: 'Order Created', status_notes: '' },
    });
    expect(data.provider_order_id).toMatch(/^RXR-[0-9A-HJKMNP-TV-Z]{13}$/);
    expect(isValidTrackingId(data.tracking_id)).toBe(true);
    expect(data.label_url).toMatch(new RegExp(`^${h.baseUrl}/labels/${data.provider_order_id}\\.png\\?sig=[\\w-]{43}$`));
    expect(data.manifesto_url).toMatch(new RegExp(`^${h.baseUrl}/manifests/${data.provider_order_id}\\.png\\?sig=[\\w-]{43}$`));
    // Inline images are on by default: the label and the packing slip as base64 PNG.
    expect(Buffer.from(data.label_image, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(Buffer.from(data.manifesto_image, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(data.tracking_url).toMatch(new RegExp(`^${h.baseUrl}/track/${data.tracking_id}\\?sig=[\\w-]{43}$`));
    // The seed's own total (97.83) is not 32.15 + 65.24 + 54.23: stored as sent, with a Warning.
    expect(response.json.messages).toContainEqual(
      expect.objectContaining({ message_code: 'TOTAL_MISMATCH', message_type: 1, message: expect.stringContaining('$151.62') }),
    );

    // The body is kept exactly as BestRx sent it, unknown fields and all.
    expect(h.db.prepare('SELECT request_json FROM orders WHERE id = ?').pluck().get(data.provider_order_id)).toBe(seedExampleText('create-order.request'));
    const detail = h.core.orders.get(data.provider_order_id);
    expect(detail).toMatchObject({
      status: 'created',
      total_amount: 97.83,
      prescription_amount: 32.15,
      amount_to_collect: 97.83,
      flags: { refrigeration_needed: false, signature_required: true, photo_id_required: false },
      pickup_date: '2020-05-31',
      recipient: { entity_name: 'Doe Industries', first_name: 'Jane', last_name: 'Doe', mobile_phone: '45678946785' },
      store: { ncpdp: '1234567', npi: '1234567890', address: { city: 'Oak Brook' } },
      customers: [{ customer_unique_id: 111111, first_name: 'Jane', address: { city: 'Lombard' } }],
      prescriptions: [{ rx_number: '610011', fill_date: '2022-05-31', amount_due: 10, partial_fill_seqno: 1 }],
      otc_items: [{ upc: '616784366630', quantity: 1, amount_due: 25.26 }],
      consents: [{ consent_header: 'Enroll in Auto-Refills?', consent_inputs: ['no'], consent_type: '0' }],
    });
    expect(detail.events).toHaveLength(1);
    expect(detail.events[0]).toMatchObject({ type: 'created', to_status: 'created', actor: 'bestrx', device_id: h.core.info.device_id });
  });

  it('matches the paths case-insensitively', async () => {
    const body = createOrderBody();
    const first = await h.post('/order/createorder', body);
    const second = await h.post('/ORDER/CREATEORDER', body);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.json.data.provider_order_id).toBe(first.json.data.provider_order_id);
  });

  it('accepts booleans as strings, ids as numeric strings, codes as numbers, and null optionals', async () => {
    const body = createOrderBody({
      bestrx_order_id: '4455',
      refrigeration_needed: 'TRUE',
      photo_id_required: true,
      signature_required: null,
      delivery_notes: null,
      pickup_date: null,
      service_level: null,
      total_amount: '151.62',
      store: { ...seedExample('create-order.request').store, ncpdp: 7654321, bestrx_pharmacy_id: '{EF0A4740-0BE9-44F7-B89D-9E66EEBA0B9A}' },
    });
    const response = await h.post('/Order/CreateOrder', body);
    expect(response.status).toBe(200);
    expect(response.json.messages.map((m: { message_code: string }) => m.message_code)).not.toContain('TOTAL_MISMATCH');
    const detail = h.core.orders.get(response.json.data.provider_order_id);
    expect(detail).toMatchObject({
      bestrx_order_id: 4455,
      bestrx_pharmacy_id: 'ef0a4740-0be9-44f7-b89d-9e66eeba0b9a',
      flags: { refrigeration_needed: true, signature_required: false, photo_id_required: true },
      delivery_notes: null,
      pickup_date: null,
      total_amount: 151.62,
      store: { ncpdp: '7654321' },
    });
  });

  it('defaults the optional amounts, package fields, flags and lists when they are absent', async () => {
    const minimal = {
      bestrx_order_id: 1,
      bestrx_unique_order_id: 777001,
      store: { bestrx_pharmacy_id: 'ef0a4740-0be9-44f7-b89d-9e66eeba0b9a' },
      recipient: { first_name: 'Ann', last_name: 'Lee', address: { address_line_1: '500 Second Ave', city: 'Bloomingdale', state: 'IL', zip_code: '60108' } },
      total_amount: 12.5,
      amount_to_collect: 0,
    };
    const response = await h.post('/Order/CreateOrder', minimal);
    expect(response.status).toBe(200);
    expect(response.json.messages).toEqual([]);
    expect(h.core.orders.get(response.json.data.provider_order_id)).toMatchObject({
      prescription_amount: 0,
      otc_amount: 0,
      tax_amount: 0,
      declared_amount: 0,
      package: { height: null, width: null, length: null, weight: null },
      flags: { refrigeration_needed: false, signature_required: false, photo_id_required: false },
      customers: [],
      prescriptions: [],
      otc_items: [],
      consents: [],
    });
  });

  it('accepts an organisation recipient (entity name without a person)', async () => {
    const body = createOrderBody();
    body.recipient = { entity_name: 'Sunrise Care Home', address: body.recipient.address };
    const response = await h.post('/Order/CreateOrder', body);
    expect(response.status).toBe(200);
  });

  const REQUIRED_FIELDS: Array<[string, (body: any) => void]> = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['bestrx_order_id', (b) => delete b.bestrx_order_id],
    ['bestrx_unique_order_id', (b) => delete b.bestrx_unique_order_id],
    ['store.bestrx_pharmacy_id', (b) => delete b.store.bestrx_pharmacy_id],
    ['recipient.first_name', (b) => {
      delete b.recipient.first_name;
      delete b.recipient.entity_name;
    }],
    ['recipient.first_name', (b) => {
      delete b.recipient.last_name;
      delete b.recipient.entity_name;
    }],
    ['recipient.address.address_line_1', (b) => delete b.recipient.address.address_line_1],
    ['recipient.address.city', (b) => delete b.recipient.address.city],
    ['recipient.address.state', (b) => delete b.recipient.address.state],
    ['recipient.address.zip_code', (b) => delete b.recipient.address.zip_code],
    ['total_amount', (b) => delete b.total_amount],
    ['amount_to_collect', (b) => delete b.amount_to_collect],
  ];

  it.each(REQUIRED_FIELDS)('refuses a body without %s, names it, and stores nothing', async (field, remove) => {
    const body = createOrderBody();
    remove(body);
    const response = await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', body), 400);
    expect(response.json.messages).toContainEqual(
      expect.objectContaining({ message_code: 'MISSING_FIELD', message_type: 2, message: expect.stringMatching(new RegExp(`^${field.replaceAll('.', '\\.')} `)) }),
    );
  });

  it('names a missing field inside a list item', async () => {
    const response = await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', createOrderBody({ prescriptions: [{ fill_date: '2022-05-31' }] })), 400);
    expect(response.json.messages).toEqual([expect.objectContaining({ message_code: 'MISSING_FIELD', message: 'prescriptions[0].rx_number is required' })]);
  });

  it('names every missing field at once', async () => {
    const response = await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', {}), 400);
    const fields = response.json.messages.map((m: { message: string }) => m.message.split(' ')[0]);
    expect(fields).toEqual(
      expect.arrayContaining([
        'bestrx_order_id',
        'bestrx_unique_order_id',
        'store.bestrx_pharmacy_id',
        'recipient.first_name',
        'recipient.address.address_line_1',
        'recipient.address.city',
        'recipient.address.state',
        'recipient.address.zip_code',
        'total_amount',
        'amount_to_collect',
      ]),
    );
    expect(response.json.messages.every((m: { message_code: string }) => m.message_code === 'MISSING_FIELD')).toBe(true);
  });

  const WRONG_TYPES: Array<[string, Record<string, unknown>]> = [
    ['bestrx_order_id', { bestrx_order_id: 'abc' }],
    ['bestrx_order_id', { bestrx_order_id: 12.5 }],
    ['bestrx_unique_order_id', { bestrx_unique_order_id: -4 }],
    ['total_amount', { total_amount: 'ninety' }],
    ['amount_to_collect', { amount_to_collect: 1.005 }],
    ['prescription_amount', { prescription_amount: -1 }],
    ['signature_required', { signature_required: 'yes' }],
    ['refrigeration_needed', { refrigeration_needed: 1 }],
    ['pickup_date', { pickup_date: '2020-02-30' }],
    ['requested_delivery_date', { requested_delivery_date: 'tomorrow' }],
    ['store', { store: 'BestRx Pharmacy' }],
    ['store.bestrx_pharmacy_id', { store: { bestrx_pharmacy_id: 'not-a-guid' } }],
    ['recipient.address', { recipient: { first_name: 'A', last_name: 'B', address: ['x'] } }],
    ['prescriptions', { prescriptions: { rx_number: 1 } }],
    ['prescriptions[0].rx_number', { prescriptions: [{ rx_number: { n: 610011 } }] }],
    ['consents[0].consent_inputs', { consents: [{ consent_type: 1, consent_inputs: 'yes' }] }],
    ['delivery_notes', { delivery_notes: { text: 'x' } }],
    ['height', { height: ['2 in'] }],
  ];

  it.each(WRONG_TYPES)('refuses a wrong type in %s and stores nothing', async (field, overrides) => {
    const response = await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', createOrderBody(overrides)), 400);
    expect(response.json.messages).toContainEqual(
      expect.objectContaining({ message_code: 'INVALID_FIELD', message: expect.stringMatching(new RegExp(`^${field.replace(/[.[\]]/g, '\\$&')} `)) }),
    );
  });

  it('refuses invalid JSON, an empty body and a JSON array', async () => {
    await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', '{"bestrx_order_id": 1,'), 400);
    await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', ''), 400);
    const array = await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', '[1,2]'), 400);
    expect(array.json.messages[0].message).toMatch(/JSON object/);
    await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', '{"__proto__": {"x": 1}}'), 400);
  });

  it('refuses a body that is not JSON by Content-Type (415)', async () => {
    const body = JSON.stringify(createOrderBody());
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const response = await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', body, { 'content-type': contentType }), 415);
      expect(response.json.messages[0].message_code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    await expectRejectedWithoutChange(
      () => httpRequest(`${h.baseUrl}/Order/CreateOrder`, { headers: { authorization: h.auth }, body }),
      415,
    );
  });

  it('refuses a 1 MiB body with 413', async () => {
    const body = JSON.stringify(createOrderBody({ delivery_notes: 'x'.repeat(1024 * 1024) }));
    const response = await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', body), 413);
    expect(response.json.messages[0].message_code).toBe('BODY_TOO_LARGE');
  });

  it('refuses missing or wrong credentials with 401 and a Basic challenge', async () => {
    const body = JSON.stringify(createOrderBody());
    const none = await expectRejectedWithoutChange(
      () => httpRequest(`${h.baseUrl}/Order/CreateOrder`, { headers: { 'content-type': 'application/json' }, body }),
      401,
    );
    expect(none.headers['www-authenticate']).toMatch(/^Basic /);
    await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', body, { authorization: basicAuth(TEST_CREDENTIALS.username, 'wrong') }), 401);
    await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', body, { authorization: basicAuth('someone', TEST_CREDENTIALS.password) }), 401);
    await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', body, { authorization: 'Bearer abc' }), 401);
    await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', body, { authorization: 'Basic !!!' }), 401);
  });

  it('refuses a Host header that is not this listener (DNS rebinding)', async () => {
    const body = JSON.stringify(createOrderBody());
    for (const host of ['evil.example:8410', `evil.example:${new URL(h.baseUrl).port}`, '127.0.0.1:1', '127.0.0.1']) {
      const response = await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', body, { host }), 403);
      expect(response.json.messages[0].message_code).toBe('HOST_NOT_ALLOWED');
    }
    const localhost = await h.post('/Order/CreateOrder', body, { host: `localhost:${new URL(h.baseUrl).port}` });
    expect(localhost.status).toBe(200);
  });

  it('refuses any request carrying an Origin header (BestRx is not a browser)', async () => {
    const body = JSON.stringify(createOrderBody());
    for (const origin of ['https://evil.example', h.baseUrl, 'null']) {
      const response = await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', body, { origin }), 403);
      expect(response.json.messages[0].message_code).toBe('ORIGIN_NOT_ALLOWED');
    }
  });

  it('answers unknown paths and wrong methods in the envelope', async () => {
    const unknown = await h.post('/Order/DeleteEverything', {});
    expect(unknown.status).toBe(404);
    expectEnvelope(unknown.json, false);
    const get = await httpRequest(`${h.baseUrl}/Order/CreateOrder`, { method: 'GET', headers: { authorization: h.auth } });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expectEnvelope(get.json, false);
  });

  it('creates exactly one order from 50 concurrent identical requests', async () => {
    const body = JSON.stringify(createOrderBody());
    const before = orderCount();
    const responses = await Promise.all(Array.from({ length: 50 }, () => h.post('/Order/CreateOrder', body)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(new Set(responses.map((r) => r.json.data.provider_order_id)).size).toBe(1);
    expect(new Set(responses.map((r) => r.json.data.tracking_id)).size).toBe(1);
    expect(orderCount()).toBe(before + 1);
    const id = responses[0]!.json.data.provider_order_id;
    expect(h.core.orders.get(id).events).toHaveLength(1);
  });

  it('answers a repeat with the same ids and writes nothing', async () => {
    const body = createOrderBody();
    const first = await h.post('/Order/CreateOrder', body);
    await h.settle();
    const before = snapshotDatabase(h.db);
    // The same order, spelled differently (string booleans, string ids, other key order,
    // unknown extra fields), is still a repeat.
    const repeat = await h.post('/Order/CreateOrder', reverseKeys({ ...body, bestrx_order_id: String(body.bestrx_order_id), signature_required: true, unknown_field: 1 }));
    expect(repeat.status).toBe(200);
    expect(repeat.json.data.provider_order_id).toBe(first.json.data.provider_order_id);
    expect(repeat.json.data.tracking_id).toBe(first.json.data.tracking_id);
    expect(repeat.json.messages).toContainEqual(expect.objectContaining({ message_code: 'ORDER_ALREADY_RECEIVED', message_type: 0 }));
    expect(snapshotDatabase(h.db)).toEqual(before);
  });

  it('treats the same unique order id from another pharmacy as another order', async () => {
    const body = createOrderBody();
    const first = await h.post('/Order/CreateOrder', body);
    const other = await h.post('/Order/CreateOrder', { ...body, store: { ...body.store, bestrx_pharmacy_id: '11111111-2222-3333-4444-555555555555' } });
    expect(other.status).toBe(200);
    expect(other.json.data.provider_order_id).not.toBe(first.json.data.provider_order_id);
  });

  it('amends an order before pickup, with a Warning and an event naming what changed', async () => {
    const body = createOrderBody();
    const first = await h.post('/Order/CreateOrder', body);
    const id = first.json.data.provider_order_id;
    const changed = { ...body, amount_to_collect: 12.34, delivery_notes: 'Ring twice', recipient: { ...body.recipient, address: { ...body.recipient.address, address_line_1: '501 Second Ave' } } };
    const amended = await h.post('/Order/CreateOrder', changed);
    expect(amended.status).toBe(200);
    expect(amended.json.data.provider_order_id).toBe(id);
    expect(amended.json.data.tracking_id).toBe(first.json.data.tracking_id);
    expect(amended.json.messages).toContainEqual(
      expect.objectContaining({ message_code: 'ORDER_UPDATED', message_type: 1, message: expect.stringMatching(/order updated/i) }),
    );
    const detail = h.core.orders.get(id);
    expect(detail.amount_to_collect).toBe(12.34);
    expect(detail.recipient.address.address_line_1).toBe('501 Second Ave');
    expect(detail.events.map((e) => e.type)).toEqual(['created', 'amended']);
    expect(detail.events[1]!.notes).toBe('Updated by BestRx: amount_to_collect, delivery_notes, recipient');
    expect(orderCount()).toBeGreaterThan(0);
  });

  it('refuses an amendment after pickup with 409 and changes nothing', async () => {
    const body = createOrderBody();
    const first = await h.post('/Order/CreateOrder', body);
    const id = first.json.data.provider_order_id;
    await h.core.orders.transition({ id, to: 'picked_up' }, 'courier');
    const response = await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', { ...body, amount_to_collect: 1 }), 409);
    expect(response.json.data.provider_order_id).toBe(id);
    expect(response.json.data.order_status.status_code).toBe('4');
    expect(response.json.messages).toContainEqual(expect.objectContaining({ message_code: 'ORDER_LOCKED', message_type: 2 }));
    // A repeat after pickup, exact or spelled differently, is still answered normally.
    for (const again of [JSON.stringify(body), JSON.stringify(reverseKeys({ ...body, bestrx_unique_order_id: String(body.bestrx_unique_order_id) }), null, 2)]) {
      const repeat = await h.post('/Order/CreateOrder', again);
      expect(repeat.status).toBe(200);
      expect(repeat.json.data.order_status.status_code).toBe('4');
      expect(repeat.json.messages).toContainEqual(expect.objectContaining({ message_code: 'ORDER_ALREADY_RECEIVED' }));
    }
  });

  it('refuses an amendment of a cancelled order', async () => {
    const body = createOrderBody();
    const first = await h.post('/Order/CreateOrder', body);
    await h.core.orders.transition({ id: first.json.data.provider_order_id, to: 'cancelled' }, 'counter');
    await expectRejectedWithoutChange(() => h.post('/Order/CreateOrder', { ...body, amount_to_collect: 3 }), 409);
  });

  it('warns (but stores) when the recipient address disagrees with its ZIP', async () => {
    const body = createOrderBody();
    body.recipient.address = { address_line_1: '500 Second Ave', city: 'Springfield', state: 'IL', zip_code: '60108' };
    const response = await h.post('/Order/CreateOrder', body);
    expect(response.status).toBe(200);
    expect(response.json.messages).toContainEqual(
      expect.objectContaining({ message_type: 1, message: expect.stringMatching(/^Recipient address: .*BLOOMINGDALE/) }),
    );
  });
});

describe('CancelOrder', () => {
  const cancelBody = (create: { json: { data: Record<string, unknown> } }, overrides: Record<string, unknown> = {}) => ({
    ...seedExample('cancel-order.request'),
    bestrx_order_id: create.json.data.bestrx_order_id,
    bestrx_unique_order_id: create.json.data.bestrx_unique_order_id,
    provider_order_id: create.json.data.provider_order_id,
    tracking_id: create.json.data.tracking_id,
    ...overrides,
  });

  it('cancels the seed order with the seed example verbatim (ids that disagree are reported as warnings)', async () => {
    const create = await h.post('/Order/CreateOrder', createOrderBody({ bestrx_unique_order_id: 1001, bestrx_order_id: 123456789 }));
    // Same key as the first CreateOrder test: this is the seed order.
    const response = await h.post('/Order/CancelOrder', seedExampleText('cancel-order.request'));
    expect(response.status).toBe(200);
    expectEnvelope(response.json, true);
    // Echoed as sent (the seed asks for it), even though these ids are not the order's.
    expect(response.json.data).toMatchObject({
      bestrx_order_id: 106,
      bestrx_unique_order_id: 1001,
      provider_order_id: '123456789',
      tracking_id: '12345',
      status: true,
    });
    expect(response.json.messages).toContainEqual(expect.objectContaining({ message_code: 'ID_MISMATCH', message_type: 1 }));
    expect(h.core.orders.get(create.json.data.provider_order_id).status).toBe('cancelled');
  });

  it('cancels before pickup, and a repeat answers the same without a second event', async () => {
    const create = await h.post('/Order/CreateOrder', createOrderBody());
    const id = create.json.data.provider_order_id;
    const response = await h.post('/Order/CancelOrder', cancelBody(create, { notes: 'Patient picked up in store' }));
    expect(response.status).toBe(200);
    expect(response.json.data).toMatchObject({ provider_order_id: id, status: true, status_reason: 'Order cancelled.' });
    expect(response.json.messages).toEqual([expect.objectContaining({ message_code: 'ORDER_CANCELLED', message_type: 3 })]);
    const detail = h.core.orders.get(id);
    expect(detail.status).toBe('cancelled');
    expect(detail.events.at(-1)).toMatchObject({ type: 'status_changed', to_status: 'cancelled', actor: 'bestrx', notes: 'Patient picked up in store' });
    await h.settle();
    const before = snapshotDatabase(h.db);
    const repeat = await h.post('/Order/CancelOrder', cancelBody(create));
    expect(repeat.status).toBe(200);
    expect(repeat.json.data.status).toBe(true);
    expect(snapshotDatabase(h.db)).toEqual(before);
  });

  it('accepts a cancel after pickup as a return: status true, the order must come back', async () => {
    const create = await h.post('/Order/CreateOrder', createOrderBody());
    const id = create.json.data.provider_order_id;
    await h.core.orders.transition({ id, to: 'picked_up' }, 'courier');
    await h.core.orders.transition({ id, to: 'out_for_delivery' }, 'courier');
    const response = await h.post('/Order/CancelOrder', cancelBody(create));
    expect(response.status).toBe(200);
    expect(response.json.data.status).toBe(true);
    expect(response.json.data.status_reason).toMatch(/bring it back/);
    const detail = h.core.orders.get(id);
    expect(detail.status).toBe('out_for_delivery');
    expect(detail.return_requested).toBe(true);
    expect(detail.allowed_transitions).toEqual(['returned']);
    await expect(h.core.orders.transition({ id, to: 'delivered' }, 'courier')).rejects.toThrow(/returned/);
    expect((await h.core.orders.transition({ id, to: 'returned' }, 'courier')).status).toBe('returned');
  });

  it('refuses to cancel a delivered order (409, status false) and changes nothing', async () => {
    const create = await h.post('/Order/CreateOrder', createOrderBody({ signature_required: false, amount_to_collect: 0, consents: [] }));
    const id = create.json.data.provider_order_id;
    for (const to of ['picked_up', 'out_for_delivery', 'delivered'] as const) await h.core.orders.transition({ id, to }, 'courier');
    const response = await expectRejectedWithoutChange(() => h.post('/Order/CancelOrder', cancelBody(create)), 409);
    expect(response.json.data).toMatchObject({ provider_order_id: id, status: false, status_reason: expect.stringMatching(/delivered/) });
  });

  it('answers 404 with status false for ids that match no order', async () => {
    const response = await expectRejectedWithoutChange(
      () => h.post('/Order/CancelOrder', { ...seedExample('cancel-order.request'), bestrx_unique_order_id: 999_999_999, provider_order_id: 'RXR-NOSUCHORDER', tracking_id: '0' }),
      404,
    );
    expect(response.json.data).toMatchObject({ status: false, provider_order_id: 'RXR-NOSUCHORDER', status_reason: expect.any(String) });
  });

  it('refuses (409) a cancel whose ids name two different orders, and cancels neither', async () => {
    const a = await h.post('/Order/CreateOrder', createOrderBody());
    const b = await h.post('/Order/CreateOrder', createOrderBody());
    const body = cancelBody(a, { provider_order_id: b.json.data.provider_order_id, tracking_id: b.json.data.tracking_id });
    const response = await expectRejectedWithoutChange(() => h.post('/Order/CancelOrder', body), 409);
    expect(response.json.data).toMatchObject({ status: false, provider_order_id: b.json.data.provider_order_id, status_reason: expect.stringMatching(/two different orders/) });
  });

  it('echoes the ids BestRx sent, filling in only what it left out', async () => {
    const create = await h.post('/Order/CreateOrder', createOrderBody());
    const response = await h.post('/Order/CancelOrder', cancelBody(create, { provider_order_id: null, tracking_id: null }));
    expect(response.json.data).toMatchObject({ provider_order_id: create.json.data.provider_order_id, tracking_id: create.json.data.tracking_id, status: true });
  });

  it('does not cancel another pharmacy’s order', async () => {
    const create = await h.post('/Order/CreateOrder', createOrderBody());
    const body = cancelBody(create, { store: { bestrx_pharmacy_id: '11111111-2222-3333-4444-555555555555' } });
    await expectRejectedWithoutChange(() => h.post('/Order/CancelOrder', body), 404);
  });

  it('refuses a cancel without the ids it needs', async () => {
    const response = await expectRejectedWithoutChange(() => h.post('/Order/CancelOrder', { notes: 'x' }), 400);
    const fields = response.json.messages.map((m: { message: string }) => m.message.split(' ')[0]);
    expect(fields).toEqual(expect.arrayContaining(['bestrx_order_id', 'bestrx_unique_order_id', 'store.bestrx_pharmacy_id']));
  });
});

describe('ValidateAddress', () => {
  it('standardises the seed example verbatim: repeated unit designator collapsed', async () => {
    const response = await h.post('/Address/ValidateAddress', seedExampleText('validate-address.request'));
    expect(response.status).toBe(200);
    expectEnvelope(response.json, true);
    expect(response.json.data.suggested_address).toEqual([
      { address_line_1: '908 ATLANTIC AVE APT A', address_line_2: '', city: 'HOFFMAN ESTATES', state: 'IL', zip_code: '60169' },
    ]);
    expect(response.json.messages).toContainEqual(expect.objectContaining({ message_type: 1, message: expect.stringMatching(/APT A/) }));
  });

  it('corrects the city from the ZIP, keeps ZIP+4 and abbreviates per Publication 28', async () => {
    const response = await h.post('/Address/ValidateAddress', {
      address_to_validate: { address_line_1: '2625 Butterfield Road', address_line_2: 'Suite 200S', city: 'Oakbrook', state: 'Illinois', zip_code: '605231234' },
    });
    expect(response.status).toBe(200);
    expect(response.json.data.suggested_address).toEqual([
      { address_line_1: '2625 BUTTERFIELD RD', address_line_2: 'STE 200S', city: 'OAK BROOK', state: 'IL', zip_code: '60523-1234' },
    ]);
    expect(response.json.messages).toContainEqual(expect.objectContaining({ message_type: 1, message: expect.stringMatching(/OAK BROOK/) }));
  });

  it('says what is wrong with an unknown ZIP', async () => {
    const response = await h.post('/Address/ValidateAddress', {
      address_to_validate: { address_line_1: '1 Main St', city: 'Nowhere', state: 'IL', zip_code: '00000' },
    });
    expect(response.status).toBe(200);
    expect(response.json.data.suggested_address).toEqual([]);
    expect(response.json.messages).toContainEqual(expect.objectContaining({ message_type: 2, message: expect.stringMatching(/00000/) }));
  });

  it('refuses a request without an address to validate', async () => {
    const response = await expectRejectedWithoutChange(() => h.post('/Address/ValidateAddress', { store: {} }), 400);
    expect(response.json.messages.map((m: { message: string }) => m.message)).toContainEqual(expect.stringMatching(/^address_to_validate\.address_line_1 /));
  });
});

describe('links handed out by CreateOrder', () => {
  it('serves the label and manifest images, and signed tracking links with the status', async () => {
    const create = await h.post('/Order/CreateOrder', createOrderBody());
    const get = (url: string) => httpRequest(url, { method: 'GET', headers: { authorization: h.auth } });
    const label = await get(create.json.data.label_url);
    expect(label.status).toBe(200);
    expect(label.headers['content-type']).toBe('image/png');
    const manifest = await get(create.json.data.manifesto_url);
    expect(manifest.status).toBe(200);
    expect(manifest.headers['content-type']).toBe('image/png');
    const tracking = await get(create.json.data.tracking_url);
    expect(tracking.status).toBe(200);
    expect(tracking.json.data).toMatchObject({ tracking_id: create.json.data.tracking_id, order_status: { status_code: '1' } });
    // The signed tracking link opens without credentials; the same path unsigned or altered does not.
    const signed = await httpRequest(create.json.data.tracking_url, { method: 'GET' });
    expect(signed.status).toBe(200);
    expect(signed.json.data.order_status.status_code).toBe('1');
    const unsigned = await httpRequest(create.json.data.tracking_url.replace(/\?sig=.*$/, ''), { method: 'GET' });
    expect(unsigned.status).toBe(401);
    const forged = await httpRequest(create.json.data.tracking_url.replace(/\/track\/\d+/, '/track/1234567890123452'), { method: 'GET' });
    expect(forged.status).toBe(401);
  });
});
