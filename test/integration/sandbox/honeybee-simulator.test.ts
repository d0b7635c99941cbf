// The Honeybee simulator on a real loopback port, seen by plain fetch the way any partner would use
// Honeybee's Partners API: the token server, the resource server's conventions (Accept, Bearer,
// X-Request-Id, ETag, signed responses), orders and each documented 422, the 409 for duplicates,
// reorders and address changes, the sandbox's simulate endpoint, webhooks with both authenticity
// headers, the order journey by hand and by timer, holds, and faults on demand.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conflictBodySchema,
  describeHoneybeeErrors,
  errorBodySchema,
  HONEYBEE_ERROR_MESSAGES,
  HONEYBEE_SECRET_HEADER,
  HONEYBEE_SIGNATURE_HEADER,
  orderSchema,
  orderStatusOf,
  ordersListSchema,
  parseHoneybeeEvent,
  patientSchema,
  readPrescriptionsBody,
  tokenResponseSchema,
  verifyHoneybeeSignature,
  type HoneybeeAddress,
  type HoneybeeCreateOrderRequest,
  type HoneybeeEvent,
} from '../../../src-main/core/partners/honeybee/honeybee-api';
import { startHoneybeeSimulator, type HoneybeeErxInput, type HoneybeeSimulator } from '../../../src-main/core/sandbox/honeybee/honeybee-simulator';
import { FakeClock } from '../../helpers/rxrelay-harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read arbitrary answer fields
  json: any;
}

async function call(
  sim: HoneybeeSimulator,
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  const token = options.token === undefined ? await tokenOf(sim) : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(sim.url + path, { method, headers, body, signal: options.signal });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

const tokens = new WeakMap<HoneybeeSimulator, string>();
async function tokenOf(sim: HoneybeeSimulator): Promise<string> {
  const known = tokens.get(sim);
  if (known) return known;
  const answer = await tokenRequest(sim, { grant_type: 'client_credentials' }, basic(sim.clientId, sim.clientSecret));
  expect(answer.status).toBe(200);
  tokens.set(sim, answer.json.access_token);
  return answer.json.access_token;
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function tokenRequest(sim: HoneybeeSimulator, form: Record<string, string>, authorization?: string, contentType = 'application/x-www-form-urlencoded'): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (authorization) headers.authorization = authorization;
  const body = contentType.startsWith('application/json') ? JSON.stringify(form) : new URLSearchParams(form).toString();
  const response = await fetch(sim.tokenUrl, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const AUSTIN: HoneybeeAddress = { first_name: 'Ada', last_name: 'Moreno', street1: '1200 Barton Springs Rd', city: 'Austin', state: 'TX', zip: '78704' };
const ada = (address: HoneybeeAddress | undefined = AUSTIN): NonNullable<HoneybeeErxInput['patient']> => ({
  first_name: 'Ada',
  last_name: 'Moreno',
  dob: '1960-04-12',
  email: 'ada.moreno@example.com',
  phone: '5125550142',
  gender: 'F',
  ...(address ? { address } : {}),
});

function orderRequest(patientId: string, prescriptionIds: number[], overrides: Partial<HoneybeeCreateOrderRequest> = {}): HoneybeeCreateOrderRequest {
  return {
    shipping: { method_id: 1 },
    patient: { patient_id: patientId, patient_safety: { medications: [], health_conditions: [], allergies: [] } },
    items: prescriptionIds.map((id) => ({ prescription_id: id, quantity: 1, package_size: 30 })),
    ...overrides,
  };
}

/** A webhook receiver on loopback: `/ok` answers 200, `/fail` 500. */
interface Receiver {
  url: string;
  received: Array<{ path: string; headers: IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(req.url === '/fail' ? 500 : 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const eventsOf = (receiver: Receiver): HoneybeeEvent[] =>
  receiver.received.map((r) => {
    const parsed = parseHoneybeeEvent(r.body);
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    return parsed.event;
  });

describe('the token server', () => {
  const clock = new FakeClock(new Date('2026-11-21T10:00:00.000Z'));
  let sim: HoneybeeSimulator;
  beforeAll(async () => {
    sim = await startHoneybeeSimulator({ clock, stepMs: 0, clientId: 'client-1', clientSecret: 'secret-1' });
  });
  afterAll(() => sim.close());

  it('issues a Bearer token for credentials in HTTP Basic, with the no-cache headers', async () => {
    expect(sim.tokenUrl).toBe(`${sim.url}/oauth/token`);
    const answer = await tokenRequest(sim, { grant_type: 'client_credentials' }, basic('client-1', 'secret-1'), 'application/x-www-form-urlencoded;charset=utf-8');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('pragma')).toBe('no-cache');
    expect(answer.headers.get('x-request-id')).toMatch(UUID);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(tokenResponseSchema.parse(answer.json)).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 43_200, created_at: Date.parse('2026-11-21T10:00:00Z') / 1000 });
    expect(sim.tokensIssued()).toBe(1);
  });

  it('issues one for credentials in the form body', async () => {
    const answer = await tokenRequest(sim, { grant_type: 'client_credentials', client_id: 'client-1', client_secret: 'secret-1' });
    expect(answer.status).toBe(200);
    expect(answer.json.token_type).toBe('Bearer');
    expect(sim.tokensIssued()).toBe(2);
  });

  it('refuses wrong or missing credentials with 401 invalid_client and a wrong grant with 400, issuing nothing', async () => {
    for (const [form, authorization] of [
      [{ grant_type: 'client_credentials' }, basic('client-1', 'secret-2')],
      [{ grant_type: 'client_credentials' }, basic('client-2', 'secret-1')],
      [{ grant_type: 'client_credentials', client_id: 'client-1', client_secret: 'secret-1x' }, undefined],
      [{ grant_type: 'client_credentials', client_id: 'client-1' }, undefined],
      [{ grant_type: 'client_credentials' }, undefined],
    ] as const) {
      const answer = await tokenRequest(sim, form, authorization);
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ error: 'invalid_client' });
      expect(answer.headers.get('x-request-id')).toMatch(UUID);
    }
    const password = await tokenRequest(sim, { grant_type: 'password' }, basic('client-1', 'secret-1'));
    expect(password.status).toBe(400);
    expect(password.json).toEqual({ error: 'unsupported_grant_type' });
    expect((await tokenRequest(sim, {}, basic('client-1', 'secret-1'))).json.error).toBe('invalid_request');
    const json = await tokenRequest(sim, { grant_type: 'client_credentials' }, basic('client-1', 'secret-1'), 'application/json');
    expect(json.status).toBe(400);
    expect(json.json.error).toBe('invalid_request');
    expect(sim.tokensIssued()).toBe(2);
  });

  it('generates credentials and secrets when none are given', async () => {
    const own = await startHoneybeeSimulator({ stepMs: 0 });
    try {
      const secrets = [own.clientId, own.clientSecret, own.staticSecret, own.signingSecret];
      expect(new Set(secrets).size).toBe(4);
      for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(20);
      expect((await tokenRequest(own, { grant_type: 'client_credentials' }, basic(own.clientId, own.clientSecret))).status).toBe(200);
      expect((await tokenRequest(own, { grant_type: 'client_credentials' }, basic('client-1', 'secret-1'))).status).toBe(401);
    } finally {
      await own.close();
    }
  });
});

describe('the resource server conventions', () => {
  const clock = new FakeClock(new Date('2026-11-21T10:00:00.000Z'));
  let sim: HoneybeeSimulator;
  let patientId: string;
  beforeAll(async () => {
    sim = await startHoneybeeSimulator({ clock, stepMs: 0, tokenTtlSeconds: 60 });
    patientId = sim.receiveErx({ workflow: 'requested', patient: ada() }).patient_id;
  });
  afterAll(() => sim.close());

  it('answers 401 without a token, with an unknown one, with an expired one and after expireTokens', async () => {
    const none = await call(sim, 'GET', `/v1/patients/${patientId}`, { token: null });
    expect(none.status).toBe(401);
    expect(errorBodySchema.parse(none.json).errors[0]?.code).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.headers.get(HONEYBEE_SIGNATURE_HEADER)).toBeNull();
    expect((await call(sim, 'GET', `/v1/patients/${patientId}`, { token: 'made-up' })).status).toBe(401);

    const token = await tokenOf(sim);
    expect((await call(sim, 'GET', `/v1/patients/${patientId}`, { token })).status).toBe(200);
    clock.advance(59_000);
    expect((await call(sim, 'GET', `/v1/patients/${patientId}`, { token })).status).toBe(200);
    clock.advance(1_000);
    expect((await call(sim, 'GET', `/v1/patients/${patientId}`, { token })).status).toBe(401);

    tokens.delete(sim);
    const fresh = await tokenOf(sim);
    expect((await call(sim, 'GET', `/v1/patients/${patientId}`, { token: fresh })).status).toBe(200);
    sim.expireTokens();
    expect((await call(sim, 'GET', `/v1/patients/${patientId}`, { token: fresh })).status).toBe(401);
    tokens.delete(sim);
    expect((await call(sim, 'GET', `/v1/patients/${patientId}`)).status).toBe(200);
  });

  it('answers 406 unless Accept names application/json', async () => {
    for (const accept of ['text/html', '*/*', 'application/xml']) {
      const answer = await call(sim, 'GET', `/v1/patients/${patientId}`, { headers: { accept } });
      expect(answer.status, accept).toBe(406);
      expect(answer.json.errors[0]).toMatchObject({ code: 406, error_detail: [{ field: 'accept' }] });
    }
    for (const accept of ['application/json; charset=utf-8', 'text/html, Application/JSON;q=0.9']) {
      expect((await call(sim, 'GET', `/v1/patients/${patientId}`, { headers: { accept } })).status, accept).toBe(200);
    }
  });

  it('puts a fresh X-Request-Id UUID on every answer and in the request log', async () => {
    const answers = [
      await call(sim, 'GET', `/v1/patients/${patientId}`),
      await call(sim, 'GET', '/v1/patients/nobody'),
      await call(sim, 'GET', '/v1/nothing-here'),
      await call(sim, 'GET', `/v1/patients/${patientId}`, { token: null }),
      await call(sim, 'GET', `/v1/patients/${patientId}`, { headers: { accept: 'text/html' } }),
      await call(sim, 'POST', '/v1/orders', { body: '{"broken' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 404, 404, 401, 406, 400]);
    const ids = answers.map((a) => a.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    const logged = sim.requests().slice(-6);
    expect(logged.map((r) => r.requestId)).toEqual(ids);
    expect(logged[1]).toEqual({ method: 'GET', path: '/v1/patients/nobody', status: 404, requestId: ids[1] });
    for (const answer of answers) expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('signs answers to authenticated calls with the client secret over method, URL and body', async () => {
    for (const path of [`/v1/patients/${patientId}`, `/v1/orders?patient_id=${patientId}`, '/v1/patients/nobody']) {
      const answer = await call(sim, 'GET', path);
      const header = answer.headers.get(HONEYBEE_SIGNATURE_HEADER) ?? '';
      expect(verifyHoneybeeSignature(sim.clientSecret, 'GET', sim.url + path, answer.text, header), path).toBe(true);
      expect(verifyHoneybeeSignature(sim.signingSecret, 'GET', sim.url + path, answer.text, header)).toBe(false);
    }
  });

  it('gives GETs a weak ETag and answers If-None-Match with 304 and no body, until the resource changes', async () => {
    const { order_number: orderNumber } = sim.receiveErx({ workflow: 'automatic', patient: ada() });
    const path = `/v1/orders/${orderNumber}`;
    const first = await call(sim, 'GET', path);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/);
    expect((await call(sim, 'GET', path)).headers.get('etag')).toBe(etag);
    const same = await call(sim, 'GET', path, { headers: { 'if-none-match': etag } });
    expect(same.status).toBe(304);
    expect(same.text).toBe('');
    expect(same.headers.get('x-request-id')).toMatch(UUID);
    expect((await call(sim, 'GET', path, { headers: { 'if-none-match': `"other", ${etag.slice(2)}` } })).status).toBe(304);
    sim.advanceOrder(orderNumber!);
    const changed = await call(sim, 'GET', path, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(orderStatusOf(orderSchema.parse(changed.json))).toBe('Filling');
  });

  it('answers the patient bare, and the prescriptions under medication_request', async () => {
    const patient = await call(sim, 'GET', `/v1/patients/${patientId}`);
    expect(patientSchema.parse(patient.json)).toEqual({ id: patientId, first_name: 'Ada', last_name: 'Moreno', dob: '1960-04-12', email: 'ada.moreno@example.com', phone: '5125550142', gender: 'F' });
    const rx = await call(sim, 'GET', `/v1/patients/${patientId}/rx`);
    expect(Object.keys(rx.json)).toEqual(['medication_request']);
    expect(readPrescriptionsBody(rx.json)).toEqual([expect.objectContaining({ patient_id: patientId, refills_left: 2, medication_dispenses: [] })]);
    expect((await call(sim, 'GET', '/v1/patients/nobody/rx')).status).toBe(404);
  });
});

describe('orders', () => {
  const clock = new FakeClock(new Date('2026-11-21T10:00:00.000Z'));
  let sim: HoneybeeSimulator;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    sim = await startHoneybeeSimulator({ clock, stepMs: 0, webhookUrl: `${receiver.url}/ok` });
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  async function expect422(body: unknown, code: number, field?: string): Promise<void> {
    const answer = await call(sim, 'POST', '/v1/orders', { body });
    expect(answer.status, JSON.stringify(answer.json)).toBe(422);
    const errors = errorBodySchema.parse(answer.json).errors;
    expect(errors.map((e) => e.code)).toContain(code);
    if (field) expect(errors.flatMap((e) => e.error_detail ?? []).map((d) => d.field)).toContain(field);
    expect(describeHoneybeeErrors(answer.json)[0]).toContain(HONEYBEE_ERROR_MESSAGES[errors[0]!.code]!);
  }

  it('creates an order from the prescription, shipping to the e-Rx address, newest first in the patient\'s list', async () => {
    const { patient_id, prescription_ids } = sim.receiveErx({ workflow: 'requested', patient: ada(), medications: [{ drug_name: 'IBUPROFEN 800 MG TABLET', written_qty: 60 }, {}] });
    const created = await call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, prescription_ids) });
    expect(created.status).toBe(201);
    const order = orderSchema.parse(created.json);
    expect(order).toMatchObject({ patient_id, shipping: { method_id: 1 }, address: AUSTIN, shipment: null, exception: null });
    expect(order.order_number).toMatch(/^HB[A-Z0-9]{8}$/);
    expect(orderStatusOf(order)).toBe('Processing');
    expect(order.medication_requests.map((m) => [m.prescription_id, m.drug_name, m.medication_dispenses.map((d) => [d.order_number, d.order_status, d.quantity, d.package_size])])).toEqual([
      [prescription_ids[0], 'IBUPROFEN 800 MG TABLET', [[order.order_number, 'Processing', 1, 30]]],
      [prescription_ids[1], 'ATORVASTATIN 10MG TABLET', [[order.order_number, 'Processing', 1, 30]]],
    ]);
    expect((await call(sim, 'GET', `/v1/orders/${order.order_number}`)).json).toEqual(created.json);
    expect((await call(sim, 'GET', '/v1/orders/HBNOSUCH01')).status).toBe(404);

    clock.advance(6 * 60_000);
    const second = await call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, [prescription_ids[0]!], { address: { ...AUSTIN, street2: 'Apt 4', ignore_warnings: false } }) });
    expect(second.status).toBe(201);
    expect(second.json.address).toEqual({ ...AUSTIN, street2: 'Apt 4' });
    const listed = ordersListSchema.parse((await call(sim, 'GET', `/v1/orders?patient_id=${patient_id}`)).json);
    expect(listed.orders.map((o) => o.order_number)).toEqual([second.json.order_number, order.order_number]);
    expect(ordersListSchema.parse((await call(sim, 'GET', '/v1/orders?patient_id=nobody')).json).orders).toEqual([]);
    await waitFor(() => eventsOf(receiver).filter((e) => e.event_type === 'RX_UPDATED').length === 2);
  });

  it('answers 400 for a body that is not JSON or not the documented shape', async () => {
    const broken = await call(sim, 'POST', '/v1/orders', { body: '{"shipping":' });
    expect(broken.status).toBe(400);
    expect(errorBodySchema.parse(broken.json).errors[0]?.code).toBe(400);
    const noSafety = orderRequest('p', [1]) as { patient: Record<string, unknown> };
    delete noSafety.patient.patient_safety;
    const shape = await call(sim, 'POST', '/v1/orders', { body: noSafety });
    expect(shape.status).toBe(400);
    expect(shape.json.errors[0].error_detail.map((d: { field: string }) => d.field)).toContain('patient.patient_safety');
    expect((await call(sim, 'POST', '/v1/orders', { body: { ...orderRequest('p', []), items: [{ prescription_id: 1, sku: 'x' }] } })).status).toBe(400);
  });

  it('refuses each rule break with its documented 422 code', async () => {
    const { patient_id, prescription_ids } = sim.receiveErx({ workflow: 'requested', patient: ada() });
    const rx = prescription_ids[0]!;
    const other = sim.receiveErx({ workflow: 'requested', patient: { ...ada(), first_name: 'Bo', email: 'bo@example.com' } });
    await expect422(orderRequest('nobody', [rx]), 42206);
    await expect422(orderRequest(patient_id, [other.prescription_ids[0]!]), 42241, 'items.0.prescription_id');
    await expect422(orderRequest(patient_id, [999_999]), 42241);
    await expect422(orderRequest(patient_id, [rx], { address: { ...AUSTIN, state: 'XX' } }), 42226, 'state');
    await expect422(orderRequest(patient_id, [rx], { address: { ...AUSTIN, zip: '7870' } }), 42227, 'zip');
    await expect422(orderRequest(patient_id, [rx], { address: { ...AUSTIN, zip: '60108' } }), 42227, 'zip');
    for (const [state, zip] of [['HI', '96813'], ['AK', '99501'], ['PR', '00901']]) {
      await expect422(orderRequest(patient_id, [rx], { address: { ...AUSTIN, state: state!, zip: zip! } }), 42231, 'state');
    }
    await expect422(orderRequest(patient_id, [rx], { address: { ...AUSTIN, street1: '1 Nowhere Lane' } }), 42230, 'address.not_found');
    await expect422(orderRequest(patient_id, [rx], { address: { ...AUSTIN, first_name: '' } }), 42221);
    await expect422(orderRequest(patient_id, [rx], { shipping: { method_id: 7 } }), 42295);
    await expect422({ ...orderRequest(patient_id, [rx]), items: [{ prescription_id: rx, quantity: 0 }] }, 42294);
    await expect422({ ...orderRequest(patient_id, [rx]), items: [] }, 42294);
    const withPatient = (patient: Record<string, unknown>) => {
      const request = orderRequest(patient_id, [rx]);
      return { ...request, patient: { ...request.patient, ...patient } };
    };
    await expect422(withPatient({ gender: 'X' }), 42205);
    await expect422(withPatient({ email: 'nope' }), 42201);
    await expect422(withPatient({ phone: '555' }), 42204);
    await expect422(withPatient({ identity_documents: [{ document_type: 'ZZ', issuing_country: 'US', document_number: '1', expiration_date: '2030-01-01' }] }), 42216);
    await expect422(withPatient({ identity_documents: [{ document_type: 'DL', issuing_country: 'US', document_number: '1', expiration_date: '2020-01-01' }] }), 42220);
    expect(sim.orders().filter((o) => o.patient_id === patient_id)).toEqual([]);

    // "Ship to this address anyway".
    const anyway = await call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, [rx], { address: { ...AUSTIN, street1: '1 Nowhere Lane', ignore_warnings: true } }) });
    expect(anyway.status).toBe(201);
    expect(anyway.json.address).toEqual({ ...AUSTIN, street1: '1 Nowhere Lane' });
  });

  it('needs the patient\'s ID document for a controlled substance, whether the schedule is a number or a string', async () => {
    for (const drug_schedule of [4, '2']) {
      const { patient_id, prescription_ids } = sim.receiveErx({ workflow: 'requested', patient: ada(), medications: [{ drug_name: 'ALPRAZOLAM 0.5MG TABLET', drug_schedule }] });
      await expect422(orderRequest(patient_id, prescription_ids), 42208, 'patient.identity_documents');
      const request = orderRequest(patient_id, prescription_ids);
      request.patient.identity_documents = [{ document_type: 'DL', issuing_country: 'US', issuing_state: 'TX', document_number: 'D1234567', expiration_date: '2030-01-01' }];
      expect((await call(sim, 'POST', '/v1/orders', { body: request })).status).toBe(201);
    }
  });

  it('answers 409 to the same order again within 5 minutes, not after, and not once the first is canceled', async () => {
    const { patient_id, prescription_ids } = sim.receiveErx({ workflow: 'requested', patient: ada(), medications: [{ refills_left: 5 }] });
    const first = await call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, prescription_ids) });
    expect(first.status).toBe(201);
    clock.advance(4 * 60_000);
    const again = await call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, prescription_ids, { shipping: { method_id: 2 } }) });
    expect(again.status).toBe(409);
    expect(conflictBodySchema.parse(again.json).error.error_code).toBe(409);
    expect(describeHoneybeeErrors(again.json)[0]).toMatch(/duplicate/);
    clock.advance(61_000);
    expect((await call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, prescription_ids) })).status).toBe(201);
    const third = sim.receiveErx({ workflow: 'requested', patient_id, medications: [{ refills_left: 5 }] });
    const placed = await call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, third.prescription_ids) });
    sim.cancelOrder(placed.json.order_number);
    expect((await call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, third.prescription_ids) })).status).toBe(201);
    expect(sim.orders().filter((o) => o.patient_id === patient_id)).toHaveLength(4);
  });

  it('counts fills against refills (a canceled order gives its fill back) and answers refills_left', async () => {
    const { patient_id, prescription_ids } = sim.receiveErx({ workflow: 'requested', patient: ada(), medications: [{ refills_left: 1 }] });
    const rx = prescription_ids[0]!;
    const fill = async () => {
      clock.advance(6 * 60_000);
      return call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, [rx]) });
    };
    const refillsLeft = async () => readPrescriptionsBody((await call(sim, 'GET', `/v1/patients/${patient_id}/rx`)).json)[0]?.refills_left;
    expect((await fill()).status).toBe(201);
    expect(await refillsLeft()).toBe(1);
    const second = await fill();
    expect(second.status).toBe(201);
    expect(await refillsLeft()).toBe(0);
    const third = await fill();
    expect(third.status).toBe(422);
    expect(third.json.errors[0].code).toBe(42296);
    sim.cancelOrder(second.json.order_number);
    expect((await fill()).status).toBe(201);
  });

  it('reorders a shipped or delivered order as a new order with the same items, and nothing earlier', async () => {
    const { patient_id, prescription_ids } = sim.receiveErx({ workflow: 'requested', patient: ada(), medications: [{ refills_left: 1 }] });
    const body = orderRequest(patient_id, prescription_ids);
    body.items = [{ prescription_id: prescription_ids[0]!, quantity: 2, package_size: 45 }, { sku: 'packaging-pouch', quantity: 1, package_size: 1 }];
    const original = (await call(sim, 'POST', '/v1/orders', { body })).json.order_number as string;
    const early = await call(sim, 'POST', `/v1/orders/${original}/reorders`);
    expect(early.status).toBe(422);
    expect(early.json.errors[0].code).toBe(42297);
    clock.advance(6 * 60_000);
    const refill = (await call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, prescription_ids) })).json.order_number as string;
    sim.advanceOrder(original);
    sim.advanceOrder(original);
    // Both fills are spent, yet a replacement of what shipped is allowed, and it spends none.
    const reorder = await call(sim, 'POST', `/v1/orders/${original}/reorders`, { body: {} });
    expect(reorder.status).toBe(201);
    sim.cancelOrder(refill);
    clock.advance(6 * 60_000);
    expect((await call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, prescription_ids) })).status).toBe(201);
    const copy = orderSchema.parse(reorder.json);
    expect(copy.order_number).not.toBe(original);
    expect(orderStatusOf(copy)).toBe('Processing');
    expect(copy.items).toEqual([{ sku: 'packaging-pouch', quantity: 1, package_size: 1 }]);
    expect(copy.medication_requests.map((m) => [m.prescription_id, m.medication_dispenses.map((d) => [d.quantity, d.package_size])])).toEqual([[prescription_ids[0], [[2, 45]]]]);
    expect(copy.address).toEqual(AUSTIN);
    const elsewhere = await call(sim, 'POST', `/v1/orders/${original}/reorders`, { body: { address: { ...AUSTIN, street1: '500 Second Ave', city: 'Bloomingdale', state: 'IL', zip: '60108' } } });
    expect(elsewhere.json.address).toMatchObject({ city: 'Bloomingdale' });
    expect((await call(sim, 'POST', `/v1/orders/${original}/reorders`, { body: { address: { ...AUSTIN, zip: '96813' } } })).json.errors[0].code).toBe(42227);
    expect((await call(sim, 'POST', '/v1/orders/HBNOSUCH01/reorders')).status).toBe(404);
  });

  it('changes the shipping address until the order ships, and a good address releases an address hold', async () => {
    const { order_number: orderNumber } = sim.receiveErx({ workflow: 'automatic', patient: ada() });
    const path = `/v1/orders/${orderNumber}/shipping_address`;
    const moved = { ...AUSTIN, street1: '500 Second Ave', street2: 'Apt 4', city: 'Bloomingdale', state: 'IL', zip: '60108' };
    const changed = await call(sim, 'PUT', path, { body: { ...moved, accept_suggested: true } });
    expect(changed.status).toBe(200);
    expect(changed.json.address).toEqual(moved);
    expect((await call(sim, 'PUT', path, { body: { ...moved, zip: '78704' } })).json.errors[0]).toMatchObject({ code: 42227 });
    expect((await call(sim, 'PUT', path, { body: { street1: 'x' } })).status).toBe(400);

    sim.holdOrder(orderNumber!, 'AddressMissingUnit');
    const released = await call(sim, 'PUT', path, { body: moved });
    expect(orderStatusOf(orderSchema.parse(released.json))).toBe('Filling');
    expect(released.json.exception).toBeNull();

    sim.holdOrder(orderNumber!, 'AllergyDetected');
    const stillHeld = await call(sim, 'PUT', path, { body: AUSTIN });
    expect(stillHeld.status).toBe(200);
    expect(orderStatusOf(orderSchema.parse(stillHeld.json))).toBe('On Hold');
    sim.releaseOrder(orderNumber!);
    sim.advanceOrder(orderNumber!);
    const shipped = await call(sim, 'PUT', path, { body: moved });
    expect(shipped.status).toBe(422);
    expect(shipped.json.errors[0].code).toBe(42228);
    expect(describeHoneybeeErrors(shipped.json)[0]).toContain('already shipped');
    expect((await call(sim, 'PUT', '/v1/orders/HBNOSUCH01/shipping_address', { body: moved })).status).toBe(404);
  });

  it('needs approval to move a controlled-substance order (42229)', async () => {
    const { patient_id, prescription_ids } = sim.receiveErx({ workflow: 'requested', patient: ada(), medications: [{ drug_schedule: 2 }] });
    const request = orderRequest(patient_id, prescription_ids);
    request.patient.identity_documents = [{ document_type: 'PP', issuing_country: 'US', document_number: 'P1', expiration_date: '2031-05-01' }];
    const orderNumber = (await call(sim, 'POST', '/v1/orders', { body: request })).json.order_number;
    const answer = await call(sim, 'PUT', `/v1/orders/${orderNumber}/shipping_address`, { body: AUSTIN });
    expect(answer.json.errors[0].code).toBe(42229);
  });
});

describe('the sandbox simulate endpoint and webhooks', () => {
  let sim: HoneybeeSimulator;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    sim = await startHoneybeeSimulator({ stepMs: 0, staticSecret: 'static-secret', signingSecret: 'signing-secret' });
    sim.setWebhookUrl(`${receiver.url}/ok`);
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  it('accepts the documented RX_RECEIVED simulation with 202 and delivers the event with both authenticity headers', async () => {
    const before = receiver.received.length;
    const answer = await call(sim, 'POST', '/v1/simulate', {
      body: {
        simulation_type: 'event',
        simulation: {
          event_type: 'RX_RECEIVED',
          medication_requests: [
            { prescriber_name: 'Dr. Jane Foster', drug_name: 'SILDENAFIL 20MG TABLET', ndc: '59762003301', sig_text: 'Take 1 tablet daily', written_qty: 90, refills_left: 2, expire_date: '2025-06-12T14:15:22Z', drug_schedule: 4 },
          ],
        },
      },
    });
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ event_type: 'RX_RECEIVED', patient_id: expect.any(String), prescription_ids: [expect.any(Number)] });
    await waitFor(() => receiver.received.length === before + 1);
    const delivery = receiver.received.at(-1)!;
    const url = `${receiver.url}/ok`;
    expect(delivery.path).toBe('/ok');
    expect(delivery.headers[HONEYBEE_SECRET_HEADER]).toBe('static-secret');
    expect(verifyHoneybeeSignature('signing-secret', 'POST', url, delivery.body, String(delivery.headers[HONEYBEE_SIGNATURE_HEADER]))).toBe(true);
    expect(verifyHoneybeeSignature(sim.clientSecret, 'POST', url, delivery.body, String(delivery.headers[HONEYBEE_SIGNATURE_HEADER]))).toBe(false);
    // Compact JSON, the published key order, and no PHI.
    expect(delivery.body).toBe(JSON.stringify(JSON.parse(delivery.body)));
    expect(Object.keys(JSON.parse(delivery.body))).toEqual(['event_id', 'event_type', 'patient_id', 'medication_requests']);
    expect(Object.keys(JSON.parse(delivery.body).medication_requests[0])).toEqual([
      'id', 'prescription_id', 'active', 'patient_id', 'prescriber_name', 'receive_date', 'drug_name', 'ndc', 'sig_text', 'written_qty', 'days_supply', 'refills_left', 'expire_date', 'drug_schedule',
    ]);
    for (const phi of ['Sandbox', 'Patient', '1980-01-01', 'example.com', 'Barton', '5125550142']) expect(delivery.body).not.toContain(phi);
    const event = parseHoneybeeEvent(delivery.body);
    expect(event).toMatchObject({ ok: true, event: { event_type: 'RX_RECEIVED', patient_id: answer.json.patient_id } });
    expect(event.ok && event.event.event_id).toMatch(UUID);
    expect(event.ok && event.event.event_type === 'RX_RECEIVED' && event.event.medication_requests[0]).toMatchObject({ ndc: '59762003301', drug_schedule: 4, prescription_id: answer.json.prescription_ids[0] });
    expect(sim.webhookDeliveries().at(-1)).toMatchObject({ url, event_type: 'RX_RECEIVED', status: 200, body: delivery.body, headers: { [HONEYBEE_SECRET_HEADER]: 'static-secret' } });
  });

  it('simulates an automatic order (RX_UPDATED) and a hold (ORDER_EXCEPTION), and refuses anything else with 422', async () => {
    const before = receiver.received.length;
    const automatic = await call(sim, 'POST', '/v1/simulate', { body: { simulation_type: 'event', simulation: { event_type: 'rx_updated' } } });
    expect(automatic.status).toBe(202);
    const orderNumber = automatic.json.order_number as string;
    await waitFor(() => receiver.received.length === before + 2);
    expect(eventsOf(receiver).slice(-2).map((e) => e.event_type)).toEqual(['RX_RECEIVED', 'RX_UPDATED']);
    expect(eventsOf(receiver).at(-1)).toMatchObject({ order_number: orderNumber, medication_requests: [{ medication_dispenses: [{ order_status: 'Processing' }] }] });

    const hold = await call(sim, 'POST', '/v1/simulate', { body: { simulation_type: 'event', simulation: { event_type: 'ORDER_EXCEPTION', order_number: orderNumber, name: 'OutOfStock' } } });
    expect(hold.status).toBe(202);
    await waitFor(() => receiver.received.length === before + 3);
    const exception = eventsOf(receiver).at(-1)!;
    expect(exception).toMatchObject({ event_type: 'ORDER_EXCEPTION', order_number: orderNumber, exception: { name: 'OutOfStock', order_actions: expect.arrayContaining([expect.objectContaining({ event_key: 'cancel_order' })]) } });

    for (const simulation of [
      { event_type: 'SHIPMENT_UPDATED' },
      { event_type: 'ORDER_EXCEPTION', order_number: 'HBNOSUCH01' },
      { event_type: 'ORDER_EXCEPTION', order_number: orderNumber },
      { event_type: 'RX_UPDATED', order_number: orderNumber },
    ]) {
      const refused = await call(sim, 'POST', '/v1/simulate', { body: { simulation_type: 'event', simulation } });
      expect(refused.status, JSON.stringify(simulation)).toBe(422);
    }
    expect((await call(sim, 'POST', '/v1/simulate', { body: { simulation_type: 'order', simulation: { event_type: 'RX_RECEIVED' } } })).status).toBe(422);
    expect((await call(sim, 'POST', '/v1/simulate', { body: { simulation: {} } })).status).toBe(400);
  });

  it('re-delivers an event with the same id and body, records failed deliveries and never throws', async () => {
    const { patient_id } = sim.receiveErx({ workflow: 'requested', patient: ada() });
    await waitFor(() => sim.webhookDeliveries().some((d) => d.body.includes(patient_id)));
    const first = sim.webhookDeliveries().find((d) => d.body.includes(patient_id))!;
    expect(sim.resendEvent(first.event_id)).toBe(true);
    await waitFor(() => sim.webhookDeliveries().filter((d) => d.event_id === first.event_id).length === 2);
    expect(sim.webhookDeliveries().at(-1)).toMatchObject({ event_id: first.event_id, body: first.body, status: 200 });
    expect(sim.resendEvent('no-such-event')).toBe(false);

    sim.setWebhookUrl(`${receiver.url}/fail`);
    sim.receiveErx({ workflow: 'requested', patient_id });
    await waitFor(() => sim.webhookDeliveries().at(-1)?.status === 500);
    expect(sim.webhookDeliveries().at(-1)?.url).toBe(`${receiver.url}/fail`);

    sim.setWebhookUrl('http://127.0.0.1:9/unreachable');
    sim.receiveErx({ workflow: 'requested', patient_id });
    await waitFor(() => sim.webhookDeliveries().at(-1)?.url === 'http://127.0.0.1:9/unreachable');
    expect(sim.webhookDeliveries().at(-1)?.status).toBeNull();

    const delivered = sim.webhookDeliveries().length;
    sim.setWebhookUrl(undefined);
    const quiet = sim.receiveErx({ workflow: 'requested', patient_id });
    await sleep(50);
    expect(sim.webhookDeliveries()).toHaveLength(delivered);
    expect(sim.events().at(-1)?.body).toContain(`"prescription_id":${quiet.prescription_ids[0]}`);
    expect(sim.resendEvent(sim.events().at(-1)!.event_id)).toBe(false);
    expect(() => sim.setWebhookUrl('ftp://example.com/hook')).toThrow(/http/);
    sim.setWebhookUrl(`${receiver.url}/ok`);
  });
});

describe('the order journey', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it('moves by hand only when stepMs is 0, announcing each status with the right event', async () => {
    const sim = await startHoneybeeSimulator({ stepMs: 0, webhookUrl: `${receiver.url}/ok` });
    try {
      const { order_number: orderNumber } = sim.receiveErx({ workflow: 'automatic', patient: ada() });
      await sleep(60);
      expect(sim.orders()[0]?.order_status).toBe('Processing');
      expect(sim.advanceOrder(orderNumber!)?.order_status).toBe('Filling');
      const shipped = sim.advanceOrder(orderNumber!)!;
      expect(shipped.shipment).toMatchObject({ carrier: 'USPS', tracking_no: expect.stringMatching(/^9400\d{18}$/), tracking_url: expect.stringMatching(/^https:\/\/tools\.usps\.com\//) });
      expect(orderStatusOf(sim.advanceOrder(orderNumber!)!)).toBe('Delivered');
      expect(sim.advanceOrder(orderNumber!)).toBeUndefined();
      expect(sim.advanceOrder('HBNOSUCH01')).toBeUndefined();
      await waitFor(() => sim.webhookDeliveries().length === 5);
      const events = sim.webhookDeliveries().map((d) => parseHoneybeeEvent(d.body)).map((p) => (p.ok ? p.event : undefined));
      expect(events.map((e) => e?.event_type)).toEqual(['RX_RECEIVED', 'RX_UPDATED', 'RX_UPDATED', 'SHIPMENT_UPDATED', 'RX_UPDATED']);
      expect(events[3]).toMatchObject({ order_number: orderNumber, shipment: { tracking_no: shipped.shipment!.tracking_no, tracking_url: shipped.shipment!.tracking_url, carrier: 'USPS' } });
      expect(events.slice(1).map((e) => (e && e.event_type !== 'RX_RECEIVED' ? e.medication_requests[0]?.medication_dispenses[0]?.order_status : undefined))).toEqual([
        'Processing', 'Filling', 'Shipped', 'Delivered',
      ]);
      expect(new Set(events.map((e) => e?.event_id)).size).toBe(5);
    } finally {
      await sim.close();
    }
  });

  it('moves by itself every stepMs, stops while On Hold and goes on after release', async () => {
    const sim = await startHoneybeeSimulator({ stepMs: 30 });
    try {
      const { order_number: moving } = sim.receiveErx({ workflow: 'automatic', patient: ada() });
      const { order_number: held } = sim.receiveErx({ workflow: 'automatic', patient: ada() });
      expect(sim.holdOrder(held!, 'AwaitingInventory')?.exception).toMatchObject({ name: 'AwaitingInventory', message: expect.stringContaining('stock') });
      const statusOf = (n: string) => sim.orders().find((o) => o.order_number === n)?.order_status;
      await waitFor(() => statusOf(moving!) === 'Delivered');
      expect(statusOf(held!)).toBe('On Hold');
      expect(sim.holdOrder(held!)).toBeUndefined();
      expect(sim.releaseOrder(held!)?.order_status).toBe('Filling');
      expect(sim.releaseOrder(held!)).toBeUndefined();
      await waitFor(() => statusOf(held!) === 'Delivered');
      expect(sim.orders().find((o) => o.order_number === held)?.exception).toBeNull();
    } finally {
      await sim.close();
    }
  });

  it('cancels an order that has not shipped, every dispense with it, and nothing after that', async () => {
    const sim = await startHoneybeeSimulator({ stepMs: 0, webhookUrl: `${receiver.url}/ok` });
    try {
      const { order_number: orderNumber } = sim.receiveErx({ workflow: 'automatic', patient: ada(), medications: [{}, {}] });
      const canceled = sim.cancelOrder(orderNumber!)!;
      expect(orderStatusOf(canceled)).toBe('Canceled');
      expect(canceled.medication_requests.flatMap((m) => m.medication_dispenses.map((d) => d.order_status))).toEqual(['Canceled', 'Canceled']);
      expect(sim.cancelOrder(orderNumber!)).toBeUndefined();
      expect(sim.advanceOrder(orderNumber!)).toBeUndefined();
      expect(sim.holdOrder(orderNumber!)).toBeUndefined();
      await waitFor(() => sim.webhookDeliveries().length === 3);
      expect(sim.webhookDeliveries().at(-1)?.event_type).toBe('RX_UPDATED');
      const shipped = sim.receiveErx({ workflow: 'automatic', patient: ada() }).order_number!;
      sim.advanceOrder(shipped);
      sim.advanceOrder(shipped);
      expect(sim.cancelOrder(shipped)).toBeUndefined();
    } finally {
      await sim.close();
    }
  });

  it('holds an automatic order whose e-Rx address is missing or not shippable, and a good address releases it', async () => {
    const sim = await startHoneybeeSimulator({ stepMs: 0 });
    try {
      const none = sim.receiveErx({ workflow: 'automatic', patient: { ...ada(), address: undefined } }).order_number!;
      const hawaii = sim.receiveErx({ workflow: 'automatic', patient: ada({ ...AUSTIN, city: 'Honolulu', state: 'HI', zip: '96813' }) }).order_number!;
      const nowhere = sim.receiveErx({ workflow: 'automatic', patient: ada({ ...AUSTIN, street1: 'Nowhere Ranch' }) }).order_number!;
      const byNumber = (n: string) => sim.orders().find((o) => o.order_number === n)!;
      expect([none, hawaii, nowhere].map((n) => [byNumber(n).order_status, byNumber(n).exception?.name])).toEqual([
        ['On Hold', 'ShippingAddressMissing'],
        ['On Hold', 'StateUnavailable'],
        ['On Hold', 'AddressValidationFailed'],
      ]);
      expect(byNumber(none).address).toBeNull();
      const fixed = await call(sim, 'PUT', `/v1/orders/${none}/shipping_address`, { body: AUSTIN });
      expect(fixed.json).toMatchObject({ order_status: 'Filling', address: AUSTIN, exception: null });
      const events = sim.events().map((e) => e.event_type);
      expect(events.filter((t) => t === 'ORDER_EXCEPTION')).toHaveLength(3);
    } finally {
      await sim.close();
    }
  });
});

describe('faults on demand', () => {
  let sim: HoneybeeSimulator;
  beforeAll(async () => {
    sim = await startHoneybeeSimulator({ stepMs: 0 });
  });
  afterAll(() => sim.close());

  it('answers 500 to the next calls, then recovers', async () => {
    const { patient_id } = sim.receiveErx({ workflow: 'requested', patient: ada() });
    await tokenOf(sim);
    sim.failNext('http-500', 2);
    const first = await call(sim, 'GET', `/v1/patients/${patient_id}`);
    expect(first.status).toBe(500);
    expect(errorBodySchema.parse(first.json).errors[0]?.code).toBe(500);
    expect(first.headers.get('x-request-id')).toMatch(UUID);
    expect((await call(sim, 'GET', `/v1/patients/${patient_id}`)).status).toBe(500);
    expect((await call(sim, 'GET', `/v1/patients/${patient_id}`)).status).toBe(200);
  });

  it('answers 409 on demand', async () => {
    sim.failNext('conflict');
    const answer = await call(sim, 'GET', '/v1/orders');
    expect(answer.status).toBe(409);
    expect(conflictBodySchema.safeParse(answer.json).success).toBe(true);
    expect((await call(sim, 'GET', '/v1/orders')).status).toBe(200);
  });

  it('drops the connection without an answer', async () => {
    await tokenOf(sim);
    sim.failNext('drop');
    await expect(call(sim, 'GET', '/v1/orders')).rejects.toThrow();
    expect(sim.requests().at(-1)).toMatchObject({ method: 'GET', path: '/v1/orders', status: null });
    expect((await call(sim, 'GET', '/v1/orders')).status).toBe(200);
  });

  it('creates the order but never answers, so the client must look before it retries (and a retry is a 409)', async () => {
    const { patient_id, prescription_ids } = sim.receiveErx({ workflow: 'requested', patient: ada() });
    await tokenOf(sim);
    sim.failNext('timeout-after-create');
    // Other calls are not affected while the fault waits for a create.
    expect((await call(sim, 'GET', `/v1/orders?patient_id=${patient_id}`)).json.orders).toEqual([]);
    await expect(call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, prescription_ids), signal: AbortSignal.timeout(300) })).rejects.toThrow();
    const listed = ordersListSchema.parse((await call(sim, 'GET', `/v1/orders?patient_id=${patient_id}`)).json);
    expect(listed.orders).toHaveLength(1);
    expect(sim.requests().find((r) => r.method === 'POST' && r.path === '/v1/orders')?.status).toBeNull();
    expect((await call(sim, 'POST', '/v1/orders', { body: orderRequest(patient_id, prescription_ids) })).status).toBe(409);
  });

  it('closes promptly while a connection is being held', async () => {
    const own = await startHoneybeeSimulator({ stepMs: 0 });
    const { patient_id, prescription_ids } = own.receiveErx({ workflow: 'requested', patient: ada() });
    own.failNext('timeout-after-create');
    const pending = call(own, 'POST', '/v1/orders', { body: orderRequest(patient_id, prescription_ids) }).catch((error: unknown) => error);
    await waitFor(() => own.orders().length === 1);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await pending).toBeInstanceOf(Error);
  });
});
