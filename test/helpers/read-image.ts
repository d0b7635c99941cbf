// Reading rendered labels back the way a scanner and a person would: decode the image file
// (PNG, JPEG, GIF headers), find and read its barcodes with ZXing, look at its pixels.
import {
  BarcodeFormat,
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  QRCodeReader,
  RGBLuminanceSource,
} from '@zxing/library';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export interface GreyImage {
  width: number;
  height: number;
  /** One byte per pixel, 0 = black, 255 = white. */
  grey: Uint8ClampedArray;
}

function greyFromRgba(width: number, height: number, rgba: Uint8Array): GreyImage {
  const grey = new Uint8ClampedArray(width * height);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = Math.round(0.299 * (rgba[i * 4] ?? 0) + 0.587 * (rgba[i * 4 + 1] ?? 0) + 0.114 * (rgba[i * 4 + 2] ?? 0));
  }
  return { width, height, grey };
}

export function readPng(file: Buffer): GreyImage & { dpi: number | null } {
  const png = PNG.sync.read(file);
  const physical = file.indexOf('pHYs');
  const dpi = physical < 0 ? null : Math.round(file.readUInt32BE(physical + 4) * 0.0254);
  return { ...greyFromRgba(png.width, png.height, png.data), dpi };
}

export function readJpeg(file: Buffer): GreyImage {
  const image = jpeg.decode(file, { useTArray: true, formatAsRGBA: true });
  return greyFromRgba(image.width, image.height, image.data);
}

function bitmapOf(image: GreyImage): BinaryBitmap {
  return new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(image.grey, image.width, image.height)));
}

/** The text of the Code 128 symbol ZXing finds anywhere in the image. */
export function readCode128(image: GreyImage): string {
  const reader = new MultiFormatReader();
  const hints = new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128]],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  reader.setHints(hints);
  return reader.decode(bitmapOf(image)).getText();
}

/** The text of the QR symbol ZXing finds anywhere in the image. */
export function readQr(image: GreyImage): string {
  const hints = new Map<DecodeHintType, unknown>([[DecodeHintType.TRY_HARDER, true]]);
  return new QRCodeReader().decode(bitmapOf(image), hints).getText();
}

/** How many pixels darker than mid-grey lie within `inset` pixels of the image's edge. */
export function darkPixelsNearEdge(image: GreyImage, inset: number): number {
  let dark = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const nearEdge = x < inset || y < inset || x >= image.width - inset || y >= image.height - inset;
      if (nearEdge && (image.grey[y * image.width + x] ?? 255) < 128) dark += 1;
    }
  }
  return dark;
}

/** Every grey level present in the image. */
export function greyLevels(image: GreyImage): Set<number> {
  return new Set(image.grey);
}
