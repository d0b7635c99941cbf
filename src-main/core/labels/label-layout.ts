// Units and text placement shared by the shipping label and the packing slip: layouts are written
// in inches and points, and turned into printer dots for the dpi being rendered, so one layout
// gives a 203 dpi and a 300 dpi image of the same physical size.
import { labelFont, type LabelFontWeight } from './label-font';
import { ellipsize, fitText, type FittedText } from './text-fit';

export interface DotGrid {
  dpi: number;
  /** Inches → dots, rounded to a whole dot so rules and boxes have crisp edges. */
  inch(inches: number): number;
  /** Points (1/72 in) → dots, unrounded: font sizes may be fractional. */
  pt(points: number): number;
}

export function dotGrid(dpi: number): DotGrid {
  return {
    dpi,
    inch: (inches) => Math.round(inches * dpi),
    pt: (points) => (points * dpi) / 72,
  };
}

/** A line of text takes this many times its size; its baseline sits BASELINE_DROP × size below the line's top. */
export const LINE_HEIGHT = 1.17;
export const BASELINE_DROP = 0.93;

export interface FieldSpec {
  text: string;
  weight: LabelFontWeight;
  /** Preferred size in px. */
  sizePx: number;
  /** Smallest size in px before the text is cut with an ellipsis. */
  minSizePx: number;
  maxLines: number;
  /** Extra space above the field, in px. */
  gapBeforePx?: number;
  /** Fields of one group are drawn at one size (the smallest any of them needed): address lines, say. */
  group?: string;
}

export interface FittedField extends FittedText {
  weight: LabelFontWeight;
  gapBeforePx: number;
}

export function fittedHeight(field: Pick<FittedField, 'lines' | 'sizePx' | 'gapBeforePx'>): number {
  return field.gapBeforePx + field.lines.length * field.sizePx * LINE_HEIGHT;
}

/**
 * Fits a stack of fields (a name, an address…) into a box: each field first wraps and shrinks on
 * its own (to its maxLines and minimum size); if the stack is still too tall, every preferred size
 * is scaled down together, so one long line does not leave the rest at full size overlapping it.
 */
export function fitStack(fields: FieldSpec[], maxWidth: number, maxHeight: number): FittedField[] {
  const present = fields.filter((field) => field.text);
  let fitted: FittedField[] = [];
  for (let scale = 1; scale >= 0.4; scale -= 0.04) {
    fitted = present.map((field) => fitField(field, maxWidth, scale));
    // A group is drawn at the size its longest member needed; its other members are re-wrapped at that size.
    for (const [index, field] of present.entries()) {
      if (!field.group) continue;
      const groupSize = Math.min(...present.flatMap((other, i) => (other.group === field.group ? [fitted[i]?.sizePx ?? Infinity] : [])));
      const current = fitted[index];
      if (current && groupSize < current.sizePx) {
        fitted[index] = { ...fitField({ ...field, sizePx: groupSize, minSizePx: groupSize }, maxWidth, 1), gapBeforePx: current.gapBeforePx };
      }
    }
    if (fitted.reduce((sum, field) => sum + fittedHeight(field), 0) <= maxHeight) return fitted;
  }
  // Even at minimum sizes the stack is too tall: drop trailing lines, ellipsizing where cut.
  let used = 0;
  const kept: FittedField[] = [];
  for (const field of fitted) {
    const room = Math.floor((maxHeight - used - field.gapBeforePx) / (field.sizePx * LINE_HEIGHT));
    if (room <= 0) break;
    const lines = field.lines.slice(0, room);
    if (lines.length < field.lines.length) {
      const font = labelFont(field.weight);
      const last = (lines[lines.length - 1] ?? '').replace(/…$/, '');
      lines[lines.length - 1] = ellipsize(last, maxWidth, (t) => font.measure(t, field.sizePx), true);
    }
    kept.push({ ...field, lines, truncated: field.truncated || lines.length < field.lines.length });
    used += fittedHeight({ ...field, lines });
  }
  return kept;
}

function fitField(field: FieldSpec, maxWidth: number, scale: number): FittedField {
  return {
    ...fitText(field.text, measureAtUnitSize(field.weight), {
      maxWidth,
      maxLines: field.maxLines,
      sizePx: Math.max(field.minSizePx, field.sizePx * scale),
      minSizePx: field.minSizePx,
    }),
    weight: field.weight,
    gapBeforePx: (field.gapBeforePx ?? 0) * Math.max(scale, 0.5),
  };
}

/** A fitting function over the bundled font: the measure at size 1 of a weight. */
export function measureAtUnitSize(weight: LabelFontWeight): (text: string) => number {
  const font = labelFont(weight);
  return (text) => font.measure(text, 1);
}
