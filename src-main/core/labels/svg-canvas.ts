// A small SVG writer for labels and slips, in device pixels (one SVG unit = one printer dot).
//
// Text is written as references to glyph outlines of the bundled font (see label-font.ts): each
// glyph used is defined once in <defs>, each run of text is a group of <use> elements scaled from
// font units. Every run keeps its text in an aria-label, XML-escaped like every other attribute,
// so the SVG stays searchable and accessible without relying on any font being installed.
import { labelFont, type LabelFontWeight } from './label-font';
import { BASELINE_DROP, LINE_HEIGHT } from './label-layout';
import { ellipsize, wrapText, type FittedText } from './text-fit';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Two decimals at most, no trailing zeros: stable output for golden files, sub-pixel precision where it matters. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export type TextAnchor = 'start' | 'middle' | 'end';

export interface TextStyle {
  weight: LabelFontWeight;
  sizePx: number;
  /** Black unless said otherwise; white for text in an inverted box. */
  fill?: string;
  anchor?: TextAnchor;
}

export class SvgCanvas {
  private readonly body: string[] = [];
  private readonly glyphDefs = new Map<string, string>();

  /** Height may be set after drawing, for documents that grow with their content (packing slips). */
  constructor(
    readonly width: number,
    public height: number,
  ) {}

  rect(x: number, y: number, width: number, height: number, fill = '#000'): void {
    this.body.push(`<rect x="${px(x)}" y="${px(y)}" width="${px(width)}" height="${px(height)}" fill="${fill}"/>`);
  }

  /** An outlined box; the stroke lies inside the given bounds. */
  frame(x: number, y: number, width: number, height: number, thickness: number): void {
    const half = thickness / 2;
    this.body.push(
      `<rect x="${px(x + half)}" y="${px(y + half)}" width="${px(width - thickness)}" height="${px(height - thickness)}" fill="none" stroke="#000" stroke-width="${px(thickness)}"/>`,
    );
  }

  /** A horizontal rule whose top edge is at y. */
  rule(x1: number, x2: number, y: number, thickness: number): void {
    this.rect(x1, y, x2 - x1, thickness);
  }

  /** Already-built, already-escaped SVG (barcodes). */
  raw(fragment: string): void {
    this.body.push(fragment);
  }

  /** Draws one line of text with its baseline at y; returns its width in px. */
  text(text: string, x: number, y: number, style: TextStyle): number {
    if (!text) return 0;
    const font = labelFont(style.weight);
    const scale = style.sizePx / font.unitsPerEm;
    const glyphs = font.glyphsOf(text);
    let advance = 0;
    const uses: string[] = [];
    for (const glyph of glyphs) {
      const defId = `${style.weight === 'bold' ? 'b' : 'r'}${glyph.id}`;
      let path = this.glyphDefs.get(defId);
      if (path === undefined) {
        path = font.glyphPath(glyph.id);
        this.glyphDefs.set(defId, path);
      }
      if (path) uses.push(advance === 0 ? `<use href="#${defId}"/>` : `<use href="#${defId}" x="${advance}"/>`);
      advance += glyph.advance;
    }
    const width = advance * scale;
    const left = style.anchor === 'middle' ? x - width / 2 : style.anchor === 'end' ? x - width : x;
    const fill = style.fill && style.fill !== '#000' ? ` fill="${style.fill}"` : '';
    this.body.push(
      `<g aria-label="${escapeXml(text)}"${fill} transform="translate(${px(left)} ${px(y)}) scale(${scale.toPrecision(6)} ${(-scale).toPrecision(6)})">${uses.join('')}</g>`,
    );
    return width;
  }

  /**
   * One line whose box starts at `top` (baseline below it), cut with an ellipsis if wider than
   * maxWidth; returns the top of the next line.
   */
  line(text: string, x: number, top: number, maxWidth: number, style: TextStyle): number {
    const font = labelFont(style.weight);
    const fitted = ellipsize(text, maxWidth, (t) => font.measure(t, style.sizePx));
    this.text(fitted, x, top + style.sizePx * BASELINE_DROP, style);
    return top + style.sizePx * LINE_HEIGHT;
  }

  /** Lines of already-fitted text, first baseline at y; returns the y below the last line. */
  lines(fitted: Pick<FittedText, 'lines' | 'sizePx'>, x: number, y: number, style: Omit<TextStyle, 'sizePx'>, lineHeight = LINE_HEIGHT): number {
    let baseline = y;
    for (const line of fitted.lines) {
      this.text(line, x, baseline, { ...style, sizePx: fitted.sizePx });
      baseline += fitted.sizePx * lineHeight;
    }
    return baseline - fitted.sizePx * lineHeight;
  }

  /** Wraps text at a fixed size into at most maxLines lines (the last ellipsized); returns the last baseline. */
  paragraph(text: string, x: number, y: number, maxWidth: number, maxLines: number, style: TextStyle, lineHeight = LINE_HEIGHT): number {
    const font = labelFont(style.weight);
    const wrapped = wrapText(text, maxWidth, (t) => font.measure(t, style.sizePx), maxLines);
    return this.lines({ lines: wrapped.lines, sizePx: style.sizePx }, x, y, style, lineHeight);
  }

  toSvg(title: string): string {
    const defs = [...this.glyphDefs]
      .filter(([, path]) => path)
      .map(([id, path]) => `<path id="${id}" d="${path}"/>`)
      .join('\n');
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}">`,
      `<title>${escapeXml(title)}</title>`,
      `<defs>\n${defs}\n</defs>`,
      `<rect width="${this.width}" height="${this.height}" fill="#fff"/>`,
      ...this.body,
      '</svg>',
      '',
    ].join('\n');
  }
}
