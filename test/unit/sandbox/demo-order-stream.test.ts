// The sandbox's demo stream, on fake timers with a fake BestRx client: its pace, its occasional
// cancels, its resilience to failures, and that stop() really stops it.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { recordingLogger } from '../../helpers/recording-logger';
import type { CancelOrderAnswer, CreateOrderAnswer, ProviderResponse } from '../../../src-main/core/sandbox/bestrx/bestrx-client';
import type { CancelOrderBody, CreateOrderBody } from '../../../src-main/core/sandbox/bestrx/bestrx-request-bodies';
import { startDemoOrderStream, type DemoOrderClient, type DemoOrderEvent } from '../../../src-main/core/sandbox/bestrx/demo-order-stream';
import { mulberry32 } from '../../../src-main/core/sandbox/seeded-random';

class FakeBestRxEndpoint implements DemoOrderClient {
  creates: CreateOrderBody[] = [];
  cancels: CancelOrderBody[] = [];
  failNext = 0;

  async createOrder(body: CreateOrderBody): Promise<ProviderResponse<CreateOrderAnswer>> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new TypeError('fetch failed');
    }
    this.creates.push(body);
    const n = this.creates.length;
    return { status: 200, body: { data: { provider_order_id: `RXR-${n}`, tracking_id: `T${n}` }, request_is_valid: true, messages: [] } };
  }

  async cancelOrder(body: CancelOrderBody): Promise<ProviderResponse<CancelOrderAnswer>> {
    this.cancels.push(body);
    return { status: 200, body: { data: { status: true, status_reason: 'Order cancelled.' }, request_is_valid: true, messages: [] } };
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('startDemoOrderStream', () => {
  it('sends the first order soon, then one per interval within the jitter', async () => {
    const endpoint = new FakeBestRxEndpoint();
    const { logger } = recordingLogger();
    const stream = startDemoOrderStream({ client: endpoint, intervalMs: 45_000, random: mulberry32(1), logger, cancelChance: 0 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(endpoint.creates).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(45_000 * 0.75 - 1);
    expect(endpoint.creates).toHaveLength(1); // no wait is shorter than interval × (1 − jitter)
    await vi.advanceTimersByTimeAsync(45_000 * 0.5 + 1);
    expect(endpoint.creates).toHaveLength(2); // nor longer than interval × (1 + jitter)
    await vi.advanceTimersByTimeAsync(45_000 * 10);
    expect(endpoint.creates.length).toBeGreaterThanOrEqual(9);
    expect(endpoint.creates.length).toBeLessThanOrEqual(16);
    expect(new Set(endpoint.creates.map((o) => o.bestrx_unique_order_id)).size).toBe(endpoint.creates.length);
    await stream.stop();
  });

  it('now and then cancels an order it created earlier, with the ids RxRelay gave it', async () => {
    const endpoint = new FakeBestRxEndpoint();
    const events: DemoOrderEvent[] = [];
    const stream = startDemoOrderStream({
      client: endpoint,
      intervalMs: 1_000,
      random: mulberry32(2),
      logger: recordingLogger().logger,
      cancelChance: 0.3,
      onOrder: (event) => events.push(event),
    });
    await vi.advanceTimersByTimeAsync(60_000);
    await stream.stop();
    expect(endpoint.cancels.length).toBeGreaterThan(3);
    expect(endpoint.cancels.length).toBeLessThan(endpoint.creates.length);
    for (const cancel of endpoint.cancels) {
      const n = Number(cancel.provider_order_id!.slice('RXR-'.length));
      const original = endpoint.creates[n - 1]!;
      expect(cancel).toMatchObject({
        bestrx_unique_order_id: original.bestrx_unique_order_id,
        bestrx_order_id: original.bestrx_order_id,
        tracking_id: `T${n}`,
        store: { bestrx_pharmacy_id: original.store.bestrx_pharmacy_id },
      });
    }
    // No order is cancelled twice.
    expect(new Set(endpoint.cancels.map((c) => c.provider_order_id)).size).toBe(endpoint.cancels.length);
    expect(events.filter((e) => e.action === 'cancel').every((e) => e.accepted === true)).toBe(true);
  });

  it('asks isCancellable before cancelling', async () => {
    const endpoint = new FakeBestRxEndpoint();
    const stream = startDemoOrderStream({
      client: endpoint,
      intervalMs: 1_000,
      random: mulberry32(3),
      logger: recordingLogger().logger,
      cancelChance: 0.5,
      isCancellable: (id) => id === 'RXR-1',
    });
    await vi.advanceTimersByTimeAsync(30_000);
    await stream.stop();
    expect(endpoint.cancels.map((c) => c.provider_order_id)).toEqual(['RXR-1']);
  });

  it('logs a failed call without patient data and carries on', async () => {
    const endpoint = new FakeBestRxEndpoint();
    endpoint.failNext = 2;
    const { logger, lines } = recordingLogger();
    const stream = startDemoOrderStream({ client: endpoint, intervalMs: 1_000, random: mulberry32(4), logger, cancelChance: 0 });
    await vi.advanceTimersByTimeAsync(10_000);
    await stream.stop();
    expect(lines.filter((l) => l.event === 'sandbox.demo_order_failed')).toHaveLength(2);
    expect(lines.find((l) => l.event === 'sandbox.demo_order_failed')?.fields).toMatchObject({ action: 'create', http_status: null, error: 'TypeError' });
    expect(endpoint.creates.length).toBeGreaterThanOrEqual(5);
    // One line per call, ids and statuses only: no names, addresses or phone numbers.
    const logged = JSON.stringify(lines);
    for (const order of endpoint.creates) {
      for (const value of [order.recipient.last_name, order.recipient.address.address_line_1, order.recipient.mobile_phone, order.recipient.entity_name]) {
        if (value) expect(logged).not.toContain(value);
      }
    }
    for (const line of lines) expect(Object.keys(line.fields).sort()).toEqual(['accepted', 'action', 'bestrx_unique_order_id', 'error', 'http_status', 'provider_order_id']);
  });

  it('survives a listener that throws', async () => {
    const endpoint = new FakeBestRxEndpoint();
    const stream = startDemoOrderStream({
      client: endpoint,
      intervalMs: 1_000,
      random: mulberry32(5),
      logger: recordingLogger().logger,
      onOrder: () => {
        throw new Error('listener bug');
      },
    });
    await vi.advanceTimersByTimeAsync(5_000);
    await stream.stop();
    expect(endpoint.creates.length).toBeGreaterThanOrEqual(3);
  });

  it('stop() clears its timers: nothing is sent afterwards', async () => {
    const endpoint = new FakeBestRxEndpoint();
    const stream = startDemoOrderStream({ client: endpoint, intervalMs: 1_000, random: mulberry32(6), logger: recordingLogger().logger });
    await vi.advanceTimersByTimeAsync(3_500);
    const sent = endpoint.creates.length + endpoint.cancels.length;
    await stream.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(endpoint.creates.length + endpoint.cancels.length).toBe(sent);
  });
});
