import { describe, expect, it } from 'vitest';
import { IdleTimer, type IdleTimerHost } from '../../../src-renderer/src/idle-timer';

/** A clock and timers the test moves by hand. */
function fakeHost() {
  let now = 1_000_000;
  let next = 1;
  const timers = new Map<number, { at: number; run: () => void }>();
  const host: IdleTimerHost = {
    now: () => now,
    setTimeout(run, ms) {
      const id = next++;
      timers.set(id, { at: now + ms, run });
      return id;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
  };
  /** Moves time on, firing each timer that falls due, in order. */
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].run();
    }
    now = end;
  };
  /** The PC slept: time passes, no timer runs. */
  const sleep = (ms: number) => (now += ms);
  return { host, advance, sleep, pending: () => timers.size };
}

const MINUTE = 60_000;

describe('the screen idle lock', () => {
  it('locks after the limit without activity, once', () => {
    const { host, advance, pending } = fakeHost();
    let locks = 0;
    const timer = new IdleTimer({ limitMs: 5 * MINUTE, onIdle: () => locks++, host });
    timer.start();
    advance(5 * MINUTE - 1);
    expect(locks).toBe(0);
    advance(1);
    expect(locks).toBe(1);
    advance(60 * MINUTE);
    expect(locks).toBe(1);
    expect(pending()).toBe(0);
  });

  it('counts from the last key, click or scan, with one timer at a time', () => {
    const { host, advance, pending } = fakeHost();
    let locks = 0;
    const timer = new IdleTimer({ limitMs: 5 * MINUTE, onIdle: () => locks++, host });
    timer.start();
    for (let i = 0; i < 8; i++) {
      advance(4 * MINUTE);
      timer.activity();
      expect(pending()).toBe(1);
    }
    expect(locks).toBe(0);
    expect(timer.remainingMs()).toBe(5 * MINUTE);
    advance(5 * MINUTE);
    expect(locks).toBe(1);
  });

  it('locks at once when the computer slept past the limit, even if a key comes first', () => {
    const { host, sleep } = fakeHost();
    let locks = 0;
    const timer = new IdleTimer({ limitMs: 2 * MINUTE, onIdle: () => locks++, host });
    timer.start();
    sleep(30 * MINUTE);
    timer.activity();
    expect(locks).toBe(1);
  });

  it('tells the core the desk is in use at most every interval while someone is active', () => {
    const { host, advance } = fakeHost();
    let active = 0;
    const timer = new IdleTimer({ limitMs: 5 * MINUTE, onIdle: () => undefined, onActive: () => active++, activeEveryMs: MINUTE, host });
    timer.start();
    for (let i = 0; i < 30; i++) {
      advance(10_000);
      timer.activity();
    }
    // 300 s of steady activity: one report per full minute.
    expect(active).toBe(5);
  });

  it('does nothing once stopped (signed out, or locked by hand)', () => {
    const { host, advance, pending } = fakeHost();
    let locks = 0;
    let active = 0;
    const timer = new IdleTimer({ limitMs: MINUTE, onIdle: () => locks++, onActive: () => active++, activeEveryMs: 1, host });
    timer.start();
    timer.stop();
    timer.activity();
    advance(10 * MINUTE);
    expect([locks, active, pending()]).toEqual([0, 0, 0]);
  });
});
