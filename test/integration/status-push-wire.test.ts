// Status pushes on the wire: RxRelay's HTTP client against the BestRx simulator, for every way
// BestRx can answer, and then the whole path — a delivery captured in the app arriving at BestRx
// with its proof, its signature link opening without credentials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkUpdateOrderStatus } from '../../src-main/core/bestrx/update-order-status-schema';
import { createBestRxStatusClient, type StatusPushTransport } from '../../src-main/core/outbox/bestrx-status-client';
import { createBestRxSimulator, type BestRxSimulator } from '../../src-main/core/sandbox/bestrx/bestrx-simulator';
import { seedUpdateOrderStatusPayload } from '../../src-main/core/sandbox/bestrx/seed-examples';
import { createOrderBody } from '../helpers/fixtures';
import { httpRequest } from '../helpers/http';
import { startHarness, type Harness } from '../helpers/rxrelay-harness';

const credentials = { username: 'rxrelay', password: 'status-password' };
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex').toString('base64');

describe('the UpdateOrderStatus client against the simulator', () => {
  let simulator: BestRxSimulator;
  let client: StatusPushTransport;
  const payload = JSON.stringify(seedUpdateOrderStatusPayload());

  beforeAll(async () => {
    simulator = await createBestRxSimulator({ credentials });
    client = createBestRxStatusClient({ url: simulator.statusUrl, credentials, errorMessageType: 2, timeoutMs: 500 });
  });
  afterAll(async () => {
    await client.close();
    await simulator.close();
  });

  it('delivers the seed payload verbatim', async () => {
    expect(await client.send(payload)).toEqual({ kind: 'delivered', httpStatus: 200 });
    expect(simulator.received().at(-1)?.payload).toEqual(JSON.parse(payload));
  });

  it.each([
    [{ kind: 'http-500' }, { kind: 'retry', httpStatus: 500 }],
    [{ kind: 'http-503', retryAfterSeconds: 7 }, { kind: 'retry', httpStatus: 503, retryAfterMs: 7000 }],
    [{ kind: 'http-429', retryAfterSeconds: 30 }, { kind: 'retry', httpStatus: 429, retryAfterMs: 30000 }],
    [{ kind: 'http-400' }, { kind: 'refused', httpStatus: 400 }],
    [{ kind: 'not-updated' }, { kind: 'retry', httpStatus: 200, error: expect.stringMatching(/did not update the status/) }],
    [{ kind: 'error-message' }, { kind: 'retry', httpStatus: 200, error: expect.stringMatching(/did not update the status/) }],
    [{ kind: 'drop' }, { kind: 'retry', httpStatus: null, error: 'The connection to BestRx dropped before an answer' }],
    [{ kind: 'slow', delayMs: 1500 }, { kind: 'retry', httpStatus: null, error: 'BestRx did not answer in time' }],
  ] as const)('answers %j with %j', async (fault, outcome) => {
    simulator.faults.next({ ...fault } as never);
    expect(await client.send(payload)).toMatchObject(outcome);
  });

  it('is refused (401, for good) with the wrong credentials', async () => {
    const wrong = createBestRxStatusClient({ url: simulator.statusUrl, credentials: { username: 'rxrelay', password: 'nope' }, errorMessageType: 2 });
    expect(await wrong.send(payload)).toMatchObject({ kind: 'refused', httpStatus: 401 });
    await wrong.close();
  });

  it('reports a BestRx that is not there', async () => {
    const nowhere = createBestRxStatusClient({ url: 'http://127.0.0.1:1/Order/UpdateOrderStatus', credentials, errorMessageType: 2 });
    expect(await nowhere.send(payload)).toMatchObject({ kind: 'retry', httpStatus: null, error: expect.stringMatching(/refused the connection/) });
    await nowhere.close();
  });
});

describe('from the door to BestRx (sandbox mode, the simulator as BestRx)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it('pushes every status change in order with the proof recorded at delivery, and the signature link opens', async () => {
    const create = await h.post('/Order/CreateOrder', createOrderBody({ photo_id_required: 'true' }));
    const id = create.json.data.provider_order_id as string;
    for (const to of ['acknowledged', 'picked_up', 'out_for_delivery'] as const) await h.core.orders.transition({ id, to }, 'courier');
    await h.core.orders.transition(
      {
        id,
        to: 'delivered',
        proof: {
          signature_png_base64: PNG,
          signer: { relation: 'patient', first_name: 'Jane', last_name: 'Doe', jurisdiction: 'IL', id_type: 6, id_no: 'D200-3333-4444' },
          consents: [{ consent_type: '0', response: 'no' }],
          collected: { amount: 97.83, method: 'check' },
        },
      },
      'courier',
    );
    await h.settle();

    const outbox = await h.core.appApi.call('outbox.list', { order_id: id }, { actor: 'test' });
    expect(outbox).toMatchObject({ ok: true, value: { counts: { pending: 0, dead: 0 }, target_url: expect.stringMatching(/\/Order\/UpdateOrderStatus$/) } });
    const received = h.core.sandbox!.simulator.received()
      .map((push) => push.payload)
      .filter((payload) => payload.provider_order_id === id);
    expect(received.map((p) => p.order_status.status_code)).toEqual(['2', '4', '6', '7']);
    for (const payload of received) expect(checkUpdateOrderStatus(payload)).toMatchObject({ ok: true });
    const delivered = received.at(-1)!;
    expect(delivered).toMatchObject({
      signature: PNG,
      signer_info: { relation: '1', first_name: 'Jane', last_name: 'Doe', jurisdiction: 'IL', id_type: '6', id_no: 'D200-3333-4444' },
      consent_info: [{ consent_type: '0', consent_response: 'no' }],
      order_status: { status_notes: 'Collected $97.83 (check)' },
    });
    const image = await httpRequest(delivered.signature_url, { method: 'GET' });
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.body).toEqual(Buffer.from(PNG, 'base64'));
    // Change the signature's first character to a different one (a fixed replacement would be a
    // no-op whenever the signature already starts with it: 1 run in 64).
    const tamperedUrl = delivered.signature_url.replace(/sig=(.)/, (_match, first: string) => `sig=${first === 'A' ? 'B' : 'A'}`);
    expect(tamperedUrl).not.toBe(delivered.signature_url);
    const tampered = await httpRequest(tamperedUrl, { method: 'GET' });
    expect(tampered.status).toBe(401);

    // The same, as staff see it in sandbox mode through the app API.
    const seen = await h.core.appApi.call('sandbox.bestrxReceived', { order_id: id }, { actor: 'test' });
    expect(seen).toMatchObject({ ok: true, value: { pushes: received.map((payload) => ({ received_at: expect.any(String), payload })) } });
  });
});

describe('outside sandbox mode', () => {
  it('has no simulator to show: sandbox.bestrxReceived answers not_found in plain words', async () => {
    const live = await startHarness({ sandbox: false });
    try {
      expect(live.core.sandbox).toBeUndefined();
      const reply = await live.core.appApi.call('sandbox.bestrxReceived', {}, { actor: 'test' });
      expect(reply).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringMatching(/real BestRx/) } });
    } finally {
      await live.stop();
    }
  });
});
