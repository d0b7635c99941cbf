// Generated demo orders: replayable from a seed, always valid for RxRelay's CreateOrder, varied
// the way real BestRx orders vary, and addressed to real places whose city, state and ZIP agree.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCreateOrder } from '../../../src-main/core/bestrx/bestrx-requests';
import { createOfflineAddressValidator, type AddressValidator } from '../../../src-main/core/address/address-validator';
import { loadZipDirectory, type ZipDirectory } from '../../../src-main/core/address/zip-directory';
import { normalizeCityName } from '../../../src-main/core/address/city-names';
import { DEMO_PLACES, generateRealisticOrder } from '../../../src-main/core/sandbox/bestrx/realistic-orders';
import type { CreateOrderBody } from '../../../src-main/core/sandbox/bestrx/bestrx-request-bodies';
import { SEED_STORE } from '../../../src-main/core/sandbox/bestrx/seed-examples';
import { integerBetween, mulberry32, pickSome } from '../../../src-main/core/sandbox/seeded-random';

const TODAY = new Date('2026-11-21T15:00:00Z');

function generate(seed: number, count: number): CreateOrderBody[] {
  const random = mulberry32(seed);
  const used = new Set<number>();
  return Array.from({ length: count }, () => {
    const order = generateRealisticOrder(random, { usedUniqueOrderIds: used, today: TODAY });
    used.add(Number(order.bestrx_unique_order_id));
    return order;
  });
}

describe('mulberry32', () => {
  it('repeats for a seed, differs between seeds, stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(first).size).toBeGreaterThan(990);
  });

  it('helpers stay within their bounds', () => {
    const random = mulberry32(7);
    const values = Array.from({ length: 500 }, () => integerBetween(random, 1, 3));
    expect(new Set(values)).toEqual(new Set([1, 2, 3]));
    expect(new Set(pickSome(random, [1, 2, 3, 4], 3)).size).toBe(3);
    expect(pickSome(random, [1, 2], 5)).toHaveLength(2);
  });
});

describe('generateRealisticOrder', () => {
  const orders = generate(20261121, 400);

  it('is deterministic for a given random source and day', () => {
    expect(generate(20261121, 50)).toEqual(orders.slice(0, 50));
    expect(generate(99, 50)).not.toEqual(orders.slice(0, 50));
  });

  it('gives every order a unique bestrx_unique_order_id, and avoids the ones it is told are used', () => {
    expect(new Set(orders.map((o) => o.bestrx_unique_order_id)).size).toBe(orders.length);
    // A random source that first repeats a used id must draw again.
    const first = generateRealisticOrder(mulberry32(5), { today: TODAY });
    const again = generateRealisticOrder(mulberry32(5), { today: TODAY, usedUniqueOrderIds: new Set([Number(first.bestrx_unique_order_id)]) });
    expect(again.bestrx_unique_order_id).not.toBe(first.bestrx_unique_order_id);
  });

  it('produces orders RxRelay’s CreateOrder parser accepts, whose amounts add up', () => {
    for (const order of orders) {
      const parsed = parseCreateOrder(JSON.parse(JSON.stringify(order)));
      if (!parsed.ok) throw new Error(`order ${order.bestrx_unique_order_id} refused: ${JSON.stringify(parsed.problems)}`);
      const c = parsed.value.content;
      expect(c.total_amount_cents).toBe(c.prescription_amount_cents + c.otc_amount_cents + c.tax_amount_cents);
      expect(c.prescriptions.reduce((sum, p) => sum + (p.amount_due_cents ?? 0), 0)).toBe(c.prescription_amount_cents);
      expect(c.otc_items.reduce((sum, o) => sum + (o.amount_due_cents ?? 0), 0)).toBe(c.otc_amount_cents);
      expect(c.amount_to_collect_cents).toBeLessThanOrEqual(c.total_amount_cents);
      expect(c.prescriptions.length).toBeGreaterThanOrEqual(1);
      expect(c.prescriptions.length).toBeLessThanOrEqual(3);
      const customerIds = new Set(c.customers.map((cu) => cu.customer_unique_id));
      for (const item of [...c.prescriptions, ...c.otc_items]) expect(customerIds.has(item.customer_unique_id)).toBe(true);
      expect(order.store).toEqual(SEED_STORE);
    }
  });

  it('varies the way BestRx orders vary', () => {
    const share = (test: (o: CreateOrderBody) => boolean) => orders.filter(test).length / orders.length;
    const isTrue = (flag: unknown) => flag === true || flag === 'true';
    expect(share((o) => typeof o.signature_required === 'string')).toBeGreaterThan(0.3);
    expect(share((o) => typeof o.signature_required === 'boolean')).toBeGreaterThan(0.3);
    for (const flag of ['refrigeration_needed', 'signature_required', 'photo_id_required'] as const) {
      expect(share((o) => isTrue(o[flag]))).toBeGreaterThan(0.03);
      expect(share((o) => !isTrue(o[flag]))).toBeGreaterThan(0.3);
    }
    expect(share((o) => (o.otc_items ?? []).length > 0)).toBeGreaterThan(0.2);
    expect(share((o) => (o.otc_items ?? []).length === 0)).toBeGreaterThan(0.4);
    expect(share((o) => (o.consents ?? []).some((c) => c.consent_header === 'Enroll in Auto-Refills?'))).toBeGreaterThan(0.1);
    expect(share((o) => (o.consents ?? []).length === 0)).toBeGreaterThan(0.5);
    expect(new Set(orders.map((o) => (o.prescriptions ?? []).length))).toEqual(new Set([1, 2, 3]));
    expect(share((o) => Boolean(o.recipient.entity_name))).toBeGreaterThan(0.1);
    expect(share((o) => Boolean(o.recipient.address.address_line_2))).toBeGreaterThan(0.1);
    expect(share((o) => o.amount_to_collect === 0)).toBeGreaterThan(0.1);
    expect(share((o) => (o.prescriptions ?? []).some((p) => typeof p.rx_number === 'string'))).toBeGreaterThan(0.1);
    expect(new Set(orders.map((o) => o.recipient.address.zip_code)).size).toBeGreaterThanOrEqual(15);
  });

  it('dates orders around the given day', () => {
    for (const order of orders) {
      expect(['2026-11-21', '2026-11-22']).toContain(order.pickup_date);
      for (const p of order.prescriptions ?? []) expect(p.fill_date! <= '2026-11-21' && p.fill_date! >= '2026-11-18').toBe(true);
    }
  });
});

describe('demo addresses', () => {
  let zips: ZipDirectory;
  let validator: AddressValidator;
  beforeAll(async () => {
    zips = await loadZipDirectory();
    validator = createOfflineAddressValidator(zips);
  });

  it('has about twenty real places, each city/state/ZIP agreeing with the ZIP directory', () => {
    expect(DEMO_PLACES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(DEMO_PLACES.map((p) => p.address.zip_code)).size).toBe(DEMO_PLACES.length);
    for (const { address } of DEMO_PLACES) {
      expect(zips.lookup(address.zip_code), address.zip_code).toEqual({
        zip5: address.zip_code,
        city: normalizeCityName(address.city),
        state: address.state,
      });
    }
  });

  it('every generated recipient address passes the offline check without errors or warnings', async () => {
    for (const order of orders()) {
      const result = await validator.validate(order.recipient.address);
      const serious = result.findings.filter((f) => f.severity !== 'information');
      expect(serious, JSON.stringify(order.recipient.address)).toEqual([]);
      expect(result.suggestions).toHaveLength(1);
    }
  });

  function orders() {
    return generate(4242, 200);
  }
});
