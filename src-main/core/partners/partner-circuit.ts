// Per-partner backoff and circuit breaker, so one partner that is down or rate limiting us
// neither gets hammered nor slows the others: every call to a partner asks `permit` first.
//
// - A 429 or 503 with Retry-After pauses the partner until then (their words win).
// - Consecutive transient failures (5xx, timeouts, 429s) open the circuit after FAILURES_TO_OPEN:
//   no calls for a cool-down that starts at 30 s and doubles up to 10 minutes, then one probe
//   (half open): success closes the circuit, failure opens it again for longer.
// - Authentication failures do not open the circuit (the partner is up; our credentials are
//   not) but pause for AUTH_PAUSE_MS, since retrying them sooner cannot work.
import type { Clock } from '../clock';

export const FAILURES_TO_OPEN = 5;
export const FIRST_COOL_DOWN_MS = 30_000;
export const MAX_COOL_DOWN_MS = 10 * 60_000;
export const AUTH_PAUSE_MS = 5 * 60_000;

export type CircuitState = 'closed' | 'open' | 'half_open';

export class PartnerCircuit {
  private consecutiveFailures = 0;
  private opened = 0;
  private blockedUntilMs = 0;
  private probing = false;

  constructor(private readonly clock: Clock) {}

  get state(): CircuitState {
    if (this.consecutiveFailures < FAILURES_TO_OPEN) return 'closed';
    return this.clock.now().getTime() < this.blockedUntilMs ? 'open' : 'half_open';
  }

  /** When calls may start again (undefined: now). */
  get blockedUntil(): Date | undefined {
    return this.blockedUntilMs > this.clock.now().getTime() ? new Date(this.blockedUntilMs) : undefined;
  }

  /** May a call be made now? In half-open state only one probe at a time is let through. */
  permit(): boolean {
    if (this.clock.now().getTime() < this.blockedUntilMs) return false;
    if (this.state === 'half_open') {
      if (this.probing) return false;
      this.probing = true;
    }
    return true;
  }

  succeeded(): void {
    this.consecutiveFailures = 0;
    this.opened = 0;
    this.probing = false;
    this.blockedUntilMs = 0;
  }

  failed(kind: 'transient' | 'auth', retryAfterMs?: number): void {
    const now = this.clock.now().getTime();
    this.probing = false;
    if (kind === 'auth') {
      this.blockedUntilMs = Math.max(this.blockedUntilMs, now + AUTH_PAUSE_MS);
      return;
    }
    this.consecutiveFailures += 1;
    let until = retryAfterMs !== undefined ? now + retryAfterMs : 0;
    if (this.consecutiveFailures >= FAILURES_TO_OPEN) {
      const coolDown = Math.min(MAX_COOL_DOWN_MS, FIRST_COOL_DOWN_MS * 2 ** this.opened);
      this.opened += 1;
      until = Math.max(until, now + coolDown);
    }
    this.blockedUntilMs = Math.max(this.blockedUntilMs, until);
  }

  /** Staff asked to try now. */
  reset(): void {
    this.succeeded();
  }
}
