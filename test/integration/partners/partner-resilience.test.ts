// How the engine behaves when a partner is not well: a 429 storm (Retry-After honoured, the
// hand-over waits and then completes), repeated failures opening the circuit, and a partner
// that hangs not slowing another.
import { describe, expect, it, afterEach } from 'vitest';
import { parseCreateOrder } from '../../../src-main/core/bestrx/bestrx-requests';
import { FAILURES_TO_OPEN, FIRST_COOL_DOWN_MS, PartnerCircuit } from '../../../src-main/core/partners/partner-circuit';
import { PartnerRequestError, type PartnerConnector } from '../../../src-main/core/partners/partner-connector';
import { startUnitedSimulator, type UnitedSimulator } from '../../../src-main/core/sandbox/united/united-simulator';
import { createOrderBody } from '../../helpers/fixtures';
import { createTestOrderService } from '../../helpers/order-service';
import { startTestPartnerEngine, unitedTestClient } from '../../helpers/partner-engine';
import { FakeClock } from '../../helpers/rxrelay-harness';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setUp() {
  const service = createTestOrderService();
  const sim: UnitedSimulator = await startUnitedSimulator({ stepMs: 0, clock: service.clock });
  const sleeps: number[] = [];
  const client = unitedTestClient(sim, service, { state: undefined }, { rateLimitRetries: 1, sleep: async (ms) => void sleeps.push(ms) });
  await client.setup(sim.setupToken);
  const pharmacyId = (await client.listPharmacies())[0]!.id;
  const medicationId = (await client.medications(pharmacyId, 1)).data[0]!.medication_id;
  const engine = await startTestPartnerEngine(service, client, { random: () => 0.5 });
  cleanups.push(async () => {
    await engine.stop();
    await sim.close();
  });
  let unique = 30_000;
  const receive = async () => {
    const body = createOrderBody({ bestrx_unique_order_id: unique++, amount_to_collect: 0 });
    const parsed = parseCreateOrder(body);
    if (!parsed.ok) throw new Error('bad fixture');
    return (await service.orders.receiveCreateOrder(parsed.value.content, JSON.stringify(body))).order.id;
  };
  const details = (email: string) => ({ patient_dob: '1980-02-02', patient_email: email, patient_gender: 'F' as const, pharmacy_id: pharmacyId, medication_id: medicationId, dispense_quantity: 1 });
  return { service, sim, engine, receive, details, sleeps, clock: service.clock };
}

describe('a 429 storm', () => {
  it('waits as United asks, keeps the hand-over, and completes it once United answers again', async () => {
    const { sim, engine, receive, details, sleeps, clock, service } = await setUp();
    const id = await receive();
    sim.rateLimitStorm(2); // the first call and its one retry
    const waiting = await engine.dispatch({ id, partner: 'united', details: details('storm@example.com') }, 'counter-1');
    expect(waiting.partner).toMatchObject({ state: 'dispatching', step: 'patient', last_error: expect.stringContaining("limiting RxRelay's requests") });
    expect(sleeps).toEqual([1000]); // Retry-After: 1, honoured by the client's one retry
    // The hand-over's next try is no sooner than United's Retry-After.
    expect(Date.parse(waiting.partner!.next_attempt_at!)).toBeGreaterThanOrEqual(clock.now().getTime() + 1000);
    expect(engine.health('united')).toMatchObject({ connected: false, circuit: 'closed', open_orders: 1 });

    clock.advance(60_000);
    await engine.runUntilIdle('united');
    expect(service.orders.get(id).partner).toMatchObject({ state: 'open', last_error: null });
    expect(engine.health('united')).toMatchObject({ connected: true, last_error: null });
    expect(sim.patients().filter((p) => p.email === 'storm@example.com')).toHaveLength(1);
  });
});

describe('the circuit breaker', () => {
  it('opens after repeated failures, lets one probe through after the cool-down, and closes on success', () => {
    const clock = new FakeClock();
    const circuit = new PartnerCircuit(clock);
    for (let i = 0; i < FAILURES_TO_OPEN - 1; i++) circuit.failed('transient');
    expect(circuit.state).toBe('closed');
    expect(circuit.permit()).toBe(true);
    circuit.failed('transient');
    expect(circuit.state).toBe('open');
    expect(circuit.permit()).toBe(false);
    clock.advance(FIRST_COOL_DOWN_MS);
    expect(circuit.state).toBe('half_open');
    expect(circuit.permit()).toBe(true);
    expect(circuit.permit()).toBe(false); // one probe at a time
    circuit.failed('transient');
    expect(circuit.state).toBe('open');
    clock.advance(FIRST_COOL_DOWN_MS);
    expect(circuit.state).toBe('open'); // the second cool-down is twice as long
    clock.advance(FIRST_COOL_DOWN_MS);
    expect(circuit.permit()).toBe(true);
    circuit.succeeded();
    expect(circuit.state).toBe('closed');
  });

  it("honours Retry-After even before the circuit opens, and pauses (without opening) on refused credentials", () => {
    const clock = new FakeClock();
    const circuit = new PartnerCircuit(clock);
    circuit.failed('transient', 7_000);
    expect(circuit.permit()).toBe(false);
    clock.advance(7_000);
    expect(circuit.permit()).toBe(true);
    circuit.failed('auth');
    expect(circuit.state).toBe('closed');
    expect(circuit.permit()).toBe(false);
  });

  it('stops calling a partner that keeps failing, and says so in its health', async () => {
    const { engine, receive, details, service, sim } = await setUp();
    const ids = [];
    for (let i = 0; i < FAILURES_TO_OPEN + 2; i++) ids.push(await receive());
    await sim.close(); // United is gone: every call is refused at the socket
    for (const [i, id] of ids.entries()) await engine.dispatch({ id, partner: 'united', details: details(`down${i}@example.com`) }, 'counter-1');
    const health = engine.health('united');
    expect(health).toMatchObject({ connected: false, circuit: 'open', open_orders: ids.length });
    expect(health?.next_try_at).not.toBeNull();
    // The last hand-overs never reached for United: the circuit refused them here.
    expect(service.orders.get(ids.at(-1)!).partner?.last_error).toMatch(/paused after failures/);
  });
});

describe('one partner hanging', () => {
  it('does not hold up another', async () => {
    const { engine, receive, details, service } = await setUp();
    let hangingCalls = 0;
    const hanging: PartnerConnector = {
      partner: 'honeybee',
      displayName: 'Honeybee Health',
      mode: 'sandbox',
      orderRef: 'order',
      dispatchFields: [],
      steps: [
        {
          name: 'order',
          done: 'Order placed.',
          run: () => {
            hangingCalls += 1;
            return new Promise(() => undefined);
          },
        },
      ],
      dispatchProblems: () => [],
      fetchProgress: () => Promise.reject(new PartnerRequestError('unavailable', 'down')),
      meaningOf: () => undefined,
      verifyWebhook: () => ({ ok: false, httpStatus: 401, reason: 'no' }),
      eventIdFor: (ref, progress) => `${ref}:${progress.status}`,
      check: () => new Promise(() => undefined),
      close: async () => undefined,
    };
    await engine.setConnector(hanging);
    const stuck = await receive();
    void engine.dispatch({ id: stuck, partner: 'honeybee', details: {} }, 'counter-1');
    await expect.poll(() => hangingCalls).toBe(1);

    const id = await receive();
    const dispatched = await engine.dispatch({ id, partner: 'united', details: details('unaffected@example.com') }, 'counter-1');
    expect(dispatched.partner).toMatchObject({ partner: 'united', state: 'open' });
    expect(service.orders.get(stuck).partner).toMatchObject({ partner: 'honeybee', state: 'dispatching' });
  });
});
