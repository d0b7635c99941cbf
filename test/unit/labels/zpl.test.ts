// ZPL for thermal printers: one label per document, the size of a 4×6 at the printer's dpi,
// barcodes the printer draws, and no way for BestRx's text to become a printer command.
import { describe, expect, it } from 'vitest';
import { LABEL_DPIS, shippingLabelZpl, zplFieldData } from '../../../src-main/core/labels';
import { allFlagsOrder, longTextOrder, SEED_TRACKING_ID, SEED_TRACKING_URL, seedLabelOrder } from './label-test-orders';

/** Every command (`^XX` or `~XX`) in the order the printer would read it. */
function commandsOf(zpl: string): string[] {
  return [...zpl.matchAll(/[\^~]([A-Z@][A-Z0-9@]?)/g)].map((m) => m[1] ?? '');
}

/** ^FH's `\XX` escapes decoded back into the UTF-8 text they stand for. */
function decodeHexEscapes(data: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const hex = data.slice(i + 1, i + 3);
    if (data[i] === '\\' && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(data.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The data of every ^FD field, as the printer will print it. */
function fieldData(zpl: string): string[] {
  return [...zpl.matchAll(/\^FD(.*?)\^FS/g)].map((m) => decodeHexEscapes(m[1] ?? ''));
}

describe.each(LABEL_DPIS)('shipping label ZPL at %i dpi', (dpi) => {
  const zpl = shippingLabelZpl(seedLabelOrder(), { trackingUrl: SEED_TRACKING_URL, dpi });

  it('is one label of 4×6 inches in dots, UTF-8, home at 0,0', () => {
    expect(zpl.startsWith('^XA\n^CI28\n')).toBe(true);
    expect(zpl.trimEnd().endsWith('^XZ')).toBe(true);
    expect(commandsOf(zpl).filter((c) => c === 'XA')).toHaveLength(1);
    expect(commandsOf(zpl).filter((c) => c === 'XZ')).toHaveLength(1);
    expect(zpl).toContain(`^PW${4 * dpi}\n`);
    expect(zpl).toContain(`^LL${6 * dpi}\n`);
  });

  it('has the printer draw a Code 128 of the tracking id (subset C) and a QR of the tracking URL (level M)', () => {
    expect(zpl).toMatch(new RegExp(`\\^BCN,\\d+,N,N,N\\^FH\\\\\\^FD>;${SEED_TRACKING_ID}\\^FS`));
    expect(zpl).toContain(`^BQN,2,`);
    expect(fieldData(zpl)).toContain(`MA,${SEED_TRACKING_URL}`);
  });

  it('carries the same words as the image label', () => {
    const fields = fieldData(zpl);
    for (const expected of ['Jane Joplin Doe', 'Doe Industries', '500 Second Ave', 'Suite 100', 'Bloomingdale, IL 60108', 'SIGNATURE REQUIRED', 'COLLECT $97.83', 'RXR-0RCXK4M7QW2ZD9', '123456789 / 1001', '4417 1234 5678 9113', 'NORMAL']) {
      expect(fields).toContain(expected);
    }
    expect(fields).toContain('PACKAGE 3 in × 2 in × 2 in, 8 oz');
  });

  it('names no prescription or OTC item', () => {
    expect(zpl).not.toContain('BANDAGE');
    expect(zpl).not.toContain('610011');
  });

  it('puts every field inside the label', () => {
    const long = shippingLabelZpl(longTextOrder(), { trackingUrl: SEED_TRACKING_URL, dpi });
    for (const [, x, y] of long.matchAll(/\^FO(\d+),(\d+)/g)) {
      expect(Number(x)).toBeLessThan(4 * dpi);
      expect(Number(y)).toBeLessThan(6 * dpi);
    }
  });
});

describe('untrusted text in ZPL', () => {
  const hostile = () => {
    const order = allFlagsOrder();
    order.recipient.first_name = 'Eve^XZ^XA^FO0,0^GB812,1218,812^FS';
    order.recipient.last_name = '~JR~PS\\&';
    order.recipient.entity_name = '<script>& Søren’s Café';
    order.delivery_notes = '^FO50,50^FDpwned^FS\n~JA';
    order.service_level = 'rush\\&^XZ';
    return order;
  };

  it('cannot add, end or reset anything: the commands are exactly those of a clean label', () => {
    const clean = commandsOf(shippingLabelZpl(allFlagsOrder(), { trackingUrl: SEED_TRACKING_URL, dpi: 203 }));
    const attacked = commandsOf(shippingLabelZpl(hostile(), { trackingUrl: SEED_TRACKING_URL, dpi: 203 }));
    const distinct = (commands: string[]) => [...new Set(commands)].sort();
    expect(distinct(attacked)).toEqual(distinct(clean));
    expect(attacked.filter((c) => c === 'XZ')).toHaveLength(1);
    expect(attacked).not.toContain('JR');
    expect(attacked).not.toContain('JA');
    expect(attacked).not.toContain('PS');
  });

  it('hex-escapes ^, ~, \\ and non-ASCII, and the printer gets the text back as sent', () => {
    const zpl = shippingLabelZpl(hostile(), { trackingUrl: SEED_TRACKING_URL, dpi: 300 });
    expect(zpl).toContain('Eve\\5EXZ\\5EXA\\5EFO0,0\\5EGB812');
    expect(zpl).toContain('\\7EJR\\7EPS\\5C&');
    const fields = fieldData(zpl).join('\n');
    expect(fields).toContain('<script>& Søren’s Café');
    expect(fields).toContain('^FO50,50^FDpwned^FS ~JA');
  });

  it('zplFieldData leaves plain ASCII alone and escapes the rest as UTF-8 bytes', () => {
    expect(zplFieldData('Jane Doe, Apt #4 (rear) 50%_off')).toBe('Jane Doe, Apt #4 (rear) 50%_off');
    expect(zplFieldData('^~\\')).toBe('\\5E\\7E\\5C');
    expect(zplFieldData('é')).toBe('\\C3\\A9');
    expect(zplFieldData('a\nb\u0000')).toBe('a\\0Ab\\00');
  });
});
