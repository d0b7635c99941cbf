// A USB barcode scanner in keyboard-wedge mode "types" what it reads, far faster than a person,
// and ends with Enter. Outside text fields, such a burst is taken as a scan; inside one, the
// field gets the text as usual (the search box then finds the order by what was scanned).
import { useEffect } from 'react';

/** Scanners type a character every few ms; people rarely under 50 ms for long. */
const MAX_GAP_MS = 50;
const MIN_LENGTH = 6;

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function useBarcodeScanner(onScan: (code: string) => void): void {
  useEffect(() => {
    let buffer = '';
    let last = 0;
    const onKeyDown = (event: KeyboardEvent) => {
      if (isEditable(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      const now = performance.now();
      if (now - last > MAX_GAP_MS) buffer = '';
      last = now;
      if (event.key === 'Enter') {
        if (buffer.length >= MIN_LENGTH) {
          event.preventDefault();
          onScan(buffer);
        }
        buffer = '';
      } else if (event.key.length === 1) {
        buffer += event.key;
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [onScan]);
}
