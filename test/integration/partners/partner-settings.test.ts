// Connecting United Pharmacy live through the app API (a second simulator stands in for the real
// United): credentials proven before they are kept, kept only in the secret store, never shown,
// rotated without downtime, and the sandbox back on request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppApiInput, AppApiMethod, AppApiOutput, AppApiReply } from '../../../src-shared/app-api-contract';
import { createMemorySecretStore } from '../../../src-main/core/settings/settings-store';
import { startUnitedSimulator, type UnitedSimulator } from '../../../src-main/core/sandbox/united/united-simulator';
import { startCaryRxSimulator } from '../../../src-main/core/sandbox/caryrx/caryrx-simulator';
import { startHarness, type Harness } from '../../helpers/rxrelay-harness';

let h: Harness;
let live: UnitedSimulator;
const secrets = createMemorySecretStore();

async function callApi<M extends AppApiMethod>(method: M, input: AppApiInput<M>): Promise<AppApiReply<AppApiOutput<M>>> {
  return (await h.core.appApi.call(method, input, { actor: 'admin' })) as AppApiReply<AppApiOutput<M>>;
}

beforeAll(async () => {
  live = await startUnitedSimulator({ stepMs: 0, tenant: 'acme' });
  h = await startHarness({ secrets });
});
afterAll(async () => {
  await h.stop();
  await live.close();
});

describe('partners.configure', () => {
  it('refuses an incomplete or wrong configuration and keeps the working connection', async () => {
    const missing = await callApi('partners.configure', { partner: 'united', mode: 'live' });
    expect(!missing.ok && missing.error.details).toEqual([
      "base_url is required: United's tenant-scoped address, https://…/pharmacy/{tenant}/api/v1.",
      'setup_token (or client_id and client_secret) is required the first time.',
    ]);
    const cleartext = await callApi('partners.configure', { partner: 'united', mode: 'live', base_url: 'http://united.example.com/pharmacy/acme/api/v1', setup_token: 'x' });
    expect(!cleartext.ok && cleartext.error.details).toEqual(['base_url must use https: credentials and patient data never travel in the clear.']);
    const wrong = await callApi('partners.configure', { partner: 'united', mode: 'live', base_url: live.baseUrl, setup_token: 'not-the-token' });
    expect(wrong.ok).toBe(false);
    const status = await callApi('partners.status', {});
    expect(status.ok && status.value.partners[0]).toMatchObject({ mode: 'sandbox', connected: true, credentials_stored: false });
    expect(secrets.get('partners.united.auth') || undefined).toBeUndefined();
  });

  it('connects live with a setup token: secrets kept only in the secret store, never in the answer', async () => {
    const reply = await callApi('partners.configure', { partner: 'united', mode: 'live', base_url: live.baseUrl, setup_token: live.setupToken });
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.value).toMatchObject({ partner: 'united', mode: 'live', connected: true, credentials_stored: true, base_url: live.baseUrl, webhook_url: null });
    const stored = JSON.parse(secrets.get('partners.united.auth') ?? '{}') as Record<string, string>;
    expect(stored.client_secret).toBeTruthy();
    expect(JSON.stringify(reply.value)).not.toContain(stored.client_secret);
    expect(JSON.stringify(reply.value)).not.toContain(live.setupToken);
    // Orders now go to the live United.
    const pharmacies = await callApi('partners.pharmacies', { partner: 'united' });
    expect(pharmacies.ok).toBe(true);
    expect(live.requests().some((r) => r.path.endsWith('/pharmacies'))).toBe(true);
  });

  it('rotates credentials: a new one in use, the old one revoked', async () => {
    const before = JSON.parse(secrets.get('partners.united.auth') ?? '{}') as { client_id: string };
    const reply = await callApi('partners.rotateCredentials', { partner: 'united' });
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.value.old_client_id).toBe(before.client_id);
    expect(reply.value.new_client_id).not.toBe(before.client_id);
    const after = JSON.parse(secrets.get('partners.united.auth') ?? '{}') as { client_id: string };
    expect(after.client_id).toBe(reply.value.new_client_id);
    const stillWorks = await callApi('partners.syncNow', { partner: 'united' });
    expect(stillWorks.ok && stillWorks.value.connected).toBe(true);
  });

  it('goes back to the sandbox on request', async () => {
    const reply = await callApi('partners.configure', { partner: 'united', mode: 'sandbox' });
    expect(reply.ok && reply.value).toMatchObject({ mode: 'sandbox', connected: true });
  });
});

describe('partners.configure for CaryRx', () => {
  it('proves the API key before keeping it, keeps it per environment in the secret store, and never shows it', async () => {
    const caryrxLive = await startCaryRxSimulator({ stepMs: 0, apiKey: 'uat-key-0123456789' });
    try {
      const missing = await callApi('partners.configure', { partner: 'caryrx', mode: 'live', base_url: caryrxLive.url });
      expect(!missing.ok && missing.error.details).toEqual([
        'environment is required: development, uat or production (CaryRx issues a key for each).',
        'api_key is required: the key CaryRx issued for this environment.',
      ]);
      const wrong = await callApi('partners.configure', { partner: 'caryrx', mode: 'live', base_url: caryrxLive.url, environment: 'uat', api_key: 'not-the-key' });
      expect(!wrong.ok && wrong.error.code).toBe('partner_unavailable');
      expect(secrets.get('partners.caryrx.apikey.uat')).toBeUndefined();

      const reply = await callApi('partners.configure', { partner: 'caryrx', mode: 'live', base_url: caryrxLive.url, environment: 'uat', api_key: 'uat-key-0123456789' });
      if (!reply.ok) throw new Error(reply.error.message);
      expect(reply.value).toMatchObject({ partner: 'caryrx', mode: 'live', environment: 'uat', connected: true, credentials_stored: true, base_url: caryrxLive.url });
      expect(reply.value.dispatch_fields).toContain('prescription_ids');
      expect(JSON.stringify(reply.value)).not.toContain('uat-key-0123456789');
      expect(secrets.get('partners.caryrx.apikey.uat')).toBe('uat-key-0123456789');
    } finally {
      await callApi('partners.configure', { partner: 'caryrx', mode: 'sandbox' });
      await caryrxLive.close();
    }
  });
});
