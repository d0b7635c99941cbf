import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, nextAttemptAt, parseRetryAfter } from '../../../src-main/core/outbox/retry-schedule';

const start = Date.UTC(2026, 10, 21, 9);

describe('retry schedule', () => {
  it('starts within about 2 s and doubles the bound with full jitter up to an hour', () => {
    const bound = (attempts: number) => nextAttemptAt({ nowMs: start, windowStartedMs: start, attempts, random: () => 1 })! - start;
    expect([1, 2, 3, 4, 5].map(bound)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000]);
    expect(bound(12)).toBe(60 * 60_000);
    expect(bound(40)).toBe(60 * 60_000);
    expect(nextAttemptAt({ nowMs: start, windowStartedMs: start, attempts: 5, random: () => 0 })).toBe(start);
    expect(nextAttemptAt({ nowMs: start, windowStartedMs: start, attempts: 5, random: () => 0.25 })).toBe(start + 8_000);
  });

  it('honours Retry-After even when the jittered wait is shorter', () => {
    expect(nextAttemptAt({ nowMs: start, windowStartedMs: start, attempts: 1, retryAfterMs: 120_000, random: () => 0.5 })).toBe(start + 120_000);
  });

  it('gives up after about 72 hours, with a last try at the end of the window', () => {
    const windowEnd = start + DEFAULT_RETRY_POLICY.giveUpAfterMs;
    expect(nextAttemptAt({ nowMs: windowEnd - 1_000, windowStartedMs: start, attempts: 50, random: () => 1 })).toBe(windowEnd);
    expect(nextAttemptAt({ nowMs: windowEnd, windowStartedMs: start, attempts: 51, random: () => 1 })).toBeUndefined();
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('120', start)).toBe(120_000);
    expect(parseRetryAfter(new Date(start + 30_000).toUTCString(), start)).toBe(30_000);
    expect(parseRetryAfter('soon', start)).toBeUndefined();
    expect(parseRetryAfter(undefined, start)).toBeUndefined();
  });
});
