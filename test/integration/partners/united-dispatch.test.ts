// Orders handed to United Pharmacy through the app API, against the sandbox's United simulator:
// the details United needs, the saga (patient, then order), polling and webhooks through the
// inbox, and the BestRx pushes that follow (In Transit with carrier and tracking, Delivered).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppApiInput, AppApiMethod, AppApiOutput, AppApiReply, OrderDetail } from '../../../src-shared/app-api-contract';
import { signWebhookBody } from '../../../src-main/core/partners/united/united-api';
import type { UnitedSimulator } from '../../../src-main/core/sandbox/united/united-simulator';
import { createOrderBody, seedExample } from '../../helpers/fixtures';
import { httpRequest } from '../../helpers/http';
import { snapshotDatabase, startHarness, type Harness } from '../../helpers/rxrelay-harness';

let h: Harness;
let sim: UnitedSimulator;
let unique = 71_000;
let pharmacyId: string;
let medicationId: string;

async function callApi<M extends AppApiMethod>(method: M, input: AppApiInput<M>): Promise<AppApiReply<AppApiOutput<M>>> {
  return (await h.core.appApi.call(method, input, { actor: 'counter-1' })) as AppApiReply<AppApiOutput<M>>;
}

async function ok<M extends AppApiMethod>(method: M, input: AppApiInput<M>): Promise<AppApiOutput<M>> {
  const reply = await callApi(method, input);
  if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
  return reply.value;
}

async function newOrder(overrides: Record<string, unknown> = {}): Promise<string> {
  // Prepaid: a partner's carrier collects nothing at the door.
  const response = await h.post('/Order/CreateOrder', createOrderBody({ bestrx_unique_order_id: unique++, amount_to_collect: 0, ...overrides }));
  return response.json.data.provider_order_id;
}

function details(overrides: Record<string, unknown> = {}) {
  return {
    patient_dob: '1961-04-12',
    patient_email: `jane.doe+${unique}@doeind.com`,
    patient_gender: 'F' as const,
    pharmacy_id: pharmacyId,
    medication_id: medicationId,
    dispense_quantity: 4,
    days_supply: 28,
    ...overrides,
  };
}

/** The partner's order id of our order. */
function unitedOrderOf(order: OrderDetail): string {
  const id = order.partner?.refs.order;
  if (!id) throw new Error('no United order yet');
  return id;
}

async function pushesOf(orderId: string) {
  await h.settle();
  return (await ok('sandbox.bestrxReceived', { order_id: orderId })).pushes.map((p) => p.payload as { order_status: { status_code: string; status_notes: string } });
}

beforeAll(async () => {
  h = await startHarness({ settings: { 'labels.inlineImages': false } });
  sim = h.core.partners.united as UnitedSimulator;
  const { pharmacies } = await ok('partners.pharmacies', { partner: 'united' });
  pharmacyId = pharmacies[0]!.id;
  const page = await ok('partners.medications', { partner: 'united', pharmacy_id: pharmacyId, page: 2 });
  medicationId = page.medications[0]!.medication_id;
});
afterAll(() => h.stop());

describe('dispatching an order to United Pharmacy', () => {
  it('names every missing detail and changes nothing', async () => {
    const id = await newOrder();
    await h.settle();
    const before = snapshotDatabase(h.db);
    const reply = await callApi('orders.dispatch', { id, partner: 'united' });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('invalid_input');
    expect(reply.error.details).toEqual([
      'patient_dob is required for United Pharmacy.',
      'patient_email is required for United Pharmacy.',
      'patient_gender is required for United Pharmacy.',
      'pharmacy_id is required for United Pharmacy.',
      'medication_id is required for United Pharmacy.',
      'dispense_quantity is required for United Pharmacy.',
    ]);
    expect(snapshotDatabase(h.db)).toEqual(before);
    expect(sim.patients().filter((p) => p.email.includes(`+${unique}@`))).toEqual([]);
  });

  it("enforces United's rules before sending anything (quantity, days supply, the patient's name and birth date)", async () => {
    const id = await newOrder({ customers: [{ customer_unique_id: 5, first_name: 'J.', last_name: 'Doe3' }] });
    const requestsBefore = sim.requests().length;
    const reply = await callApi('orders.dispatch', { id, partner: 'united', details: details({ dispense_quantity: 1001, days_supply: 0, patient_dob: '2099-01-01' }) });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('invalid_input');
    expect(reply.error.details).toEqual(
      expect.arrayContaining([
        expect.stringContaining('first_name'),
        expect.stringContaining('last_name'),
        'date_of_birth: the date of birth must be in the past.',
        'dispense_quantity must be a whole number from 1 to 1000.',
        'days_supply must be a whole number from 1 to 365.',
      ]),
    );
    expect(sim.requests().length).toBe(requestsBefore);
    expect((await ok('orders.get', { id })).partner).toBeNull();
  });

  it('refuses an order with payment to collect at the door: the partner cannot collect it', async () => {
    const id = await newOrder({ amount_to_collect: 12.5 });
    const reply = await callApi('orders.dispatch', { id, partner: 'united', details: details() });
    expect(!reply.ok && reply.error.details?.[0]).toBe('$12.50 is to be collected at the door, which United Pharmacy cannot do: deliver this order in-house.');
  });

  it('registers the patient, places the order, and follows it to Delivered with the matching BestRx pushes', async () => {
    const id = await newOrder();
    const dispatched = await ok('orders.dispatch', { id, partner: 'united', details: details({ clinical_notes: 'Tolerates therapy.' }) });
    expect(dispatched.status).toBe('acknowledged');
    expect(dispatched.partner).toMatchObject({ partner: 'united', partner_name: 'United Pharmacy', state: 'open', created_by: 'counter-1' });
    expect(dispatched.allowed_transitions).toEqual([]);
    expect((await ok('orders.list', { q: id })).orders[0]?.partner).toEqual({ partner: 'united', state: 'open' });
    const unitedOrder = sim.orders().find((o) => o.uuid === unitedOrderOf(dispatched));
    expect(unitedOrder).toMatchObject({ order_id: id, pharmacy_id: pharmacyId, medication_id: medicationId, dispense_quantity: 4, days_supply: 28 });
    const patient = sim.patients().find((p) => p.uuid === dispatched.partner?.refs.patient);
    expect(patient).toMatchObject({ first_name: 'Jane', last_name: 'Doe', date_of_birth: '1961-04-12', gender: 'F', address: { state: 'IL' } });
    expect(dispatched.events.map((e) => e.type)).toEqual(['created', 'partner_dispatched', 'status_changed', 'partner_update', 'partner_update']);

    // United moves it on; RxRelay hears by polling (and webhooks), one step at a time.
    const uuid = unitedOrderOf(dispatched);
    for (const expected of ['confirmed', 'processing', 'shipped', 'delivered']) {
      expect(sim.advanceOrder(uuid)?.status).toBe(expected);
      await h.core.partnerEngine.syncNow('united');
    }
    const delivered = await ok('orders.get', { id });
    expect(delivered.status).toBe('delivered');
    expect(delivered.partner).toMatchObject({ state: 'finished', partner_status: 'delivered', carrier: 'USPS', tracking: expect.stringMatching(/^\d{22}$/) });
    const tracking = delivered.partner!.tracking!;
    const statusEvents = delivered.events.filter((e) => e.type === 'status_changed').map((e) => [e.to_status, e.actor]);
    expect(statusEvents).toEqual([
      ['acknowledged', 'counter-1'],
      ['picked_up', 'united'],
      ['in_transit', 'united'],
      ['delivered', 'united'],
    ]);

    const pushes = await pushesOf(id);
    const inTransit = pushes.find((p) => p.order_status.status_notes.includes('Shipped by United Pharmacy'));
    expect(inTransit?.order_status.status_notes).toContain(`USPS tracking ${tracking}`);
    expect(pushes.at(-1)?.order_status.status_notes).toContain(`Delivered by United Pharmacy (USPS tracking ${tracking})`);
    expect(pushes).toHaveLength(4);
  });

  it('reuses the patient United already knows instead of registering a second one', async () => {
    const email = `repeat+${unique}@doeind.com`;
    const first = await ok('orders.dispatch', { id: await newOrder(), partner: 'united', details: details({ patient_email: email }) });
    const second = await ok('orders.dispatch', { id: await newOrder(), partner: 'united', details: details({ patient_email: email }) });
    expect(second.partner?.refs.patient).toBe(first.partner?.refs.patient);
    expect(sim.patients().filter((p) => p.email === email)).toHaveLength(1);
  });

  it('refuses a second hand-over, a courier run for a dispatched order, and staff moving it', async () => {
    const id = await newOrder();
    await ok('orders.dispatch', { id, partner: 'united', details: details() });
    const again = await callApi('orders.dispatch', { id, partner: 'united', details: details() });
    expect(!again.ok && again.error).toMatchObject({ code: 'transition_refused', message: expect.stringContaining('already sent to United Pharmacy') });
    const run = await callApi('runs.create', { courier: 'Dana', order_ids: [id] });
    expect(!run.ok && run.error.message).toContain('United Pharmacy');
    const moved = await callApi('orders.transition', { id, to: 'picked_up' });
    expect(!moved.ok && moved.error.message).toContain('United Pharmacy is delivering this order');
  });

  it('gives the order back to the pharmacy when United cancels it, and lets staff send it again', async () => {
    const id = await newOrder();
    const dispatched = await ok('orders.dispatch', { id, partner: 'united', details: details() });
    sim.cancelOrder(unitedOrderOf(dispatched));
    await h.core.partnerEngine.syncNow('united');
    const back = await ok('orders.get', { id });
    expect(back.status).toBe('acknowledged');
    expect(back.partner).toMatchObject({ state: 'failed', partner_status: 'cancelled', last_error: 'United Pharmacy cancelled the order.' });
    expect(back.events.at(-1)?.notes).toContain('back with the pharmacy');
    expect(back.allowed_transitions).toContain('picked_up');
    const attention = await ok('orders.list', { filters: ['needs_attention'] });
    expect(attention.orders.find((o) => o.id === id)?.partner).toEqual({ partner: 'united', state: 'failed' });

    const again = await ok('orders.dispatch', { id, partner: 'united', details: details() });
    expect(again.partner).toMatchObject({ state: 'open' });
    expect(sim.orders().find((o) => o.uuid === unitedOrderOf(again))?.order_id).toBe(`${id}-2`);
  });
});

describe('BestRx cancelling an order United has', () => {
  it('cancels it here, says United was not told, and later United news changes nothing', async () => {
    const uniqueOrderId = unique;
    const id = await newOrder();
    const dispatched = await ok('orders.dispatch', { id, partner: 'united', details: details() });
    const cancel = await h.post('/Order/CancelOrder', {
      ...seedExample('cancel-order.request'),
      bestrx_unique_order_id: uniqueOrderId,
      bestrx_order_id: dispatched.bestrx_order_id,
      provider_order_id: id,
      tracking_id: dispatched.tracking_id,
    });
    expect(cancel.json.data.status).toBe(true);
    const cancelled = await ok('orders.get', { id });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.events.at(-1)?.notes).toContain('RxRelay cannot cancel it at United Pharmacy');

    const uuid = unitedOrderOf(dispatched);
    for (let i = 0; i < 3; i++) sim.advanceOrder(uuid); // shipped anyway
    await h.core.partnerEngine.syncNow('united');
    const after = await ok('orders.get', { id });
    expect(after.status).toBe('cancelled');
    expect(after.events.at(-1)?.notes).toContain('so nothing was changed: check with United Pharmacy');
  });
});

describe("United's webhooks", () => {
  async function webhook(body: string, headers: Record<string, string>) {
    return httpRequest(`${h.baseUrl}/webhooks/united`, { headers: { 'content-type': 'application/json', ...headers }, body });
  }

  it('applies signed webhooks through the inbox: in order, once, without BestRx credentials', async () => {
    const id = await newOrder();
    const dispatched = await ok('orders.dispatch', { id, partner: 'united', details: details() });
    const uuid = unitedOrderOf(dispatched);
    expect(sim.orders().find((o) => o.uuid === uuid)).toBeDefined();
    sim.advanceOrder(uuid);
    sim.advanceOrder(uuid);
    sim.advanceOrder(uuid); // shipped
    // The simulator posts each change to RxRelay's /webhooks/united; no poll runs here.
    await vi.waitFor(async () => expect((await ok('orders.get', { id })).status).toBe('in_transit'), { timeout: 5_000 });
    const shipped = sim.webhookDeliveries().find((d) => d.event === 'order.shipped' && d.body.includes(uuid));
    expect(shipped?.status).toBe(200);

    // United retrying the same webhook (a replay): accepted, applied once.
    const replay = await webhook(shipped!.body, { 'x-webhook-event': 'order.shipped', 'x-webhook-signature': shipped!.signature });
    expect(replay.status).toBe(200);
    expect(replay.json).toEqual({ received: true, outcomes: ['duplicate'] });
    const order = await ok('orders.get', { id });
    expect(order.events.filter((e) => e.to_status === 'in_transit')).toHaveLength(1);
  });

  it('refuses a bad signature, a mismatched event header and a forged body, changing nothing', async () => {
    const id = await newOrder();
    const dispatched = await ok('orders.dispatch', { id, partner: 'united', details: details() });
    const uuid = unitedOrderOf(dispatched);
    const body = JSON.stringify({ event: 'order.delivered', order: { uuid, order_id: id, customer_id: null, status: 'delivered' }, timestamp: '2026-11-21T09:00:00Z' });
    await h.settle(); // earlier pushes delivered, so the database holds still
    const before = snapshotDatabase(h.db);
    const forged = await webhook(body, { 'x-webhook-event': 'order.delivered', 'x-webhook-signature': signWebhookBody('not-the-secret', body) });
    expect(forged.status).toBe(401);
    const missing = await webhook(body, { 'x-webhook-event': 'order.delivered' });
    expect(missing.status).toBe(401);
    const wrongEvent = await webhook(body, { 'x-webhook-event': 'order.shipped', 'x-webhook-signature': signWebhookBody(sim.webhookSecret, body) });
    expect(wrongEvent.status).toBe(400);
    const tampered = await webhook(body.replace('delivered', 'shipped'), { 'x-webhook-event': 'order.delivered', 'x-webhook-signature': signWebhookBody(sim.webhookSecret, body) });
    expect(tampered.status).toBe(401);
    expect(snapshotDatabase(h.db)).toEqual(before);

    // The same body, properly signed, is applied: United's own order of events is not needed.
    const genuine = await webhook(body, { 'x-webhook-event': 'order.delivered', 'x-webhook-signature': signWebhookBody(sim.webhookSecret, body) });
    expect(genuine.json).toEqual({ received: true, outcomes: ['applied'] });
    expect((await ok('orders.get', { id })).status).toBe('delivered');
  });

  it('ignores a stale event that arrives after a later one', async () => {
    const id = await newOrder();
    const dispatched = await ok('orders.dispatch', { id, partner: 'united', details: details() });
    const uuid = unitedOrderOf(dispatched);
    const send = (status: string) => {
      const body = JSON.stringify({ event: `order.${status}`, order: { uuid, order_id: id, customer_id: null, status }, timestamp: '2026-11-21T09:00:00Z' });
      return webhook(body, { 'x-webhook-event': `order.${status}`, 'x-webhook-signature': signWebhookBody(sim.webhookSecret, body) });
    };
    await send('shipped');
    const stale = await send('processing');
    expect(stale.json).toEqual({ received: true, outcomes: ['applied'] });
    const order = await ok('orders.get', { id });
    expect(order.status).toBe('in_transit');
    expect(order.partner?.partner_status).toBe('shipped');
  });
});

describe('partner connections', () => {
  it('reports United connected in sandbox mode, with its webhook URL', async () => {
    const { partners } = await ok('partners.status', {});
    expect(partners.find((p) => p.partner === 'united')).toEqual(
      expect.objectContaining({ name: 'United Pharmacy', mode: 'sandbox', connected: true, circuit: 'closed', webhook_url: `${h.baseUrl}/webhooks/united`, base_url: sim.baseUrl }),
    );
  });

});
