// Code 128 and QR symbols for labels, drawn here as SVG rectangles on whole printer dots. The
// encoders' own SVG output scales modules to fractional sizes; a bar that straddles two dots
// prints grey on a thermal head and blurs the width a scanner decodes, so we take the module
// pattern only and place every edge on a pixel boundary ourselves.
//
// Code 128 comes from bwip-js. QR comes from `qr`: bwip-js's QR encoder took ~5 ms a symbol, a
// sixth of a label's whole time budget; `qr` takes ~0.1 ms for the same matrix.
import bwipjs from 'bwip-js/node';
import encodeQR from 'qr';
import { px } from './svg-canvas';

/** Code 128 needs at least 10 modules of white on each side to be found by a scanner. */
export const CODE128_QUIET_ZONE_MODULES = 10;
/** QR's quiet zone is 4 modules on each side. */
export const QR_QUIET_ZONE_MODULES = 4;

export interface LinearBarcode {
  /** Widths in modules, alternating bar, space, bar, …, starting and ending with a bar. */
  barsAndSpaces: number[];
  /** Total width in modules, without quiet zones. */
  modules: number;
}

export interface MatrixBarcode {
  /** Modules per side, without quiet zone. */
  size: number;
  /** Row-major, 1 = dark. */
  dark: ArrayLike<number>;
}

export function encodeCode128(data: string): LinearBarcode {
  const [symbol] = bwipjs.raw('code128', data, {});
  if (!symbol || !('sbs' in symbol)) throw new Error('Code 128 encoder returned no bars');
  const barsAndSpaces = symbol.sbs;
  return { barsAndSpaces, modules: barsAndSpaces.reduce((sum, w) => sum + w, 0) };
}

export function encodeQr(data: string): MatrixBarcode {
  // Error correction M: survives ~15% damage (a scuffed or creased label) at a modest size.
  // `qr` insists on a quiet zone; ask for the thinnest and cut it off, the layout draws its own.
  const withBorder = encodeQR(data, 'raw', { ecc: 'medium', border: 1 });
  const size = withBorder.length - 2;
  const dark = new Uint8Array(size * size);
  for (let row = 0; row < size; row++) {
    const cells = withBorder[row + 1] ?? [];
    for (let col = 0; col < size; col++) dark[row * size + col] = cells[col + 1] ? 1 : 0;
  }
  return { size, dark };
}

/** Bars as one SVG path; x, y and moduleWidth should be whole pixels. */
export function code128Svg(barcode: LinearBarcode, x: number, y: number, moduleWidth: number, height: number): string {
  let path = '';
  let cursor = x;
  barcode.barsAndSpaces.forEach((modules, index) => {
    const width = modules * moduleWidth;
    if (index % 2 === 0) path += `M${px(cursor)} ${px(y)}h${px(width)}v${px(height)}h${px(-width)}z`;
    cursor += width;
  });
  return `<path shape-rendering="crispEdges" d="${path}"/>`;
}

/** Dark modules as one SVG path, each row's runs merged; x, y and moduleSize should be whole pixels. */
export function qrSvg(barcode: MatrixBarcode, x: number, y: number, moduleSize: number): string {
  let path = '';
  for (let row = 0; row < barcode.size; row++) {
    let col = 0;
    while (col < barcode.size) {
      if (barcode.dark[row * barcode.size + col] !== 1) {
        col += 1;
        continue;
      }
      const start = col;
      while (col < barcode.size && barcode.dark[row * barcode.size + col] === 1) col += 1;
      path += `M${px(x + start * moduleSize)} ${px(y + row * moduleSize)}h${px((col - start) * moduleSize)}v${px(moduleSize)}h${px(-(col - start) * moduleSize)}z`;
    }
  }
  return `<path shape-rendering="crispEdges" d="${path}"/>`;
}
