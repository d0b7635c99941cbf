// The CaryRx simulator on a real loopback port, seen by plain fetch the way any integrator would
// use CaryRx's Fulfilment API: the apikey header, webhook registration and its test payloads,
// patients, locations, prescriptions and orders, the rules, and orders that move along and are
// announced to the registered order callbacks.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  entityRefSchema,
  ORDER_EVENT_TEST_PAYLOAD,
  orderEventSchema,
  orderRecordSchema,
  patientRecordSchema,
  PRESCRIPTION_EVENT_TEST_PAYLOAD,
  prescriptionEventSchema,
  prescriptionRecordSchema,
  type CaryRxLocationInput,
  type CaryRxPatientInput,
} from '../../../src-main/core/partners/caryrx/caryrx-api';
import { startCaryRxSimulator, type CaryRxSimulator } from '../../../src-main/core/sandbox/caryrx/caryrx-simulator';
import { FakeClock } from '../../helpers/rxrelay-harness';

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read arbitrary answer fields
  json: any;
}

async function call(sim: CaryRxSimulator, method: string, path: string, options: { apiKey?: string | null; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  const apiKey = options.apiKey === undefined ? sim.apiKey : options.apiKey;
  if (apiKey !== null) headers.apikey = apiKey;
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const response = await fetch(sim.url + path, { method, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
}

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const patient = (overrides: Partial<CaryRxPatientInput> = {}): CaryRxPatientInput => ({
  first_name: 'Test',
  last_name: 'Patient',
  dob: '2000-01-01',
  email: 'test.patient@test.com',
  phone_number: '1000010101',
  ...overrides,
});

const location = (patientId: string, overrides: Partial<CaryRxLocationInput> = {}): CaryRxLocationInput => ({
  patient_id: patientId,
  location_name: 'home',
  address_to_street1: '123 Main St',
  address_to_street2: 'Apt 4',
  address_to_city: 'New York',
  address_to_state: 'NY',
  address_to_zip: '27511',
  address_to_latitude: 1,
  address_to_longitude: 1,
  ...overrides,
});

/** A patient with a location and one prescription, ready for an order. */
async function patientReadyForOrder(sim: CaryRxSimulator, email = 'ready@test.com'): Promise<{ patientId: string; locationId: string; prescriptionId: string }> {
  const created = await call(sim, 'POST', '/v1/patients', { body: patient({ email }) });
  expect(created.status).toBe(201);
  const patientId = created.json.id as string;
  const place = await call(sim, 'POST', `/v1/patients/${patientId}/location`, { body: location(patientId) });
  expect(place.status).toBe(201);
  const rx = await call(sim, 'POST', '/v1/prescriptions', {
    body: { patient_id: patientId, medication_name: 'atorvastatin', qty_written: 10, refills_written: 0, days_supply: 10, data: 'null' },
  });
  expect(rx.status).toBe(201);
  return { patientId, locationId: place.json.id, prescriptionId: rx.json.id };
}

const clock = new FakeClock(new Date('2026-11-21T10:00:00.000Z'));

describe('the apikey header', () => {
  let sim: CaryRxSimulator;
  beforeAll(async () => {
    sim = await startCaryRxSimulator({ clock, stepMs: 0, apiKey: 'test-123' });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('serves loopback; a missing or wrong key is refused with 401 on every path', async () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.apiKey).toBe('test-123');
    const missing = await call(sim, 'POST', '/v1/patients', { apiKey: null, body: patient() });
    expect(missing.status).toBe(401);
    expect(typeof missing.json.message).toBe('string');
    expect((await call(sim, 'GET', '/v1/orders/anything', { apiKey: 'test-124' })).status).toBe(401);
    expect((await call(sim, 'GET', '/v1/no-such-thing', { apiKey: '' })).status).toBe(401);
    expect(sim.patients()).toEqual([]);
    // With the key: an unknown path is a 404, not a 401.
    expect((await call(sim, 'GET', '/v1/no-such-thing')).status).toBe(404);
    expect(sim.requests().at(-1)).toEqual({ method: 'GET', path: '/v1/no-such-thing', status: 404 });
  });

  it('generates a key when none is given', async () => {
    const own = await startCaryRxSimulator({ clock, stepMs: 0 });
    try {
      expect(own.apiKey.length).toBeGreaterThanOrEqual(20);
      expect((await call(own, 'GET', '/v1/patients/nobody')).status).toBe(404);
      expect((await call(own, 'GET', '/v1/patients/nobody', { apiKey: 'test-123' })).status).toBe(401);
    } finally {
      await own.close();
    }
  });
});

describe('webhook registration', () => {
  let sim: CaryRxSimulator;
  let receiver: Server;
  let receiverUrl: string;
  const received: Array<{ path: string; contentType: string | undefined; body: string }> = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
        res.writeHead(req.url === '/refuse' ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    sim = await startCaryRxSimulator({ clock, stepMs: 0 });
  });
  afterAll(async () => {
    await sim.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('registering for prescription events (camelCase, as the doc writes it) sends the test payload once', async () => {
    const answer = await call(sim, 'POST', '/v1/prescriptions/events', { body: { callbackUrl: `${receiverUrl}/rx`, authType: 'none' } });
    expect(answer.status).toBe(200);
    expect(entityRefSchema.parse(answer.json)).toMatchObject({ entity_type: 'webhook', created_at: clock.now().toISOString() });
    await waitFor(() => received.length === 1);
    expect(received[0]).toMatchObject({ path: '/rx', contentType: 'application/json' });
    const payload = prescriptionEventSchema.parse(JSON.parse(received[0]!.body));
    expect(payload).toEqual(PRESCRIPTION_EVENT_TEST_PAYLOAD);
    expect(payload.id).toBe('test-object');
    // The receiver has the body before the simulator has its answer: wait for the delivery to be noted.
    await waitFor(() => sim.callbackDeliveries().length === 1);
    expect(sim.callbackDeliveries()).toEqual([{ url: `${receiverUrl}/rx`, kind: 'prescription', status: 204, body: received[0]!.body }]);

    // A second registration of the same URL is accepted, without another test payload.
    expect((await call(sim, 'POST', '/v1/prescriptions/events', { body: { callbackUrl: `${receiverUrl}/rx`, authType: 'none' } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toHaveLength(1);
  });

  it('registering for order events (snake_case accepted too) sends the order test payload; a refusing receiver is noted', async () => {
    received.length = 0;
    expect((await call(sim, 'POST', '/v1/orders/events', { body: { callback_url: `${receiverUrl}/orders`, auth_type: 'none' } })).status).toBe(200);
    expect((await call(sim, 'POST', '/v1/orders/events', { body: { callbackUrl: `${receiverUrl}/refuse` } })).status).toBe(200);
    await waitFor(() => received.length === 2);
    for (const delivery of received) expect(orderEventSchema.parse(JSON.parse(delivery.body))).toEqual(ORDER_EVENT_TEST_PAYLOAD);
    await waitFor(() => sim.callbackDeliveries().filter((d) => d.kind === 'order').length === 2);
    const statuses = Object.fromEntries(sim.callbackDeliveries().filter((d) => d.kind === 'order').map((d) => [new URL(d.url).pathname, d.status]));
    expect(statuses).toEqual({ '/orders': 204, '/refuse': 500 });
  });

  it('refuses a registration without an http(s) URL or with an unknown authType', async () => {
    const before = sim.callbackDeliveries().length;
    const noUrl = await call(sim, 'POST', '/v1/orders/events', { body: { authType: 'none' } });
    expect(noUrl.status).toBe(400);
    expect(Object.keys(noUrl.json.errors)).toEqual(['callback_url']);
    expect((await call(sim, 'POST', '/v1/orders/events', { body: { callbackUrl: 'ftp://example.com/x' } })).json.errors.callback_url).toHaveLength(1);
    expect((await call(sim, 'POST', '/v1/orders/events', { body: { callbackUrl: `${receiverUrl}/x`, authType: 'basic' } })).status).toBe(400);
    expect((await call(sim, 'POST', '/v1/orders/events', { body: '{not json' })).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sim.callbackDeliveries()).toHaveLength(before);
  });

  it('announces a new prescription to the prescription callbacks', async () => {
    received.length = 0;
    const { patientId, prescriptionId } = await patientReadyForOrder(sim);
    await waitFor(() => received.some((r) => r.path === '/rx'));
    const event = prescriptionEventSchema.parse(JSON.parse(received.find((r) => r.path === '/rx')!.body));
    expect(event).toMatchObject({ id: prescriptionId, medication_name: 'atorvastatin', patient: { id: patientId } });
  });
});

describe('patients, locations, prescriptions and orders', () => {
  let sim: CaryRxSimulator;
  beforeAll(async () => {
    sim = await startCaryRxSimulator({ clock, stepMs: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('creates a patient (an entity reference), finds it by name and email, and reads it back', async () => {
    const created = await call(sim, 'POST', '/v1/patients', { body: patient() });
    expect(created.status).toBe(201);
    const ref = entityRefSchema.parse(created.json);
    expect(ref).toEqual({ entity_type: 'patient', id: expect.stringMatching(/^[a-z0-9]{10}$/), created_at: clock.now().toISOString(), updated_at: clock.now().toISOString() });

    const found = await call(sim, 'POST', '/v1/patients/find', { body: { first_name: 'TEST', last_name: 'patient', email: 'Test.Patient@test.com' } });
    expect(found).toMatchObject({ status: 200, json: ref });
    const none = await call(sim, 'POST', '/v1/patients/find', { body: { first_name: 'Test', last_name: 'Patient', email: 'other@test.com' } });
    expect(none.status).toBe(404);
    expect(typeof none.json.message).toBe('string');

    const read = await call(sim, 'GET', `/v1/patients/${ref.id}`);
    expect(read.status).toBe(200);
    expect(patientRecordSchema.parse(read.json)).toMatchObject({ id: ref.id, first_name: 'Test', last_name: 'Patient', dob: '2000-01-01', prescriptions: [], orders: [] });
    expect((await call(sim, 'GET', '/v1/patients/nobody')).status).toBe(404);
  });

  it('refuses a patient breaking the rules, by field, without echoing the values', async () => {
    const refused = await call(sim, 'POST', '/v1/patients', {
      body: patient({ first_name: ' ', last_name: 'x'.repeat(101), dob: '2026-11-21', email: 'no-at-sign', phone_number: '555-0101' }),
    });
    expect(refused.status).toBe(400);
    expect(Object.keys(refused.json.errors).sort()).toEqual(['dob', 'email', 'first_name', 'last_name', 'phone_number']);
    expect(JSON.stringify(refused.json)).not.toContain('no-at-sign');
    expect((await call(sim, 'POST', '/v1/patients', { body: patient({ dob: '01/01/2000' }) })).json.errors.dob).toHaveLength(1);
    const missing = await call(sim, 'POST', '/v1/patients', { body: { first_name: 'Test' } });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.json.errors).sort()).toEqual(['dob', 'email', 'last_name', 'phone_number']);
    expect((await call(sim, 'POST', '/v1/patients/find', { body: { first_name: 'Test', last_name: 'Patient', email: 'x' } })).status).toBe(400);
  });

  it("adds locations (camelCase patientId/locationName accepted) only to a known patient, under the path's patient", async () => {
    const { json: ref } = await call(sim, 'POST', '/v1/patients', { body: patient({ email: 'loc@test.com' }) });
    const added = await call(sim, 'POST', `/v1/patients/${ref.id}/location`, { body: location(ref.id) });
    expect(added.status).toBe(201);
    expect(entityRefSchema.parse(added.json).entity_type).toBe('patientLocation');
    const { patient_id: _patientId, location_name: _name, ...rest } = location(ref.id);
    const camel = await call(sim, 'POST', `/v1/patients/${ref.id}/location`, { body: { patientId: ref.id, locationName: 'work', ...rest } });
    expect(camel.status).toBe(201);
    // The path names the patient; the body may leave it out.
    expect((await call(sim, 'POST', `/v1/patients/${ref.id}/location`, { body: { location_name: 'x', ...rest } })).status).toBe(201);
    expect(sim.patients().find((p) => p.record.id === ref.id)?.locations.map((l) => l.input.location_name)).toEqual(['home', 'work', 'x']);

    expect((await call(sim, 'POST', '/v1/patients/nobody/location', { body: location('nobody') })).status).toBe(404);
    const mismatch = await call(sim, 'POST', `/v1/patients/${ref.id}/location`, { body: location('someone-else') });
    expect(mismatch.status).toBe(400);
    expect(Object.keys(mismatch.json.errors)).toEqual(['patient_id']);
    const bad = await call(sim, 'POST', `/v1/patients/${ref.id}/location`, {
      body: location(ref.id, { address_to_state: 'New York', address_to_zip: '2751', address_to_street1: '', address_to_latitude: 91 }),
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.errors).sort()).toEqual(['address_to_latitude', 'address_to_state', 'address_to_street1', 'address_to_zip']);
  });

  it('creates a prescription for a known patient, reads it, and lists it on the patient', async () => {
    const { json: ref } = await call(sim, 'POST', '/v1/patients', { body: patient({ email: 'rx@test.com' }) });
    const created = await call(sim, 'POST', '/v1/prescriptions', {
      body: { patientId: ref.id, medication_name: 'atorvastatin', qty_written: 30, refills_written: 2, days_supply: 30, data: null },
    });
    expect(created.status).toBe(201);
    expect(created.json.entity_type).toBe('prescription');
    const read = await call(sim, 'GET', `/v1/prescriptions/${created.json.id}`);
    expect(prescriptionRecordSchema.parse(read.json)).toMatchObject({
      id: created.json.id,
      status: 'verified',
      medication_name: 'atorvastatin',
      qty_written: 30,
      refills_written: 2,
      refills_remaining: 2,
      days_supply: 30,
      patient: { entity_type: 'patient', id: ref.id },
    });
    const patientRecord = await call(sim, 'GET', `/v1/patients/${ref.id}`);
    expect(patientRecord.json.prescriptions.map((p: { id: string }) => p.id)).toEqual([created.json.id]);
    expect((await call(sim, 'GET', '/v1/prescriptions/none')).status).toBe(404);

    const bad = await call(sim, 'POST', '/v1/prescriptions', { body: { patient_id: ref.id, medication_name: '', qty_written: 0, refills_written: -1, days_supply: 1.5 } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.errors).sort()).toEqual(['days_supply', 'medication_name', 'qty_written', 'refills_written']);
    const unknown = await call(sim, 'POST', '/v1/prescriptions', { body: { patient_id: 'nobody', medication_name: 'x', qty_written: 1, refills_written: 0, days_supply: 1 } });
    expect(unknown.status).toBe(400);
    expect(Object.keys(unknown.json.errors)).toEqual(['patient_id']);
  });

  it('creates an order (the order record, with the address) and reads it back; the patient lists it', async () => {
    const { patientId, locationId, prescriptionId } = await patientReadyForOrder(sim, 'order@test.com');
    const created = await call(sim, 'POST', '/v1/orders', {
      body: {
        shipping_method: '2day_mailorder',
        central_fill: false,
        patient_id: patientId,
        patient_location_id: locationId,
        prescriptions: [{ id: prescriptionId }],
        patient_delivery_note: 'leave at front desk',
        patient_pharmacy_note: 'note for info',
        order_status: 'pending',
      },
    });
    expect(created.status).toBe(201);
    const order = orderRecordSchema.parse(created.json);
    expect(order).toMatchObject({
      shipping_method: '2day_mailorder',
      delivery_schedule: 'mailorder',
      order_status: 'pending',
      patient_location_id: locationId,
      address_to_street1: '123 Main St',
      address_to_zip: '27511',
      shipment_tracking_url: null,
      prescriptions: [{ entity_type: 'prescription', id: prescriptionId, prescription: 'atorvastatin', is_refill: false }],
      patient: { entity_type: 'patient', id: patientId },
      created_at: clock.now().toISOString(),
    });
    expect((await call(sim, 'GET', `/v1/orders/${order.id}`)).json).toEqual(created.json);
    expect((await call(sim, 'GET', `/v1/patients/${patientId}`)).json.orders.map((o: { id: string }) => o.id)).toEqual([order.id]);
    expect((await call(sim, 'GET', '/v1/orders/none')).status).toBe(404);
  });

  it('refuses an order breaking the rules, or naming what is not the patient’s', async () => {
    const mine = await patientReadyForOrder(sim, 'mine@test.com');
    const theirs = await patientReadyForOrder(sim, 'theirs@test.com');
    const order = { shipping_method: 'sameday_delivery', patient_id: mine.patientId, patient_location_id: mine.locationId, prescriptions: [{ id: mine.prescriptionId }] };
    const before = sim.orders().length;

    const rules = await call(sim, 'POST', '/v1/orders', { body: { ...order, shipping_method: 'drone', prescriptions: [], patient_delivery_note: 'n'.repeat(1001) } });
    expect(rules.status).toBe(400);
    expect(Object.keys(rules.json.errors).sort()).toEqual(['patient_delivery_note', 'prescriptions', 'shipping_method']);
    expect((await call(sim, 'POST', '/v1/orders', { body: { ...order, patient_id: 'nobody' } })).json.errors).toHaveProperty('patient_id');
    expect((await call(sim, 'POST', '/v1/orders', { body: { ...order, patient_location_id: theirs.locationId } })).json.errors).toHaveProperty('patient_location_id');
    const foreignRx = await call(sim, 'POST', '/v1/orders', { body: { ...order, prescriptions: [{ id: theirs.prescriptionId }, { id: 'none' }] } });
    expect(foreignRx.status).toBe(400);
    expect(foreignRx.json.errors.prescriptions).toHaveLength(2);
    expect((await call(sim, 'POST', '/v1/orders', { body: { ...order, order_status: 'delivered' } })).status).toBe(400);
    expect(sim.orders()).toHaveLength(before);
    expect((await call(sim, 'POST', '/v1/orders', { body: order })).status).toBe(201);
  });
});

describe('orders moving along', () => {
  let sim: CaryRxSimulator;
  let receiver: Server;
  let receiverUrl: string;
  const events: Array<{ id: string; order_status: string; shipment_tracking_url?: string | null; shipment_tracking_eta?: string | null }> = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        events.push(orderEventSchema.parse(JSON.parse(body)));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/caryrx`;
    sim = await startCaryRxSimulator({ clock, stepMs: 0 });
    expect((await call(sim, 'POST', '/v1/orders/events', { body: { callbackUrl: receiverUrl, authType: 'none' } })).status).toBe(200);
    await waitFor(() => events.length === 1);
    events.length = 0;
  });
  afterAll(async () => {
    await sim.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  async function newOrder(shippingMethod: string): Promise<string> {
    const ready = await patientReadyForOrder(sim, `${shippingMethod}-${events.length}-${sim.orders().length}@test.com`);
    const created = await call(sim, 'POST', '/v1/orders', {
      body: { shipping_method: shippingMethod, patient_id: ready.patientId, patient_location_id: ready.locationId, prescriptions: [{ id: ready.prescriptionId }] },
    });
    expect(created.status).toBe(201);
    return created.json.id;
  }

  it('same-day: pending → ready_to_fill → filling → filled → out_for_delivery → delivered, each announced', async () => {
    const id = await newOrder('sameday_delivery');
    const seen: string[] = [];
    let step;
    while ((step = sim.advanceOrder(id))) seen.push(step.order_status);
    expect(seen).toEqual(['ready_to_fill', 'filling', 'filled', 'out_for_delivery', 'delivered']);
    await waitFor(() => events.filter((e) => e.id === id).length === 5);
    expect(events.filter((e) => e.id === id).map((e) => e.order_status)).toEqual(seen);

    const outForDelivery = events.find((e) => e.id === id && e.order_status === 'out_for_delivery')!;
    expect(outForDelivery.shipment_tracking_url).toBe(`https://track.cary.example/${id}`);
    expect(Date.parse(outForDelivery.shipment_tracking_eta!)).toBeGreaterThan(clock.now().getTime());
    expect(events.find((e) => e.id === id && e.order_status === 'filled')!.shipment_tracking_url).toBeNull();
    const read = await call(sim, 'GET', `/v1/orders/${id}`);
    expect(read.json).toMatchObject({ order_status: 'delivered', shipment_tracking_url: `https://track.cary.example/${id}` });
    expect(sim.callbackDeliveries().filter((d) => d.kind === 'order' && JSON.parse(d.body).id === id).every((d) => d.status === 200)).toBe(true);
    // Nothing after delivered; nothing for an order nobody has.
    expect(sim.advanceOrder(id)).toBeUndefined();
    expect(sim.advanceOrder('none')).toBeUndefined();
  });

  it('mail order goes through shipped, with a later ETA, not out_for_delivery', async () => {
    const id = await newOrder('2day_mailorder');
    const seen: string[] = [];
    let step;
    while ((step = sim.advanceOrder(id))) {
      seen.push(step.order_status);
      if (step.order_status === 'shipped') expect(Date.parse(step.shipment_tracking_eta!) - clock.now().getTime()).toBe(48 * 3600_000);
    }
    expect(seen).toEqual(['ready_to_fill', 'filling', 'filled', 'shipped', 'delivered']);
  });

  it('advances by itself every stepMs, and stops when closed', async () => {
    const own = await startCaryRxSimulator({ clock, stepMs: 20 });
    try {
      const ready = await patientReadyForOrder(own, 'auto@test.com');
      const created = await call(own, 'POST', '/v1/orders', {
        body: { shipping_method: 'sameday_delivery', patient_id: ready.patientId, patient_location_id: ready.locationId, prescriptions: [{ id: ready.prescriptionId }] },
      });
      await waitFor(() => own.orders()[0]?.order_status === 'delivered');
      expect((await call(own, 'GET', `/v1/orders/${created.json.id}`)).json.order_status).toBe('delivered');
    } finally {
      await own.close();
    }
    const halted = await startCaryRxSimulator({ clock, stepMs: 20 });
    const ready = await patientReadyForOrder(halted, 'halted@test.com');
    await call(halted, 'POST', '/v1/orders', {
      body: { shipping_method: 'sameday_delivery', patient_id: ready.patientId, patient_location_id: ready.locationId, prescriptions: [{ id: ready.prescriptionId }] },
    });
    await halted.close();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(halted.orders()[0]?.order_status).toBe('pending');
  });

  it('failOrder fails anything not final; cancelOrder only before it leaves the pharmacy; both announced', async () => {
    const failing = await newOrder('sameday_delivery');
    sim.advanceOrder(failing);
    expect(sim.failOrder(failing)?.order_status).toBe('failed');
    expect(sim.failOrder(failing)).toBeUndefined();
    expect(sim.advanceOrder(failing)).toBeUndefined();
    expect(sim.cancelOrder(failing)).toBeUndefined();

    const cancelling = await newOrder('2day_mailorder');
    expect(sim.cancelOrder(cancelling)?.order_status).toBe('cancelled');
    const shipped = await newOrder('2day_mailorder');
    for (let i = 0; i < 4; i++) sim.advanceOrder(shipped);
    expect(sim.orders().find((o) => o.id === shipped)?.order_status).toBe('shipped');
    expect(sim.cancelOrder(shipped)).toBeUndefined();
    expect(sim.failOrder('none')).toBeUndefined();
    expect(sim.cancelOrder('none')).toBeUndefined();

    await waitFor(() => events.some((e) => e.id === failing && e.order_status === 'failed') && events.some((e) => e.id === cancelling && e.order_status === 'cancelled'));
    expect((await call(sim, 'GET', `/v1/orders/${cancelling}`)).json.order_status).toBe('cancelled');
  });

  it('a receiver that is not listening is noted with no status and harms nothing', async () => {
    const closedPort = createServer();
    await new Promise<void>((resolve) => closedPort.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closedPort.address() as AddressInfo).port}/gone`;
    await new Promise((resolve) => closedPort.close(resolve));
    expect((await call(sim, 'POST', '/v1/orders/events', { body: { callbackUrl: deadUrl, authType: 'none' } })).status).toBe(200);
    const id = await newOrder('sameday_delivery');
    sim.advanceOrder(id);
    await waitFor(() => sim.callbackDeliveries().filter((d) => d.url === deadUrl).length === 2);
    expect(sim.callbackDeliveries().filter((d) => d.url === deadUrl).map((d) => d.status)).toEqual([null, null]);
    expect(sim.advanceOrder(id)?.order_status).toBe('filling');
  });
});
