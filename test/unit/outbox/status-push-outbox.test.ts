// The outbox with a scripted BestRx and a hand-driven clock: what is written, in which order
// it goes out, what happens on each kind of failure, and what staff can do about it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UpdateOrderStatusPayload } from '../../../src-main/core/bestrx/update-order-status';
import { parseCreateOrder } from '../../../src-main/core/bestrx/bestrx-requests';
import { ForegroundActivity, type ForegroundSignal } from '../../../src-main/core/foreground-activity';
import { silentLogger } from '../../../src-main/core/logger';
import type { PushOutcome, StatusPushTransport } from '../../../src-main/core/outbox/bestrx-status-client';
import { StatusPushWorker } from '../../../src-main/core/outbox/status-push-worker';
import { createOrderBody } from '../../helpers/fixtures';
import { createTestOrderService } from '../../helpers/order-service';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');

/** A BestRx whose answers the test scripts: a function of the payload and how often it was sent. */
class ScriptedBestRx implements StatusPushTransport {
  readonly url = 'http://bestrx.test/Order/UpdateOrderStatus';
  readonly sent: UpdateOrderStatusPayload[] = [];
  answer: (payload: UpdateOrderStatusPayload, timesSent: number) => PushOutcome = () => ({ kind: 'delivered', httpStatus: 200 });

  async send(payloadJson: string): Promise<PushOutcome> {
    const payload = JSON.parse(payloadJson) as UpdateOrderStatusPayload;
    this.sent.push(payload);
    const times = this.sent.filter((p) => p.provider_order_id === payload.provider_order_id && p.order_status.status_code === payload.order_status.status_code).length;
    return this.answer(payload, times);
  }

  async close(): Promise<void> {}

  /** The statuses each order was told, in the order they arrived. */
  delivered(): Record<string, string[]> {
    const byOrder: Record<string, string[]> = {};
    for (const p of this.sent) (byOrder[p.provider_order_id] ??= []).push(p.order_status.status_code);
    return byOrder;
  }
}

function setUp(
  options: { random?: () => number; maxPushesPerSecond?: number; monotonicNow?: () => number; foreground?: ForegroundSignal; busyPushesPerSecond?: number; quietAfterMs?: number } = {},
) {
  const service = createTestOrderService();
  const bestrx = new ScriptedBestRx();
  const worker = new StatusPushWorker({
    db: service.db,
    writes: service.writes,
    clock: service.clock,
    transport: bestrx,
    events: service.events,
    logger: silentLogger,
    random: options.random ?? (() => 0.5),
    schedule: false,
    maxPushesPerSecond: options.maxPushesPerSecond,
    monotonicNow: options.monotonicNow,
    foreground: options.foreground,
    busyPushesPerSecond: options.busyPushesPerSecond,
    quietAfterMs: options.quietAfterMs,
  });
  if (options.maxPushesPerSecond === undefined) worker.start();
  const receive = async (overrides: Record<string, unknown> = {}) => {
    const body = createOrderBody({ signature_required: false, amount_to_collect: 0, consents: [], ...overrides });
    const parsed = parseCreateOrder(body);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return (await service.orders.receiveCreateOrder(parsed.value.content, JSON.stringify(body))).order.id;
  };
  const move = (id: string, ...statuses: Array<'acknowledged' | 'picked_up' | 'out_for_delivery' | 'delivered'>) =>
    statuses.reduce<Promise<unknown>>((previous, to) => previous.then(() => service.orders.transition({ id, to }, 'courier')), Promise.resolve());
  const pushes = (state?: 'pending' | 'delivered' | 'dead' | 'skipped') => service.outbox.list({ state, limit: 100, offset: 0 });
  return { ...service, bestrx, worker, receive, move, pushes };
}

describe('status push outbox', () => {
  it('writes one push per status change, in the transaction that made it, and none for creation', async () => {
    const t = setUp();
    const id = await t.receive();
    expect(t.pushes().total).toBe(0);
    await t.move(id, 'acknowledged', 'picked_up');
    expect(t.pushes().pushes.map((p) => [p.status, p.status_code, p.state])).toEqual([
      ['picked_up', '4', 'pending'],
      ['acknowledged', '2', 'pending'],
    ]);
  });

  it('rolls the status change back when its push cannot be written', async () => {
    const t = setUp();
    const id = await t.receive();
    t.db.exec(`CREATE TRIGGER no_pushes BEFORE INSERT ON status_pushes BEGIN SELECT RAISE(ABORT, 'outbox unavailable'); END;`);
    await expect(t.orders.transition({ id, to: 'acknowledged' }, 'courier')).rejects.toThrow('outbox unavailable');
    expect(t.orders.get(id).status).toBe('created');
    expect(t.orders.get(id).events).toHaveLength(1);
  });

  it('sends the seed payload shape with exactly the proof recorded at the door', async () => {
    const t = setUp();
    const id = await t.receive({ signature_required: 'true', photo_id_required: 'true', amount_to_collect: 97.83, consents: createOrderBody().consents });
    await t.move(id, 'picked_up', 'out_for_delivery');
    await t.orders.transition(
      {
        id,
        to: 'delivered',
        notes: 'Left with spouse',
        captured_at: '2026-11-21T08:55:00.000Z',
        proof: {
          signature_png_base64: PNG,
          signer: { relation: 'spouse', first_name: 'John', last_name: 'Doe', jurisdiction: 'il', id_type: 'drivers_license', id_no: 'D200-3333-4444' },
          consents: [{ consent_type: 0, response: 'no' }],
          collected: { amount: 97.83, method: 'cash' },
        },
      },
      'courier',
    );
    await t.worker.runUntilIdle();
    const delivered = t.bestrx.sent.at(-1)!;
    const order = t.orders.get(id);
    expect(delivered).toEqual({
      bestrx_pharmacy_id: 'ef0a4740-0be9-44f7-b89d-9e66eeba0b9a',
      bestrx_order_id: order.bestrx_order_id,
      bestrx_unique_order_id: order.bestrx_unique_order_id,
      provider_order_id: id,
      tracking_id: order.tracking_id,
      order_status: {
        date: '2026-11-21T08:55:00.000Z',
        status_code: '7',
        status_Code_description: 'Delivery/Shipment Delivered',
        status_notes: 'Left with spouse. Collected $97.83 (cash)',
      },
      signature: PNG,
      signature_url: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:8410/signatures/${order.events.at(-1)!.event_id}\\.png\\?sig=`)),
      signer_info: { relation: '3', first_name: 'John', last_name: 'Doe', jurisdiction: 'IL', id_type: '6', id_no: 'D200-3333-4444' },
      consent_info: [{ consent_type: '0', consent_response: 'no' }],
    });
    expect(t.bestrx.sent.slice(0, -1).every((p) => p.signer_info === null && p.signature === '' && p.consent_info.length === 0)).toBe(true);
  });

  it('delivers each order strictly in order, and one failing order holds back only itself', async () => {
    const t = setUp();
    const [a, b] = [await t.receive(), await t.receive()];
    await t.move(a, 'acknowledged', 'picked_up', 'out_for_delivery');
    await t.move(b, 'acknowledged', 'picked_up', 'out_for_delivery');
    // A's first push fails twice; B's all go through.
    t.bestrx.answer = (payload, times) =>
      payload.provider_order_id === a && payload.order_status.status_code === '2' && times <= 2
        ? { kind: 'retry', httpStatus: 503, error: 'BestRx answered HTTP 503' }
        : { kind: 'delivered', httpStatus: 200 };
    await t.worker.runUntilIdle();
    expect(t.bestrx.delivered()[b]).toEqual(['2', '4', '6']);
    expect(t.bestrx.delivered()[a]).toEqual(['2']);
    const held = t.pushes('pending').pushes.filter((p) => p.order_id === a);
    expect(held.map((p) => [p.status, p.held_back_by !== null])).toEqual([
      ['out_for_delivery', true],
      ['picked_up', true],
      ['acknowledged', false],
    ]);
    for (let i = 0; i < 2; i++) {
      t.clock.advance(60_000);
      await t.worker.runUntilIdle();
    }
    expect(t.bestrx.delivered()[a]).toEqual(['2', '2', '2', '4', '6']);
    expect(t.pushes('pending').total).toBe(0);
  });

  it('retries on network errors, timeouts, 408, 429, 5xx and "not updated" answers, honouring Retry-After', async () => {
    const t = setUp({ random: () => 0 });
    const id = await t.receive();
    await t.move(id, 'acknowledged');
    const answers: PushOutcome[] = [
      { kind: 'retry', httpStatus: null, error: 'The connection to BestRx dropped before an answer' },
      { kind: 'retry', httpStatus: 429, error: 'BestRx answered HTTP 429', retryAfterMs: 90_000 },
      { kind: 'retry', httpStatus: 200, error: 'BestRx did not update the status: status_updated was false' },
      { kind: 'delivered', httpStatus: 200 },
    ];
    t.bestrx.answer = () => answers.shift()!;
    // random() = 0: a failed push is due again at once, until Retry-After says otherwise.
    await t.worker.runUntilIdle();
    const [push] = t.pushes().pushes;
    expect(push).toMatchObject({ state: 'pending', attempts: 2, last_http_status: 429, last_error: 'BestRx answered HTTP 429' });
    expect(Date.parse(push!.next_attempt_at!) - t.clock.now().getTime()).toBe(90_000);
    t.clock.advance(89_000);
    await t.worker.runUntilIdle();
    expect(t.bestrx.sent).toHaveLength(2);
    t.clock.advance(1_000);
    await t.worker.runUntilIdle();
    expect(t.pushes().pushes[0]).toMatchObject({ state: 'delivered', attempts: 4, last_error: null, held_back_by: null });
  });

  it('parks a push BestRx refuses for good (4xx), publishes it, and holds the order’s later pushes until staff act', async () => {
    const t = setUp();
    const id = await t.receive();
    await t.move(id, 'acknowledged', 'picked_up');
    t.bestrx.answer = (payload) =>
      payload.order_status.status_code === '2' ? { kind: 'refused', httpStatus: 400, error: 'BestRx answered HTTP 400: unknown order' } : { kind: 'delivered', httpStatus: 200 };
    await t.worker.runUntilIdle();
    const dead = t.pushes('dead').pushes;
    expect(dead).toMatchObject([{ status: 'acknowledged', attempts: 1, last_http_status: 400, last_error: 'BestRx answered HTTP 400: unknown order' }]);
    expect(t.published).toContainEqual({ type: 'outbox.dead', push_id: dead[0]!.id, order_id: id, error: 'BestRx answered HTTP 400: unknown order' });
    expect(t.pushes('pending').pushes).toMatchObject([{ status: 'picked_up', held_back_by: dead[0]!.id }]);
    expect(t.bestrx.sent).toHaveLength(1);

    // Retried (BestRx was fixed): it goes first, then the held-back one.
    t.bestrx.answer = () => ({ kind: 'delivered', httpStatus: 200 });
    await t.outbox.retry(dead[0]!.id);
    await t.worker.runUntilIdle();
    expect(t.bestrx.delivered()[id]).toEqual(['2', '2', '4']);
  });

  it('lets staff skip a dead push so the later ones go out, and refuses to retry or skip a finished one', async () => {
    const t = setUp();
    const id = await t.receive();
    await t.move(id, 'acknowledged', 'picked_up');
    t.bestrx.answer = (payload) => (payload.order_status.status_code === '2' ? { kind: 'refused', httpStatus: 422, error: 'nope' } : { kind: 'delivered', httpStatus: 200 });
    await t.worker.runUntilIdle();
    const [dead] = t.pushes('dead').pushes;
    const skipped = await t.outbox.skip(dead!.id, 'maria');
    expect(skipped).toMatchObject({ state: 'skipped', finished_by: 'maria' });
    await t.worker.runUntilIdle();
    expect(t.bestrx.delivered()[id]).toEqual(['2', '4']);
    await expect(t.outbox.skip(dead!.id, 'maria')).rejects.toThrow(/is skipped/);
    const [delivered] = t.pushes('delivered').pushes;
    await expect(t.outbox.retry(delivered!.id)).rejects.toThrow(/is delivered/);
    await expect(t.outbox.retry(999)).rejects.toThrow(/No status push 999/);
  });

  it('gives up after about 72 hours of failures, then delivers everything in order once BestRx is back', async () => {
    const t = setUp({ random: () => 1 });
    const id = await t.receive();
    await t.move(id, 'acknowledged', 'picked_up');
    t.bestrx.answer = () => ({ kind: 'retry', httpStatus: 503, error: 'BestRx answered HTTP 503' });
    // A day-long outage: retries back off to one an hour.
    for (let hour = 0; hour < 24 * 4; hour++) {
      await t.worker.runUntilIdle();
      t.clock.advance(60 * 60_000);
    }
    await t.worker.runUntilIdle();
    const [dead] = t.pushes('dead').pushes;
    expect(dead).toMatchObject({ status: 'acknowledged', last_error: expect.stringMatching(/^Gave up after \d+ attempts/) });
    expect(dead!.attempts).toBeGreaterThan(70);
    expect(dead!.attempts).toBeLessThan(90);
    t.bestrx.answer = () => ({ kind: 'delivered', httpStatus: 200 });
    await t.outbox.retry(dead!.id);
    await t.worker.runUntilIdle();
    expect(t.pushes('pending').total + t.pushes('dead').total).toBe(0);
    const told = t.bestrx.delivered()[id]!;
    expect(told.slice(-2)).toEqual(['2', '4']);
  });

  it('shows an order’s pushes in its detail', async () => {
    const t = setUp();
    const id = await t.receive();
    await t.move(id, 'acknowledged');
    await t.worker.runUntilIdle();
    expect(t.orders.get(id).pushes).toMatchObject([{ status: 'acknowledged', state: 'delivered', attempts: 1 }]);
  });
});

/**
 * A monotonic clock and the timers, moved by hand a millisecond at a time, so timers fire when
 * due as they would when idle. Timers only: the write queue's setImmediate stays real, and each
 * tick lets it commit.
 */
function handDrivenTime() {
  let now = 1_000;
  return {
    monotonicNow: () => now,
    /** Time passes without any timer firing (a wake-up that comes late). */
    jump: (ms: number) => {
      now += ms;
    },
    startTimers: () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }),
    tick: async (ms: number) => {
      await vi.advanceTimersByTimeAsync(0);
      for (let i = 0; i < ms; i++) {
        now += 1;
        await vi.advanceTimersByTimeAsync(1);
      }
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** A CreateOrder BestRx is waiting on, until `answer` is called. */
function createOrderBeingAnswered(foreground: ForegroundActivity) {
  let answer!: () => void;
  const answered = foreground.during(() => new Promise<void>((resolve) => (answer = resolve)));
  return {
    answer: async () => {
      answer();
      await answered;
    },
  };
}

describe('status push pace', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts a backlog at a steady pace, and after a quiet spell does not burst', async () => {
    const { monotonicNow, jump, startTimers, tick } = handDrivenTime();
    const t = setUp({ maxPushesPerSecond: 100, monotonicNow });
    const orders: string[] = [];
    for (let i = 0; i < 12; i++) orders.push(await t.receive());
    for (const id of orders.slice(0, 6)) await t.move(id, 'acknowledged');
    startTimers();
    t.worker.start();
    await tick(0);
    // 100 per second: one every 10 ms (counted from 3 ms back: see the catch-up), not six at once.
    expect(t.bestrx.sent).toHaveLength(1);
    await tick(6);
    expect(t.bestrx.sent).toHaveLength(1);
    await tick(1);
    expect(t.bestrx.sent).toHaveLength(2);
    await tick(10);
    expect(t.bestrx.sent).toHaveLength(3);
    await tick(30);
    expect(t.bestrx.sent).toHaveLength(6);

    // A wake-up 25 ms late catches up 3 ms, not the 2 slots it missed: one push, not a burst.
    for (const id of orders.slice(6, 9)) await t.move(id, 'acknowledged');
    jump(25);
    t.worker.wake();
    expect(t.bestrx.sent).toHaveLength(7);
    await tick(30);
    expect(t.bestrx.sent).toHaveLength(9);

    // Idle for a second: the pace does not save up 100 slots to spend at once.
    await tick(1_000);
    for (const id of orders.slice(9)) await t.move(id, 'acknowledged');
    t.worker.wake();
    await tick(0);
    expect(t.bestrx.sent).toHaveLength(10);
    await tick(30);
    expect(t.bestrx.sent).toHaveLength(12);
    await tick(100);
    await t.worker.stop();
    expect(t.pushes('delivered').total).toBe(12);
  });

  it('gives way to BestRx: a slower pace while its requests are answered, full pace once they are quiet', async () => {
    const { monotonicNow, startTimers, tick } = handDrivenTime();
    const foreground = new ForegroundActivity(monotonicNow);
    const t = setUp({ maxPushesPerSecond: 1_000, busyPushesPerSecond: 50, quietAfterMs: 20, monotonicNow, foreground });
    const orders: string[] = [];
    for (let i = 0; i < 40; i++) orders.push(await t.receive());
    for (const id of orders) await t.move(id, 'acknowledged');
    startTimers();
    // A CreateOrder is being answered: one push every 20 ms (50/s), not one a millisecond.
    const createOrder = createOrderBeingAnswered(foreground);
    t.worker.start();
    await tick(0);
    expect(t.bestrx.sent).toHaveLength(1);
    await tick(100);
    expect(t.bestrx.sent.length).toBeGreaterThanOrEqual(5);
    expect(t.bestrx.sent.length).toBeLessThanOrEqual(6);

    // Answered: still the slow pace for the quiet spell after it (the next request of a batch
    // is usually a moment away), then full pace.
    await createOrder.answer();
    const whenAnswered = t.bestrx.sent.length;
    await tick(15);
    expect(t.bestrx.sent.length).toBeLessThanOrEqual(whenAnswered + 1);
    await tick(25);
    expect(t.bestrx.sent.length).toBeGreaterThanOrEqual(whenAnswered + 15);

    // A request that fails counts as answered too: the pace does not stay slow forever.
    const sentBefore = t.bestrx.sent.length;
    await expect(foreground.during(async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(foreground.quietForMs()).toBe(0);
    await tick(10);
    expect(t.bestrx.sent.length).toBeLessThanOrEqual(sentBefore + 1);
    await tick(100);
    expect(t.bestrx.sent).toHaveLength(40);
    await t.worker.stop();
    expect(t.pushes('delivered').total).toBe(40);
  });

  it('records outcomes once BestRx is quiet, or after a second at most', async () => {
    const { monotonicNow, startTimers, tick } = handDrivenTime();
    const foreground = new ForegroundActivity(monotonicNow);
    const t = setUp({ maxPushesPerSecond: 1_000, busyPushesPerSecond: 1_000, quietAfterMs: 20, monotonicNow, foreground });
    const orders: string[] = [];
    for (let i = 0; i < 6; i++) orders.push(await t.receive());
    for (const id of orders.slice(0, 3)) await t.move(id, 'acknowledged');
    startTimers();
    const createOrder = createOrderBeingAnswered(foreground);
    t.worker.start();
    await tick(200);
    // Sent and answered, but not written while the CreateOrder is being answered.
    expect(t.bestrx.sent).toHaveLength(3);
    expect(t.pushes('delivered').total).toBe(0);
    await createOrder.answer();
    await tick(10);
    expect(t.pushes('delivered').total).toBe(0);
    await tick(15);
    expect(t.pushes('delivered').total).toBe(3);

    // BestRx never goes quiet: the outcomes are written after a second anyway.
    const endless = createOrderBeingAnswered(foreground);
    for (const id of orders.slice(3)) await t.move(id, 'acknowledged');
    t.worker.wake();
    await tick(900);
    expect(t.bestrx.sent).toHaveLength(6);
    expect(t.pushes('delivered').total).toBe(3);
    await tick(150);
    expect(t.pushes('delivered').total).toBe(6);
    await endless.answer();
    await t.worker.stop();
  });

  it('lets runUntilIdle (staff pressing retry, tests) ignore the pace', async () => {
    const t = setUp({ maxPushesPerSecond: 1, monotonicNow: () => 0 });
    const id = await t.receive();
    await t.move(id, 'acknowledged', 'picked_up');
    const other = await t.receive();
    await t.move(other, 'acknowledged');
    await t.worker.runUntilIdle();
    expect(t.bestrx.sent).toHaveLength(3);
  });
});
