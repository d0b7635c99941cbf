// Golden files: the exact SVG and ZPL for fixed orders, so any change to the layout shows up as
// a failing diff that someone has to look at. To accept a deliberate change, regenerate them
//   UPDATE_GOLDEN=1 npx vitest run test/unit/labels/golden.test.ts
// then open the new SVGs (any browser draws them: glyphs are outlines) and commit them with
// the change that caused them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packingSlipSvg, shippingLabelSvg, shippingLabelZpl } from '../../../src-main/core/labels';
import { allFlagsOrder, longTextOrder, repoRoot, SEED_TRACKING_URL, seedLabelOrder } from './label-test-orders';

const goldenDir = join(repoRoot, 'test', 'fixtures', 'labels');
const updating = process.env.UPDATE_GOLDEN === '1';

function expectGolden(name: string, actual: string): void {
  const file = join(goldenDir, name);
  if (updating || !existsSync(file)) {
    writeFileSync(file, actual);
    if (!updating) throw new Error(`${name} did not exist and was written; check it, then run again`);
    return;
  }
  // A checkout that turned line ends into CRLF (git autocrlf on Windows) changes nothing that is drawn.
  const expected = readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  // One assertion with a short message: a diff of two 40 kB SVGs helps nobody.
  if (actual !== expected) {
    const at = [...actual].findIndex((char, i) => char !== expected[i]);
    expect.fail(
      `${name} changed at character ${at}: …${actual.slice(Math.max(0, at - 80), at + 80)}…\n` +
        'If the change is intended, run UPDATE_GOLDEN=1 npx vitest run test/unit/labels/golden.test.ts and review the new file.',
    );
  }
}

describe('golden labels (UPDATE_GOLDEN=1 to accept a deliberate change)', () => {
  it('shipping label, seed order, 203 dpi', () => {
    expectGolden('shipping-label-seed-203.svg', shippingLabelSvg(seedLabelOrder(), { trackingUrl: SEED_TRACKING_URL, dpi: 203 }));
  });

  it('shipping label, every flag, 300 dpi', () => {
    expectGolden('shipping-label-all-flags-300.svg', shippingLabelSvg(allFlagsOrder(), { trackingUrl: SEED_TRACKING_URL, dpi: 300 }));
  });

  it('shipping label, long names and addresses, 203 dpi', () => {
    expectGolden('shipping-label-long-text-203.svg', shippingLabelSvg(longTextOrder(), { trackingUrl: SEED_TRACKING_URL, dpi: 203 }));
  });

  it('packing slip, seed order, 203 dpi', () => {
    expectGolden('packing-slip-seed-203.svg', packingSlipSvg(seedLabelOrder(), { dpi: 203 }));
  });

  it('ZPL, seed order, 203 dpi', () => {
    expectGolden('shipping-label-seed-203.zpl', shippingLabelZpl(seedLabelOrder(), { trackingUrl: SEED_TRACKING_URL, dpi: 203 }));
  });
});
