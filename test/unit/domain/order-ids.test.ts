import { describe, expect, it } from 'vitest';
import { createOrderIdGenerator, createTimeOrderedUuidGenerator, isValidTrackingId, luhnCheckDigit } from '../../../src-main/core/domain/order-ids';
import { dollarsToCents } from '../../../src-main/core/domain/money';

describe('order ids', () => {
  const ids = createOrderIdGenerator();

  it('provider order ids are RXR-, 7 characters of time and 6 more Crockford base32 characters', () => {
    let now = Date.UTC(2026, 10, 21, 9, 0, 0);
    const timed = createOrderIdGenerator(undefined, () => now);
    const made: string[] = [];
    for (let i = 0; i < 2000; i++) {
      made.push(timed.providerOrderId());
      now += 1000;
    }
    for (const id of made) expect(id).toMatch(/^RXR-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{13}$/);
    expect(new Set(made).size).toBe(2000);
    // Later ids sort after earlier ones: the order tables grow at their end.
    expect([...made].sort()).toEqual(made);
  });

  it('counts up within a second and never goes back, even when the clock does', () => {
    let now = Date.UTC(2026, 10, 21);
    const generator = createOrderIdGenerator(undefined, () => now);
    const sameSecond = Array.from({ length: 200 }, () => generator.providerOrderId());
    expect(new Set(sameSecond.map((id) => id.slice(0, 11))).size).toBe(1);
    expect(new Set(sameSecond).size).toBe(200);
    expect([...sameSecond].sort()).toEqual(sameSecond);
    now -= 60_000; // the clock steps back a minute
    const afterStep = generator.providerOrderId();
    expect(afterStep > sameSecond.at(-1)!).toBe(true);
  });

  it('starts each second at a random point', () => {
    const starts = new Set<string>();
    for (let second = 0; second < 50; second++) {
      starts.add(createOrderIdGenerator(undefined, () => Date.UTC(2026, 10, 21) + second * 1000).providerOrderId().slice(11));
    }
    expect(starts.size).toBeGreaterThan(45);
  });

  it('event ids are version 7 UUIDs that sort in the order they were made', () => {
    const next = createTimeOrderedUuidGenerator();
    const t = Date.UTC(2026, 10, 21, 9, 0, 0);
    const made = [next(t), next(t), next(t), next(t + 1000), next(t + 500)];
    for (const id of made) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(5);
    expect(parseInt(made[0]!.replaceAll('-', '').slice(0, 12), 16)).toBe(t);
  });

  it('tracking ids are 16 digits with a Luhn check digit that catches a mistyped digit', () => {
    for (let i = 0; i < 1000; i++) {
      const id = ids.trackingId();
      expect(isValidTrackingId(id)).toBe(true);
      const digit = Number(id[7]);
      const mistyped = id.slice(0, 7) + String((digit + 1) % 10) + id.slice(8);
      expect(isValidTrackingId(mistyped)).toBe(false);
    }
    expect(luhnCheckDigit('7992739871')).toBe('3');
  });
});

describe('money', () => {
  it('converts dollars to exact cents and refuses fractions of a cent', () => {
    expect(dollarsToCents(97.83)).toBe(9783);
    expect(dollarsToCents(32.15 + 65.24)).toBe(9739);
    expect(dollarsToCents(0.1 + 0.2)).toBe(30);
    expect(dollarsToCents(1.005)).toBeUndefined();
    expect(dollarsToCents(0)).toBe(0);
  });
});
