// Identifiers RxRelay hands out. Both are random, never max(id)+1: they must not collide
// across restarts, restores or two databases, and a tracking id printed on a label must not
// let anyone guess another patient's tracking id. The database's UNIQUE constraints are the
// final word; the caller regenerates on the (astronomically rare) clash.
import { randomBytes, randomInt } from 'node:crypto';

/** Crockford base32: no I, L, O, U, so ids survive being read aloud or retyped. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export interface RandomSource {
  bytes(count: number): Buffer;
  int(maxExclusive: number): number;
}

export const cryptoRandom: RandomSource = {
  bytes: (count) => randomBytes(count),
  int: (maxExclusive) => randomInt(maxExclusive),
};

export interface OrderIdGenerator {
  providerOrderId(): string;
  trackingId(): string;
}

export function createOrderIdGenerator(random: RandomSource = cryptoRandom): OrderIdGenerator {
  return {
    /** `RXR-` + 10 Crockford characters (50 random bits), e.g. RXR-7K3M9QW2ZD. */
    providerOrderId() {
      const bytes = random.bytes(10);
      let id = 'RXR-';
      for (const byte of bytes) id += CROCKFORD[byte & 31];
      return id;
    },
    /** 16 digits: 15 random (~50 bits) and a Luhn check digit that catches a mistyped digit. */
    trackingId() {
      let digits = String(1 + random.int(9));
      for (let i = 0; i < 14; i++) digits += String(random.int(10));
      return digits + luhnCheckDigit(digits);
    },
  };
}

export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isValidTrackingId(value: string): boolean {
  return /^\d{16}$/.test(value) && luhnCheckDigit(value.slice(0, 15)) === value.slice(15);
}
