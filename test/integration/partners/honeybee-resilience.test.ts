// Honeybee Health's client and the fill saga under the failures Honeybee's docs warn about,
// against the simulator (no idempotency key, §1.12): a 409 and a create whose answer never came
// are both settled by looking at the patient's orders (GET /v1/orders) before posting again; a
// crash after the order was made is resumed without a second order. And the auth rules: one token
// until shortly before it expires, one renewal however many calls are refused together,
// `Accept: application/json` on every call, and the X-Request-Id of a failed call in the log.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCreateOrder } from '../../../src-main/core/bestrx/bestrx-requests';
import type { Logger } from '../../../src-main/core/logger';
import { honeybeeSignature } from '../../../src-main/core/partners/honeybee/honeybee-api';
import { HoneybeeClient } from '../../../src-main/core/partners/honeybee/honeybee-client';
import { HoneybeeConnector } from '../../../src-main/core/partners/honeybee/honeybee-connector';
import { PartnerSyncEngine } from '../../../src-main/core/partners/partner-sync-engine';
import { startHoneybeeSimulator, type HoneybeeSimulator } from '../../../src-main/core/sandbox/honeybee/honeybee-simulator';
import { createOrderBody } from '../../helpers/fixtures';
import { createTestOrderService } from '../../helpers/order-service';

class SimulatedCrash extends Error {}

const RECEIVER = 'https://rxrelay.example.test/webhooks/honeybee';
let sim: HoneybeeSimulator;
let service: ReturnType<typeof createTestOrderService>;
let unique = 97_000;
const logged: Array<{ event: string; fields: Record<string, unknown> }> = [];
const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (event: string, fields?: Record<string, unknown>) => void logged.push({ event, fields: fields ?? {} }),
  error: (event: string, fields?: Record<string, unknown>) => void logged.push({ event, fields: fields ?? {} }),
} as unknown as Logger;
const engines: PartnerSyncEngine[] = [];

function client(timeoutMs = 2_000): HoneybeeClient {
  return new HoneybeeClient({ baseUrl: sim.url, tokenUrl: sim.tokenUrl, clientId: sim.clientId, clientSecret: sim.clientSecret, clock: service.clock, logger, timeoutMs });
}

/** A new engine, as a restarted process builds it: its own client and connector over the same database. */
async function startEngine(options: { crashAt?: string; timeoutMs?: number } = {}): Promise<PartnerSyncEngine> {
  const engine = new PartnerSyncEngine({
    db: service.db,
    writes: service.writes,
    clock: service.clock,
    orders: service.orders,
    events: service.events,
    logger,
    pollIntervalMs: () => 60_000,
    webhookUrl: () => RECEIVER,
    schedule: false,
    crashPoint: (point) => {
      if (point === options.crashAt) throw new SimulatedCrash(point);
    },
  });
  await engine.setConnector(new HoneybeeConnector(client(options.timeoutMs), 'sandbox', { staticSecret: sim.staticSecret, signingSecret: sim.signingSecret }, () => RECEIVER));
  engines.push(engine);
  return engine;
}

async function receiveOrder(email: string): Promise<string> {
  const body = createOrderBody({ bestrx_unique_order_id: unique++, amount_to_collect: 0, recipient: { ...createOrderBody().recipient, email } });
  const parsed = parseCreateOrder(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return (await service.orders.receiveCreateOrder(parsed.value.content, JSON.stringify(body))).order.id;
}

/** An e-prescription for this order's patient reaches Honeybee, and its RX_RECEIVED reaches the engine. */
async function announcedPrescription(engine: PartnerSyncEngine, email: string): Promise<string> {
  const { prescription_ids } = sim.receiveErx({ workflow: 'requested', patient: { first_name: 'Jane', last_name: 'Doe', dob: '1961-02-03', email } });
  const event = sim.events().filter((e) => e.event_type === 'RX_RECEIVED').at(-1)!;
  const headers = { 'x-honeybee-secret': sim.staticSecret, 'x-honeybee-signature': honeybeeSignature(sim.signingSecret, 'POST', RECEIVER, event.body) };
  expect((await engine.receiveWebhook('honeybee', event.body, headers)).status).toBe(200);
  return String(prescription_ids[0]);
}

const postsOfOrders = () => sim.requests().filter((r) => r.method === 'POST' && r.path === '/v1/orders');

beforeAll(async () => {
  service = createTestOrderService();
  sim = await startHoneybeeSimulator({ stepMs: 0, clock: service.clock });
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.stop()));
  logged.length = 0;
});
afterAll(async () => {
  await sim.close();
  service.db.close();
});

describe('Honeybee auth', () => {
  it('keeps one token until shortly before it expires, then takes a new one without a refusal', async () => {
    const c = client();
    const before = sim.tokensIssued();
    await c.ordersOfPatient('nobody');
    await c.ordersOfPatient('nobody');
    expect(sim.tokensIssued()).toBe(before + 1);
    service.clock.advance(43_200_000 - 30_000); // 30 s before the 12 h token lapses
    await c.ordersOfPatient('nobody');
    expect(sim.tokensIssued()).toBe(before + 2);
    expect(sim.requests().filter((r) => r.status === 401)).toEqual([]);
    await c.close();
  });

  it('renews once, however many calls are refused together, and sends Accept: application/json on every call', async () => {
    const c = client();
    await c.ordersOfPatient('nobody');
    const before = sim.tokensIssued();
    sim.expireTokens();
    await Promise.all(Array.from({ length: 6 }, () => c.ordersOfPatient('nobody')));
    expect(sim.tokensIssued()).toBe(before + 1);
    expect(sim.requests().filter((r) => r.status === 406)).toEqual([]);
    await c.close();
  });

  it('takes the credentials in the form body as well as in Basic auth, and reports wrong ones as a credentials problem', async () => {
    const inBody = new HoneybeeClient({ baseUrl: sim.url, tokenUrl: sim.tokenUrl, clientId: sim.clientId, clientSecret: sim.clientSecret, credentialsIn: 'body', clock: service.clock, logger });
    await expect(inBody.ping()).resolves.toBeUndefined();
    const wrong = new HoneybeeClient({ baseUrl: sim.url, tokenUrl: sim.tokenUrl, clientId: sim.clientId, clientSecret: 'wrong', clock: service.clock, logger });
    await expect(wrong.ping()).rejects.toMatchObject({ kind: 'unauthorized', message: expect.stringMatching(/client id and secret/) });
    await Promise.all([inBody.close(), wrong.close()]);
  });

  it('logs the X-Request-Id of a failed call for Honeybee support, and nothing secret', async () => {
    const c = client();
    sim.failNext('http-500');
    await expect(c.ordersOfPatient('nobody')).rejects.toMatchObject({ kind: 'unavailable' });
    const failed = sim.requests().at(-1)!;
    expect(failed.status).toBe(500);
    expect(logged.find((l) => l.event === 'honeybee.request_failed')?.fields).toMatchObject({ status: 500, request_id: failed.requestId, path: '/v1/orders' });
    expect(JSON.stringify(logged)).not.toContain(sim.clientSecret);
    await c.close();
  });
});

describe('requesting a fill when Honeybee does not answer plainly', () => {
  it('refuses a hand-over to a partner that is not connected, in plain words', async () => {
    const engine = await startEngine();
    await expect(engine.dispatch({ id: await receiveOrder('nobody@example.com'), partner: 'united', details: {} }, 'counter-1')).rejects.toMatchObject({
      name: 'PartnerNotConnectedError',
      message: 'RxRelay is not connected to United Pharmacy: connect it in Settings → Partners.',
    });
  });

  it('answers a 409 by looking at the patient\'s orders, then places the order once', async () => {
    const engine = await startEngine();
    const email = 'conflict.case@example.com';
    const id = await receiveOrder(email);
    const prescriptionId = await announcedPrescription(engine, email);
    sim.failNext('conflict');
    const first = await engine.dispatch({ id, partner: 'honeybee', details: { prescription_ids: [prescriptionId] } }, 'counter-1');
    expect(first.partner).toMatchObject({ state: 'dispatching', last_error: expect.stringContaining('409') });
    const afterConflict = sim.requests().slice(-2).map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(afterConflict[0]).toBe('POST /v1/orders 409');
    expect(afterConflict[1]).toBe('GET /v1/orders 200');

    service.clock.advance(60_000);
    await engine.runUntilIdle('honeybee');
    expect(service.orders.get(id).partner).toMatchObject({ state: 'open', refs: { order_number: expect.any(String) } });
    expect(sim.orders().filter((o) => o.medication_requests.some((m) => String(m.prescription_id) === prescriptionId))).toHaveLength(1);
  });

  it('answers a create whose answer never came by finding the order Honeybee made, never posting it twice', async () => {
    const engine = await startEngine({ timeoutMs: 400 });
    const email = 'timeout.case@example.com';
    const id = await receiveOrder(email);
    const prescriptionId = await announcedPrescription(engine, email);
    const posts = postsOfOrders().length;
    sim.failNext('timeout-after-create');
    const dispatched = await engine.dispatch({ id, partner: 'honeybee', details: { prescription_ids: [prescriptionId] } }, 'counter-1');
    const made = sim.orders().filter((o) => o.medication_requests.some((m) => String(m.prescription_id) === prescriptionId));
    expect(made).toHaveLength(1);
    expect(dispatched.partner).toMatchObject({ state: 'open', refs: { order_number: made[0]!.order_number } });
    expect(postsOfOrders().length).toBe(posts + 1);
  });

  it('polls an order with If-None-Match: an unchanged order costs Honeybee a 304', async () => {
    const engine = await startEngine();
    const email = 'etag.case@example.com';
    const id = await receiveOrder(email);
    const prescriptionId = await announcedPrescription(engine, email);
    const orderNumber = (await engine.dispatch({ id, partner: 'honeybee', details: { prescription_ids: [prescriptionId] } }, 'counter-1')).partner!.refs.order_number!;
    const path = `/v1/orders/${orderNumber}`;
    service.clock.advance(61_000);
    await engine.runUntilIdle('honeybee');
    service.clock.advance(61_000);
    await engine.runUntilIdle('honeybee');
    const reads = sim.requests().filter((r) => r.method === 'GET' && r.path === path).map((r) => r.status);
    expect(reads[0]).toBe(200);
    expect(reads.at(-1)).toBe(304);
    sim.advanceOrder(orderNumber);
    service.clock.advance(61_000);
    await engine.runUntilIdle('honeybee');
    expect(sim.requests().filter((r) => r.path === path).at(-1)?.status).toBe(200);
    expect(service.orders.get(id).partner?.partner_status).toBe('Filling');
  });

  for (const crashAt of ['after-call:order', 'before-call:order']) {
    it(`resumes after a crash at ${crashAt} with exactly one Honeybee order`, async () => {
      const email = `crash.${crashAt.replace(/[^a-z]/g, '')}@example.com`;
      const first = await startEngine({ crashAt });
      const id = await receiveOrder(email);
      const prescriptionId = await announcedPrescription(first, email);
      await expect(first.dispatch({ id, partner: 'honeybee', details: { prescription_ids: [prescriptionId] } }, 'counter-1')).rejects.toBeInstanceOf(SimulatedCrash);
      const second = await startEngine();
      await second.runUntilIdle('honeybee');
      const made = sim.orders().filter((o) => o.medication_requests.some((m) => String(m.prescription_id) === prescriptionId));
      expect(made).toHaveLength(1);
      expect(service.orders.get(id).partner).toMatchObject({ state: 'open', refs: { order_number: made[0]!.order_number } });
    });
  }

  it('asks for a refill with the same prescription id, and refuses one more fill than the prescription allows', async () => {
    const engine = await startEngine();
    const email = 'refill.case@example.com';
    const { prescription_ids } = sim.receiveErx({ workflow: 'requested', patient: { first_name: 'Jane', last_name: 'Doe', dob: '1961-02-03', email }, medications: [{ refills_left: 1 }] });
    const event = sim.events().filter((e) => e.event_type === 'RX_RECEIVED').at(-1)!;
    await engine.receiveWebhook('honeybee', event.body, { 'x-honeybee-secret': sim.staticSecret, 'x-honeybee-signature': honeybeeSignature(sim.signingSecret, 'POST', RECEIVER, event.body) });
    const prescriptionId = String(prescription_ids[0]);
    for (let fill = 1; fill <= 2; fill++) {
      // A refill comes weeks later; within minutes Honeybee takes it for a duplicate (409).
      service.clock.advance(14 * 24 * 3600_000);
      const id = await receiveOrder(email);
      const order = await engine.dispatch({ id, partner: 'honeybee', details: { prescription_ids: [prescriptionId] } }, 'counter-1');
      expect(order.partner).toMatchObject({ state: 'open' });
    }
    expect(sim.orders().filter((o) => o.medication_requests.some((m) => String(m.prescription_id) === prescriptionId))).toHaveLength(2);
    const third = await receiveOrder(email);
    await expect(engine.dispatch({ id: third, partner: 'honeybee', details: { prescription_ids: [prescriptionId] } }, 'counter-1')).rejects.toMatchObject({
      problems: [expect.stringMatching(/has no fill left \(2 requested, 1 refills written\)/)],
    });
  });
});
