// Comparing a presented secret (a password, a bearer token) with the expected one without
// letting response timing leak how much of it was right: both are hashed to the same length
// and compared with timingSafeEqual. The expected side is hashed once, not on every request.
import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function secretMatcher(expected: string): (presented: string) => boolean {
  const expectedDigest = sha256(expected);
  return (presented) => timingSafeEqual(sha256(presented), expectedDigest) && expected.length > 0;
}
