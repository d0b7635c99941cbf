// The board's quick filters (orders.list `filters`): today's work, what needs attention,
// refrigerated, payment to collect; combined with each other, the status and the search.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppApiInput } from '../../src-shared/app-api-contract';
import { createOrderBody } from '../helpers/fixtures';
import { FakeClock, startHarness, type Harness } from '../helpers/rxrelay-harness';

let h: Harness;
const clock = new FakeClock(new Date('2026-11-21T15:00:00.000Z'));
const ids: Record<string, string> = {};
let unique = 7000;

async function create(name: string, overrides: Record<string, unknown>) {
  const response = await h.post('/Order/CreateOrder', createOrderBody({ bestrx_unique_order_id: unique++, ...overrides }));
  expect(response.status).toBe(200);
  ids[name] = response.json.data.provider_order_id;
}

async function list(input: AppApiInput<'orders.list'>): Promise<string[]> {
  const reply = await h.core.appApi.call('orders.list', input, { actor: 'test' });
  if (!reply.ok) throw new Error(reply.error.message);
  const value = reply.value as { orders: Array<{ id: string }> };
  return value.orders.map((o) => Object.entries(ids).find(([, id]) => id === o.id)?.[0] ?? o.id).sort();
}

beforeAll(async () => {
  h = await startHarness({ clock, settings: { 'labels.inlineImages': false } });
  // Received yesterday, due yesterday, nothing special.
  clock.advance(-24 * 3600_000);
  await create('old', { requested_delivery_date: '2026-11-20', refrigeration_needed: false, amount_to_collect: 0 });
  // Received yesterday, due today, cold, with money to collect.
  await create('dueToday', { requested_delivery_date: '2026-11-21', refrigeration_needed: true, amount_to_collect: 12.5 });
  clock.advance(24 * 3600_000);
  // Received today, due tomorrow.
  await create('newToday', { requested_delivery_date: '2026-11-22', refrigeration_needed: false, amount_to_collect: 0 });
  // A failed attempt.
  await create('attempted', { requested_delivery_date: '2026-11-19', refrigeration_needed: false, amount_to_collect: 3 });
  for (const to of ['acknowledged', 'picked_up', 'out_for_delivery'] as const) await h.core.orders.transition({ id: ids.attempted!, to }, 'courier');
  await h.core.orders.transition({ id: ids.attempted!, to: 'attempted', notes: 'No one home' }, 'courier');
});
afterAll(() => h.stop());

describe('orders.list filters', () => {
  it('today: due today or received today', async () => {
    expect(await list({ filters: ['today'] })).toEqual(['attempted', 'dueToday', 'newToday']);
  });

  it('needs attention: failed at the door', async () => {
    expect(await list({ filters: ['needs_attention'] })).toEqual(['attempted']);
  });

  it('refrigerated, and payment to collect', async () => {
    expect(await list({ filters: ['refrigerated'] })).toEqual(['dueToday']);
    expect(await list({ filters: ['collect'] })).toEqual(['attempted', 'dueToday']);
  });

  it('combines filters, status and search (all must hold)', async () => {
    expect(await list({ filters: ['today', 'collect'] })).toEqual(['attempted', 'dueToday']);
    expect(await list({ filters: ['collect'], status: 'created' })).toEqual(['dueToday']);
    expect(await list({ filters: ['today'], q: ids.newToday })).toEqual(['newToday']);
  });

  it('refuses an unknown filter with a clear error', async () => {
    const reply = await h.core.appApi.call('orders.list', { filters: ['urgent'] }, { actor: 'test' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/filters\[0\]/) } });
  });
});
