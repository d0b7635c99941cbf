// RxRelay's CaryRx client against the CaryRx simulator: every method, the apikey on every call,
// validation before sending, findPatient's "none", and the error mapping. Plus the answers only a
// broken server gives, from a tiny fake.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../../src-main/core/logger';
import { ORDER_EVENT_TEST_PAYLOAD, PRESCRIPTION_EVENT_TEST_PAYLOAD, type CaryRxPatientInput } from '../../../src-main/core/partners/caryrx/caryrx-api';
import { CaryRxClient, type CaryRxClientOptions, type CaryRxNewLocation } from '../../../src-main/core/partners/caryrx/caryrx-client';
import { PartnerRequestError, type PartnerFailureKind } from '../../../src-main/core/partners/partner-connector';
import { startCaryRxSimulator, type CaryRxSimulator } from '../../../src-main/core/sandbox/caryrx/caryrx-simulator';
import { FakeClock } from '../../helpers/rxrelay-harness';

const UNAUTHORIZED = "CaryRx refused RxRelay's API key — check it in Settings";
const API_KEY = 'sandbox-key-for-the-contract-test';

async function failure(promise: Promise<unknown>): Promise<PartnerRequestError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PartnerRequestError);
    return error as PartnerRequestError;
  }
  throw new Error('expected the call to fail');
}

async function expectFailure(promise: Promise<unknown>, kind: PartnerFailureKind): Promise<PartnerRequestError> {
  const error = await failure(promise);
  expect(error.kind, error.message).toBe(kind);
  return error;
}

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const patient = (overrides: Partial<CaryRxPatientInput> = {}): CaryRxPatientInput => ({
  first_name: 'Ana',
  last_name: 'Delgado',
  dob: '1979-08-30',
  email: 'ana.delgado@example.com',
  phone_number: '5125550199',
  ...overrides,
});

const home: CaryRxNewLocation = {
  location_name: 'home',
  address_to_street1: '700 Lavaca St',
  address_to_city: 'Austin',
  address_to_state: 'TX',
  address_to_zip: '787011234',
};

const clock = new FakeClock(new Date('2026-11-21T10:00:00.000Z'));
const logLines: string[] = [];
const recordingLogger: Logger = {
  info: (event, fields) => logLines.push(JSON.stringify({ event, ...fields })),
  warn: (event, fields) => logLines.push(JSON.stringify({ event, ...fields })),
  error: (event, fields) => logLines.push(JSON.stringify({ event, ...fields })),
};
let sim: CaryRxSimulator;
let client: CaryRxClient;
const clients: CaryRxClient[] = [];

function newClient(overrides: Partial<CaryRxClientOptions> = {}): CaryRxClient {
  const made = new CaryRxClient({ baseUrl: sim.url, apiKey: API_KEY, clock, logger: recordingLogger, ...overrides });
  clients.push(made);
  return made;
}

/** Requests the simulator saw since `from`, as "METHOD path status". */
function seenSince(from: number): string[] {
  return sim.requests().slice(from).map((r) => `${r.method} ${r.path} ${r.status}`);
}

beforeAll(async () => {
  sim = await startCaryRxSimulator({ clock, stepMs: 0, apiKey: API_KEY });
  client = newClient();
});
afterAll(async () => {
  for (const made of clients) await made.close();
  await sim.close();
});

describe('connecting', () => {
  it('ping proves the key with one cheap read; a wrong key is `unauthorized`, not transient', async () => {
    expect(client.baseUrl).toBe(sim.url);
    const before = sim.requests().length;
    await client.ping();
    expect(seenSince(before)).toEqual(['GET /v1/patients/rxrelay-connection-check 404']);

    const wrong = newClient({ apiKey: 'not-the-key', baseUrl: `${sim.url}/` });
    const error = await expectFailure(wrong.ping(), 'unauthorized');
    expect(error.message).toBe(UNAUTHORIZED);
    expect(error.httpStatus).toBe(401);
    expect(error.transient).toBe(false);
    await expectFailure(wrong.createPatient(patient()), 'unauthorized');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('not-the-key');
    expect(logLines.join('\n')).not.toContain('not-the-key');
    expect(logLines.join('\n')).not.toContain(API_KEY);
  });

  it('registers both callbacks (CaryRx then posts its test payloads there)', async () => {
    const received: Array<{ path: string; body: string }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      const rx = await client.registerPrescriptionEvents(`${base}/caryrx/prescriptions`);
      const orders = await client.registerOrderEvents(`${base}/caryrx/orders`);
      expect(rx).toMatchObject({ entity_type: 'webhook', created_at: clock.now().toISOString() });
      expect(orders.id).not.toBe(rx.id);
      await waitFor(() => received.length === 2);
      const byPath = Object.fromEntries(received.map((r) => [r.path, JSON.parse(r.body)]));
      expect(byPath['/caryrx/prescriptions']).toEqual(PRESCRIPTION_EVENT_TEST_PAYLOAD);
      expect(byPath['/caryrx/orders']).toEqual(ORDER_EVENT_TEST_PAYLOAD);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
    const before = sim.requests().length;
    await expectFailure(client.registerOrderEvents('not a url'), 'invalid_request');
    await expectFailure(client.registerPrescriptionEvents('file:///etc/passwd'), 'invalid_request');
    expect(sim.requests()).toHaveLength(before);
  });
});

describe('the fulfilment flow', () => {
  let patientId: string;
  let locationId: string;
  let prescriptionId: string;

  it('findPatient: undefined when CaryRx knows nobody; then creates and finds the patient', async () => {
    expect(await client.findPatient({ first_name: 'Ana', last_name: 'Delgado', email: 'ana.delgado@example.com' })).toBeUndefined();
    const created = await client.createPatient(patient());
    patientId = created.id;
    expect(created).toEqual({ entity_type: 'patient', id: expect.any(String), created_at: clock.now().toISOString(), updated_at: clock.now().toISOString() });
    expect(await client.findPatient({ first_name: 'ana', last_name: 'DELGADO', email: 'Ana.Delgado@example.com' })).toEqual(created);
    const read = await client.getPatient(patientId);
    expect(read).toMatchObject({ id: patientId, first_name: 'Ana', last_name: 'Delgado', dob: '1979-08-30', prescriptions: [], orders: [] });
    await expectFailure(client.getPatient('nobody'), 'not_found');
  });

  it('adds a location under the patient (the body repeats the patient id)', async () => {
    const location = await client.createLocation(patientId, home);
    locationId = location.id;
    expect(location.entity_type).toBe('patientLocation');
    expect(sim.patients().find((p) => p.record.id === patientId)?.locations.map((l) => l.input)).toEqual([{ ...home, patient_id: patientId }]);
    expect((await client.createLocation(patientId, { ...home, patient_id: patientId, location_name: 'same patient' })).entity_type).toBe('patientLocation');
    await expectFailure(client.createLocation('nobody', home), 'not_found');
  });

  it('creates a prescription and reads it; the patient lists it', async () => {
    const created = await client.createPrescription({ patient_id: patientId, medication_name: 'atorvastatin', qty_written: 30, refills_written: 0, days_supply: 30, data: 'null' });
    prescriptionId = created.id;
    expect(created.entity_type).toBe('prescription');
    const read = await client.getPrescription(prescriptionId);
    expect(read).toMatchObject({ id: prescriptionId, medication_name: 'atorvastatin', qty_written: 30, days_supply: 30, patient: { id: patientId } });
    expect((await client.getPatient(patientId)).prescriptions.map((p) => p.id)).toEqual([prescriptionId]);
    await expectFailure(client.getPrescription('none'), 'not_found');
    // Only CaryRx knows whether the patient exists: its 400 comes back as `rejected`, by field.
    const rejected = await expectFailure(
      client.createPrescription({ patient_id: 'nobody', medication_name: 'x', qty_written: 1, refills_written: 0, days_supply: 1 }),
      'rejected',
    );
    expect(rejected.httpStatus).toBe(400);
    expect(rejected.details).toEqual(['patient_id: No such patient.']);
  });

  it('creates an order as the doc does (central_fill false, pending), reads it, and follows it', async () => {
    const before = sim.requests().length;
    const order = await client.createOrder({
      shipping_method: 'sameday_delivery',
      patient_id: patientId,
      patient_location_id: locationId,
      prescriptions: [{ id: prescriptionId }],
      patient_delivery_note: 'leave at front desk',
    });
    expect(seenSince(before)).toEqual(['POST /v1/orders 201']);
    expect(order).toMatchObject({ order_status: 'pending', shipping_method: 'sameday_delivery', patient_location_id: locationId, patient: { id: patientId } });
    expect(order.prescriptions.map((p) => p.id)).toEqual([prescriptionId]);

    for (let i = 0; i < 4; i++) sim.advanceOrder(order.id);
    const out = await client.getOrder(order.id);
    expect(out).toMatchObject({ order_status: 'out_for_delivery', shipment_tracking_url: `https://track.cary.example/${order.id}` });
    expect((await client.getPatient(patientId)).orders.map((o) => o.id)).toEqual([order.id]);
    await expectFailure(client.getOrder('none'), 'not_found');

    const foreign = await expectFailure(
      client.createOrder({ shipping_method: 'sameday_delivery', patient_id: patientId, patient_location_id: 'elsewhere', prescriptions: [{ id: prescriptionId }] }),
      'rejected',
    );
    expect(foreign.details.map((d) => d.split(':')[0])).toEqual(['patient_location_id']);
  });

  it('sends the apikey and JSON content type on every request, and the doc’s camelCase registration body', async () => {
    const seen: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = [];
    const spy = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"nothing here"}');
      });
    });
    await new Promise<void>((resolve) => spy.listen(0, '127.0.0.1', resolve));
    try {
      const spied = newClient({ baseUrl: `http://127.0.0.1:${(spy.address() as AddressInfo).port}` });
      await spied.ping();
      await expectFailure(spied.registerOrderEvents('https://rxrelay.example/hooks/caryrx'), 'not_found');
      await expectFailure(spied.getOrder('a/b'), 'not_found');
      expect(seen.map((s) => s.url)).toEqual(['/v1/patients/rxrelay-connection-check', '/v1/orders/events', '/v1/orders/a%2Fb']);
      for (const request of seen) expect(request.headers).toMatchObject({ apikey: API_KEY, 'content-type': 'application/json' });
      expect(JSON.parse(seen[1]!.body)).toEqual({ callbackUrl: 'https://rxrelay.example/hooks/caryrx', authType: 'none' });
    } finally {
      await new Promise((resolve) => spy.close(resolve));
    }
  });
});

describe('validation before sending', () => {
  it('refuses what breaks the rules, naming the fields and not the values, and sends nothing', async () => {
    const before = sim.requests().length;
    const badPatient = await expectFailure(client.createPatient(patient({ first_name: '', dob: '2030-01-01', email: 'ana@', phone_number: '512-555-0199' })), 'invalid_request');
    expect(badPatient.details.map((d) => d.split(':')[0])).toEqual(['first_name', 'dob', 'email', 'phone_number']);
    expect(JSON.stringify(badPatient.details)).not.toContain('512-555-0199');
    await expectFailure(client.createPatient({ ...patient(), dob: undefined } as unknown as CaryRxPatientInput), 'invalid_request');
    await expectFailure(client.findPatient({ first_name: 'Ana', last_name: ' ', email: 'ana@example.com' }), 'invalid_request');

    const badLocation = await expectFailure(client.createLocation('p1', { ...home, address_to_state: 'Texas', address_to_zip: '7870' }), 'invalid_request');
    expect(badLocation.details.map((d) => d.split(':')[0])).toEqual(['address_to_state', 'address_to_zip']);
    await expectFailure(client.createLocation('p1', { ...home, patient_id: 'p2' }), 'invalid_request');
    await expectFailure(client.createLocation(' ', home), 'invalid_request');

    const badRx = await expectFailure(client.createPrescription({ patient_id: 'p1', medication_name: 'x', qty_written: 0, refills_written: 0.5, days_supply: -3 }), 'invalid_request');
    expect(badRx.details.map((d) => d.split(':')[0])).toEqual(['qty_written', 'days_supply', 'refills_written']);

    const order = { shipping_method: 'sameday_delivery', patient_id: 'p1', patient_location_id: 'l1', prescriptions: [{ id: 'r1' }] };
    await expectFailure(client.createOrder({ ...order, shipping_method: 'overnight' }), 'invalid_request');
    await expectFailure(client.createOrder({ ...order, prescriptions: [] }), 'invalid_request');
    await expectFailure(client.createOrder({ ...order, patient_pharmacy_note: 'x'.repeat(1001) }), 'invalid_request');
    await expectFailure(client.getOrder(''), 'invalid_request');
    await expectFailure(client.getPrescription(' '), 'invalid_request');
    expect(sim.requests()).toHaveLength(before);
  });
});

describe('answers only a broken server gives', () => {
  let fake: Server;
  let fakeUrl: string;
  let answer: { status: number; body: string; headers?: Record<string, string> } = { status: 200, body: '' };
  beforeAll(async () => {
    fake = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => fake.close(resolve));
  });

  const fakeClient = () => newClient({ baseUrl: fakeUrl, logger: silentLogger });

  it('not JSON, or not the expected shape → invalid_response', async () => {
    answer = { status: 200, body: '<html>maintenance</html>' };
    await expectFailure(fakeClient().getOrder('o1'), 'invalid_response');
    answer = { status: 200, body: JSON.stringify({ id: 'o1', order_status: 'pending' }) };
    const error = await expectFailure(fakeClient().getOrder('o1'), 'invalid_response');
    expect(error.details.length).toBeGreaterThan(0);
    answer = { status: 201, body: JSON.stringify({ id: 'p1' }) };
    await expectFailure(fakeClient().createPatient(patient()), 'invalid_response');
  });

  it('reads the GET sample’s "updatedAt" as updated_at, and an unknown status as it comes', async () => {
    answer = {
      status: 200,
      body: JSON.stringify({
        id: 'mu0cu5dv3f',
        shipping_method: '2day_mailorder',
        packaging_method: 'usps_firstclass',
        order_status: 'awaiting_prior_auth',
        created_at: '2022-01-26T16:34:09.493Z',
        updatedAt: '2022-01-26T16:34:09.493Z',
        flags: null,
        prescriptions: [{ entity_type: 'prescription', prescription: 'atorvastatin', is_refill: false, id: 'uccmdxbo8y' }],
        patient: { entity_type: 'patient', id: 'wuyhosgwuc' },
        activationcode: null,
      }),
    };
    expect(await fakeClient().getOrder('mu0cu5dv3f')).toMatchObject({ order_status: 'awaiting_prior_auth', updated_at: '2022-01-26T16:34:09.493Z' });
  });

  it('401/403 → unauthorized; 429 → rate_limited with Retry-After; 5xx → unavailable; 400/409/422 → rejected with details', async () => {
    answer = { status: 403, body: '{"message":"Forbidden"}' };
    expect((await expectFailure(fakeClient().ping(), 'unauthorized')).message).toBe(UNAUTHORIZED);
    answer = { status: 429, body: '{"message":"slow down"}', headers: { 'retry-after': '12' } };
    const limited = await expectFailure(fakeClient().getOrder('o1'), 'rate_limited');
    expect(limited.retryAfterMs).toBe(12_000);
    expect(limited.transient).toBe(true);
    answer = { status: 503, body: '', headers: { 'retry-after': '7' } };
    expect((await expectFailure(fakeClient().ping(), 'unavailable')).retryAfterMs).toBe(7000);
    answer = { status: 500, body: '{"message":"Server Error"}' };
    expect((await expectFailure(fakeClient().getPatient('p1'), 'unavailable')).httpStatus).toBe(500);
    answer = { status: 409, body: '{"message":"Duplicate patient."}' };
    expect((await expectFailure(fakeClient().createPatient(patient()), 'rejected')).details).toEqual(['Duplicate patient.']);
    answer = { status: 422, body: '{"message":"invalid","errors":{"dob":["must be in the past"]}}' };
    expect((await expectFailure(fakeClient().createPatient(patient()), 'rejected')).details).toEqual(['dob: must be in the past']);
    answer = { status: 400, body: 'not json' };
    expect((await expectFailure(fakeClient().createPatient(patient()), 'rejected')).details).toEqual([]);
  });

  it('findPatient: only a 404 means nobody; other refusals are errors', async () => {
    answer = { status: 404, body: '{"message":"No patient matches."}' };
    expect(await fakeClient().findPatient({ first_name: 'Ana', last_name: 'Delgado', email: 'ana@example.com' })).toBeUndefined();
    answer = { status: 401, body: '{"message":"no"}' };
    await expectFailure(fakeClient().findPatient({ first_name: 'Ana', last_name: 'Delgado', email: 'ana@example.com' }), 'unauthorized');
  });

  it('nobody listening → unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await expectFailure(newClient({ baseUrl: `http://127.0.0.1:${port}` }).ping(), 'unavailable');
    expect(error.message).toContain('refused the connection');
    expect(error.transient).toBe(true);
  });

  it('an answer slower than timeoutMs → unavailable', async () => {
    const slow = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const error = await expectFailure(newClient({ baseUrl: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`, timeoutMs: 150 }).ping(), 'unavailable');
      expect(error.message).toContain('did not answer in time');
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });
});
