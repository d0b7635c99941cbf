// BestRx's side of the provider API driving the real RxRelay core on a loopback port: the
// seed's requests, generated realistic orders, the demo stream, and the sandbox launcher.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src-main/core/logger';
import { BestRxClient, cancelOrderBodyFor, type CreateOrderAnswer } from '../../../src-main/core/sandbox/bestrx/bestrx-client';
import { startBestRxSandbox } from '../../../src-main/core/sandbox/bestrx/bestrx-sandbox';
import { startDemoOrderStream, type DemoOrderEvent } from '../../../src-main/core/sandbox/bestrx/demo-order-stream';
import { generateRealisticOrder } from '../../../src-main/core/sandbox/bestrx/realistic-orders';
import { seedCreateOrderBody, seedUpdateOrderStatusPayload } from '../../../src-main/core/sandbox/bestrx/seed-examples';
import { mulberry32 } from '../../../src-main/core/sandbox/seeded-random';
import { basicAuth } from '../../helpers/http';
import { startHarness, TEST_CREDENTIALS, type Harness } from '../../helpers/rxrelay-harness';

let h: Harness;
let client: BestRxClient;
beforeAll(async () => {
  h = await startHarness();
  client = new BestRxClient({ baseUrl: h.baseUrl, credentials: TEST_CREDENTIALS });
});
afterAll(async () => {
  await h.stop();
});

const ERROR = 2;
const allOrders = () => h.core.orders.list({ limit: 1000, offset: 0 });

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('BestRxClient against RxRelay', () => {
  let created: CreateOrderAnswer;

  it('seed CreateOrder → 200 with RxRelay’s ids', async () => {
    const response = await client.seedCreateOrder();
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ request_is_valid: true, data: { bestrx_unique_order_id: 1001, order_status: { status_code_description: 'Order Created' } } });
    created = response.body!.data as CreateOrderAnswer;
    expect(created.provider_order_id).toMatch(/^RXR-/);
    // The seed's total does not add up: a Warning, never an Error.
    expect(response.body!.messages.some((m) => m.message_code === 'TOTAL_MISMATCH' && m.message_type === 1)).toBe(true);
  });

  it('seed ValidateAddress → the standardised suggestion, repeated unit dropped', async () => {
    const response = await client.seedValidateAddress();
    expect(response.status).toBe(200);
    expect(response.body?.data.suggested_address).toEqual([
      { address_line_1: '908 ATLANTIC AVE APT A', address_line_2: '', city: 'HOFFMAN ESTATES', state: 'IL', zip_code: '60169' },
    ]);
  });

  it('seed CancelOrder with the created order’s ids → status true', async () => {
    const response = await client.seedCancelOrder({ provider_order_id: created.provider_order_id, tracking_id: created.tracking_id });
    expect(response.status).toBe(200);
    expect(response.body?.data).toMatchObject({ status: true, provider_order_id: created.provider_order_id });
    expect(h.core.orders.get(created.provider_order_id).status).toBe('cancelled');
  });

  it('20 generated orders are all accepted with 200 and no Error message, then cancelled', async () => {
    const random = mulberry32(2026);
    const used = new Set<number>();
    const before = allOrders().total;
    for (let i = 0; i < 20; i++) {
      const order = generateRealisticOrder(random, { usedUniqueOrderIds: used });
      used.add(Number(order.bestrx_unique_order_id));
      const response = await client.createOrder(order);
      expect(response.status, JSON.stringify(response.body?.messages)).toBe(200);
      expect(response.body?.messages.filter((m) => m.message_type === ERROR)).toEqual([]);
      expect(response.body?.messages.map((m) => m.message_code)).not.toContain('TOTAL_MISMATCH');
      if (i % 5 === 0) {
        const data = response.body!.data as CreateOrderAnswer;
        const cancel = await client.cancelOrder(cancelOrderBodyFor(order, data));
        expect(cancel.body?.data.status).toBe(true);
        expect(cancel.body?.messages.filter((m) => m.message_code === 'ID_MISMATCH')).toEqual([]);
      }
    }
    expect(allOrders().total).toBe(before + 20);
  });

  it('reports RxRelay’s refusals as status and envelope', async () => {
    const wrongPassword = new BestRxClient({ baseUrl: h.baseUrl, credentials: { ...TEST_CREDENTIALS, password: 'nope' } });
    expect((await wrongPassword.seedCreateOrder()).status).toBe(401);
    const missing = await client.post('/Order/CreateOrder', { ...seedCreateOrderBody(), total_amount: undefined });
    expect(missing.status).toBe(400);
    expect(missing.body?.messages[0]?.message).toMatch(/total_amount/);
  });

  it('sends what BestRx sends: JSON, Basic credentials, no Origin', async () => {
    let seen: IncomingHttpHeaders | undefined;
    let seenBody = '';
    const capture = createServer((request, response) => {
      seen = request.headers;
      request.on('data', (chunk: Buffer) => (seenBody += chunk.toString('utf8')));
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{},"request_is_valid":true,"messages":[]}'));
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    try {
      const port = (capture.address() as AddressInfo).port;
      const response = await new BestRxClient({ baseUrl: `http://127.0.0.1:${port}/`, credentials: TEST_CREDENTIALS }).seedValidateAddress();
      expect(response.status).toBe(200);
      expect(seen?.['content-type']).toBe('application/json');
      expect(seen?.authorization).toBe(basicAuth(TEST_CREDENTIALS.username, TEST_CREDENTIALS.password));
      expect(seen?.origin).toBeUndefined();
      expect(JSON.parse(seenBody).address_to_validate.zip_code).toBe('60169');
    } finally {
      await new Promise((resolve) => capture.close(resolve));
    }
  });
});

describe('demo order stream against RxRelay', () => {
  it('sends orders that appear on RxRelay’s board, and cancels some', async () => {
    const events: DemoOrderEvent[] = [];
    const before = allOrders().total;
    const stream = startDemoOrderStream({
      client,
      intervalMs: 30,
      firstOrderAfterMs: 0,
      random: mulberry32(77),
      logger: silentLogger,
      cancelChance: 0.3,
      onOrder: (event) => events.push(event),
    });
    try {
      await waitFor(() => events.filter((e) => e.action === 'create').length >= 8 && events.some((e) => e.action === 'cancel'));
    } finally {
      await stream.stop();
    }
    expect(events.every((e) => e.httpStatus === 200)).toBe(true);
    const creates = events.filter((e) => e.action === 'create');
    const board = allOrders();
    expect(board.total).toBe(before + creates.length);
    const ids = new Set(board.orders.map((o) => o.id));
    for (const event of creates) expect(ids.has(event.providerOrderId!)).toBe(true);
    for (const cancel of events.filter((e) => e.action === 'cancel')) {
      expect(cancel.accepted).toBe(true);
      expect(h.core.orders.get(cancel.providerOrderId!).status).toBe('cancelled');
    }
  });

  it('keeps going when RxRelay is unreachable, and stops cleanly', async () => {
    const events: DemoOrderEvent[] = [];
    const unreachable = new BestRxClient({ baseUrl: 'http://127.0.0.1:9', credentials: TEST_CREDENTIALS, timeoutMs: 1_000 });
    const stream = startDemoOrderStream({ client: unreachable, intervalMs: 20, firstOrderAfterMs: 0, random: mulberry32(8), logger: silentLogger, onOrder: (e) => events.push(e) });
    await waitFor(() => events.length >= 3);
    await stream.stop();
    expect(events.every((e) => e.httpStatus === null && e.error !== null)).toBe(true);
    const count = events.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events.length).toBe(count);
  });
});

describe('startBestRxSandbox', () => {
  it('starts the simulator for status pushes and the demo orders against RxRelay', async () => {
    const sandbox = await startBestRxSandbox({ logger: silentLogger });
    try {
      const events: DemoOrderEvent[] = [];
      const stream = sandbox.startDemoOrders({ providerUrl: h.baseUrl, credentials: TEST_CREDENTIALS, intervalMs: 50, random: mulberry32(9), onOrder: (e) => events.push(e) });
      expect(sandbox.startDemoOrders({ providerUrl: h.baseUrl, credentials: TEST_CREDENTIALS })).toBe(stream);
      await waitFor(() => events.length >= 2);
      expect(events.every((e) => e.httpStatus === 200)).toBe(true);

      const pushed = await fetch(sandbox.statusUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basicAuth(sandbox.statusCredentials.username, sandbox.statusCredentials.password) },
        body: JSON.stringify(seedUpdateOrderStatusPayload()),
      });
      expect(pushed.status).toBe(200);
      expect(sandbox.simulator.received()).toHaveLength(1);
      expect(sandbox.statusCredentials.password.length).toBeGreaterThanOrEqual(20);
    } finally {
      await sandbox.stop();
    }
  });
});
