// The one typeface every label, slip and run sheet uses: DejaVu Sans Condensed (regular and
// bold) from the dejavu-fonts-ttf package (Bitstream Vera licence, free to redistribute).
//
// Labels are drawn as glyph outlines, not as SVG <text>: the renderer then needs no font at all
// (it loads none, system fonts included), every machine and every SVG viewer draws the same
// pixels, and the widths we wrap and shrink text by are exactly the widths that get drawn.
// Glyphs are placed by their advance widths alone (no kerning, no ligatures), for that reason:
// measurement and drawing share one rule. A narrow face fits more of a long address at a size
// readable at arm's length.
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';

export type LabelFontWeight = 'regular' | 'bold';

const FONT_FILES: Record<LabelFontWeight, string> = {
  regular: 'dejavu-fonts-ttf/ttf/DejaVuSansCondensed.ttf',
  bold: 'dejavu-fonts-ttf/ttf/DejaVuSansCondensed-Bold.ttf',
};

const requireFromHere = createRequire(import.meta.url);

/** Absolute path of the bundled TTF (the PDF writer embeds the same files). */
export function labelFontFile(weight: LabelFontWeight): string {
  return requireFromHere.resolve(FONT_FILES[weight]);
}

export interface PlacedGlyph {
  /** The glyph's id in its font; 0 is the font's "missing glyph" box. */
  id: number;
  /** Advance width in font units. */
  advance: number;
}

export interface LabelFont {
  readonly weight: LabelFontWeight;
  readonly unitsPerEm: number;
  /** Height of a capital letter, as a fraction of the font size. */
  readonly capHeight: number;
  /** Depth below the baseline of descenders, as a fraction of the font size. */
  readonly descent: number;
  glyphsOf(text: string): PlacedGlyph[];
  /** Width of `text` at `sizePx`, in px: the same advances the drawing uses. */
  measure(text: string, sizePx: number): number;
  /** SVG path data of a glyph in font units (y up), cached. */
  glyphPath(id: number): string;
}

function loadLabelFont(weight: LabelFontWeight): LabelFont {
  const opened = fontkit.openSync(labelFontFile(weight));
  if (!('glyphForCodePoint' in opened)) throw new Error(`${FONT_FILES[weight]} is a font collection, not a font`);
  const font = opened;
  const glyphByCodePoint = new Map<number, PlacedGlyph>();
  const pathById = new Map<number, string>();

  const glyphOf = (codePoint: number): PlacedGlyph => {
    let placed = glyphByCodePoint.get(codePoint);
    if (!placed) {
      const glyph = font.glyphForCodePoint(codePoint);
      placed = { id: glyph.id, advance: glyph.advanceWidth };
      glyphByCodePoint.set(codePoint, placed);
    }
    return placed;
  };

  // fontkit reads these from the font's tables on every access: read them once.
  const unitsPerEm = font.unitsPerEm;
  // The OS/2 cap height is not exposed for this file; the outline of H says it exactly.
  const capHeightUnits = font.glyphForCodePoint(0x48).bbox.maxY;

  return {
    weight,
    unitsPerEm,
    capHeight: capHeightUnits / unitsPerEm,
    descent: Math.abs(font.descent) / unitsPerEm,
    glyphsOf(text) {
      const glyphs: PlacedGlyph[] = [];
      for (const char of text) glyphs.push(glyphOf(char.codePointAt(0) ?? 0x3f));
      return glyphs;
    },
    measure(text, sizePx) {
      let units = 0;
      for (const char of text) units += glyphOf(char.codePointAt(0) ?? 0x3f).advance;
      return (units * sizePx) / unitsPerEm;
    },
    glyphPath(id) {
      let path = pathById.get(id);
      if (path === undefined) {
        path = font.getGlyph(id).path.toSVG();
        pathById.set(id, path);
      }
      return path;
    },
  };
}

const loadedFonts = new Map<LabelFontWeight, LabelFont>();

/** The bundled font, parsed once per process and kept: a label must not pay for font loading. */
export function labelFont(weight: LabelFontWeight): LabelFont {
  let font = loadedFonts.get(weight);
  if (!font) {
    font = loadLabelFont(weight);
    loadedFonts.set(weight, font);
  }
  return font;
}
