// Orders handed to CaryRx through the app API, against the sandbox's CaryRx simulator: the
// callbacks registered at connection (and their test payloads accepted), the saga (patient,
// location, prescriptions, order) resumed after a crash without duplicates, callbacks that must
// carry RxRelay's token, and an order reaching Delivered with the matching BestRx pushes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppApiInput, AppApiMethod, AppApiOutput, AppApiReply, OrderDetail } from '../../../src-shared/app-api-contract';
import type { CaryRxSimulator } from '../../../src-main/core/sandbox/caryrx/caryrx-simulator';
import { createOrderBody } from '../../helpers/fixtures';
import { httpRequest } from '../../helpers/http';
import { FakeClock, snapshotDatabase, startHarness, type Harness } from '../../helpers/rxrelay-harness';

let h: Harness;
let sim: CaryRxSimulator;
let unique = 81_000;
let crashAt: string | undefined;
const clock = new FakeClock();

async function callApi<M extends AppApiMethod>(method: M, input: AppApiInput<M>): Promise<AppApiReply<AppApiOutput<M>>> {
  return (await h.core.appApi.call(method, input, { actor: 'counter-2' })) as AppApiReply<AppApiOutput<M>>;
}

async function ok<M extends AppApiMethod>(method: M, input: AppApiInput<M>): Promise<AppApiOutput<M>> {
  const reply = await callApi(method, input);
  if (!reply.ok) throw new Error(`${method}: ${reply.error.message} ${JSON.stringify(reply.error.details ?? [])}`);
  return reply.value;
}

async function newOrder(overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await h.post('/Order/CreateOrder', createOrderBody({ bestrx_unique_order_id: unique++, amount_to_collect: 0, ...overrides }));
  return response.json.data.provider_order_id;
}

const details = (email: string) => ({ patient_dob: '1958-09-30', patient_email: email, shipping_method: 'sameday_delivery', clinical_notes: 'Check allergies.' });

function caryrxOrderOf(order: OrderDetail): string {
  const id = order.partner?.refs.order;
  if (!id) throw new Error('no CaryRx order yet');
  return id;
}

beforeAll(async () => {
  h = await startHarness({
    clock,
    settings: { 'labels.inlineImages': false },
    partnerCrashPoint: (point) => {
      if (point === crashAt) {
        crashAt = undefined;
        throw new Error(`simulated crash at ${point}`);
      }
    },
  });
  sim = h.core.partners.caryrx as CaryRxSimulator;
});
afterAll(() => h.stop());

describe('connecting to CaryRx (sandbox)', () => {
  it('registers the prescription and order callbacks, with a secret token, and accepts their test payloads', async () => {
    const registrations = sim.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/events'));
    expect(registrations.map((r) => [r.path, r.status])).toEqual([
      ['/v1/prescriptions/events', 200],
      ['/v1/orders/events', 200],
    ]);
    await expect.poll(() => sim.callbackDeliveries().map((d) => [d.kind, d.status])).toEqual([
      ['prescription', 200],
      ['order', 200],
    ]);
    expect(sim.callbackDeliveries()[0]?.url).toMatch(new RegExp(`^${h.baseUrl}/webhooks/caryrx\\?token=[A-Za-z0-9_-]{20,}$`));
    const { partners } = await ok('partners.status', {});
    expect(partners.find((p) => p.partner === 'caryrx')).toMatchObject({ name: 'CaryRx', mode: 'sandbox', connected: true, environment: 'sandbox' });
  });

  it('refuses a callback without the token, changing nothing', async () => {
    await h.settle();
    const before = snapshotDatabase(h.db);
    const body = JSON.stringify({ id: 'x', shipping_method: 'sameday_delivery', order_status: 'delivered', prescriptions: [], patient: { entity_type: 'patient', id: 'p' } });
    for (const url of [`${h.baseUrl}/webhooks/caryrx`, `${h.baseUrl}/webhooks/caryrx?token=guess`]) {
      const response = await httpRequest(url, { headers: { 'content-type': 'application/json' }, body });
      expect(response.status).toBe(401);
    }
    expect(snapshotDatabase(h.db)).toEqual(before);
  });
});

describe('dispatching to CaryRx', () => {
  it('names the missing details', async () => {
    const reply = await callApi('orders.dispatch', { id: await newOrder(), partner: 'caryrx', details: {} });
    expect(!reply.ok && reply.error.details).toEqual(['patient_dob is required for CaryRx.', 'patient_email is required for CaryRx.']);
  });

  it('creates the patient, location, prescriptions and order, and follows the order to Delivered with the matching BestRx pushes', async () => {
    const id = await newOrder();
    const dispatched = await ok('orders.dispatch', { id, partner: 'caryrx', details: details('maria.lopez@example.com') });
    expect(dispatched.partner).toMatchObject({ partner: 'caryrx', partner_name: 'CaryRx', state: 'open' });
    expect(Object.keys(dispatched.partner!.refs).sort()).toEqual(['location', 'order', 'patient', 'prescriptions']);
    const order = sim.orders().find((o) => o.id === caryrxOrderOf(dispatched));
    expect(order).toMatchObject({ shipping_method: 'sameday_delivery', order_status: 'pending' });
    expect(sim.prescriptions().map((p) => p.medication_name)).toContain('Rx 610011');

    for (let i = 0; i < 5; i++) {
      sim.advanceOrder(caryrxOrderOf(dispatched));
      await h.core.partnerEngine.syncNow('caryrx');
    }
    const delivered = await ok('orders.get', { id });
    expect(delivered.status).toBe('delivered');
    expect(delivered.partner).toMatchObject({ state: 'finished', partner_status: 'delivered', tracking: expect.stringMatching(/^https:\/\//) });
    expect(delivered.events.filter((e) => e.type === 'status_changed').map((e) => e.to_status)).toEqual(['acknowledged', 'picked_up', 'out_for_delivery', 'delivered']);

    await h.settle();
    const pushes = (await ok('sandbox.bestrxReceived', { order_id: id })).pushes.map((p) => p.payload as { order_status: { status_code: string; status_notes: string } });
    const out = pushes.find((p) => p.order_status.status_code === '6');
    expect(out?.order_status.status_notes).toContain(`Out for delivery with CaryRx: CaryRx same-day courier tracking ${delivered.partner!.tracking}`);
    expect(pushes.at(-1)?.order_status.status_code).toBe('7');
  });

  it('finds the patient CaryRx already has instead of creating a second one', async () => {
    const email = 'returning.patient@example.com';
    const first = await ok('orders.dispatch', { id: await newOrder(), partner: 'caryrx', details: details(email) });
    const second = await ok('orders.dispatch', { id: await newOrder(), partner: 'caryrx', details: details(email) });
    expect(second.partner?.refs.patient).toBe(first.partner?.refs.patient);
  });

  for (const point of ['after-call:patient', 'after-call:prescriptions', 'after-call:order']) {
    it(`resumes after a crash at ${point}: one patient, one order at CaryRx`, async () => {
      const email = `crash.${point.replace(/[^a-z]/g, '')}@example.com`;
      const id = await newOrder();
      crashAt = point;
      const crashed = await callApi('orders.dispatch', { id, partner: 'caryrx', details: details(email) });
      expect(crashed.ok).toBe(false);
      // The step that died holds its lease for two minutes; then the engine tries it again.
      await h.core.partnerEngine.runUntilIdle('caryrx');
      expect((await ok('orders.get', { id })).partner).toMatchObject({ state: 'dispatching' });
      clock.advance(3 * 60_000);
      await h.core.partnerEngine.runUntilIdle('caryrx');
      const order = await ok('orders.get', { id });
      expect(order.partner).toMatchObject({ state: 'open' });
      const patients = sim.patients().filter((p) => p.email === email);
      expect(patients).toHaveLength(1);
      expect(sim.orders().filter((o) => o.patient.id === patients[0]!.record.id)).toHaveLength(1);
      const prescriptionsOfPatient = sim.prescriptions().filter((p) => p.patient.id === patients[0]!.record.id);
      expect(prescriptionsOfPatient).toHaveLength(1);
    });
  }

  it('gives the order back when CaryRx fails it', async () => {
    const id = await newOrder();
    const dispatched = await ok('orders.dispatch', { id, partner: 'caryrx', details: details('failing@example.com') });
    sim.failOrder(caryrxOrderOf(dispatched));
    await h.core.partnerEngine.syncNow('caryrx');
    const back = await ok('orders.get', { id });
    expect(back.partner).toMatchObject({ state: 'failed', last_error: 'CaryRx could not fill the order.' });
    expect(back.status).toBe('acknowledged');
  });
});
