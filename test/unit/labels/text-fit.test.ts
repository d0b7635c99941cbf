// Wrapping, shrinking and cutting text, and the small formatting rules every label output shares.
import { describe, expect, it } from 'vitest';
import {
  formatMoney,
  imageFormatForLabelFileType,
  labelFileTypeCode,
} from '../../../src-main/core/labels';
import { labelFont } from '../../../src-main/core/labels/label-font';
import { formatPhone, handlingFlags, packageDescription, printableText } from '../../../src-main/core/labels/label-order';
import { fitStack, fittedHeight } from '../../../src-main/core/labels/label-layout';
import { ellipsize, fitText, wrapText } from '../../../src-main/core/labels/text-fit';
import { DEFAULT_CODE_TABLES, type CodeTables } from '../../../src-main/core/domain/code-tables';
import { seedLabelOrder } from './label-test-orders';

/** One unit per character: easy to reason about in tests. */
const monospace = (text: string) => [...text].length;

describe('wrapText', () => {
  it('breaks at spaces, keeping every word', () => {
    expect(wrapText('aaa bbb ccc ddd', 7, monospace)).toEqual({ lines: ['aaa bbb', 'ccc ddd'], truncated: false });
  });

  it('splits a word longer than the line', () => {
    expect(wrapText('abcdefghij xy', 4, monospace).lines).toEqual(['abcd', 'efgh', 'ij', 'xy']);
  });

  it('cuts with an ellipsis after maxLines, within the width', () => {
    const wrapped = wrapText('aaa bbb ccc ddd eee', 7, monospace, 2);
    expect(wrapped.truncated).toBe(true);
    expect(wrapped.lines).toEqual(['aaa bbb', 'ccc dd…']);
    for (const line of wrapped.lines) expect(monospace(line)).toBeLessThanOrEqual(7);
  });

  it('does not split surrogate pairs', () => {
    expect(wrapText('😀😀😀', 2, monospace).lines).toEqual(['😀😀', '😀']);
  });
});

describe('ellipsize', () => {
  it('leaves text that fits and cuts text that does not', () => {
    expect(ellipsize('short', 10, monospace)).toBe('short');
    expect(ellipsize('a rather long line', 10, monospace)).toBe('a rather…');
  });
});

describe('fitText with the label font', () => {
  const bold = labelFont('bold');
  const measure = (text: string) => bold.measure(text, 1);

  it('keeps the preferred size when the text fits', () => {
    expect(fitText('Jane Doe', measure, { maxWidth: 500, maxLines: 1, sizePx: 40, minSizePx: 20 })).toMatchObject({ sizePx: 40, lines: ['Jane Doe'] });
  });

  it('shrinks before it cuts, and cuts only at the minimum size', () => {
    const text = 'Bloomingdale Community Compounding Pharmacy';
    const width = bold.measure(text, 30);
    const shrunk = fitText(text, measure, { maxWidth: width, maxLines: 1, sizePx: 40, minSizePx: 20 });
    expect(shrunk.truncated).toBe(false);
    expect(shrunk.sizePx).toBeLessThanOrEqual(30);
    expect(shrunk.sizePx).toBeGreaterThan(27);
    const cut = fitText(text, measure, { maxWidth: width / 3, maxLines: 1, sizePx: 40, minSizePx: 20 });
    expect(cut).toMatchObject({ sizePx: 20, truncated: true });
    expect(bold.measure(cut.lines[0] ?? '', 20)).toBeLessThanOrEqual(width / 3);
  });

  it('measures by the font’s advance widths: wider letters measure wider', () => {
    expect(bold.measure('WWWW', 10)).toBeGreaterThan(bold.measure('iiii', 10));
    expect(bold.measure('ab', 10)).toBeCloseTo(bold.measure('a', 10) + bold.measure('b', 10), 10);
  });
});

describe('fitStack', () => {
  const street = 'Attention Receiving Department Loading Dock Number 7 Behind The Blue Dumpster Next To The Gate';

  it('scales a stack down together until it fits the box', () => {
    const fields = [
      { text: 'Jane Doe', weight: 'bold' as const, sizePx: 60, minSizePx: 20, maxLines: 1 },
      { text: street, weight: 'bold' as const, sizePx: 40, minSizePx: 15, maxLines: 3 },
    ];
    const fitted = fitStack(fields, 600, 140);
    expect(fitted.reduce((sum, field) => sum + fittedHeight(field), 0)).toBeLessThanOrEqual(140);
    expect(fitted[0]!.sizePx).toBeLessThan(60);
    expect(fitted.flatMap((field) => field.lines).join(' ')).toBe(`Jane Doe ${street}`);
  });

  it('gives the fields of one group one size', () => {
    const fitted = fitStack(
      [
        { text: street, weight: 'bold', sizePx: 40, minSizePx: 15, maxLines: 3, group: 'street' },
        { text: 'Suite 100', weight: 'bold', sizePx: 40, minSizePx: 15, maxLines: 3, group: 'street' },
      ],
      600,
      1000,
    );
    expect(fitted[0]!.sizePx).toBe(fitted[1]!.sizePx);
  });

  it('when even the minimum sizes are too tall, drops trailing lines and ends with an ellipsis', () => {
    const fitted = fitStack([{ text: street.repeat(5), weight: 'regular', sizePx: 30, minSizePx: 20, maxLines: 20 }], 300, 100);
    expect(fitted.reduce((sum, field) => sum + fittedHeight(field), 0)).toBeLessThanOrEqual(100);
    expect(fitted[0]!.lines.at(-1)).toMatch(/…$/);
    expect(fitted[0]!.truncated).toBe(true);
  });
});

describe('label formatting', () => {
  it('money is $X.XX, rounded to the cent', () => {
    expect(formatMoney(97.83)).toBe('$97.83');
    expect(formatMoney(5)).toBe('$5.00');
    expect(formatMoney(0.1 + 0.2)).toBe('$0.30');
    expect(formatMoney(-3.5)).toBe('-$3.50');
  });

  it('US phone numbers are formatted, anything else is left as sent', () => {
    expect(formatPhone('6305551111')).toBe('(630) 555-1111');
    expect(formatPhone('1-630-555-1111')).toBe('(630) 555-1111');
    expect(formatPhone('45678946785')).toBe('45678946785');
    expect(formatPhone('+44 20 7946 0958')).toBe('+44 20 7946 0958');
  });

  it('flags come in one order, collection only when there is money to collect', () => {
    const order = seedLabelOrder();
    expect(handlingFlags(order)).toEqual(['SIGNATURE REQUIRED', 'COLLECT $97.83']);
    order.amount_to_collect = 0.004;
    expect(handlingFlags(order)).toEqual(['SIGNATURE REQUIRED']);
  });

  it('package description leaves out what BestRx did not send', () => {
    expect(packageDescription({ length: '3 in', width: '2 in', height: '2 in', weight: '8 oz' })).toBe('3 in × 2 in × 2 in, 8 oz');
    expect(packageDescription({ length: null, width: null, height: null, weight: '1 lb' })).toBe('1 lb');
    expect(packageDescription({ length: null, width: ' ', height: null, weight: null })).toBeNull();
  });

  it('printable text has no control, bidi-override or unpaired surrogate characters', () => {
    expect(printableText('a\r\nb\tc\u0007')).toBe('a b c');
    expect(printableText('evil\u202Egnp.exe')).toBe('evilgnp.exe');
    expect(printableText('x\uD800y')).toBe('xy');
    expect(printableText('Cafe\u0301')).toBe('Café');
    expect(printableText(null)).toBe('');
  });

  it('label_file_type codes follow the code table, including Settings overrides', () => {
    expect([labelFileTypeCode('png'), labelFileTypeCode('jpeg'), labelFileTypeCode('gif')]).toEqual([1, 2, 3]);
    expect(imageFormatForLabelFileType('3')).toBe('gif');
    expect(imageFormatForLabelFileType(9)).toBeUndefined();
    const overridden: CodeTables = { ...DEFAULT_CODE_TABLES, labelFileType: { png: 10, jpeg: 20, gif: 30 } };
    expect(labelFileTypeCode('jpeg', overridden)).toBe(20);
    expect(imageFormatForLabelFileType(10, overridden)).toBe('png');
  });
});
