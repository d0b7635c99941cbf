// Staff PINs and passwords, kept only as scrypt hashes (a slow, memory-hard KDF: a stolen
// database gives an attacker a few guesses per second per core, not billions). The stored form
// names its parameters, so they can be raised later without breaking existing hashes.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** N = 2^15, r = 8, p = 1: ~32 MiB and ~50–100 ms per check on a pharmacy PC (OWASP's scrypt floor is N = 2^17 with p = 1 at r = 8 for servers; a desk app checks one PIN at a time). */
const DEFAULTS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, options: { N: number; r: number; p: number }): Promise<Buffer> {
  const scryptOptions: ScryptOptions = { ...options, maxmem: 128 * options.N * options.r * 2 };
  return new Promise((resolve, reject) => scrypt(secret.normalize('NFKC'), salt, KEY_LENGTH, scryptOptions, (error, key) => (error ? reject(error) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64url salt and hash). */
export async function hashSecret(secret: string, options: { N: number; r: number; p: number } = DEFAULTS): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, options);
  return ['scrypt', options.N, options.r, options.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(secret, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** What a PIN or password must be, in plain words; empty when it is acceptable. */
export function secretProblems(kind: 'pin' | 'password', secret: string): string[] {
  if (kind === 'pin') {
    if (!/^\d{6,12}$/.test(secret)) return ['secret: a PIN is 6 to 12 digits.'];
    if (/^(\d)\1+$/.test(secret) || '01234567890123456789'.includes(secret) || '98765432109876543210'.includes(secret)) {
      return ['secret: that PIN is too easy to guess (repeated or consecutive digits).'];
    }
    return [];
  }
  if (secret.length < 10) return ['secret: a password has at least 10 characters.'];
  if (secret.length > 200) return ['secret: a password has at most 200 characters.'];
  return [];
}
