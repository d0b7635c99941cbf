// The courier's run sheet, read back with PDF.js the way a viewer would: pages, text, order.
import { describe, expect, it } from 'vitest';
import { renderRunSheetPdf, type CourierRun } from '../../../src-main/core/labels';
import { readPdf } from '../../helpers/read-pdf';
import { allFlagsOrder, longTextOrder, seedLabelOrder } from './label-test-orders';


function stopsFor(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const order = i % 7 === 3 ? longTextOrder() : i % 2 === 1 ? allFlagsOrder() : seedLabelOrder();
    order.id = `RXR-STOP${String(i + 1).padStart(3, '0')}`;
    order.amount_to_collect = i % 3 === 2 ? 0 : 10 + i;
    return order;
  });
}

describe('run sheet PDF', () => {
  it('one stop: one letter page with the run header, the stop, its flags, amount, notes and a signature line', async () => {
    const run: CourierRun = { name: 'Morning run', courier: 'Sam Rivera', date: '2020-06-02', stops: [seedLabelOrder()] };
    const pages = await readPdf(await renderRunSheetPdf(run));
    expect(pages).toHaveLength(1);
    const [page] = pages;
    expect(page).toMatchObject({ width: 612, height: 792 });
    const text = page!.lines.join('\n');
    for (const expected of [
      'COURIER RUN SHEET',
      'Morning run',
      'Sam Rivera',
      '2020-06-02',
      'Total to collect',
      '$97.83',
      'Jane Joplin Doe — Doe Industries',
      '500 Second Ave, Suite 100, Bloomingdale, IL 60108',
      'Order RXR-0RCXK4M7QW2ZD9',
      'Tracking 4417 1234 5678 9113',
      'SIGNATURE REQUIRED',
      'COLLECT',
      'Consent to present: Enroll in Auto-Refills?',
      'Notes: Please leave on back porch if no one is home.',
      'Signature',
      'Printed name',
      'Page 1 of 1',
    ]) {
      expect(text).toContain(expected);
    }
    expect(page!.lines).toContain('Courier Date Stops Total to collect');
    expect(page!.lines).toContain('Sam Rivera 2020-06-02 1 $97.83');
  });

  it('25 stops: numbered pages, every stop once, in order, never split across a page break', async () => {
    const run: CourierRun = { name: 'Tuesday afternoon', courier: 'Sam Rivera', date: '2020-06-02', stops: stopsFor(25) };
    const pages = await readPdf(await renderRunSheetPdf(run));
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((page, index) => {
      expect(page.lines.filter((line) => line.endsWith(`Page ${index + 1} of ${pages.length}`))).toHaveLength(1);
    });

    // Each stop's order line and its signature line are on the same page, in stop order.
    const seen: string[] = [];
    for (const page of pages) {
      const orders = page.lines.flatMap((line) => /Order (RXR-STOP\d{3})/.exec(line)?.[1] ?? []);
      const signatures = page.lines.filter((line) => line.startsWith('Signature')).length;
      expect(signatures).toBe(orders.length);
      seen.push(...orders);
    }
    expect(seen).toEqual(run.stops.map((stop) => stop.id));

    // The header counts the stops and adds up what comes back.
    const total = run.stops.reduce((sum, stop) => sum + Math.round(stop.amount_to_collect * 100), 0);
    expect(pages[0]!.lines).toContain(`Sam Rivera 2020-06-02 25 $${(total / 100).toFixed(2)}`);
  });

  it('prints names outside Latin-1 as themselves (the font is embedded)', async () => {
    const order = seedLabelOrder();
    order.recipient.first_name = 'Łukasz';
    order.recipient.middle_name = null;
    order.recipient.last_name = 'Ørsted-Дмитриев';
    const pages = await readPdf(await renderRunSheetPdf({ name: 'Run', courier: 'C', date: '2020-06-02', stops: [order] }));
    expect(pages[0]!.lines.join('\n')).toContain('Łukasz Ørsted-Дмитриев');
  });

  it('an empty run still makes a page that says so', async () => {
    const pages = await readPdf(await renderRunSheetPdf({ name: 'Nothing today', courier: 'C', date: '2020-06-02', stops: [] }));
    expect(pages).toHaveLength(1);
    expect(pages[0]!.lines).toContain('No stops on this run.');
  });
});
