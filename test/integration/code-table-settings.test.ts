// The BestRx code tables are defaults that Settings can override once BestRx confirms its
// numbering: the answers on the wire change, nothing stored does.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SettingKeys } from '../../src-main/core/settings/settings-store';
import { createOrderBody } from '../helpers/fixtures';
import { startHarness, type Harness } from '../helpers/rxrelay-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    settings: {
      [SettingKeys.codeTables]: {
        status: { created: { code: '2', description: 'Order Created' }, acknowledged: { code: '1', description: 'Order Acknowledged' } },
        messageType: { warning: 7 },
      },
    },
  });
});
afterAll(() => h.stop());

it('answers CreateOrder with the overridden status code and message type', async () => {
  const response = await h.post('/Order/CreateOrder', createOrderBody());
  expect(response.status).toBe(200);
  expect(response.json.data.order_status).toMatchObject({ status_code: '2', status_code_description: 'Order Created' });
  expect(response.json.messages).toContainEqual(expect.objectContaining({ message_code: 'TOTAL_MISMATCH', message_type: 7 }));
  const detail = h.core.orders.get(response.json.data.provider_order_id);
  expect(detail.status).toBe('created');
  expect(detail.status_code).toBe('2');
});

it('refuses to start with a code table in which two statuses share a code', async () => {
  await expect(startHarness({ settings: { [SettingKeys.codeTables]: { status: { delivered: { code: '1', description: 'x' } } } } })).rejects.toThrow(
    /code tables in Settings are not valid: .*created and delivered both use code 1/,
  );
});

it('takes new code tables from Settings at once, refuses a clash or an unknown name, and restores the defaults', async () => {
  const h2 = await startHarness();
  try {
    const call = (overrides: Record<string, Record<string, unknown>>) => h2.core.appApi.call('settings.updateCodeTables', { overrides }, { actor: 'admin' });
    const clash = await call({ status: { delivered: { code: '2', description: 'Delivered' } } });
    expect(clash).toMatchObject({ ok: false, error: { code: 'invalid_input', details: [expect.stringContaining('acknowledged and delivered both use code 2')] } });
    const unknown = await call({ status: { teleported: { code: '77', description: 'Beamed' } } });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const created = await h2.post('/Order/CreateOrder', createOrderBody());
    expect(created.json.data.order_status.status_code).toBe('1');

    const changed = await call({ status: { created: { code: '11', description: 'New Delivery Order' } } });
    expect(changed).toMatchObject({ ok: true, value: { status: { created: { code: '11', description: 'New Delivery Order' } } } });
    const next = await h2.post('/Order/CreateOrder', createOrderBody());
    expect(next.json.data.order_status).toMatchObject({ status_code: '11', status_code_description: 'New Delivery Order' });

    const reset = await call({});
    expect(reset).toMatchObject({ ok: true, value: { status: { created: { code: '1' } } } });
  } finally {
    await h2.stop();
  }
});
