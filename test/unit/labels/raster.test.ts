// The 1-bit packing every PNG label goes through: each pixel lands on its own bit, rows whose width
// is not a multiple of eight included, and what lies past a row's last pixel is white.
import { describe, expect, it } from 'vitest';
import { encodeBitonalPng, rasterizeSvg } from '../../../src-main/core/labels/raster';
import { readPng } from '../../helpers/read-image';

/** A 21×6 image: a black pixel at each (x, y) listed, white elsewhere. */
function dotsSvg(dots: Array<[number, number]>): string {
  const rects = dots.map(([x, y]) => `<rect x="${x}" y="${y}" width="1" height="1" fill="#000"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="21" height="6" viewBox="0 0 21 6"><rect width="21" height="6" fill="#fff"/>${rects}</svg>`;
}

describe('1-bit packing', () => {
  it('puts every pixel on its own bit, most significant first, with white padding', async () => {
    const dots: Array<[number, number]> = [[0, 0], [7, 0], [8, 1], [15, 1], [16, 2], [20, 2], [3, 4], [19, 4], [20, 5]];
    const image = await rasterizeSvg(dotsSvg(dots));
    expect([image.width, image.height, image.stride]).toEqual([21, 6, 3]);
    const black = new Set(dots.map(([x, y]) => `${x},${y}`));
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 24; x++) {
        const bit = ((image.rows[y * 3 + (x >> 3)] ?? 0) >> (7 - (x & 7))) & 1;
        // 1 = white; past x = 20 is padding, white too.
        expect(bit, `pixel ${x},${y}`).toBe(black.has(`${x},${y}`) ? 0 : 1);
      }
    }
    // Row 3 is all white: three bytes of ones, padding included.
    expect([...image.rows.subarray(9, 12)]).toEqual([0xff, 0xff, 0xff]);
  });

  it('round-trips through the PNG encoder pixel for pixel', async () => {
    const dots: Array<[number, number]> = [[1, 1], [2, 1], [9, 3], [20, 0], [17, 5]];
    const image = await rasterizeSvg(dotsSvg(dots));
    const png = readPng(encodeBitonalPng(image, 203));
    expect([png.width, png.height]).toEqual([21, 6]);
    const black = new Set(dots.map(([x, y]) => `${x},${y}`));
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 21; x++) expect(png.grey[y * 21 + x], `pixel ${x},${y}`).toBe(black.has(`${x},${y}`) ? 0 : 255);
    }
  });
});
