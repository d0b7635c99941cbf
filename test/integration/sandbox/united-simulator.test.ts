// The United Pharmacy simulator on a real loopback port, seen by plain fetch the way any partner
// would use United's API: credentials and rotating tokens, validation, pagination, orders that
// move along, signed webhooks with retries, and the rate limit.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCESS_TOKEN_LIFETIME_S,
  MAX_CREDENTIALS_PER_TENANT,
  REFRESH_TOKEN_LIFETIME_S,
  webhookPayloadSchema,
  webhookSignatureMatches,
  type UnitedPatientInput,
} from '../../../src-main/core/partners/united/united-api';
import { startUnitedSimulator, type UnitedSimulator } from '../../../src-main/core/sandbox/united/united-simulator';
import { FakeClock } from '../../helpers/rxrelay-harness';

const DAY_MS = 24 * 3600 * 1000;
const KADUCEUS = 'a4f57791-c5a6-4e6a-8841-5a0d6bf5b9d1';
const MAIN_STREET = 'd9d7d36f-c86b-49f7-a464-f0beb6cb2097';
const LAKESIDE_INACTIVE = '5c0e2b8a-7f31-4d6e-9a42-3b18c6d7e905';
/** The guide's example medication id ({"i":"1250"}), at the guide's example pharmacy. */
const SEED_MEDICATION = 'eyJpIjoiMTI1MCJ9';

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read arbitrary envelope fields
  json: any;
}

async function call(sim: UnitedSimulator, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${sim.baseUrl}/${path}`, { method, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json };
}

async function createCredential(sim: UnitedSimulator, name?: string): Promise<{ client_id: string; client_secret: string; webhook_secret: string }> {
  const answer = await call(sim, 'POST', 'auth/credentials', { body: { setup_token: sim.setupToken, ...(name ? { name } : {}) } });
  expect(answer.status).toBe(201);
  return answer.json.data;
}

async function tokensFor(sim: UnitedSimulator, credential: { client_id: string; client_secret: string }): Promise<{ access_token: string; refresh_token: string }> {
  const answer = await call(sim, 'POST', 'auth/token', { body: { client_id: credential.client_id, client_secret: credential.client_secret } });
  expect(answer.status).toBe(200);
  return answer.json.data;
}

async function connect(sim: UnitedSimulator): Promise<string> {
  return (await tokensFor(sim, await createCredential(sim))).access_token;
}

function validPatient(overrides: Partial<UnitedPatientInput> = {}): UnitedPatientInput {
  return {
    first_name: 'Mary-Jo',
    last_name: "O'Neil",
    email: 'mary.oneil@example.com',
    date_of_birth: '1961-04-12',
    gender: 'F',
    phone_home: null,
    phone_cell: '5125550142',
    address: { line1: '1200 Barton Springs Rd', line2: 'Apt 4', city: 'Austin', state: 'TX', zip: '78704' },
    ...overrides,
  };
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('authentication', () => {
  const clock = new FakeClock(new Date('2026-11-21T10:00:00.000Z'));
  let sim: UnitedSimulator;
  beforeAll(async () => {
    sim = await startUnitedSimulator({ clock, stepMs: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('serves the tenant prefix on loopback; /ping needs no token; everything else does', async () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.baseUrl).toBe(`${sim.url}/pharmacy/sandbox/api/v1`);
    expect(await call(sim, 'GET', 'ping')).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await call(sim, 'GET', 'pharmacies')).toMatchObject({ status: 401, json: { message: 'Unauthenticated.' } });
    expect(await call(sim, 'GET', 'pharmacies', { token: 'not-a-token' })).toMatchObject({ status: 401, json: { message: 'Unauthenticated.' } });
    const unknown = await call(sim, 'GET', 'no-such-thing');
    expect(unknown.status).toBe(404);
    expect(typeof unknown.json.message).toBe('string');
    expect(sim.requests().at(-1)).toEqual({ method: 'GET', path: '/pharmacy/sandbox/api/v1/no-such-thing', status: 404 });
  });

  it('creates credentials with the setup token only, showing the secret and the tenant webhook secret once', async () => {
    expect((await call(sim, 'POST', 'auth/credentials', { body: { setup_token: 'wrong' } })).status).toBe(401);
    expect((await call(sim, 'POST', 'auth/credentials', { body: {} })).status).toBe(401);
    const answer = await call(sim, 'POST', 'auth/credentials', { body: { setup_token: sim.setupToken, name: 'RxRelay front counter' } });
    expect(answer.status).toBe(201);
    expect(answer.json.data).toMatchObject({ name: 'RxRelay front counter', revoked_at: null, webhook_secret: sim.webhookSecret });
    expect(answer.json.data.client_secret.length).toBeGreaterThanOrEqual(32);

    const { access_token } = await tokensFor(sim, answer.json.data);
    const listed = await call(sim, 'GET', 'auth/credentials', { token: access_token });
    expect(listed.status).toBe(200);
    expect(listed.json.data.map((c: { client_id: string }) => c.client_id)).toContain(answer.json.data.client_id);
    expect(JSON.stringify(listed.json)).not.toContain(answer.json.data.client_secret);
  });

  it('issues 30-day access and 60-day refresh tokens, by the clock; refuses a wrong secret', async () => {
    const credential = await createCredential(sim);
    expect((await call(sim, 'POST', 'auth/token', { body: { client_id: credential.client_id, client_secret: 'nope' } })).status).toBe(401);
    expect((await call(sim, 'POST', 'auth/token', { body: { client_id: credential.client_id } })).status).toBe(422);
    const issued = await call(sim, 'POST', 'auth/token', { body: credential });
    expect(issued.json.data).toMatchObject({ token_type: 'Bearer', expires_in: ACCESS_TOKEN_LIFETIME_S, refresh_expires_in: REFRESH_TOKEN_LIFETIME_S });
    const { access_token, refresh_token } = issued.json.data;
    expect(access_token.split('.')).toHaveLength(3);

    clock.advance(30 * DAY_MS - 1000);
    expect((await call(sim, 'GET', 'pharmacies', { token: access_token })).status).toBe(200);
    clock.advance(2000);
    expect((await call(sim, 'GET', 'pharmacies', { token: access_token })).status).toBe(401);

    const refreshed = await call(sim, 'POST', 'auth/refresh', { body: { refresh_token } });
    expect(refreshed.status).toBe(200);
    expect((await call(sim, 'GET', 'pharmacies', { token: refreshed.json.data.access_token })).status).toBe(200);

    clock.advance(REFRESH_TOKEN_LIFETIME_S * 1000 + 1000);
    expect((await call(sim, 'POST', 'auth/refresh', { body: { refresh_token: refreshed.json.data.refresh_token } })).status).toBe(401);
  });

  it('rotates refresh tokens: a spent one is refused', async () => {
    const { refresh_token } = await tokensFor(sim, await createCredential(sim));
    const first = await call(sim, 'POST', 'auth/refresh', { body: { refresh_token } });
    expect(first.status).toBe(200);
    expect(first.json.data.refresh_token).not.toBe(refresh_token);
    expect(await call(sim, 'POST', 'auth/refresh', { body: { refresh_token } })).toMatchObject({ status: 401 });
    expect((await call(sim, 'POST', 'auth/refresh', { body: { refresh_token: first.json.data.refresh_token } })).status).toBe(200);
  });

  it('expireAccessTokens: every access token issued so far is refused; refresh tokens still work', async () => {
    const tokens = await tokensFor(sim, await createCredential(sim));
    sim.expireAccessTokens();
    expect((await call(sim, 'GET', 'pharmacies', { token: tokens.access_token })).status).toBe(401);
    const refreshed = await call(sim, 'POST', 'auth/refresh', { body: { refresh_token: tokens.refresh_token } });
    expect((await call(sim, 'GET', 'pharmacies', { token: refreshed.json.data.access_token })).status).toBe(200);
  });

  it('rotation: a Bearer token creates the next credential; revoking the old one stops its tokens at once', async () => {
    const old = await createCredential(sim, 'old');
    const oldTokens = await tokensFor(sim, old);
    const created = await call(sim, 'POST', 'auth/credentials', { token: oldTokens.access_token, body: { name: 'new' } });
    expect(created.status).toBe(201);
    const fresh = created.json.data;
    const freshTokens = await tokensFor(sim, fresh);

    const renamed = await call(sim, 'PATCH', `auth/credentials/${fresh.client_id}`, { token: freshTokens.access_token, body: { name: 'RxRelay (rotated)' } });
    expect(renamed).toMatchObject({ status: 200, json: { data: { client_id: fresh.client_id, name: 'RxRelay (rotated)' } } });
    expect((await call(sim, 'PATCH', `auth/credentials/${fresh.client_id}`, { token: freshTokens.access_token, body: { name: ' ' } })).status).toBe(422);
    expect((await call(sim, 'PATCH', 'auth/credentials/unknown', { token: freshTokens.access_token, body: { name: 'x' } })).status).toBe(404);

    const revoked = await call(sim, 'DELETE', `auth/credentials/${old.client_id}`, { token: freshTokens.access_token });
    expect(revoked.status).toBe(200);
    expect(revoked.json.data.revoked_at).toBe(clock.now().toISOString());
    expect((await call(sim, 'GET', 'pharmacies', { token: oldTokens.access_token })).status).toBe(401);
    expect((await call(sim, 'POST', 'auth/refresh', { body: { refresh_token: oldTokens.refresh_token } })).status).toBe(401);
    expect((await call(sim, 'POST', 'auth/token', { body: old })).status).toBe(401);
    expect((await call(sim, 'GET', 'pharmacies', { token: freshTokens.access_token })).status).toBe(200);

    const active = await call(sim, 'GET', 'auth/credentials', { token: freshTokens.access_token });
    const all = await call(sim, 'GET', 'auth/credentials?include_revoked=true', { token: freshTokens.access_token });
    expect(active.json.data.map((c: { client_id: string }) => c.client_id)).not.toContain(old.client_id);
    expect(all.json.data.find((c: { client_id: string }) => c.client_id === old.client_id)).toMatchObject({ name: 'old', revoked_at: expect.any(String) });
  });

  it(`allows at most ${MAX_CREDENTIALS_PER_TENANT} active credentials per tenant`, async () => {
    const own = await startUnitedSimulator({ clock, stepMs: 0 });
    try {
      const made = [];
      for (let i = 0; i < MAX_CREDENTIALS_PER_TENANT; i++) made.push(await createCredential(own, `credential ${i + 1}`));
      const over = await call(own, 'POST', 'auth/credentials', { body: { setup_token: own.setupToken } });
      expect(over.status).toBe(422);
      expect(over.json.errors.credentials[0]).toContain(String(MAX_CREDENTIALS_PER_TENANT));
      const token = (await tokensFor(own, made[0]!)).access_token;
      expect((await call(own, 'DELETE', `auth/credentials/${made[1]!.client_id}`, { token })).status).toBe(200);
      expect((await call(own, 'POST', 'auth/credentials', { token, body: {} })).status).toBe(201);
    } finally {
      await own.close();
    }
  });
});

describe('patients, pharmacies and catalogs', () => {
  const clock = new FakeClock(new Date('2026-11-21T10:00:00.000Z'));
  let sim: UnitedSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await startUnitedSimulator({ clock, stepMs: 0 });
    token = await connect(sim);
  });
  afterAll(async () => {
    await sim.close();
  });

  it('creates, reads, updates, syncs and deletes a patient', async () => {
    const created = await call(sim, 'POST', 'patients', { token, body: validPatient() });
    expect(created.status).toBe(201);
    const patient = created.json.data;
    expect(patient).toMatchObject({ ...validPatient(), phone_work: null, uuid: expect.any(String), created_at: clock.now().toISOString() });

    expect(await call(sim, 'GET', `patients/${patient.uuid}`, { token })).toMatchObject({ status: 200, json: { data: { uuid: patient.uuid } } });
    clock.advance(60_000);
    const updated = await call(sim, 'PUT', `patients/${patient.uuid}`, { token, body: validPatient({ last_name: 'Smith' }) });
    expect(updated.json.data).toMatchObject({ uuid: patient.uuid, last_name: 'Smith', created_at: patient.created_at, updated_at: clock.now().toISOString() });
    expect(await call(sim, 'POST', `patients/${patient.uuid}/sync`, { token })).toMatchObject({ status: 200, json: { data: { uuid: patient.uuid, synced_at: clock.now().toISOString() } } });

    expect((await call(sim, 'DELETE', `patients/${patient.uuid}`, { token })).status).toBe(204);
    for (const [method, path] of [['GET', ''], ['PUT', ''], ['DELETE', ''], ['POST', '/sync']] as const) {
      const answer = await call(sim, method, `patients/${patient.uuid}${path}`, { token, ...(method === 'PUT' ? { body: validPatient() } : {}) });
      expect(answer.status, `${method} ${path}`).toBe(404);
    }
  });

  it("refuses a patient breaking United's rules with 422 and the problems by field", async () => {
    const answer = await call(sim, 'POST', 'patients', {
      token,
      body: validPatient({
        first_name: 'R2D2',
        last_name: 'X'.repeat(36),
        date_of_birth: '2026-11-21',
        phone_cell: '512555014',
        address: { line1: '1 Main St', city: 'Austin', state: 'tx', zip: '7870' },
      }),
    });
    expect(answer.status).toBe(422);
    expect(Object.keys(answer.json.errors).sort()).toEqual(['address.state', 'address.zip', 'date_of_birth', 'first_name', 'last_name', 'phone_cell']);
    expect(answer.json.errors.date_of_birth[0]).toContain('past');

    const wrongShape = await call(sim, 'POST', 'patients', { token, body: { ...validPatient(), gender: 'X', email: undefined } });
    expect(wrongShape.status).toBe(422);
    expect(Object.keys(wrongShape.json.errors).sort()).toEqual(['email', 'gender']);
    expect(sim.patients()).toHaveLength(0);
  });

  it('takes JSON only, up to 256 KiB', async () => {
    expect((await call(sim, 'POST', 'patients', { token, body: '{"first_name":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await call(sim, 'POST', 'patients', { token, body: 'first_name=Ann', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    const huge = await call(sim, 'POST', 'patients', { token, body: { ...validPatient(), padding: 'x'.repeat(300 * 1024) } });
    expect(huge.status).toBe(413);
    expect(typeof huge.json.message).toBe('string');
  });

  it('lists patients 15 a page by default, up to 100, with a partial case-insensitive email search', async () => {
    for (let i = 1; i <= 32; i++) {
      const domain = i % 4 === 0 ? 'Clinic.Example.org' : 'example.com';
      expect((await call(sim, 'POST', 'patients', { token, body: validPatient({ email: `patient${i}@${domain}` }) })).status).toBe(201);
    }
    const first = await call(sim, 'GET', 'patients', { token });
    expect(first.json.pagination).toEqual({ page: 1, per_page: 15, total: 32, total_pages: 3 });
    expect(first.json.data).toHaveLength(15);
    const last = await call(sim, 'GET', 'patients?page=3', { token });
    expect(last.json.data.map((p: { email: string }) => p.email)).toEqual(['patient31@example.com', 'patient32@Clinic.Example.org']);
    const beyond = await call(sim, 'GET', 'patients?page=9', { token });
    expect(beyond.json).toEqual({ data: [], pagination: { page: 9, per_page: 15, total: 32, total_pages: 3 } });
    expect((await call(sim, 'GET', 'patients?per_page=100', { token })).json.data).toHaveLength(32);

    const search = await call(sim, 'GET', `patients?email=${encodeURIComponent('CLINIC.example')}&per_page=5`, { token });
    expect(search.json.pagination).toEqual({ page: 1, per_page: 5, total: 8, total_pages: 2 });
    expect(sim.requests().at(-1)?.path).toBe('/pharmacy/sandbox/api/v1/patients');

    expect((await call(sim, 'GET', 'patients?per_page=101', { token })).json.errors).toHaveProperty('per_page');
    expect((await call(sim, 'GET', 'patients?page=0', { token })).status).toBe(422);
    expect((await call(sim, 'GET', `patients?email=${'a'.repeat(81)}`, { token })).json.errors).toHaveProperty('email');
    expect((await call(sim, 'GET', `patients?email=${'a'.repeat(80)}`, { token })).status).toBe(200);
  });

  it('lists the fixed pharmacy network', async () => {
    const answer = await call(sim, 'GET', 'pharmacies', { token });
    expect(answer.status).toBe(200);
    expect(answer.json.data).toHaveLength(3);
    expect(answer.json.data[1]).toEqual({ id: MAIN_STREET, name: 'Main Street Pharmacy', slug: 'main-street-pharmacy', status: 'active' });
    expect(answer.json.data.map((p: { id: string }) => p.id)).toEqual([KADUCEUS, MAIN_STREET, LAKESIDE_INACTIVE]);
  });

  it('pages a catalog 25 at a time: 163 medications over 7 pages, the same on every start', async () => {
    const pages = [];
    for (let page = 1; page <= 8; page++) pages.push(await call(sim, 'GET', `pharmacies/${KADUCEUS}/medications?page=${page}`, { token }));
    expect(pages[0]!.json.pagination).toEqual({ page: 1, per_page: 25, total: 163, total_pages: 7 });
    expect(pages.map((p) => p.json.data.length)).toEqual([25, 25, 25, 25, 25, 25, 13, 0]);
    expect(pages[7]!.json.pagination).toEqual({ page: 8, per_page: 25, total: 163, total_pages: 7 });
    const all = pages.flatMap((p) => p.json.data);
    expect(new Set(all.map((m: { medication_id: string }) => m.medication_id)).size).toBe(163);
    expect(all.find((m: { medication_id: string }) => m.medication_id === SEED_MEDICATION)).toMatchObject({ pharmacy: 'Kaduceus', price: expect.stringMatching(/^\d+\.\d{2}$/) });
    for (const medication of all) expect(Object.keys(medication).sort()).toEqual(['form', 'formulation', 'medication_id', 'name', 'pharmacy', 'price', 'quantity', 'quantity_units', 'schedule_code', 'strength', 'type']);

    const other = await startUnitedSimulator({ clock, stepMs: 0 });
    try {
      const again = await call(other, 'GET', `pharmacies/${KADUCEUS}/medications?page=3`, { token: await connect(other) });
      expect(again.json).toEqual(pages[2]!.json);
    } finally {
      await other.close();
    }
    expect((await call(sim, 'GET', `pharmacies/${MAIN_STREET}/medications`, { token })).json.pagination.total).toBe(58);
    expect((await call(sim, 'GET', 'pharmacies/00000000-0000-0000-0000-000000000000/medications', { token })).status).toBe(404);
    expect((await call(sim, 'GET', `pharmacies/${KADUCEUS}/medications?page=abc`, { token })).status).toBe(422);
  });
});

describe('orders and webhooks', () => {
  const clock = new FakeClock(new Date('2026-11-21T10:00:00.000Z'));
  let sim: UnitedSimulator;
  let token: string;
  let patientId: string;
  let receiver: Server;
  let receiverUrl: string;
  const received: Array<{ path: string; headers: IncomingHttpHeaders; body: string; at: number }> = [];
  /** What the receiver answers, by path. */
  const answerFor: Record<string, number> = {};

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '';
        received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        res.statusCode = answerFor[path] ?? 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    sim = await startUnitedSimulator({ clock, stepMs: 0, webhookRetryDelayMs: 50, webhookTimeoutMs: 2_000 });
    token = await connect(sim);
    patientId = (await call(sim, 'POST', 'patients', { token, body: validPatient() })).json.data.uuid;
  });
  afterAll(async () => {
    await sim.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const seedOrder = (overrides: Record<string, unknown> = {}) => ({
    patient_id: patientId,
    pharmacy_id: KADUCEUS,
    medication_id: SEED_MEDICATION,
    dispense_quantity: 4,
    days_supply: 28,
    order_id: 'ORD-12345',
    customer_id: 'CUST-789',
    memo: 'Draft created via automation',
    clinical_notes: 'Patient tolerates therapy. Continue same dose.',
    ...overrides,
  });

  it("accepts the guide's example order as pending and finds it by uuid and by reference", async () => {
    const created = await call(sim, 'POST', 'orders', { token, body: seedOrder() });
    expect(created.status).toBe(201);
    const order = created.json.data;
    expect(order).toMatchObject({ order_id: 'ORD-12345', customer_id: 'CUST-789', status: 'pending', dispense_quantity: 4, days_supply: 28, shipping: null });
    expect(await call(sim, 'GET', `orders/${order.uuid}`, { token })).toMatchObject({ status: 200, json: { data: order } });
    const byReference = await call(sim, 'GET', 'orders?order_id=ORD-12345', { token });
    expect(byReference.json).toEqual({ data: [order], pagination: { page: 1, per_page: 15, total: 1, total_pages: 1 } });
    expect((await call(sim, 'GET', 'orders?order_id=ORD-nope', { token })).json.data).toEqual([]);
    expect((await call(sim, 'GET', 'orders/00000000-0000-0000-0000-000000000000', { token })).status).toBe(404);
    expect(sim.findOrderByReference('ORD-12345')?.uuid).toBe(order.uuid);
  });

  it('refuses orders breaking the constraints, or naming what does not exist, with the field', async () => {
    const broken = await call(sim, 'POST', 'orders', {
      token,
      body: seedOrder({ dispense_quantity: 0, days_supply: 366, memo: 'm'.repeat(1025), order_id: 'R'.repeat(101), webhook_urls: Array.from({ length: 6 }, (_, i) => `https://x.example/${i}`) }),
    });
    expect(broken.status).toBe(422);
    expect(Object.keys(broken.json.errors).sort()).toEqual(['days_supply', 'dispense_quantity', 'memo', 'order_id', 'webhook_urls']);
    const notUrl = await call(sim, 'POST', 'orders', { token, body: seedOrder({ webhook_urls: ['ftp://x.example/hook'] }) });
    expect(notUrl.json.errors).toHaveProperty('webhook_urls');
    const missing = await call(sim, 'POST', 'orders', { token, body: { patient_id: patientId } });
    expect(Object.keys(missing.json.errors).sort()).toEqual(['dispense_quantity', 'medication_id', 'pharmacy_id']);

    const cases = [
      [{ patient_id: '00000000-0000-0000-0000-000000000000' }, 'patient_id'],
      [{ pharmacy_id: '00000000-0000-0000-0000-000000000000' }, 'pharmacy_id'],
      [{ pharmacy_id: LAKESIDE_INACTIVE }, 'pharmacy_id'],
      [{ pharmacy_id: MAIN_STREET }, 'medication_id'],
    ] as const;
    for (const [override, field] of cases) {
      const answer = await call(sim, 'POST', 'orders', { token, body: seedOrder(override) });
      expect(answer.status, field).toBe(422);
      expect(Object.keys(answer.json.errors)).toEqual([field]);
    }
  });

  it('moves an order pending → confirmed → processing → shipped → delivered, with USPS tracking', async () => {
    const order = (await call(sim, 'POST', 'orders', { token, body: seedOrder({ order_id: 'ORD-STEPS' }) })).json.data;
    expect(sim.advanceOrder(order.uuid)?.status).toBe('confirmed');
    clock.advance(1000);
    expect(sim.advanceOrder(order.uuid)?.status).toBe('processing');
    const shipped = sim.advanceOrder(order.uuid);
    expect(shipped?.shipping).toEqual({ carrier: 'USPS', tracking: expect.stringMatching(/^\d{22}$/), shipping_status: 'In Transit' });
    expect(sim.cancelOrder(order.uuid)).toBeUndefined();
    const delivered = sim.advanceOrder(order.uuid);
    expect(delivered).toMatchObject({ status: 'delivered', shipping: { tracking: shipped?.shipping?.tracking, shipping_status: 'Delivered' }, updated_at: clock.now().toISOString() });
    expect(sim.advanceOrder(order.uuid)).toBeUndefined();
    expect(sim.failOrder(order.uuid)).toBeUndefined();
    expect((await call(sim, 'GET', `orders/${order.uuid}`, { token })).json.data.status).toBe('delivered');
  });

  it('cancels only before shipping and fails only before a final status', async () => {
    const cancelled = (await call(sim, 'POST', 'orders', { token, body: seedOrder({ order_id: 'ORD-CANCEL' }) })).json.data;
    sim.advanceOrder(cancelled.uuid);
    expect(sim.cancelOrder(cancelled.uuid)?.status).toBe('cancelled');
    expect(sim.advanceOrder(cancelled.uuid)).toBeUndefined();
    expect(sim.failOrder(cancelled.uuid)).toBeUndefined();
    const failed = (await call(sim, 'POST', 'orders', { token, body: seedOrder({ order_id: 'ORD-FAIL' }) })).json.data;
    expect(sim.failOrder(failed.uuid)?.status).toBe('failed');
    expect(sim.advanceOrder(failed.uuid)).toBeUndefined();
    expect(sim.advanceOrder('no-such-order')).toBeUndefined();
  });

  it('moves orders on by itself every stepMs, and stops at delivered', async () => {
    const stepping = await startUnitedSimulator({ clock, stepMs: 30 });
    try {
      const stepToken = await connect(stepping);
      const stepPatient = (await call(stepping, 'POST', 'patients', { token: stepToken, body: validPatient() })).json.data.uuid;
      const order = (await call(stepping, 'POST', 'orders', { token: stepToken, body: seedOrder({ patient_id: stepPatient }) })).json.data;
      const seen = new Set<string>();
      await waitFor(async () => {
        const status = (await call(stepping, 'GET', `orders/${order.uuid}`, { token: stepToken })).json.data.status;
        seen.add(status);
        return status === 'delivered';
      });
      expect(seen.has('pending') || seen.has('confirmed')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stepping.orders()[0]?.status).toBe('delivered');
    } finally {
      await stepping.close();
    }
  });

  it('POSTs a signed webhook to every webhook URL on each status change', async () => {
    received.length = 0;
    const urls = [`${receiverUrl}/hooks/a`, `${receiverUrl}/hooks/b`];
    const order = (await call(sim, 'POST', 'orders', { token, body: seedOrder({ order_id: 'ORD-HOOKS', webhook_urls: urls }) })).json.data;
    await waitFor(() => received.length === 2);
    sim.advanceOrder(order.uuid);
    await waitFor(() => received.length === 4);
    sim.advanceOrder(order.uuid);
    await waitFor(() => received.length === 6);
    sim.advanceOrder(order.uuid);
    await waitFor(() => received.length === 8);

    for (const hook of received) {
      expect(hook.headers['content-type']).toBe('application/json');
      expect(webhookSignatureMatches(sim.webhookSecret, hook.body, hook.headers['x-webhook-signature'] as string)).toBe(true);
      const payload = webhookPayloadSchema.parse(JSON.parse(hook.body));
      expect(hook.headers['x-webhook-event']).toBe(payload.event);
      expect(payload.order).toMatchObject({ uuid: order.uuid, order_id: 'ORD-HOOKS', customer_id: 'CUST-789' });
      expect(payload.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    }
    const events = received.filter((h) => h.path === '/hooks/a').map((h) => JSON.parse(h.body));
    expect(events.map((e) => e.event).sort()).toEqual(['order.confirmed', 'order.created', 'order.processing', 'order.shipped']);
    expect(events.find((e) => e.event === 'order.created')).not.toHaveProperty('shipping');
    expect(events.find((e) => e.event === 'order.shipped').shipping).toMatchObject({ carrier: 'USPS', shipping_status: 'In Transit' });
    expect(webhookSignatureMatches('another secret', received[0]!.body, received[0]!.headers['x-webhook-signature'] as string)).toBe(false);
  });

  it('retries a failed webhook 3 times, webhookRetryDelayMs apart, then gives up', async () => {
    received.length = 0;
    answerFor['/hooks/down'] = 500;
    const closedPort = createServer();
    await new Promise<void>((resolve) => closedPort.listen(0, '127.0.0.1', resolve));
    const unreachable = `http://127.0.0.1:${(closedPort.address() as AddressInfo).port}/hooks`;
    await new Promise((resolve) => closedPort.close(resolve));

    await call(sim, 'POST', 'orders', { token, body: seedOrder({ order_id: 'ORD-RETRY', webhook_urls: [`${receiverUrl}/hooks/down`, unreachable] }) });
    const attemptsTo = (url: string) => sim.webhookDeliveries().filter((d) => d.url === url);
    await waitFor(() => attemptsTo(unreachable).length === 4 && attemptsTo(`${receiverUrl}/hooks/down`).length === 4);
    await new Promise((resolve) => setTimeout(resolve, 150));

    const down = attemptsTo(`${receiverUrl}/hooks/down`);
    expect(down.map((d) => [d.attempt, d.status, d.event])).toEqual([1, 2, 3, 4].map((n) => [n, 500, 'order.created']));
    expect(new Set(down.map((d) => d.body)).size).toBe(1);
    expect(attemptsTo(unreachable).map((d) => [d.attempt, d.status])).toEqual([1, 2, 3, 4].map((n) => [n, null]));
    const times = received.filter((h) => h.path === '/hooks/down').map((h) => h.at);
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(45);
  });
});

describe('rate limit', () => {
  const clock = new FakeClock(new Date('2026-11-21T10:00:00.000Z'));
  let sim: UnitedSimulator;
  beforeAll(async () => {
    sim = await startUnitedSimulator({ clock, stepMs: 0, rateLimit: { requests: 5, perMs: 60_000 } });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('answers 429 with Retry-After once a credential is over its window, and again when the window passes', async () => {
    const token = await connect(sim); // two requests, counted against this address
    for (let i = 0; i < 5; i++) expect((await call(sim, 'GET', 'pharmacies', { token })).status).toBe(200);
    clock.advance(15_000);
    const limited = await call(sim, 'GET', 'pharmacies', { token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('45');
    expect(limited.json).toEqual({ message: 'Too Many Requests' });
    // Another client (by address, before it has a token) has its own allowance.
    expect((await call(sim, 'GET', 'ping')).status).toBe(200);
    clock.advance(45_000);
    expect((await call(sim, 'GET', 'pharmacies', { token })).status).toBe(200);
  });

  it('rateLimitStorm: the next n requests answer 429 whoever sends them', async () => {
    clock.advance(60_000);
    sim.rateLimitStorm(2);
    const first = await call(sim, 'GET', 'ping');
    expect(first.status).toBe(429);
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(sim, 'POST', 'auth/token', { body: { client_id: 'x', client_secret: 'y' } })).status).toBe(429);
    expect((await call(sim, 'GET', 'ping')).status).toBe(200);
    expect(sim.requests().slice(-3).map((r) => r.status)).toEqual([429, 429, 200]);
  });
});
