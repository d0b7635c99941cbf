// The packing slip ("manifesto"): what is in the bag and what is owed, 4 inches wide and as
// long as the order needs.
import { describe, expect, it } from 'vitest';
import { LABEL_DPIS, packingSlipSvg, renderPackingSlip } from '../../../src-main/core/labels';
import { longTextOrder, seedLabelOrder } from './label-test-orders';
import { darkPixelsNearEdge, readPng } from '../../helpers/read-image';
import { svgSize, svgText, svgTextRuns } from './svg-text';

describe('packing slip', () => {
  it('lists the customer, the Rx with its fill date and partial fill, the OTC item, amounts and the consent', () => {
    const words = svgText(packingSlipSvg(seedLabelOrder(), { dpi: 203 }));
    for (const expected of [
      'PACKING SLIP',
      'RXR-0RCXK4M7QW2ZD9',
      '123456789 / 1001',
      '4417 1234 5678 9113',
      'Jane Joplin Doe #111111',
      '123 Main St, Suite 10, Lombard, IL 60523',
      'Rx 610011',
      'Filled 2022-05-31 · Partial fill #1',
      '$10.00',
      'BANDAGE ELASTIC 6IN N LTX 3666',
      'OTC · UPC 616784366630 · Qty 1',
      '$25.26',
      'Items listed (2)',
      '$35.26',
      'Order total',
      'AMOUNT TO COLLECT',
      '$97.83',
      'CONSENT TO PRESENT',
      'Enroll in Auto-Refills?',
      'no',
      'Please leave on back porch if no one is home.',
      'SIGNATURE REQUIRED',
    ]) {
      expect(words.split('\n')).toContain(expected);
    }
  });

  it.each(LABEL_DPIS)('is 4 inches wide and at least 6 inches tall at %i dpi', async (dpi) => {
    const image = readPng(await renderPackingSlip(seedLabelOrder(), { dpi, format: 'png' }));
    expect(image.width).toBe(4 * dpi);
    expect(image.height).toBeGreaterThanOrEqual(6 * dpi);
    expect(image.dpi).toBe(dpi);
  });

  it('grows with the order instead of cutting it, and keeps text inside its margins', async () => {
    const order = seedLabelOrder();
    order.prescriptions = Array.from({ length: 30 }, (_, i) => ({
      customer_unique_id: 111111,
      rx_number: String(620000 + i),
      fill_date: '2022-06-01',
      amount_due: 1.5,
      partial_fill_seqno: null,
    }));
    const svg = packingSlipSvg(order, { dpi: 203 });
    const { width, height } = svgSize(svg);
    expect(height).toBeGreaterThan(6 * 203);
    const lines = svgText(svg).split('\n');
    for (let i = 0; i < 30; i++) expect(lines).toContain(`Rx ${620000 + i}`);
    expect(lines).toContain('Items listed (31)');
    expect(lines).toContain('$70.26'); // 30 × $1.50 + the OTC item's $25.26
    for (const run of svgTextRuns(svg)) {
      expect(run.left, run.text).toBeGreaterThanOrEqual(0.12 * 203 - 0.5);
      expect(run.right, run.text).toBeLessThanOrEqual(width - 0.12 * 203 + 0.5);
      expect(run.baseline, run.text).toBeLessThan(height);
    }
    const image = readPng(await renderPackingSlip(longTextOrder(), { dpi: 300, format: 'png' }));
    expect(darkPixelsNearEdge(image, 30)).toBe(0);
  });

  it('puts items of no known customer under "Other items" rather than dropping them', () => {
    const order = seedLabelOrder();
    order.otc_items.push({ customer_unique_id: 999, upc: '0001', item_description: 'GAUZE PADS', quantity: 2, amount_due: null });
    const lines = svgText(packingSlipSvg(order, { dpi: 203 })).split('\n');
    expect(lines).toContain('Other items');
    expect(lines).toContain('GAUZE PADS');
    expect(lines).toContain('OTC · UPC 0001 · Qty 2');
    expect(lines).toContain('—');
  });

  it('escapes what BestRx sent', () => {
    const order = seedLabelOrder();
    order.otc_items[0]!.item_description = '<b>BOLD</b> & "CO"';
    const svg = packingSlipSvg(order, { dpi: 203 });
    expect(svg).not.toContain('<b>');
    expect(svgText(svg).split('\n')).toContain('<b>BOLD</b> & "CO"');
  });
});
