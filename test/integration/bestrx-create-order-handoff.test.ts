// How the listener hands a CreateOrder to the database side, and what it does meanwhile. It
// passes the body exactly as sent with its fingerprint (hashed here, not on the main thread
// where every order queues for the group commit). It checks the recipient's address while the
// order is being committed: the commit is the long wait of every CreateOrder, and the
// listener's thread would otherwise sit idle in it and do the check afterwards, on the
// answer's critical path.
import { afterEach, expect, it } from 'vitest';
import type { AddressValidator } from '../../src-main/core/address/address-validator';
import type { ProviderBackend } from '../../src-main/core/bestrx/provider-backend';
import { startBestRxProviderServer, type RunningServer } from '../../src-main/core/bestrx/provider-server';
import { buildCodeTables } from '../../src-main/core/domain/code-tables';
import { silentLogger } from '../../src-main/core/logger';
import type { CreateOrderOutcome } from '../../src-main/core/orders/order-service';
import { UrlSigner } from '../../src-main/core/security/url-signer';
import { DEFAULT_APP_SETTINGS } from '../../src-main/core/settings/app-settings';
import { requestFingerprint } from '../../src-main/core/domain/order-content';
import { createOrderBody, seedExampleText } from '../helpers/fixtures';
import { basicAuth, httpRequest } from '../helpers/http';

const ADDRESS_FINDING = { severity: 'warning', code: 'ZIP_CITY_MISMATCH', message: 'The city does not match the ZIP code.' } as const;

let server: RunningServer | undefined;
afterEach(() => server?.close());

/** A listener whose backend commits only when the test says so, and whose address checks are recorded. */
async function listenerWithHeldCommit() {
  const seen: string[] = [];
  const received: Array<{ rawBody: string; fingerprint: string }> = [];
  let commit: ((outcome: CreateOrderOutcome) => void) | undefined;
  let fail: ((error: Error) => void) | undefined;
  const unused = () => Promise.reject(new Error('not used by this test'));
  const backend: ProviderBackend = {
    receiveCreateOrder: (content, rawBody, fingerprint) => {
      seen.push('order sent to the database');
      received.push({ rawBody, fingerprint });
      return new Promise<CreateOrderOutcome>((resolve, reject) => {
        commit = resolve;
        fail = reject;
      }).then((outcome) => ({ ...outcome, order: { ...outcome.order, bestrx_pharmacy_id: content.bestrx_pharmacy_id } }));
    },
    receiveCancelOrder: unused,
    renderDocuments: unused,
    recordPrint: unused,
    signaturePng: unused,
    findByTrackingId: unused,
  };
  const addressValidator: AddressValidator = {
    validate: async () => {
      seen.push('address checked');
      return { suggestions: [], findings: [ADDRESS_FINDING] };
    },
  };
  server = await startBestRxProviderServer({
    host: '127.0.0.1',
    port: 0,
    credentials: () => ({ username: 'u', password: 'p' }),
    backend,
    addressValidator,
    codeTables: () => buildCodeTables(),
    urlSigner: new UrlSigner(Buffer.alloc(32, 1)),
    settings: () => ({ ...DEFAULT_APP_SETTINGS, inline_label_images: false }),
    logger: silentLogger,
  });
  const post = (body = JSON.stringify(createOrderBody())) =>
    httpRequest(`${server!.url}/Order/CreateOrder`, {
      headers: { 'content-type': 'application/json', authorization: basicAuth('u', 'p'), host: `127.0.0.1:${server!.port}` },
      body,
    });
  return { seen, received, post, commit: (outcome: CreateOrderOutcome) => commit!(outcome), fail: (error: Error) => fail!(error) };
}

const createdOutcome = (): CreateOrderOutcome => ({
  kind: 'created',
  order: {
    id: 'RXR-0TEST000000001',
    tracking_id: '1234567890123452',
    bestrx_pharmacy_id: '',
    bestrx_order_id: 1,
    bestrx_unique_order_id: 1,
    status: 'created',
    status_changed_at: '2026-11-21T00:00:00.000Z',
    return_requested_at: null,
    origin: 'bestrx',
    created_at: '2026-11-21T00:00:00.000Z',
    updated_at: '2026-11-21T00:00:00.000Z',
  },
});

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
};

it("checks the recipient's address while the order is being committed, and answers with what it found", async () => {
  const listener = await listenerWithHeldCommit();
  const answer = listener.post();

  // The commit is held: the address is checked all the same, after the order left for the database.
  await until(() => listener.seen.length === 2);
  expect(listener.seen).toEqual(['order sent to the database', 'address checked']);

  listener.commit(createdOutcome());
  const response = await answer;
  expect(response.status).toBe(200);
  expect(response.json.data.provider_order_id).toBe('RXR-0TEST000000001');
  expect(response.json.messages).toContainEqual({ message_code: ADDRESS_FINDING.code, message: `Recipient address: ${ADDRESS_FINDING.message}`, message_type: expect.any(Number) });
});

it("answers a failed commit with the envelope's error, the address check notwithstanding", async () => {
  const listener = await listenerWithHeldCommit();
  const answer = listener.post();
  await until(() => listener.seen.length === 2);

  listener.fail(new Error('disk I/O error'));
  const response = await answer;
  expect(response.status).toBe(500);
  expect(response.json.request_is_valid).toBe(false);
  expect(response.json.messages.map((m: { message: string }) => m.message).join(' ')).not.toContain('Recipient address');
});

it('hands over the body exactly as BestRx sent it, with its fingerprint', async () => {
  const listener = await listenerWithHeldCommit();
  const asSent = seedExampleText('create-order.request');
  const answer = listener.post(asSent);
  await until(() => listener.received.length === 1);
  listener.commit(createdOutcome());
  expect((await answer).status).toBe(200);
  expect(listener.received).toEqual([{ rawBody: asSent, fingerprint: requestFingerprint(asSent) }]);
});
