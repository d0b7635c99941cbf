// The screen's own idle lock: after `limitMs` without a key, a click, a scroll or a scan, the
// renderer locks the desk so patient data leaves the screen at once (the core locks the desk too,
// but only notices at the next call). One timer at a time: activity only notes the moment, and
// the timer, when it fires, waits out whatever is left.
//
// The core counts calls, not people: someone reading an order for a while makes none, so while
// there is activity `onActive` is called (at most every `activeEveryMs`) to tell the core the
// desk is in use.

export interface IdleTimerHost {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface IdleTimerOptions {
  limitMs: number;
  onIdle: () => void;
  onActive?: () => void;
  activeEveryMs?: number;
  host: IdleTimerHost;
}

export class IdleTimer {
  private lastActivity = 0;
  private lastActiveReport = 0;
  private timer: unknown;
  private running = false;

  constructor(private readonly options: IdleTimerOptions) {}

  start(): void {
    this.stop();
    this.running = true;
    this.lastActivity = this.lastActiveReport = this.options.host.now();
    this.schedule(this.options.limitMs);
  }

  /** A key, click, scroll or scan. */
  activity(): void {
    if (!this.running) return;
    const now = this.options.host.now();
    // A timer that slept through its moment (the PC slept) locks before taking new activity.
    if (now - this.lastActivity >= this.options.limitMs) return this.check();
    this.lastActivity = now;
    const every = this.options.activeEveryMs;
    if (this.options.onActive && every !== undefined && now - this.lastActiveReport >= every) {
      this.lastActiveReport = now;
      this.options.onActive();
    }
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.options.host.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Milliseconds until the desk locks if nothing happens (0: due now). */
  remainingMs(): number {
    return Math.max(0, this.lastActivity + this.options.limitMs - this.options.host.now());
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined) this.options.host.clearTimeout(this.timer);
    this.timer = this.options.host.setTimeout(() => {
      this.timer = undefined;
      this.check();
    }, ms);
  }

  private check(): void {
    if (!this.running) return;
    const left = this.remainingMs();
    if (left > 0) return this.schedule(left);
    this.stop();
    this.options.onIdle();
  }
}
