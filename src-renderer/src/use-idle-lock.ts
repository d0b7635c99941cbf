// Watches the person at the screen (keys, which includes a USB scanner's "typing", the mouse,
// touch, scrolling) while someone is signed in, and locks the desk after `minutes` without any.
import { useEffect, useRef } from 'react';
import { IdleTimer } from './idle-timer';

const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart', 'scroll'] as const;
/** How often, at most, an active person's desk tells the core it is in use (and at least four
 * times within the idle minutes, so the core never sees a busy desk as idle). */
const ACTIVE_EVERY_MS = 60_000;

/** `minutes` undefined: nobody to lock (no accounts, or already locked or signed out). */
export function useIdleLock(minutes: number | undefined, onIdle: () => void, onActive: () => void): void {
  // The callbacks may change on every render; the timer keeps running.
  const callbacks = useRef({ onIdle, onActive });
  useEffect(() => {
    callbacks.current = { onIdle, onActive };
  });
  useEffect(() => {
    if (minutes === undefined) return;
    const timer = new IdleTimer({
      limitMs: minutes * 60_000,
      onIdle: () => callbacks.current.onIdle(),
      onActive: () => callbacks.current.onActive(),
      activeEveryMs: Math.min(ACTIVE_EVERY_MS, (minutes * 60_000) / 4),
      host: { now: () => Date.now(), setTimeout: (run, ms) => window.setTimeout(run, ms), clearTimeout: (handle) => window.clearTimeout(handle as number) },
    });
    const onActivity = () => timer.activity();
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, onActivity, { capture: true, passive: true });
    timer.start();
    return () => {
      timer.stop();
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, onActivity, { capture: true });
    };
  }, [minutes]);
}
