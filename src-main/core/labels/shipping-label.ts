// The 4×6 inch shipping label: one SVG laid out in printer dots, rasterised without a browser.
//
// Top to bottom: ship-from and service level, ship-to (the largest block: read at the door),
// handling flags in inverted boxes (read at a glance), the Code 128 of the tracking id beside a
// QR of the tracking URL, then the ids, the package and the delivery notes. Black on white only,
// for thermal printers. No prescription or OTC item appears here: what is inside the bag is on
// the packing slip, inside the bag (minimum necessary).
import { code128Svg, encodeCode128, encodeQr, qrSvg, CODE128_QUIET_ZONE_MODULES, QR_QUIET_ZONE_MODULES } from './barcodes';
import { labelFont } from './label-font';
import { BASELINE_DROP, LINE_HEIGHT, dotGrid, fitStack, fittedHeight, measureAtUnitSize, type FieldSpec, type FittedField } from './label-layout';
import {
  cityStateZip,
  handlingFlags,
  packageDescription,
  printableText,
  recipientEntityLine,
  recipientPersonName,
  recipientPhone,
  formatPhone,
  type ImageFormat,
  type LabelDpi,
  type LabelOrder,
  orderSourceLine,
} from './label-order';
import { encodeImage, rasterizeSvg } from './raster';
import { SvgCanvas, type TextAnchor } from './svg-canvas';
import { ellipsize, fitText } from './text-fit';

export interface ShippingLabelOptions {
  /** The public tracking page for this order; encoded in the QR code. */
  trackingUrl: string;
  dpi: LabelDpi;
}

export const LABEL_WIDTH_INCHES = 4;
export const LABEL_HEIGHT_INCHES = 6;
/** Nothing is drawn closer than this to the label's edge (printers do not hit the edge exactly). */
export const LABEL_MARGIN_INCHES = 0.12;

/** Bands of the label, in inches from the top. */
const BANDS = {
  header: { top: LABEL_MARGIN_INCHES, bottom: 0.96 },
  shipTo: { top: 1.04, bottom: 2.9 },
  flags: { top: 2.98, bottom: 3.64 },
  barcodes: { top: 3.76, bottom: 4.94 },
  details: { top: 5.04, bottom: LABEL_HEIGHT_INCHES - LABEL_MARGIN_INCHES },
} as const;

/**
 * `City, ST 12345` that fits `maxWidth` at `minSizePx`: if it cannot, the city is cut, never the
 * state and ZIP, which are what sorting and the courier's map need.
 */
function cityLineThatFits(address: LabelOrder['recipient']['address'], maxWidth: number, minSizePx: number): string {
  const full = printableText(cityStateZip(address));
  const font = labelFont('bold');
  const measure = (text: string) => font.measure(text, minSizePx);
  if (measure(full) <= maxWidth) return full;
  const stateZip = printableText(cityStateZip({ city: '', state: address.state, zip_code: address.zip_code }));
  const suffix = `, ${stateZip}`;
  return ellipsize(printableText(address.city), maxWidth - measure(suffix), measure, true) + suffix;
}

/** Tracking digits in groups of four, as a person reads them out over the phone. */
export function groupedTrackingId(trackingId: string): string {
  return /^\d+$/.test(trackingId) ? (trackingId.match(/.{1,4}/g) ?? []).join(' ') : trackingId;
}

/** The label's frame in dots at a dpi: shared by the image and the ZPL, so both lay out alike. */
export function labelFrame(dpi: ShippingLabelOptions['dpi']) {
  const grid = dotGrid(dpi);
  const { inch } = grid;
  const width = inch(LABEL_WIDTH_INCHES);
  const left = inch(LABEL_MARGIN_INCHES);
  const right = width - left;
  return { grid, inch, pt: grid.pt, width, height: inch(LABEL_HEIGHT_INCHES), left, right, contentWidth: right - left, rule: Math.max(2, inch(0.02)) };
}

export function shippingLabelSvg(order: LabelOrder, options: ShippingLabelOptions): string {
  const { grid, inch, pt, width, height, left, right, contentWidth, rule } = labelFrame(options.dpi);
  const canvas = new SvgCanvas(width, height);
  const regular = labelFont('regular');
  const bold = labelFont('bold');

  /** One line at a fixed size, cut with an ellipsis if it is wider than maxWidth; returns the next line's top. */
  const line = (text: string, x: number, top: number, sizePx: number, weight: 'regular' | 'bold', maxWidth: number, anchor: TextAnchor = 'start'): number =>
    canvas.line(printableText(text), x, top, maxWidth, { weight, sizePx, anchor });

  /** White text, as large as fits (up to maxPt), centred in a black box: flags read at a glance. */
  const invertedBox = (text: string, x: number, y: number, boxWidth: number, boxHeight: number, maxPt: number): void => {
    canvas.rect(x, y, boxWidth, boxHeight);
    const fitted = fitText(text, measureAtUnitSize('bold'), { maxWidth: boxWidth - inch(0.12), maxLines: 1, sizePx: pt(maxPt), minSizePx: pt(7) });
    canvas.text(fitted.lines[0] ?? '', x + boxWidth / 2, y + (boxHeight + fitted.sizePx * bold.capHeight) / 2, {
      weight: 'bold',
      sizePx: fitted.sizePx,
      fill: '#fff',
      anchor: 'middle',
    });
  };

  const drawStack = (fields: FittedField[], x: number, top: number): void => {
    let cursor = top;
    for (const field of fields) {
      canvas.lines(field, x, cursor + field.gapBeforePx + field.sizePx * BASELINE_DROP, { weight: field.weight }, LINE_HEIGHT);
      cursor += fittedHeight(field);
    }
  };

  // ---- ship from | service level and dates ---------------------------------------------
  {
    const top = inch(BANDS.header.top);
    const fromWidth = inch(2.35);
    const store = order.store;
    const y = line('FROM', left, top, pt(6.5), 'bold', fromWidth);
    const from: FieldSpec[] = [
      { text: printableText(store.name) || 'Pharmacy', weight: 'bold', sizePx: pt(10), minSizePx: pt(7), maxLines: 1 },
      { text: printableText(store.address?.address_line_1), weight: 'regular', sizePx: pt(8.5), minSizePx: pt(6.5), maxLines: 1 },
      { text: printableText(store.address?.address_line_2), weight: 'regular', sizePx: pt(8.5), minSizePx: pt(6.5), maxLines: 1 },
      { text: store.address ? printableText(cityStateZip(store.address)) : '', weight: 'regular', sizePx: pt(8.5), minSizePx: pt(6.5), maxLines: 1 },
      { text: store.phone ? printableText(formatPhone(store.phone)) : '', weight: 'regular', sizePx: pt(8.5), minSizePx: pt(6.5), maxLines: 1 },
    ];
    drawStack(fitStack(from, fromWidth, inch(BANDS.header.bottom) - y), left, y);

    const serviceLeft = inch(2.55);
    const serviceWidth = right - serviceLeft;
    const service = printableText(order.service_level).toUpperCase();
    let dateTop = top;
    if (service) {
      const boxHeight = inch(0.34);
      invertedBox(service, serviceLeft, top, serviceWidth, boxHeight, 15);
      dateTop = top + boxHeight + inch(0.05);
    }
    const dates: Array<[string, string | null]> = [
      ['PICKUP', order.pickup_date],
      ['DELIVER BY', order.requested_delivery_date],
    ];
    const dateSize = pt(9.5);
    for (const [caption, date] of dates) {
      const text = printableText(date);
      if (!text) continue;
      const captionWidth = regular.measure(`${caption} `, pt(6.5));
      line(caption, serviceLeft, dateTop + (dateSize - pt(6.5)) * BASELINE_DROP, pt(6.5), 'regular', captionWidth);
      const fitted = fitText(text, measureAtUnitSize('bold'), { maxWidth: serviceWidth - captionWidth, maxLines: 1, sizePx: dateSize, minSizePx: pt(6.5) });
      canvas.text(fitted.lines[0] ?? '', right, dateTop + dateSize * BASELINE_DROP, { weight: 'bold', sizePx: fitted.sizePx, anchor: 'end' });
      dateTop += dateSize * LINE_HEIGHT;
    }
    canvas.rule(left, right, inch(BANDS.header.bottom), rule);
  }

  // ---- ship to --------------------------------------------------------------------------
  {
    const top = inch(BANDS.shipTo.top);
    const r = order.recipient;
    const y = line('SHIP TO', left, top, pt(7), 'bold', contentWidth);
    const phone = recipientPhone(order);
    const shipTo: FieldSpec[] = [
      { text: printableText(recipientPersonName(order)), weight: 'bold', sizePx: pt(21), minSizePx: pt(11), maxLines: 2 },
      { text: printableText(recipientEntityLine(order)), weight: 'bold', sizePx: pt(13), minSizePx: pt(8.5), maxLines: 2 },
      { text: printableText(r.address.address_line_1), weight: 'bold', sizePx: pt(15), minSizePx: pt(9), maxLines: 3, gapBeforePx: pt(3), group: 'street' },
      { text: printableText(r.address.address_line_2), weight: 'bold', sizePx: pt(15), minSizePx: pt(9), maxLines: 3, group: 'street' },
      { text: cityLineThatFits(r.address, contentWidth, pt(11)), weight: 'bold', sizePx: pt(19), minSizePx: pt(11), maxLines: 1 },
      { text: phone ? `PHONE ${printableText(phone)}` : '', weight: 'regular', sizePx: pt(11), minSizePx: pt(8), maxLines: 1, gapBeforePx: pt(2) },
    ];
    drawStack(fitStack(shipTo, contentWidth, inch(BANDS.shipTo.bottom) - y), left, y);
    canvas.rule(left, right, inch(BANDS.shipTo.bottom) + inch(0.01), rule);
  }

  // ---- handling flags: white on black, two per row ------------------------------------
  {
    const flags = handlingFlags(order);
    const top = inch(BANDS.flags.top);
    const bandHeight = inch(BANDS.flags.bottom) - top;
    const gap = inch(0.06);
    const rows = Math.ceil(flags.length / 2);
    const cellHeight = Math.min(inch(0.42), (bandHeight - gap * (rows - 1)) / Math.max(rows, 1));
    const rowsTop = top + Math.round((bandHeight - rows * cellHeight - (rows - 1) * gap) / 2);
    if (flags.length === 0) {
      line('NO SIGNATURE, ID OR PAYMENT NEEDED', left + contentWidth / 2, top + bandHeight / 2 - pt(5), pt(9), 'regular', contentWidth, 'middle');
    }
    flags.forEach((flag, index) => {
      // Two boxes a row; an odd last flag gets the whole row.
      const alone = index === flags.length - 1 && index % 2 === 0;
      const cellWidth = alone ? contentWidth : (contentWidth - gap) / 2;
      const x = left + (index % 2) * (cellWidth + gap);
      const y = rowsTop + Math.floor(index / 2) * (cellHeight + gap);
      invertedBox(flag, x, y, cellWidth, cellHeight, 17);
    });
    canvas.rule(left, right, inch(BANDS.flags.bottom) + inch(0.02), rule);
  }

  // ---- Code 128 of the tracking id, QR of the tracking URL ------------------------------
  {
    const top = inch(BANDS.barcodes.top);
    const bottom = inch(BANDS.barcodes.bottom);
    const qr = encodeQr(options.trackingUrl);
    // The QR's quiet zone on the right may use the label margin, which is white anyway.
    const qrModule = Math.max(2, Math.floor(inch(1.18) / (qr.size + 2 * QR_QUIET_ZONE_MODULES)));
    const qrSide = qr.size * qrModule;
    const qrLeft = right + Math.min(left, QR_QUIET_ZONE_MODULES * qrModule) - QR_QUIET_ZONE_MODULES * qrModule - qrSide;
    const qrTop = top + Math.round((bottom - top - qrSide - pt(8)) / 2);
    canvas.raw(qrSvg(qr, qrLeft, qrTop, qrModule));
    line('SCAN TO TRACK', qrLeft + qrSide / 2, qrTop + qrSide + pt(1.5), pt(6), 'regular', qrSide + 2 * QR_QUIET_ZONE_MODULES * qrModule, 'middle');

    const code = encodeCode128(order.tracking_id);
    const barcodeRoom = qrLeft - QR_QUIET_ZONE_MODULES * qrModule - left;
    // About 20 mil modules (4 dots at 203 dpi, 6 at 300) unless the symbol would not fit.
    const module = Math.max(1, Math.min(Math.round(grid.dpi * 0.02), Math.floor(barcodeRoom / (code.modules + 2 * CODE128_QUIET_ZONE_MODULES))));
    const barsWidth = code.modules * module;
    const barsLeft = left + Math.floor((barcodeRoom - barsWidth) / 2);
    const digitsSize = pt(13);
    const barsHeight = bottom - top - Math.round(digitsSize * LINE_HEIGHT) - inch(0.04);
    canvas.raw(code128Svg(code, barsLeft, top, module, barsHeight));
    line(groupedTrackingId(printableText(order.tracking_id)), barsLeft + barsWidth / 2, top + barsHeight + inch(0.04), digitsSize, 'bold', barcodeRoom, 'middle');
    canvas.rule(left, right, bottom + inch(0.02), rule);
  }

  // ---- ids, package, delivery notes ------------------------------------------------------
  {
    let top = inch(BANDS.details.top);
    const captionSize = pt(6.5);
    const valueSize = pt(10.5);
    const half = contentWidth / 2;
    line('ORDER', left, top, captionSize, 'regular', half);
    const source = orderSourceLine(order);
    line(source.caption.toUpperCase(), right, top, captionSize, 'regular', half, 'end');
    top += captionSize * LINE_HEIGHT;
    line(order.id, left, top, valueSize, 'bold', half - inch(0.05));
    line(source.value, right, top, valueSize, 'bold', half - inch(0.05), 'end');
    top += valueSize * LINE_HEIGHT + inch(0.03);

    const pkg = packageDescription(order.package);
    if (pkg) {
      const captionWidth = regular.measure('PACKAGE ', captionSize);
      line('PACKAGE', left, top + (pt(9) - captionSize) * BASELINE_DROP, captionSize, 'regular', captionWidth);
      top = line(pkg, left + captionWidth, top, pt(9), 'bold', contentWidth - captionWidth);
    }
    const notes = printableText(order.delivery_notes);
    if (notes) {
      line('NOTES', left, top + inch(0.02), captionSize, 'regular', contentWidth);
      top += captionSize * LINE_HEIGHT + inch(0.02);
      const room = inch(BANDS.details.bottom) - top;
      const notesSize = pt(9);
      const maxLines = Math.max(1, Math.floor(room / (notesSize * LINE_HEIGHT)));
      canvas.paragraph(notes, left, top + notesSize * BASELINE_DROP, contentWidth, maxLines, { weight: 'regular', sizePx: notesSize }, LINE_HEIGHT);
    }
  }

  return canvas.toSvg(`Shipping label ${printableText(order.id)}`);
}

export async function renderShippingLabel(order: LabelOrder, options: ShippingLabelOptions & { format: ImageFormat }): Promise<Buffer> {
  const image = await rasterizeSvg(shippingLabelSvg(order, options));
  return encodeImage(image, options.format, options.dpi);
}
