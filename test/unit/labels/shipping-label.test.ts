// The shipping label as a courier, a scanner and a printer meet it: the right size at each dpi,
// barcodes that decode to the tracking id and URL, flags that show, nothing inside the bag
// named outside it, and untrusted text that neither escapes the SVG nor the label's edge.
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { LABEL_DPIS, renderShippingLabel, shippingLabelSvg, type LabelDpi } from '../../../src-main/core/labels';
import { allFlagsOrder, longTextOrder, SEED_TRACKING_ID, SEED_TRACKING_URL, seedLabelOrder } from './label-test-orders';
import { darkPixelsNearEdge, greyLevels, readCode128, readJpeg, readPng, readQr } from '../../helpers/read-image';
import { svgSize, svgText, svgTextRuns } from './svg-text';

const EXPECTED_PIXELS: Record<LabelDpi, { width: number; height: number }> = {
  203: { width: 812, height: 1218 },
  300: { width: 1200, height: 1800 },
};

describe.each(LABEL_DPIS)('shipping label PNG at %i dpi', (dpi) => {
  it('is 4×6 inches in pixels, records its dpi, and is pure black and white', async () => {
    const image = readPng(await renderShippingLabel(seedLabelOrder(), { trackingUrl: SEED_TRACKING_URL, dpi, format: 'png' }));
    expect({ width: image.width, height: image.height }).toEqual(EXPECTED_PIXELS[dpi]);
    expect(image.dpi).toBe(dpi);
    expect([...greyLevels(image)].sort((a, b) => a - b)).toEqual([0, 255]);
  });

  it('has a Code 128 that scans as the tracking id and a QR that scans as the tracking URL', async () => {
    const image = readPng(await renderShippingLabel(seedLabelOrder(), { trackingUrl: SEED_TRACKING_URL, dpi, format: 'png' }));
    expect(readCode128(image)).toBe(SEED_TRACKING_ID);
    expect(readQr(image)).toBe(SEED_TRACKING_URL);
  });

  it('keeps long names and addresses off the label edge', async () => {
    const image = readPng(await renderShippingLabel(longTextOrder(), { trackingUrl: SEED_TRACKING_URL, dpi, format: 'png' }));
    // The layout margin is 0.12 in; nothing may be drawn in the outer 0.1 in.
    expect(darkPixelsNearEdge(image, Math.round(dpi * 0.1))).toBe(0);
    // And the barcodes still read with the label full of text.
    expect(readCode128(image)).toBe(SEED_TRACKING_ID);
  });
});

describe('shipping label in other formats', () => {
  it('JPEG: a JFIF file of the same size and dpi whose barcode still scans', async () => {
    const file = await renderShippingLabel(seedLabelOrder(), { trackingUrl: SEED_TRACKING_URL, dpi: 203, format: 'jpeg' });
    expect(file.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(file.toString('latin1', 6, 11)).toBe('JFIF\0');
    expect(file[13]).toBe(1); // density in dots per inch
    expect(file.readUInt16BE(14)).toBe(203);
    const image = readJpeg(file);
    expect({ width: image.width, height: image.height }).toEqual(EXPECTED_PIXELS[203]);
    expect(readCode128(image)).toBe(SEED_TRACKING_ID);
  });

  it('GIF: a GIF89a of the label size with a two-colour palette', async () => {
    const file = await renderShippingLabel(seedLabelOrder(), { trackingUrl: SEED_TRACKING_URL, dpi: 300, format: 'gif' });
    expect(file.toString('latin1', 0, 6)).toBe('GIF89a');
    expect({ width: file.readUInt16LE(6), height: file.readUInt16LE(8) }).toEqual(EXPECTED_PIXELS[300]);
    const globalColourTableBits = (file[10] ?? 0) & 0x07;
    expect(2 ** (globalColourTableBits + 1)).toBe(2);
    expect(file[file.length - 1]).toBe(0x3b); // trailer
  });
});

describe('what the label says', () => {
  const text = (order = seedLabelOrder(), dpi: LabelDpi = 203) => svgText(shippingLabelSvg(order, { trackingUrl: SEED_TRACKING_URL, dpi }));

  it('shows ship-from, ship-to, both order ids, service level, dates and package', () => {
    const words = text();
    for (const expected of [
      'BestRx Pharmacy',
      '2625 Butterfield Rd',
      'Oak Brook, IL 60523',
      'Jane Joplin Doe',
      'Doe Industries',
      '500 Second Ave',
      'Suite 100',
      'Bloomingdale, IL 60108',
      'RXR-0RCXK4M7QW2ZD9',
      '123456789 / 1001',
      'NORMAL',
      '2020-05-31',
      '2020-06-02',
      '3 in × 2 in × 2 in, 8 oz',
      '4417 1234 5678 9113',
      'Please leave on back porch if no one is home.',
    ]) {
      expect(words).toContain(expected);
    }
  });

  it('prints the partner, not BestRx ids of 0, on an order a partner made itself', () => {
    const words = text({ ...seedLabelOrder(), origin: 'honeybee', bestrx_order_id: 0, bestrx_unique_order_id: 0 });
    expect(words).toContain('FROM');
    expect(words).toContain('Honeybee Health');
    expect(words).not.toContain('0 / 0');
    expect(words).not.toContain('BESTRX ORDER');
  });

  it('shows the seed’s flags in inverted boxes: signature required and the amount to collect', () => {
    const runs = svgTextRuns(shippingLabelSvg(seedLabelOrder(), { trackingUrl: SEED_TRACKING_URL, dpi: 203 }));
    const flags = runs.filter((run) => run.fill === '#fff').map((run) => run.text);
    expect(flags).toEqual(['NORMAL', 'SIGNATURE REQUIRED', 'COLLECT $97.83']);
  });

  it('shows every flag when every flag is up', () => {
    const runs = svgTextRuns(shippingLabelSvg(allFlagsOrder(), { trackingUrl: SEED_TRACKING_URL, dpi: 300 }));
    expect(runs.filter((run) => run.fill === '#fff').map((run) => run.text)).toEqual([
      'NORMAL',
      'REFRIGERATE',
      'SIGNATURE REQUIRED',
      'PHOTO ID REQUIRED',
      'COLLECT $97.83',
    ]);
  });

  it('says so when the courier has nothing to check or collect', () => {
    const order = seedLabelOrder();
    order.flags.signature_required = false;
    order.amount_to_collect = 0;
    expect(text(order)).toContain('NO SIGNATURE, ID OR PAYMENT NEEDED');
    expect(text(order)).not.toContain('COLLECT');
  });

  it('names no prescription or OTC item (minimum necessary)', () => {
    const order = seedLabelOrder();
    const svg = shippingLabelSvg(order, { trackingUrl: SEED_TRACKING_URL, dpi: 203 });
    expect(svg).not.toContain('BANDAGE');
    expect(svg).not.toContain('616784366630');
    expect(svg).not.toContain('610011');
    expect(svg).not.toMatch(/auto-refill/i);
  });

  it('prints money as $X.XX, rounded to the cent', () => {
    const order = seedLabelOrder();
    order.amount_to_collect = 5;
    expect(text(order)).toContain('COLLECT $5.00');
    order.amount_to_collect = 0.1 + 0.2;
    expect(text(order)).toContain('COLLECT $0.30');
  });

  it('is the same SVG every time for the same order', () => {
    const render = () => shippingLabelSvg(allFlagsOrder(), { trackingUrl: SEED_TRACKING_URL, dpi: 300 });
    expect(render()).toBe(render());
  });
});

describe('long text wraps, shrinks or is cut, never overflows', () => {
  it.each(LABEL_DPIS)('every text run at %i dpi lies between the margins', (dpi) => {
    const svg = shippingLabelSvg(longTextOrder(), { trackingUrl: SEED_TRACKING_URL, dpi });
    const { width, height } = svgSize(svg);
    const margin = dpi * 0.12;
    for (const run of svgTextRuns(svg)) {
      expect(run.left, run.text).toBeGreaterThanOrEqual(margin - 0.5);
      expect(run.right, run.text).toBeLessThanOrEqual(width - margin + 0.5);
      expect(run.baseline, run.text).toBeLessThanOrEqual(height - margin);
    }
  });

  it('wraps a 120-character address line instead of cutting it', () => {
    const order = seedLabelOrder();
    const street = '12345 North Extraordinarily Long Boulevard Of The Grand Republic Between Fifth And Sixth Avenue Building C Entrance 4 NW';
    expect(street).toHaveLength(120);
    order.recipient.address.address_line_1 = street;
    const words = svgTextRuns(shippingLabelSvg(order, { trackingUrl: SEED_TRACKING_URL, dpi: 203 })).map((run) => run.text);
    const streetLines = words.filter((line) => street.includes(line));
    expect(streetLines.length).toBeGreaterThan(1);
    expect(streetLines.join(' ')).toBe(street);
  });

  it('shrinks an 80-character entity name onto at most two lines', () => {
    const order = seedLabelOrder();
    const entity = 'Northwestern Suburban Cooperative Assisted Living and Memory Care Residences LLC';
    expect(entity).toHaveLength(80);
    order.recipient.entity_name = entity;
    const runs = svgTextRuns(shippingLabelSvg(order, { trackingUrl: SEED_TRACKING_URL, dpi: 203 }));
    const entityRuns = runs.filter((run) => entity.includes(run.text.replace(/…$/, '')) && run.text.length > 3);
    expect(entityRuns.length).toBeGreaterThanOrEqual(1);
    expect(entityRuns.length).toBeLessThanOrEqual(2);
    expect(entityRuns.map((run) => run.text).join(' ')).toBe(entity);
  });

  it('keeps the state and ZIP when a city is too long, cutting the city instead', () => {
    const words = svgText(shippingLabelSvg(longTextOrder(), { trackingUrl: SEED_TRACKING_URL, dpi: 203 }));
    expect(words).toMatch(/Rancho Santa Margarita.*…, IL 60108/);
  });
});

describe('untrusted text in the SVG', () => {
  const hostile = () => {
    const order = seedLabelOrder();
    order.recipient.first_name = '<script>alert("x")</script>';
    order.recipient.middle_name = null;
    order.recipient.last_name = 'Smith & Sons ^FO50,50^FDpwned^FS ~JR';
    order.recipient.entity_name = `"quoted" 'single' ]]> <!-- comment -->`;
    order.delivery_notes = 'line one\nline two\u0000\u202Ereversed';
    return order;
  };

  it('is escaped: the SVG stays well-formed and carries no markup from the order', () => {
    const svg = shippingLabelSvg(hostile(), { trackingUrl: SEED_TRACKING_URL, dpi: 203 });
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<!-- comment');
    expect(svg).toContain('&#60;script&#62;');
    expect(svg).toContain('Smith &#38;');
    // resvg refuses malformed XML; this renders.
    expect(() => new Resvg(svg, { font: { loadSystemFonts: false } }).render()).not.toThrow();
  });

  it('reads back as the text that was sent, control and bidi-override characters aside', () => {
    const words = svgText(shippingLabelSvg(hostile(), { trackingUrl: SEED_TRACKING_URL, dpi: 300 })).replace(/\n/g, ' ');
    expect(words).toContain('<script>alert("x")</script> Smith & Sons ^FO50,50^FDpwned^FS ~JR');
    expect(words).toContain(`"quoted" 'single' ]]> <!-- comment -->`);
    expect(words).toContain('line one line two reversed');
  });
});
