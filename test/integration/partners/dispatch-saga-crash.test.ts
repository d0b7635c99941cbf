// The hand-over saga killed at every point between its steps, then resumed by a fresh engine
// (nothing of the first survives but the database, as after a crash or a kill): United ends up
// with exactly one patient and one order, and the order's history holds each step once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCreateOrder } from '../../../src-main/core/bestrx/bestrx-requests';
import type { PartnerSyncEngine } from '../../../src-main/core/partners/partner-sync-engine';
import { startUnitedSimulator, type UnitedSimulator } from '../../../src-main/core/sandbox/united/united-simulator';
import { openDatabase, type SqliteDatabase } from '../../../src-main/core/storage/database';
import { createOrderBody } from '../../helpers/fixtures';
import { createTestOrderService } from '../../helpers/order-service';
import { startTestPartnerEngine, unitedTestClient, type AuthHolder } from '../../helpers/partner-engine';

class SimulatedCrash extends Error {}

const CRASH_POINTS = ['before-call:patient', 'after-call:patient', 'after-store:patient', 'before-call:order', 'after-call:order', 'after-store:order'];

let sim: UnitedSimulator;
let dir: string;
let db: SqliteDatabase;
let service: ReturnType<typeof createTestOrderService>;
const auth: AuthHolder = { state: undefined };
let pharmacyId: string;
let medicationId: string;
let unique = 91_000;

/** A new engine, as a restarted process builds it: its own client and connector over the same database. */
function startEngine(crashAt?: string): Promise<PartnerSyncEngine> {
  return startTestPartnerEngine(service, unitedTestClient(sim, service, auth), {
    crashPoint: (point) => {
      if (point === crashAt) throw new SimulatedCrash(point);
    },
  });
}

async function receiveOrder(email: string): Promise<string> {
  const body = createOrderBody({ bestrx_unique_order_id: unique++, amount_to_collect: 0, recipient: { ...createOrderBody().recipient, email } });
  const parsed = parseCreateOrder(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return (await service.orders.receiveCreateOrder(parsed.value.content, JSON.stringify(body))).order.id;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rxrelay-saga-'));
  db = openDatabase({ file: join(dir, 'rxrelay.db') });
  service = createTestOrderService({ db });
  sim = await startUnitedSimulator({ stepMs: 0, clock: service.clock });
  const setup = unitedTestClient(sim, service, auth);
  await setup.setup(sim.setupToken, 'saga test');
  pharmacyId = (await setup.listPharmacies())[0]!.id;
  medicationId = (await setup.medications(pharmacyId, 1)).data[0]!.medication_id;
  await setup.close();
});
afterAll(async () => {
  await sim.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the hand-over saga, killed between every pair of steps', () => {
  for (const point of CRASH_POINTS) {
    it(`resumes after a crash at ${point} without a second patient or order`, async () => {
      const email = `crash.${point.replace(/[^a-z]/g, '')}@example.com`;
      const id = await receiveOrder(email);
      const details = { patient_dob: '1970-01-31', patient_email: email, patient_gender: 'M' as const, pharmacy_id: pharmacyId, medication_id: medicationId, dispense_quantity: 2 };

      const first = await startEngine(point);
      await expect(first.dispatch({ id, partner: 'united', details }, 'counter-1')).rejects.toBeInstanceOf(SimulatedCrash);
      // The process is gone; a new one starts and picks up what is due.
      const second = await startEngine();
      await second.runUntilIdle('united');

      const order = service.orders.get(id);
      expect(order.partner).toMatchObject({ state: 'open' });
      expect(sim.patients().filter((p) => p.email === email)).toHaveLength(1);
      const unitedOrders = sim.orders().filter((o) => o.order_id === id);
      expect(unitedOrders).toHaveLength(1);
      expect(order.partner?.refs).toEqual({ patient: sim.patients().find((p) => p.email === email)!.uuid, order: unitedOrders[0]!.uuid });
      const steps = order.events.filter((e) => e.type === 'partner_update').map((e) => e.notes);
      expect(steps.filter((n) => n === 'Order placed with United Pharmacy.')).toHaveLength(1);
      expect(order.events.filter((e) => e.type === 'partner_dispatched')).toHaveLength(1);
      expect(order.events.filter((e) => e.to_status === 'acknowledged')).toHaveLength(1);
      await first.stop();
      await second.stop();
    });
  }

  it('a timeout after United created the order (the answer lost) adopts that order on the retry', async () => {
    const email = 'lost.answer@example.com';
    const id = await receiveOrder(email);
    const details = { patient_dob: '1970-01-31', patient_email: email, patient_gender: 'U' as const, pharmacy_id: pharmacyId, medication_id: medicationId, dispense_quantity: 2 };
    const engine = await startEngine('after-call:order');
    await expect(engine.dispatch({ id, partner: 'united', details }, 'counter-1')).rejects.toBeInstanceOf(SimulatedCrash);
    const requestsBefore = sim.requests().length;
    const resumed = await startEngine();
    await resumed.runUntilIdle('united');
    const lookups = sim.requests().slice(requestsBefore).filter((r) => r.method === 'GET' && r.path.includes('/orders'));
    expect(lookups.length).toBeGreaterThan(0);
    expect(sim.requests().slice(requestsBefore).filter((r) => r.method === 'POST' && r.path.endsWith('/orders'))).toEqual([]);
    expect(sim.orders().filter((o) => o.order_id === id)).toHaveLength(1);
    await engine.stop();
    await resumed.stop();
  });
});
