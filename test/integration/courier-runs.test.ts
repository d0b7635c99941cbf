// Courier runs through the app API: handing orders to a courier, refusing what cannot go, and
// moving the whole run on, each order through the lifecycle with its own push to BestRx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppApiInput, AppApiMethod, AppApiOutput, AppApiReply } from '../../src-shared/app-api-contract';
import { createOrderBody } from '../helpers/fixtures';
import { snapshotDatabase, startHarness, type Harness } from '../helpers/rxrelay-harness';

let h: Harness;
let unique = 8000;

function callApi<M extends AppApiMethod>(method: M, input: AppApiInput<M>): Promise<AppApiReply<AppApiOutput<M>>> {
  return h.core.appApi.call(method, input, { actor: 'counter-1' }) as Promise<AppApiReply<AppApiOutput<M>>>;
}

async function order(): Promise<string> {
  const response = await h.post('/Order/CreateOrder', createOrderBody({ bestrx_unique_order_id: unique++ }));
  return response.json.data.provider_order_id;
}

beforeAll(async () => {
  h = await startHarness({ settings: { 'labels.inlineImages': false } });
});
afterAll(() => h.stop());

describe('courier runs', () => {
  it('hands orders to a courier in the order given, and lists the run', async () => {
    const [a, b] = [await order(), await order()];
    const created = await callApi('runs.create', { courier: 'Dana', order_ids: [b!, a!] });
    if (!created.ok) throw new Error(created.error.message);
    expect(created.value).toMatchObject({ courier: 'Dana', created_by: 'counter-1', name: expect.stringMatching(/^Dana, \d{4}-\d{2}-\d{2}$/) });
    expect(created.value.stops.map((s) => s.id)).toEqual([b, a]);
    const listed = await callApi('runs.list', {});
    expect(listed.ok && listed.value.runs[0]?.id).toBe(created.value.id);
  });

  it('refuses, changing nothing, an order already on a run or already gone, and names each', async () => {
    const [free, taken, gone] = [await order(), await order(), await order()];
    const first = await callApi('runs.create', { courier: 'Dana', order_ids: [taken!] });
    expect(first.ok).toBe(true);
    for (const to of ['acknowledged', 'picked_up'] as const) await h.core.orders.transition({ id: gone!, to }, 'courier');
    const before = snapshotDatabase(h.db);
    const refused = await callApi('runs.create', { courier: 'Lee', order_ids: [free!, taken!, gone!] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'transition_refused' } });
    if (refused.ok) return;
    expect(refused.error.details).toEqual([`${taken} is already on run "Dana, ${first.ok ? first.value.run_date : ''}" (Dana).`, `${gone} has already left the pharmacy (picked up).`]);
    expect(snapshotDatabase(h.db)).toEqual(before);
    expect(await callApi('runs.create', { courier: 'Lee', order_ids: ['RXR-NOPE'] })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await callApi('runs.create', { courier: ' ', order_ids: [free!] })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('moves the whole run on, reports what could not move, and a repeat changes nothing', async () => {
    const [a, b, c] = [await order(), await order(), await order()];
    const run = await callApi('runs.create', { courier: 'Sam', name: 'Afternoon', order_ids: [a!, b!, c!] });
    if (!run.ok) throw new Error(run.error.message);
    await h.core.orders.transition({ id: c!, to: 'cancelled' }, 'counter');

    const pickedUp = await callApi('runs.advance', { id: run.value.id, to: 'picked_up' });
    if (!pickedUp.ok) throw new Error(pickedUp.error.message);
    expect(pickedUp.value.moved).toEqual([a, b]);
    expect(pickedUp.value.refused).toEqual([{ id: c, reasons: [expect.stringMatching(/cancelled/i)] }]);
    expect(pickedUp.value.run.stops.map((s) => s.status)).toEqual(['picked_up', 'picked_up', 'cancelled']);

    const out = await callApi('runs.advance', { id: run.value.id, to: 'out_for_delivery' });
    expect(out.ok && out.value.moved).toEqual([a, b]);
    const again = await callApi('runs.advance', { id: run.value.id, to: 'out_for_delivery' });
    expect(again.ok && again.value.moved).toEqual([]);

    // Each order told BestRx itself, in order, and the timeline names the run.
    await h.settle();
    const received = h.core.sandbox!.simulator.received().filter((p) => p.payload.provider_order_id === a);
    expect(received.map((p) => p.payload.order_status.status_code)).toEqual(['4', '6']);
    expect(h.core.orders.get(a!).events.at(-1)).toMatchObject({ actor: 'counter-1', notes: 'Run "Afternoon" (Sam)' });
    expect(await callApi('runs.advance', { id: 'RUN-NOPE', to: 'picked_up' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
