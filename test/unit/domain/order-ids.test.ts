import { describe, expect, it } from 'vitest';
import { createOrderIdGenerator, isValidTrackingId, luhnCheckDigit } from '../../../src-main/core/domain/order-ids';
import { dollarsToCents } from '../../../src-main/core/domain/money';

describe('order ids', () => {
  const ids = createOrderIdGenerator();

  it('provider order ids are RXR- and 10 Crockford base32 characters, and do not repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = ids.providerOrderId();
      expect(id).toMatch(/^RXR-[0-9ABCDEFGHJKMNPQRSTVWXYZ]{10}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(5000);
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
