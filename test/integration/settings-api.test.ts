// Settings through the app API: a new BestRx password takes effect at once (the old one stops
// working), credentials from the environment cannot be replaced, and the code tables in use.
import { afterEach, describe, expect, it } from 'vitest';
import { createOrderBody } from '../helpers/fixtures';
import { basicAuth, httpRequest } from '../helpers/http';
import { startHarness, type Harness } from '../helpers/rxrelay-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const createOrderWith = (harness: Harness, auth: string) =>
  httpRequest(`${harness.baseUrl}/Order/CreateOrder`, {
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify(createOrderBody({ bestrx_unique_order_id: Math.floor(Math.random() * 1e9) })),
  });

describe('settings', () => {
  it('makes a new generated BestRx password that works at once, and the old one stops working', async () => {
    h = await startHarness({ bestrxCredentials: 'generated', settings: { 'labels.inlineImages': false } });
    const before = await h.core.appApi.call('settings.bestrxConnection', {}, { actor: 'admin' });
    if (!before.ok) throw new Error(before.error.message);
    const value = before.value as { username: string; password: string; source: string };
    expect(value.source).toBe('generated');
    const oldAuth = basicAuth(value.username, value.password);
    expect((await createOrderWith(h, oldAuth)).status).toBe(200);

    const after = await h.core.appApi.call('settings.regenerateBestrxCredentials', {}, { actor: 'admin' });
    if (!after.ok) throw new Error(after.error.message);
    const fresh = after.value as { username: string; password: string };
    expect(fresh.password).not.toBe(value.password);
    expect((await createOrderWith(h, oldAuth)).status).toBe(401);
    expect((await createOrderWith(h, basicAuth(fresh.username, fresh.password))).status).toBe(200);
    const shown = await h.core.appApi.call('settings.bestrxConnection', {}, { actor: 'admin' });
    expect(shown).toMatchObject({ ok: true, value: { password: fresh.password } });
  });

  it('refuses to replace credentials that come from the environment, in plain words', async () => {
    h = await startHarness();
    const reply = await h.core.appApi.call('settings.regenerateBestrxCredentials', {}, { actor: 'admin' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/RXRELAY_BESTRX_USER/) } });
    expect((await h.post('/Order/CreateOrder', createOrderBody())).status).toBe(200);
  });

  it('shows the code tables in use, and where status updates go', async () => {
    h = await startHarness({ settings: { codeTables: { status: { delivered: { code: '70', description: 'Delivered' } } } } });
    const tables = await h.core.appApi.call('settings.codeTables', {}, { actor: 'admin' });
    expect(tables).toMatchObject({ ok: true, value: { status: { delivered: { code: '70' }, created: { code: '1' } }, labelFileType: { png: 1 } } });
    expect(await h.core.appApi.call('app.info', {}, { actor: 'admin' })).toMatchObject({ ok: true, value: { status_target: 'sandbox' } });
  });
});
