// What a label's SVG says in words: every run of text keeps its string in an aria-label (the
// glyphs themselves are outlines), so tests can read the label without OCR.
import { labelFont } from '../../../src-main/core/labels/label-font';

export interface SvgTextRun {
  text: string;
  x: number;
  baseline: number;
  sizePx: number;
  /** Left and right edges of the run's advance box, in px. */
  left: number;
  right: number;
  fill: string;
}

function unescapeXml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

export function svgTextRuns(svg: string): SvgTextRun[] {
  const runs: SvgTextRun[] = [];
  const pattern = /<g aria-label="([^"]*)"(?: fill="([^"]*)")? transform="translate\(([-\d.]+) ([-\d.]+)\) scale\(([-\d.e]+) [-\d.e]+\)">(.*?)<\/g>/g;
  for (const match of svg.matchAll(pattern)) {
    const [, label = '', fill = '#000', x = '0', baseline = '0', scale = '0', uses = ''] = match;
    const text = unescapeXml(label);
    const weight = uses.includes('href="#b') ? 'bold' : 'regular';
    const font = labelFont(weight);
    const sizePx = Number(scale) * font.unitsPerEm;
    const left = Number(x);
    runs.push({ text, x: left, baseline: Number(baseline), sizePx, left, right: left + font.measure(text, sizePx), fill });
  }
  return runs;
}

export function svgText(svg: string): string {
  return svgTextRuns(svg)
    .map((run) => run.text)
    .join('\n');
}

export function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg);
  return { width: Number(match?.[1]), height: Number(match?.[2]) };
}
