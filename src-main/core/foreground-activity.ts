/**
 * Whether BestRx is waiting on RxRelay right now: a CreateOrder or CancelOrder being answered, or
 * one answered a moment ago (requests come in bursts, back to back on several connections).
 * Background work that can wait (a backlog of status pushes) gives way while it is busy, so the
 * counter's orders are answered as fast with a day's backlog draining as without one.
 */
export interface ForegroundSignal {
  /** Milliseconds since BestRx's last request was answered; 0 while one is being answered. */
  quietForMs(): number;
}

export class ForegroundActivity implements ForegroundSignal {
  private inFlight = 0;
  private lastAnsweredAt = Number.NEGATIVE_INFINITY;

  /** @param monotonicNow milliseconds from a monotonic clock (not the wall clock, which may jump) */
  constructor(private readonly monotonicNow: () => number = () => performance.now()) {}

  /** Runs `work` counted as foreground, however it ends. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
      this.lastAnsweredAt = this.monotonicNow();
    }
  }

  quietForMs(): number {
    if (this.inFlight > 0) return 0;
    return Math.max(0, this.monotonicNow() - this.lastAnsweredAt);
  }
}
