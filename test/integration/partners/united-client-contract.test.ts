// RxRelay's United Pharmacy client against the United simulator: every method, the token rules
// (one refresh for a burst of refusals, the new refresh token saved before use, the fall back to
// client credentials, revocation), the 429 backoff, validation before sending, the catalog cache
// and credential rotation. Plus the answers only a broken server gives, from a tiny fake.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src-main/core/logger';
import { PartnerRequestError, type PartnerFailureKind } from '../../../src-main/core/partners/partner-connector';
import type { UnitedOrderInput, UnitedPatientInput } from '../../../src-main/core/partners/united/united-api';
import { UnitedClient, type UnitedAuthState, type UnitedAuthStore, type UnitedClientOptions } from '../../../src-main/core/partners/united/united-client';
import { startUnitedSimulator, type UnitedSimulator } from '../../../src-main/core/sandbox/united/united-simulator';
import { FakeClock } from '../../helpers/rxrelay-harness';

const DAY_MS = 24 * 3600 * 1000;
const KADUCEUS = 'a4f57791-c5a6-4e6a-8841-5a0d6bf5b9d1';
const SEED_MEDICATION = 'eyJpIjoiMTI1MCJ9';
const UNAUTHORIZED = "United Pharmacy refused RxRelay's credentials (revoked?) — reconnect in Settings";

class MemoryAuthStore implements UnitedAuthStore {
  saves: Array<UnitedAuthState | undefined> = [];
  onSave: ((state: UnitedAuthState | undefined) => void) | undefined;
  constructor(public state: UnitedAuthState | undefined = undefined) {}
  load(): UnitedAuthState | undefined {
    return this.state && { ...this.state };
  }
  save(state: UnitedAuthState | undefined): void {
    this.state = state && { ...state };
    this.saves.push(this.state);
    this.onSave?.(this.state);
  }
}

function patient(overrides: Partial<UnitedPatientInput> = {}): UnitedPatientInput {
  return {
    first_name: 'Ana',
    last_name: 'Delgado',
    email: 'ana.delgado@example.com',
    date_of_birth: '1979-08-30',
    gender: 'F',
    phone_cell: '5125550199',
    address: { line1: '700 Lavaca St', city: 'Austin', state: 'TX', zip: '787011234' },
    ...overrides,
  };
}

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

const clock = new FakeClock(new Date('2026-11-21T10:00:00.000Z'));
let sim: UnitedSimulator;
let store: MemoryAuthStore;
let client: UnitedClient;
const sleeps: number[] = [];
const clients: UnitedClient[] = [];

function newClient(auth: UnitedAuthStore, overrides: Partial<UnitedClientOptions> = {}): UnitedClient {
  const made = new UnitedClient({
    baseUrl: sim.baseUrl,
    auth,
    clock,
    logger: silentLogger,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
  clients.push(made);
  return made;
}

/** Requests the simulator saw since `from`, as "METHOD path-after-prefix status". */
function seenSince(from: number): string[] {
  const prefix = new URL(sim.baseUrl).pathname;
  return sim.requests().slice(from).map((r) => `${r.method} ${r.path.replace(prefix + '/', '')} ${r.status}`);
}

beforeAll(async () => {
  sim = await startUnitedSimulator({ clock, stepMs: 0, rateLimit: { requests: 100_000, perMs: 60_000 } });
  store = new MemoryAuthStore();
  client = newClient(store);
});
afterAll(async () => {
  for (const made of clients) await made.close();
  await sim.close();
});

describe('connecting', () => {
  it('before setup: not connected, and nothing is sent', async () => {
    expect(client.hasCredentials()).toBe(false);
    expect(client.baseUrl).toBe(sim.baseUrl);
    const error = await expectFailure(client.ping(), 'unauthorized');
    expect(error.message).toContain('not connected');
    expect(sim.requests()).toHaveLength(0);
  });

  it('refuses a wrong setup token and stores nothing', async () => {
    const error = await expectFailure(client.setup('wrong-token'), 'unauthorized');
    expect(error.message).toContain('setup token');
    expect(store.saves).toHaveLength(0);
  });

  it('setup: saves the new credentials before anything else, then a token', async () => {
    const before = sim.requests().length;
    let requestsAtFirstSave = -1;
    store.onSave = () => {
      if (requestsAtFirstSave === -1) requestsAtFirstSave = sim.requests().length;
    };
    const created = await client.setup(sim.setupToken, 'RxRelay');
    store.onSave = undefined;
    expect(created).toMatchObject({ name: 'RxRelay', webhook_secret: sim.webhookSecret });
    // Saved once United answered auth/credentials, before auth/token was even sent.
    expect(requestsAtFirstSave).toBeGreaterThan(before);
    expect(seenSince(before).slice(0, requestsAtFirstSave - before)).toEqual(['POST auth/credentials 201']);
    expect(store.saves[0]).toEqual({ client_id: created.client_id, client_secret: created.client_secret, webhook_secret: sim.webhookSecret });
    expect(store.state).toMatchObject({ client_id: created.client_id, access_token: expect.any(String), refresh_token: expect.any(String) });
    expect(store.state?.access_expires_at).toBe(new Date(clock.now().getTime() + 30 * DAY_MS).toISOString());
    expect(store.state?.refresh_expires_at).toBe(new Date(clock.now().getTime() + 60 * DAY_MS).toISOString());
    expect(client.hasCredentials()).toBe(true);
    expect(client.webhookSecret()).toBe(sim.webhookSecret);
    expect(seenSince(before)).toEqual(['POST auth/credentials 201', 'POST auth/token 200']);
  });

  it('ping and listPharmacies use the stored token', async () => {
    const before = sim.requests().length;
    await client.ping();
    const pharmacies = await client.listPharmacies();
    expect(pharmacies.map((p) => p.id)).toContain(KADUCEUS);
    expect(seenSince(before)).toEqual(['GET pharmacies 200', 'GET pharmacies 200']);
  });

  it('lists and renames credentials; refuses an empty name before sending', async () => {
    const own = store.state!.client_id;
    const renamed = await client.renameCredential(own, 'RxRelay – counter 1');
    expect(renamed).toMatchObject({ client_id: own, name: 'RxRelay – counter 1' });
    expect((await client.listCredentials()).map((c) => [c.client_id, c.name])).toEqual([[own, 'RxRelay – counter 1']]);
    const before = sim.requests().length;
    await expectFailure(client.renameCredential(own, '   '), 'invalid_request');
    expect(sim.requests()).toHaveLength(before);
    await expectFailure(client.renameCredential('no-such-client', 'x'), 'not_found');
  });
});

describe('patients, catalog and orders', () => {
  let patientId: string;

  it('creates, reads, updates, finds, syncs and deletes a patient', async () => {
    const created = await client.createPatient(patient());
    patientId = created.uuid;
    expect(created).toMatchObject({ first_name: 'Ana', phone_home: null, address: { zip: '787011234', line2: null } });
    expect(await client.getPatient(created.uuid)).toEqual(created);
    const updated = await client.updatePatient(created.uuid, patient({ last_name: 'Delgado-Ruiz' }));
    expect(updated.last_name).toBe('Delgado-Ruiz');
    await client.syncPatient(created.uuid);

    const other = await client.createPatient(patient({ email: 'someone.else@clinic.example.org' }));
    const found = await client.listPatients({ email: 'ANA.DELGADO', per_page: 100 });
    expect(found.data.map((p) => p.uuid)).toEqual([created.uuid]);
    const firstPage = await client.listPatients({ per_page: 1, page: 2 });
    expect(firstPage.pagination).toEqual({ page: 2, per_page: 1, total: 2, total_pages: 2 });
    expect(firstPage.data.map((p) => p.uuid)).toEqual([other.uuid]);

    await client.deletePatient(other.uuid);
    await expectFailure(client.getPatient(other.uuid), 'not_found');
    await expectFailure(client.deletePatient(other.uuid), 'not_found');
  });

  it("refuses a patient or a search breaking United's rules before sending anything", async () => {
    const before = sim.requests().length;
    const error = await expectFailure(client.createPatient(patient({ first_name: 'Ana3', date_of_birth: '2030-01-01', address: { line1: 'x', city: 'Austin', state: 'Texas', zip: '7870' } })), 'invalid_request');
    expect(error.details.map((d) => d.split(':')[0])).toEqual(['first_name', 'date_of_birth', 'address.state', 'address.zip']);
    expect(error.message).not.toContain('Ana3');
    await expectFailure(client.updatePatient(patientId, patient({ phone_cell: '12345' })), 'invalid_request');
    await expectFailure(client.createPatient({ ...patient(), gender: 'X' } as unknown as UnitedPatientInput), 'invalid_request');
    await expectFailure(client.listPatients({ per_page: 101 }), 'invalid_request');
    await expectFailure(client.listPatients({ page: 0 }), 'invalid_request');
    await expectFailure(client.listPatients({ email: `${'a'.repeat(70)}@example.com` }), 'invalid_request');
    await expectFailure(client.getPatient(''), 'invalid_request');
    expect(sim.requests()).toHaveLength(before);
  });

  it('reads a catalog page and keeps it for catalogMaxAgeMs (prices are real-time)', async () => {
    const before = sim.requests().length;
    const first = await client.medications(KADUCEUS, 1);
    expect(first.data).toHaveLength(25);
    expect(first.pagination).toEqual({ page: 1, per_page: 25, total: 163, total_pages: 7 });
    expect(first.fetchedAt).toBe(clock.now().toISOString());
    clock.advance(4 * 60_000);
    const cached = await client.medications(KADUCEUS, 1);
    expect(cached).toEqual(first);
    expect(sim.requests()).toHaveLength(before + 1);
    expect((await client.medications(KADUCEUS, 7)).data).toHaveLength(13);
    expect(sim.requests()).toHaveLength(before + 2);

    clock.advance(60_001);
    const fresh = await client.medications(KADUCEUS, 1);
    expect(fresh.fetchedAt).toBe(clock.now().toISOString());
    expect(sim.requests()).toHaveLength(before + 3);
    expect(seenSince(before).at(-1)).toBe(`GET pharmacies/${KADUCEUS}/medications 200`);

    await expectFailure(client.medications('00000000-0000-0000-0000-000000000000', 1), 'not_found');
    await expectFailure(client.medications(KADUCEUS, 0), 'invalid_request');
  });

  it('creates an order, reads it, and finds it by our reference', async () => {
    const input: UnitedOrderInput = {
      patient_id: patientId,
      pharmacy_id: KADUCEUS,
      medication_id: SEED_MEDICATION,
      dispense_quantity: 4,
      days_supply: 28,
      order_id: 'RXR-0001',
      customer_id: 'CUST-789',
      webhook_urls: ['http://127.0.0.1:9/never'],
    };
    const order = await client.createOrder(input);
    expect(order).toMatchObject({ status: 'pending', order_id: 'RXR-0001', patient_id: patientId });
    sim.advanceOrder(order.uuid);
    expect((await client.getOrder(order.uuid)).status).toBe('confirmed');
    expect((await client.findOrdersByReference('RXR-0001')).map((o) => o.uuid)).toEqual([order.uuid]);
    expect(await client.findOrdersByReference('RXR-none')).toEqual([]);
    await expectFailure(client.getOrder('00000000-0000-0000-0000-000000000000'), 'not_found');

    const before = sim.requests().length;
    const broken = await expectFailure(client.createOrder({ ...input, dispense_quantity: 0, memo: 'm'.repeat(1025) }), 'invalid_request');
    expect(broken.details).toHaveLength(2);
    await expectFailure(client.createOrder({ ...input, webhook_urls: ['not a url'] }), 'invalid_request');
    expect(sim.requests()).toHaveLength(before);

    // Only United knows whether the patient exists: its 422 comes back as `rejected`, by field.
    const rejected = await expectFailure(client.createOrder({ ...input, patient_id: '00000000-0000-0000-0000-000000000000' }), 'rejected');
    expect(rejected.httpStatus).toBe(422);
    expect(rejected.details).toEqual(['patient_id: The selected patient_id is invalid.']);
  });
});

describe('tokens', () => {
  it('a burst of 20 calls refused together makes exactly one refresh, saved before the new token is used', async () => {
    const oldRefresh = store.state!.refresh_token!;
    sim.expireAccessTokens();
    const before = sim.requests().length;
    let requestsAtSave = -1;
    store.onSave = () => {
      requestsAtSave = sim.requests().length;
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => client.listPharmacies()));
    store.onSave = undefined;
    expect(results.every((r) => r.length === 3)).toBe(true);

    const seen = seenSince(before);
    expect(seen.filter((r) => r.startsWith('POST auth/refresh'))).toEqual(['POST auth/refresh 200']);
    expect(seen.filter((r) => r.startsWith('POST auth/token'))).toEqual([]);
    expect(seen.filter((r) => r === 'GET pharmacies 401')).toHaveLength(20);
    expect(seen.filter((r) => r === 'GET pharmacies 200')).toHaveLength(20);
    // Nothing succeeded with the new token before the new refresh token was stored.
    expect(requestsAtSave).toBeGreaterThan(before);
    expect(seenSince(before).slice(0, requestsAtSave - before).filter((r) => r === 'GET pharmacies 200')).toEqual([]);
    expect(store.state!.refresh_token).not.toBe(oldRefresh);
    // United spent the old refresh token.
    const reuse = await fetch(`${sim.baseUrl}/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: oldRefresh }) });
    expect(reuse.status).toBe(401);
  });

  it('a token near its end is replaced with the client credentials before use, without a refusal', async () => {
    clock.advance(30 * DAY_MS - 4 * 60_000);
    const before = sim.requests().length;
    await client.listPharmacies();
    expect(seenSince(before)).toEqual(['POST auth/token 200', 'GET pharmacies 200']);
  });

  it('a refused refresh falls back to the client credentials', async () => {
    store.state = { ...store.state!, refresh_token: 'rt_spent-by-a-crash' };
    const stale = newClient(store);
    sim.expireAccessTokens();
    const before = sim.requests().length;
    await stale.listPharmacies();
    expect(seenSince(before)).toEqual(['GET pharmacies 401', 'POST auth/refresh 401', 'POST auth/token 200', 'GET pharmacies 200']);
  });

  it('a revoked credential ends in `unauthorized`, telling staff to reconnect', async () => {
    const otherStore = new MemoryAuthStore();
    const other = newClient(otherStore);
    const created = await fetch(`${sim.baseUrl}/auth/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ setup_token: sim.setupToken, name: 'second workstation' }),
    }).then((r) => r.json() as Promise<{ data: { client_id: string; client_secret: string } }>);
    await other.useCredentials({ client_id: created.data.client_id, client_secret: created.data.client_secret });
    await other.ping();

    await client.revokeCredential(created.data.client_id);
    const before = sim.requests().length;
    const error = await expectFailure(other.ping(), 'unauthorized');
    expect(error.message).toBe(UNAUTHORIZED);
    expect(error.transient).toBe(false);
    expect(seenSince(before)).toEqual(['GET pharmacies 401', 'POST auth/refresh 401', 'POST auth/token 401']);
    expect(JSON.stringify(error)).not.toContain(created.data.client_secret);
  });

  it('useCredentials keeps the old connection when the new credentials are refused', async () => {
    const otherStore = new MemoryAuthStore({ ...store.state! });
    const other = newClient(otherStore);
    await expectFailure(other.useCredentials({ client_id: store.state!.client_id, client_secret: 'wrong secret' }), 'unauthorized');
    expect(otherStore.state?.client_secret).toBe(store.state!.client_secret);
    await other.ping();
  });
});

describe('rate limits', () => {
  it('waits out a 429 storm with exponential backoff and full jitter, never shorter than Retry-After', async () => {
    sleeps.length = 0;
    const before = sim.requests().length;
    sim.rateLimitStorm(3);
    expect(await client.listPharmacies()).toHaveLength(3);
    // random() = 0.5 of bounds 1 s, 2 s, 4 s; Retry-After is 1 s.
    expect(sleeps).toEqual([1000, 1000, 2000]);
    expect(seenSince(before)).toEqual(['GET pharmacies 429', 'GET pharmacies 429', 'GET pharmacies 429', 'GET pharmacies 200']);
  });

  it('gives up after rateLimitRetries with `rate_limited` and the wait United asked for', async () => {
    sleeps.length = 0;
    const before = sim.requests().length;
    sim.rateLimitStorm(10);
    const error = await expectFailure(client.getOrder('00000000-0000-0000-0000-000000000000'), 'rate_limited');
    expect(error.httpStatus).toBe(429);
    expect(error.retryAfterMs).toBe(1000);
    expect(error.transient).toBe(true);
    expect(sleeps).toHaveLength(3);
    expect(seenSince(before)).toHaveLength(4);
    sim.rateLimitStorm(0);
  });
});

describe('rotation and revocation', () => {
  it('rotateCredentials: new credentials saved and proven, then the old ones revoked', async () => {
    const oldState = { ...store.state! };
    const before = sim.requests().length;
    const { oldClientId, newClientId } = await client.rotateCredentials('RxRelay (rotated)');
    expect(oldClientId).toBe(oldState.client_id);
    expect(newClientId).not.toBe(oldClientId);
    expect(store.state).toMatchObject({ client_id: newClientId, webhook_secret: sim.webhookSecret, access_token: expect.any(String) });
    expect(seenSince(before)).toEqual(['POST auth/credentials 201', 'POST auth/token 200', `DELETE auth/credentials/${oldClientId} 200`]);

    const active = await client.listCredentials();
    expect(active.map((c) => c.client_id)).toEqual([newClientId]);
    const all = await client.listCredentials({ includeRevoked: true });
    expect(all.find((c) => c.client_id === oldClientId)?.revoked_at).not.toBeNull();
    const oldToken = await fetch(`${sim.baseUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: oldState.client_id, client_secret: oldState.client_secret }),
    });
    expect(oldToken.status).toBe(401);
    await client.ping();
  });

  it('revoking its own credential disconnects the client', async () => {
    await client.revokeCredential(store.state!.client_id);
    expect(store.state).toBeUndefined();
    expect(client.hasCredentials()).toBe(false);
    await expectFailure(client.ping(), 'unauthorized');
  });
});

describe('answers only a broken server gives', () => {
  let fake: Server;
  let fakeUrl: string;
  let answer: { status: number; body: string; headers?: Record<string, string> } = { status: 200, body: '' };
  const connected: UnitedAuthState = {
    client_id: 'c',
    client_secret: 's',
    access_token: 'a',
    access_expires_at: '2099-01-01T00:00:00.000Z',
    refresh_token: 'r',
    refresh_expires_at: '2099-01-01T00:00:00.000Z',
  };
  beforeAll(async () => {
    fake = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/pharmacy/sandbox/api/v1`;
  });
  afterAll(async () => {
    await new Promise((resolve) => fake.close(resolve));
  });

  const fakeClient = () => newClient(new MemoryAuthStore({ ...connected }), { baseUrl: fakeUrl });

  it('not JSON, or not the expected shape → invalid_response', async () => {
    answer = { status: 200, body: '<html>maintenance</html>' };
    await expectFailure(fakeClient().listPharmacies(), 'invalid_response');
    answer = { status: 200, body: JSON.stringify({ data: [{ id: 1 }] }) };
    const error = await expectFailure(fakeClient().listPharmacies(), 'invalid_response');
    expect(error.details.length).toBeGreaterThan(0);
  });

  it('5xx → unavailable (with Retry-After on 503); 409 → rejected with the message', async () => {
    answer = { status: 503, body: '', headers: { 'retry-after': '7' } };
    const unavailable = await expectFailure(fakeClient().listPharmacies(), 'unavailable');
    expect(unavailable.retryAfterMs).toBe(7000);
    answer = { status: 500, body: '{"message":"Server Error"}' };
    expect((await expectFailure(fakeClient().listPharmacies(), 'unavailable')).httpStatus).toBe(500);
    answer = { status: 409, body: '{"message":"Duplicate order."}' };
    expect((await expectFailure(fakeClient().listPharmacies(), 'rejected')).details).toEqual(['Duplicate order.']);
  });

  it('nobody listening → unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await expectFailure(newClient(new MemoryAuthStore({ ...connected }), { baseUrl: `http://127.0.0.1:${port}/x` }).ping(), 'unavailable');
    expect(error.message).toContain('refused the connection');
  });
});
