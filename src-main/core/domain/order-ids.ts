// Identifiers RxRelay hands out. None is max(id)+1: they must not collide across restarts,
// restores or two databases, and a tracking id printed on a label must not let anyone guess
// another patient's tracking id. The database's UNIQUE constraints are the final word; the
// caller regenerates on the (astronomically rare) clash.
//
// Provider order ids and event ids start with the time they were made. Every order's parts,
// events and indexes are keyed by them, so time-ordered keys make each new order an append at
// the end of those B-trees; fully random keys scattered every insert over the whole index and
// multiplied the pages each commit rewrites (measured: ~3x the CPU per CreateOrder).
import { randomBytes } from 'node:crypto';

/** Crockford base32: no I, L, O, U, so ids survive being read aloud or retyped. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export interface RandomSource {
  bytes(count: number): Buffer;
}

/** Crypto-strength bytes, drawn from the OS 4 KiB at a time: each order needs three small draws,
 * and one system call per draw showed up in the CreateOrder profile. Each byte is handed out once. */
function pooledCryptoRandom(): RandomSource {
  let pool = Buffer.alloc(0);
  let offset = 0;
  return {
    bytes(count) {
      if (offset + count > pool.length) {
        pool = randomBytes(Math.max(4096, count));
        offset = 0;
      }
      const bytes = pool.subarray(offset, offset + count);
      offset += count;
      return bytes;
    },
  };
}

export const cryptoRandom: RandomSource = pooledCryptoRandom();

export interface OrderIdGenerator {
  providerOrderId(): string;
  trackingId(): string;
}

/** Seconds are counted from here, so seven base32 characters last until the 3080s. */
const ID_EPOCH_MS = Date.UTC(2024, 0, 1);
const SUFFIX_SPACE = 32 ** 6;

function base32(value: number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    text = CROCKFORD[value % 32] + text;
    value = Math.floor(value / 32);
  }
  return text;
}

export function createOrderIdGenerator(random: RandomSource = cryptoRandom, nowMs: () => number = Date.now): OrderIdGenerator {
  let lastSecond = -1;
  let lastSuffix = 0;
  return {
    /**
     * `RXR-` + 7 Crockford characters of seconds since 2024 + a 6-character suffix, e.g.
     * RXR-0RCXK4M7QW2ZD9. The suffix starts at a random point each second and counts up within
     * it (as a monotonic ULID does), so ids sort by creation even within a second and each new
     * order lands at the end of every index keyed by its id. A clock that steps back does not
     * make ids go back. Provider ids are not secrets (every route that takes one needs BestRx's
     * credentials); the tracking id below is the one that must not be guessable.
     */
    providerOrderId() {
      const second = Math.max(lastSecond, Math.floor((nowMs() - ID_EPOCH_MS) / 1000));
      if (second === lastSecond && lastSuffix + 1 < SUFFIX_SPACE) {
        lastSuffix += 1;
      } else {
        const bytes = random.bytes(4);
        // A random start in the lower half leaves half a billion increments before the second ends.
        lastSuffix = bytes.readUInt32BE(0) % (SUFFIX_SPACE / 2);
        lastSecond = second === lastSecond ? second + 1 : second;
      }
      return `RXR-${base32(lastSecond, 7)}${base32(lastSuffix, 6)}`;
    },
    /** 16 digits: 15 random (~50 bits) and a Luhn check digit that catches a mistyped digit. */
    trackingId() {
      // One draw of random bytes, each reduced to a digit (the bias of byte % 10 is 1 in 26,
      // far below anything that would help guess a number from 10^15).
      const bytes = random.bytes(15);
      let digits = String(1 + ((bytes[0] ?? 0) % 9));
      for (let i = 1; i < 15; i++) digits += String((bytes[i] ?? 0) % 10);
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

/**
 * UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, 12 bits that count up within a
 * millisecond from a random start (the RFC's method 1), 62 random bits. Event ids from one
 * process therefore sort in the order they were made, which keeps the event id index appended
 * at its end.
 */
export function createTimeOrderedUuidGenerator(random: RandomSource = cryptoRandom): (nowMs: number) => string {
  let lastMs = -1;
  let counter = 0;
  return (nowMs) => {
    let ms = Math.max(lastMs, Math.floor(nowMs));
    const bytes = random.bytes(16);
    if (ms === lastMs && counter < 0xfff) counter += 1;
    else {
      if (ms === lastMs) ms += 1;
      counter = ((bytes[6] ?? 0) & 0x07) * 256 + (bytes[7] ?? 0); // random start in the lower half
    }
    lastMs = ms;
    let rest = ms;
    for (let i = 5; i >= 0; i--) {
      bytes[i] = rest % 256;
      rest = Math.floor(rest / 256);
    }
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
