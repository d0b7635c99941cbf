// Honeybee Health through the app API, against the sandbox's Honeybee simulator, in both of its
// workflows: a prescription announced by RX_RECEIVED waits in incoming prescriptions, staff match
// it to the BestRx order of that patient and request the fill, and the order follows Honeybee to
// Delivered with the matching BestRx pushes; an order Honeybee makes on its own (Automatic
// Processing) appears on the board without staff; On Hold shows why and what to do; events are
// authenticated, deduplicated by event_id, and a stale one changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppApiInput, AppApiMethod, AppApiOutput, AppApiReply } from '../../../src-shared/app-api-contract';
import { HONEYBEE_ERROR_MESSAGES, honeybeeSignature } from '../../../src-main/core/partners/honeybee/honeybee-api';
import type { HoneybeeSimulator } from '../../../src-main/core/sandbox/honeybee/honeybee-simulator';
import { createOrderBody } from '../../helpers/fixtures';
import { httpRequest } from '../../helpers/http';
import { FakeClock, snapshotDatabase, startHarness, type Harness } from '../../helpers/rxrelay-harness';

let h: Harness;
let sim: HoneybeeSimulator;
let unique = 91_000;
const clock = new FakeClock();

async function callApi<M extends AppApiMethod>(method: M, input: AppApiInput<M>): Promise<AppApiReply<AppApiOutput<M>>> {
  return (await h.core.appApi.call(method, input, { actor: 'counter-3' })) as AppApiReply<AppApiOutput<M>>;
}

async function ok<M extends AppApiMethod>(method: M, input: AppApiInput<M>): Promise<AppApiOutput<M>> {
  const reply = await callApi(method, input);
  if (!reply.ok) throw new Error(`${method}: ${reply.error.message} ${JSON.stringify(reply.error.details ?? [])}`);
  return reply.value;
}

async function newOrder(recipient: { first_name: string; last_name: string; email: string }): Promise<string> {
  const body = createOrderBody({ bestrx_unique_order_id: unique++, amount_to_collect: 0 });
  body.recipient = { ...body.recipient, ...recipient, entity_name: null };
  const response = await h.post('/Order/CreateOrder', body);
  return response.json.data.provider_order_id;
}

const sync = () => h.core.partnerEngine.syncNow('honeybee');
const webhookUrl = () => `${h.baseUrl}/webhooks/honeybee`;

/** Posts a body to RxRelay's webhook as Honeybee would: both authenticity headers, unless told otherwise. */
function postEvent(body: string, headers?: Record<string, string>) {
  return httpRequest(webhookUrl(), {
    headers: headers ?? {
      'content-type': 'application/json',
      'x-honeybee-secret': sim.staticSecret,
      'x-honeybee-signature': honeybeeSignature(sim.signingSecret, 'POST', webhookUrl(), body),
    },
    body,
  });
}

/**
 * Runs a step that makes Honeybee fire events, and waits until RxRelay has accepted each of them
 * (by event id: a delivery still in flight from an earlier step must not count).
 */
async function whenDelivered<T>(step: () => T | Promise<T>): Promise<T> {
  const before = sim.events().length;
  const result = await step();
  const made = sim.events().slice(before).map((e) => e.event_id);
  expect(made.length).toBeGreaterThan(0);
  await expect
    .poll(() => made.every((eventId) => sim.webhookDeliveries().some((d) => d.event_id === eventId && d.status === 200)), { timeout: 15_000 })
    .toBe(true);
  return result;
}

/** A prescription for this order's patient arrives at Honeybee; RxRelay hears of it and fetches the patient record. */
async function prescriptionFor(orderId: string, workflow: 'requested' | 'automatic' = 'requested') {
  const sent = await whenDelivered(() => ok('sandbox.partnerPrescription', { partner: 'honeybee', order_id: orderId, workflow }));
  await sync();
  return sent;
}

beforeAll(async () => {
  h = await startHarness({ clock, settings: { 'labels.inlineImages': false } });
  sim = h.core.partners.honeybee as HoneybeeSimulator;
});
afterAll(() => h.stop());

describe('connecting to Honeybee Health (sandbox)', () => {
  it('is connected with a token from the token server, and its webhooks point at this RxRelay', async () => {
    const { partners } = await ok('partners.status', {});
    expect(partners.find((p) => p.partner === 'honeybee')).toMatchObject({
      name: 'Honeybee Health',
      mode: 'sandbox',
      connected: true,
      base_url: sim.url,
      webhook_url: webhookUrl(),
      dispatch_fields: ['prescription_ids', 'fill_items', 'shipping_method', 'patient_email', 'patient_dob', 'patient_gender', 'address_options', 'identity_document'],
    });
    expect(sim.tokensIssued()).toBeGreaterThanOrEqual(1);
    expect(sim.requests().every((r) => r.path === '/oauth/token' || r.status !== 401)).toBe(true);
  });

  it('refuses events without the secret, with a wrong one, or with a signature that does not match the body, changing nothing', async () => {
    await h.settle();
    const before = snapshotDatabase(h.db);
    const body = JSON.stringify({ event_id: 'forged-1', event_type: 'RX_RECEIVED', patient_id: 'x1', medication_requests: [] });
    const signature = honeybeeSignature(sim.signingSecret, 'POST', webhookUrl(), body);
    const attempts: Array<Record<string, string>> = [
      { 'content-type': 'application/json' },
      { 'content-type': 'application/json', 'x-honeybee-secret': 'guess', 'x-honeybee-signature': signature },
      { 'content-type': 'application/json', 'x-honeybee-secret': sim.staticSecret },
      { 'content-type': 'application/json', 'x-honeybee-secret': sim.staticSecret, 'x-honeybee-signature': honeybeeSignature(sim.signingSecret, 'POST', webhookUrl(), `${body} `) },
      { 'content-type': 'application/json', 'x-honeybee-secret': sim.staticSecret, 'x-honeybee-signature': honeybeeSignature('not-the-secret', 'POST', webhookUrl(), body) },
    ];
    for (const headers of attempts) {
      expect((await postEvent(body, headers)).status).toBe(401);
    }
    expect(snapshotDatabase(h.db)).toEqual(before);
    expect((await postEvent('{"event_type":"RX_RECEIVED"')).status).toBe(400);
  });
});

describe('Partner Requested Fills', () => {
  it('takes a prescription in, suggests the order of the same patient, and fills it on request through to Delivered with the BestRx pushes', async () => {
    const id = await newOrder({ first_name: 'Ada', last_name: 'Moreno', email: 'ada.moreno@example.com' });
    const sent = await prescriptionFor(id);
    const prescriptionId = sent.prescription_ids[0] as string;

    const { prescriptions } = await ok('partners.incomingPrescriptions', { partner: 'honeybee' });
    const incoming = prescriptions.find((p) => p.prescription_id === prescriptionId);
    expect(incoming).toMatchObject({
      state: 'waiting',
      partner_patient_id: sent.partner_patient_id,
      patient: { first_name: 'Ada', last_name: 'Moreno', email: 'ada.moreno@example.com' },
      suggestions: [{ order_id: id, recipient_name: 'Ada Moreno', reason: 'email' }],
    });

    // Nothing is sent before staff match it: the order has no prescription to fill.
    const unmatched = await callApi('orders.dispatch', { id, partner: 'honeybee', details: { shipping_method: '2' } });
    expect(!unmatched.ok && unmatched.error.details?.[0]).toMatch(/^prescription_ids is required: match one of Honeybee Health's incoming prescriptions/);
    expect(sim.orders()).toHaveLength(0);

    await expect(ok('partners.matchPrescription', { partner: 'honeybee', prescription_id: prescriptionId, order_id: id })).resolves.toMatchObject({ state: 'matched', matched_order_id: id });
    const dispatched = await ok('orders.dispatch', { id, partner: 'honeybee', details: { shipping_method: '2' } });
    expect(dispatched.partner).toMatchObject({ partner: 'honeybee', state: 'open', refs: { order_number: expect.any(String), patient_id: sent.partner_patient_id } });
    const orderNumber = dispatched.partner!.refs.order_number as string;
    const placed = sim.orders().find((o) => o.order_number === orderNumber)!;
    expect(placed.shipping).toEqual({ method_id: 2 });
    expect(placed.address).toMatchObject({ first_name: 'Ada', last_name: 'Moreno', street1: '500 Second Ave', city: 'Bloomingdale', state: 'IL', zip: '60108' });
    expect(placed.medication_requests.map((m) => [m.prescription_id, m.medication_dispenses.map((d) => [d.quantity, d.package_size])])).toEqual([
      [Number(prescriptionId), [[1, placed.medication_requests[0]!.written_qty]]],
    ]);
    await expect(ok('partners.incomingPrescriptions', { partner: 'honeybee' })).resolves.toMatchObject({ prescriptions: expect.not.arrayContaining([expect.objectContaining({ prescription_id: prescriptionId })]) });

    for (let i = 0; i < 3; i++) {
      await whenDelivered(() => sim.advanceOrder(orderNumber));
      await sync();
    }
    const delivered = await ok('orders.get', { id });
    expect(delivered.status).toBe('delivered');
    expect(delivered.partner).toMatchObject({ state: 'finished', partner_status: 'Delivered', tracking: expect.any(String), tracking_url: expect.stringMatching(/^https:\/\//) });
    expect(delivered.events.filter((e) => e.type === 'status_changed').map((e) => e.to_status)).toEqual(['acknowledged', 'picked_up', 'in_transit', 'delivered']);

    await h.settle();
    const pushes = (await ok('sandbox.bestrxReceived', { order_id: id })).pushes.map((p) => p.payload as { order_status: { status_code: string; status_notes: string } });
    expect(pushes.map((p) => p.order_status.status_code)).toEqual(['2', '4', '5', '7']);
    const shipped = pushes.find((p) => p.order_status.status_code === '5')!;
    expect(shipped.order_status.status_notes).toContain(`tracking ${delivered.partner!.tracking}`);
    expect(shipped.order_status.status_notes).toContain(delivered.partner!.tracking_url!);

    // A delivered order can be shipped again (Honeybee's reorder): the new order joins the board as Honeybee's.
    const reordered = await ok('partners.reorder', { id });
    expect(reordered).toMatchObject({ origin: 'honeybee', status: 'acknowledged', partner: { partner: 'honeybee', state: 'open' } });
    expect(reordered.partner!.refs.order_number).not.toBe(orderNumber);
    expect(sim.orders().some((o) => o.order_number === reordered.partner!.refs.order_number)).toBe(true);
    expect(reordered.events[0]?.notes).toContain(`Reorder of Honeybee Health order ${orderNumber} (order ${id})`);
  });

  it('asks for the patient\'s ID for a controlled substance, and sends it with the fill', async () => {
    const id = await newOrder({ first_name: 'Cal', last_name: 'Reyes', email: 'cal.reyes@example.com' });
    const sent = await whenDelivered(() =>
      sim.receiveErx({
        workflow: 'requested',
        patient: { first_name: 'Cal', last_name: 'Reyes', dob: '1975-05-05', email: 'cal.reyes@example.com' },
        medications: [{ drug_name: 'HYDROCODONE-ACETAMINOPHEN 5-325 MG', drug_schedule: 2 }],
      }),
    );
    await sync();
    const prescription_ids = sent.prescription_ids.map(String);
    const { prescriptions } = await ok('partners.incomingPrescriptions', { partner: 'honeybee' });
    expect(prescriptions.find((p) => p.prescription_id === prescription_ids[0])).toMatchObject({ controlled: true });
    const without = await callApi('orders.dispatch', { id, partner: 'honeybee', details: { prescription_ids } });
    expect(!without.ok && without.error.details).toEqual([
      "identity_document is required: HYDROCODONE-ACETAMINOPHEN 5-325 MG is a controlled substance, and Honeybee Health needs the patient's ID (type, number, expiry).",
    ]);
    const document = { document_type: 'DL' as const, issuing_state: 'IL', document_number: 'D200-3333-4444', expiration_date: '2030-01-31' };
    const dispatched = await ok('orders.dispatch', { id, partner: 'honeybee', details: { prescription_ids, identity_document: document } });
    expect(dispatched.partner).toMatchObject({ state: 'open' });
    expect(sim.orders().find((o) => o.order_number === dispatched.partner!.refs.order_number)).toBeDefined();
  });

  it('ships to an address the validator does not know only when staff say so', async () => {
    const body = createOrderBody({ bestrx_unique_order_id: unique++, amount_to_collect: 0 });
    body.recipient = { ...body.recipient, first_name: 'Al', last_name: 'Berg', entity_name: null, email: 'al.berg@example.com', address: { address_line_1: '9 Nowhere Lane', city: 'Bloomingdale', state: 'IL', zip_code: '60108' } };
    const first = (await h.post('/Order/CreateOrder', body)).json.data.provider_order_id as string;
    const { prescription_ids } = await prescriptionFor(first);
    const refused = await ok('orders.dispatch', { id: first, partner: 'honeybee', details: { prescription_ids } });
    expect(refused.partner).toMatchObject({ state: 'failed', last_error: expect.stringContaining(HONEYBEE_ERROR_MESSAGES[42230]!) });
    const again = await ok('orders.dispatch', { id: first, partner: 'honeybee', details: { prescription_ids, address_ignore_warnings: true } });
    expect(again.partner).toMatchObject({ state: 'open' });
    expect(sim.orders().find((o) => o.order_number === again.partner!.refs.order_number)?.address).toMatchObject({ street1: '9 Nowhere Lane' });
  });

  it('refuses a fill for prescriptions Honeybee never announced, or of two different patients', async () => {
    const id = await newOrder({ first_name: 'Bo', last_name: 'Tran', email: 'bo.tran@example.com' });
    const unknown = await callApi('orders.dispatch', { id, partner: 'honeybee', details: { prescription_ids: ['999999'] } });
    expect(!unknown.ok && unknown.error.details).toEqual(["prescription_ids: Honeybee Health has not announced prescription 999999; only its incoming prescriptions can be filled."]);
    const a = await prescriptionFor(id);
    const other = await newOrder({ first_name: 'Cy', last_name: 'Ruiz', email: 'cy.ruiz@example.com' });
    const b = await prescriptionFor(other);
    const mixed = await callApi('orders.dispatch', { id, partner: 'honeybee', details: { prescription_ids: [a.prescription_ids[0]!, b.prescription_ids[0]!] } });
    expect(!mixed.ok && mixed.error.details).toEqual(['prescription_ids: these prescriptions are for different Honeybee Health patients; request one patient\'s fill at a time.']);
  });

  it('gives the order back with a 422 in words a counter clerk understands, and the prescription waits again', async () => {
    const body = createOrderBody({ bestrx_unique_order_id: unique++, amount_to_collect: 0 });
    body.recipient = { ...body.recipient, first_name: 'Di', last_name: 'Kahale', entity_name: null, email: 'di.kahale@example.com', address: { address_line_1: '1 Aloha Tower Dr', city: 'Honolulu', state: 'HI', zip_code: '96813' } };
    const id = (await h.post('/Order/CreateOrder', body)).json.data.provider_order_id as string;
    const { prescription_ids } = await prescriptionFor(id);
    const ordersBefore = sim.orders().length;
    const dispatched = await ok('orders.dispatch', { id, partner: 'honeybee', details: { prescription_ids } });
    expect(dispatched.partner).toMatchObject({ state: 'failed', last_error: expect.stringContaining(HONEYBEE_ERROR_MESSAGES[42231]!) });
    expect(dispatched.status).toBe('acknowledged');
    expect(sim.orders()).toHaveLength(ordersBefore);
    const { prescriptions } = await ok('partners.incomingPrescriptions', { partner: 'honeybee' });
    expect(prescriptions.find((p) => p.prescription_id === prescription_ids[0])).toMatchObject({ state: 'matched', fills_requested: 0, matched_order_id: id });
  });
});

describe('Automatic Processing', () => {
  it('puts an order Honeybee made on its own on the board, with no BestRx pushes, and follows it', async () => {
    const model = await newOrder({ first_name: 'Eve', last_name: 'Adams', email: 'eve.adams@example.com' });
    const before = (await ok('orders.list', { limit: 200 })).total;
    const sent = await prescriptionFor(model, 'automatic');
    expect(sent.partner_order_ref).toEqual(expect.any(String));
    const list = await ok('orders.list', { limit: 200 });
    expect(list.total).toBe(before + 1);
    const adopted = list.orders.find((o) => o.origin === 'honeybee' && o.recipient_name === 'Eve Adams');
    expect(adopted).toMatchObject({ status: 'acknowledged', partner: { partner: 'honeybee', state: 'open' } });
    const detail = await ok('orders.get', { id: adopted!.id });
    expect(detail.partner?.refs.order_number).toBe(sent.partner_order_ref);
    // Honeybee announced the prescription too (RX_RECEIVED), but filled it itself: it does not wait in incoming prescriptions.
    const { prescriptions } = await ok('partners.incomingPrescriptions', { partner: 'honeybee' });
    expect(prescriptions.map((p) => p.prescription_id)).not.toContain(sent.prescription_ids[0]);
    expect(detail.events[0]?.notes).toMatch(/^Created by Honeybee Health on its own when an e-prescription reached it \(Automatic Processing\)/);

    for (let i = 0; i < 3; i++) {
      sim.advanceOrder(sent.partner_order_ref!);
      await sync();
    }
    await expect(ok('orders.get', { id: adopted!.id })).resolves.toMatchObject({ status: 'delivered', pushes: [] });
    await h.settle();
    expect((await ok('sandbox.bestrxReceived', { order_id: adopted!.id })).pushes).toEqual([]);
  });

  it('finds such an order by listing Honeybee\'s orders when no webhook came', async () => {
    sim.setWebhookUrl(undefined);
    try {
      const model = await newOrder({ first_name: 'Fay', last_name: 'Okafor', email: 'fay.okafor@example.com' });
      const sent = await ok('sandbox.partnerPrescription', { partner: 'honeybee', order_id: model, workflow: 'automatic' });
      clock.advance(120_000);
      await sync();
      const adopted = (await ok('orders.list', { limit: 200 })).orders.find((o) => o.origin === 'honeybee' && o.recipient_name === 'Fay Okafor');
      expect(adopted).toBeDefined();
      expect((await ok('orders.get', { id: adopted!.id })).partner?.refs.order_number).toBe(sent.partner_order_ref);
    } finally {
      sim.setWebhookUrl(webhookUrl());
    }
  });
});

describe('On Hold, duplicates and stale events', () => {
  async function placedOrder(name: { first_name: string; last_name: string; email: string }) {
    const id = await newOrder(name);
    const sent = await prescriptionFor(id);
    await ok('partners.matchPrescription', { partner: 'honeybee', prescription_id: sent.prescription_ids[0]!, order_id: id });
    const dispatched = await ok('orders.dispatch', { id, partner: 'honeybee', details: {} });
    return { id, orderNumber: dispatched.partner!.refs.order_number as string };
  }

  it('shows why the order is on hold and what to do, lists it as needing attention, and a new address releases it', async () => {
    const { id, orderNumber } = await placedOrder({ first_name: 'Gil', last_name: 'Hart', email: 'gil.hart@example.com' });
    await whenDelivered(() => sim.holdOrder(orderNumber, 'AddressMissingUnit'));
    const held = await ok('orders.get', { id });
    expect(held.partner).toMatchObject({ partner_status: 'On Hold', attention: { reason: expect.any(String), action: expect.any(String), can_change_address: true } });
    expect(held.events.at(-1)?.notes).toContain(`${held.partner!.attention!.reason} What to do: ${held.partner!.attention!.action}`);
    expect((await ok('orders.list', { limit: 200, filters: ['needs_attention'] })).orders.map((o) => o.id)).toContain(id);

    const changed = await ok('partners.changeShippingAddress', { id, address: { address_line_1: '500 Second Ave', address_line_2: 'Apt 4', city: 'Bloomingdale', state: 'IL', zip_code: '60108' } });
    expect(sim.orders().find((o) => o.order_number === orderNumber)?.address).toMatchObject({ street2: 'Apt 4' });
    expect(changed.partner).toMatchObject({ partner_status: 'Filling', attention: null });
    expect((await ok('orders.list', { limit: 200, filters: ['needs_attention'] })).orders.map((o) => o.id)).not.toContain(id);
  });

  it('applies a re-delivered event once, and ignores an event older than what RxRelay already knows', async () => {
    const { id, orderNumber } = await placedOrder({ first_name: 'Ida', last_name: 'Lund', email: 'ida.lund@example.com' });
    await whenDelivered(() => {
      sim.advanceOrder(orderNumber); // Filling
      sim.advanceOrder(orderNumber); // Shipped
    });
    const shippedEvents = (await ok('orders.get', { id })).events.length;
    const shipment = sim.events().filter((e) => e.event_type === 'SHIPMENT_UPDATED').at(-1)!;
    const again = await postEvent(shipment.body);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body.toString())).toMatchObject({ outcomes: ['duplicate'] });
    const filling = sim.events().filter((e) => e.event_type === 'RX_UPDATED' && e.body.includes(orderNumber) && e.body.includes('Filling')).at(-1)!;
    const late = filling.body.replace(filling.event_id, 'late-retry-of-filling');
    expect((await postEvent(late)).status).toBe(200);
    const after = await ok('orders.get', { id });
    expect(after.status).toBe('in_transit');
    expect(after.events.length).toBe(shippedEvents);
  });
});
