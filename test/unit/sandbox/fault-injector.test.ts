// Which fault the simulator plays on which push: `next` rules are used up one push at a time,
// `always` rules stay until cleared, `forOrder` narrows a rule to one order.
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, FaultInjector, InvalidFaultError, parseFaultRule } from '../../../src-main/core/sandbox/bestrx/fault-injector';

describe('FaultInjector', () => {
  it('answers normally when no fault is set', () => {
    expect(new FaultInjector().take('RXR-1')).toBeUndefined();
  });

  it('plays a next fault once by default, then forgets it', () => {
    const faults = new FaultInjector();
    faults.next({ kind: 'http-500' });
    expect(faults.take('RXR-1')).toEqual({ kind: 'http-500' });
    expect(faults.take('RXR-1')).toBeUndefined();
    expect(faults.list()).toEqual([]);
  });

  it('plays a next fault `times` times, then the next queued one, in order', () => {
    const faults = new FaultInjector();
    faults.next({ kind: 'http-429', retryAfterSeconds: 3, times: 2 });
    faults.next({ kind: 'slow', delayMs: 50 });
    expect(faults.list()).toEqual([
      { kind: 'http-429', retryAfterSeconds: 3, mode: 'next', remaining: 2, forOrder: null },
      { kind: 'slow', delayMs: 50, mode: 'next', remaining: 1, forOrder: null },
    ]);
    expect([faults.take('A'), faults.take('B'), faults.take('C'), faults.take('D')]).toEqual([
      { kind: 'http-429', retryAfterSeconds: 3 },
      { kind: 'http-429', retryAfterSeconds: 3 },
      { kind: 'slow', delayMs: 50 },
      undefined,
    ]);
  });

  it('plays a forOrder fault only on that order’s pushes, leaving others untouched', () => {
    const faults = new FaultInjector();
    faults.next({ kind: 'drop', forOrder: 'RXR-2' });
    expect(faults.take('RXR-1')).toBeUndefined();
    expect(faults.take(null)).toBeUndefined();
    expect(faults.take('RXR-2')).toEqual({ kind: 'drop' });
    expect(faults.take('RXR-2')).toBeUndefined();
  });

  it('plays an always fault on every matching push until cleared; a next fault goes first', () => {
    const faults = new FaultInjector();
    faults.always({ kind: 'not-updated', times: 1 }); // times means nothing to an always rule
    faults.next({ kind: 'http-400' });
    expect(faults.take('A')).toEqual({ kind: 'http-400' });
    for (let i = 0; i < 5; i++) expect(faults.take('A')).toEqual({ kind: 'not-updated' });
    faults.clear();
    expect(faults.take('A')).toBeUndefined();
  });

  it('refuses rules it does not know or cannot play', () => {
    const faults = new FaultInjector();
    expect(() => faults.next({ kind: 'explode' } as never)).toThrow(InvalidFaultError);
    expect(() => faults.next({ kind: 'http-429' } as never)).toThrow(/retryAfterSeconds/);
    expect(() => faults.next({ kind: 'slow', delayMs: -1 })).toThrow(InvalidFaultError);
    expect(() => faults.next({ kind: 'http-500', times: 0 })).toThrow(/times/);
    expect(() => parseFaultRule({ kind: 'http-500', colour: 'red' })).toThrow(/colour|Unrecognized/);
    expect(faults.list()).toEqual([]);
  });

  it('knows every kind the simulator plays', () => {
    expect([...FAULT_KINDS].sort()).toEqual(['drop', 'error-message', 'http-400', 'http-429', 'http-500', 'http-503', 'not-updated', 'slow']);
  });
});
