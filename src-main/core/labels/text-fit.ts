// Making untrusted text fit a box: wrap at spaces, split words longer than a line, shrink down to
// a floor, and only then cut with an ellipsis. Nothing here knows about fonts: it is given a
// function that measures text at one size, and relies on widths adding up (the label font places
// glyphs by advance width only, so width("ab") = width("a") + width("b") exactly).

/** Width of `text` at font size 1; multiply by the size to get px. */
export type MeasureAtUnitSize = (text: string) => number;

export interface WrappedText {
  lines: string[];
  /** True when text was cut (the last line ends with an ellipsis). */
  truncated: boolean;
}

const ELLIPSIS = '…';

/** How many of `chars` fit in `maxWidth`, adding their widths one by one (widths add up; see above). */
function fittingCount(chars: string[], maxWidth: number, width: (text: string) => number): number {
  let used = 0;
  for (let i = 0; i < chars.length; i++) {
    used += width(chars[i] ?? '');
    if (used > maxWidth) return i;
  }
  return chars.length;
}

/** `text` if it fits, else its longest prefix that fits with an ellipsis after it. */
export function ellipsize(text: string, maxWidth: number, width: (text: string) => number, force = false): string {
  if (!force && width(text) <= maxWidth) return text;
  const chars = Array.from(text);
  const keep = fittingCount(chars, maxWidth - width(ELLIPSIS), width);
  return chars.slice(0, keep).join('').trimEnd() + ELLIPSIS;
}

/** Greedy word wrap into at most `maxLines` lines of at most `maxWidth`. */
export function wrapText(text: string, maxWidth: number, width: (text: string) => number, maxLines = Infinity): WrappedText {
  const words = text.split(' ').filter(Boolean);
  const lines: string[] = [];
  const spaceWidth = width(' ');
  let current = '';
  let currentWidth = 0;
  for (const word of words) {
    const wordWidth = width(word);
    if (current && currentWidth + spaceWidth + wordWidth <= maxWidth) {
      current += ' ' + word;
      currentWidth += spaceWidth + wordWidth;
      continue;
    }
    if (current) lines.push(current);
    if (wordWidth <= maxWidth) {
      current = word;
      currentWidth = wordWidth;
      continue;
    }
    // A word wider than the line (a long unbroken id, or a name with no spaces) is split.
    let chars = Array.from(word);
    for (;;) {
      // At least one character a line, so a line narrower than one glyph still makes progress.
      const take = Math.max(1, fittingCount(chars, maxWidth, width));
      const piece = chars.slice(0, take).join('');
      chars = chars.slice(take);
      if (chars.length === 0) {
        current = piece;
        currentWidth = width(piece);
        break;
      }
      lines.push(piece);
    }
  }
  if (current) lines.push(current);
  if (lines.length <= maxLines) return { lines, truncated: false };
  const kept = lines.slice(0, Math.max(0, maxLines - 1));
  if (maxLines >= 1) kept.push(ellipsize(lines.slice(maxLines - 1).join(' '), maxWidth, width, true));
  return { lines: kept, truncated: true };
}

export interface FitRequest {
  maxWidth: number;
  maxLines: number;
  /** Largest size to try, in px. */
  sizePx: number;
  /** Smallest size allowed; below it the text is ellipsized instead. */
  minSizePx: number;
}

export interface FittedText extends WrappedText {
  sizePx: number;
}

/** The largest size (in steps of about 4%) at which `text` fits without cutting; else the minimum size, ellipsized. */
export function fitText(text: string, measure: MeasureAtUnitSize, request: FitRequest): FittedText {
  const step = Math.max(0.5, request.sizePx * 0.04);
  for (let size = request.sizePx; size >= request.minSizePx; size -= step) {
    const wrapped = wrapText(text, request.maxWidth, (t) => measure(t) * size, request.maxLines);
    if (!wrapped.truncated) return { ...wrapped, sizePx: size };
  }
  const size = request.minSizePx;
  return { ...wrapText(text, request.maxWidth, (t) => measure(t) * size, request.maxLines), sizePx: size };
}
