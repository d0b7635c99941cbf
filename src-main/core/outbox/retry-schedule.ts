// When to try a push again. Exponential backoff with full jitter (a random wait between zero
// and the exponential bound), so pushes that failed together (BestRx was down) do not all come
// back together: the first retry within about 2 s, the bound doubling each time up to one try
// an hour, a server's Retry-After honoured, and after about 72 hours the push is given up
// ("dead") where staff can see it, retry or skip it.
export interface RetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  firstDelayMs: 2_000,
  maxDelayMs: 60 * 60_000,
  giveUpAfterMs: 72 * 60 * 60_000,
};

/**
 * The moment of the next try after `attempts` failed tries, or undefined when the push's window
 * is over. The last try is placed at the end of the window rather than skipped.
 */
export function nextAttemptAt(input: {
  nowMs: number;
  windowStartedMs: number;
  attempts: number;
  retryAfterMs?: number | undefined;
  random: () => number;
  policy?: RetryPolicy;
}): number | undefined {
  const policy = input.policy ?? DEFAULT_RETRY_POLICY;
  const deadline = input.windowStartedMs + policy.giveUpAfterMs;
  if (input.nowMs >= deadline) return undefined;
  const bound = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, input.attempts - 1));
  const delay = Math.max(input.random() * bound, input.retryAfterMs ?? 0);
  return Math.min(input.nowMs + delay, deadline);
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
