// The shipping label in ZPL II, for Zebra-class thermal printers that take commands rather than
// images (`GET /labels/<id>.zpl`). Same bands and content as the image label (shipping-label.ts),
// drawn with the printer's scalable font 0; the printer makes the barcodes itself.
//
// Field data is untrusted. ZPL has no quoting: a `^` or `~` anywhere in the stream starts a
// command (a name like `^XZ~JR` would end the label and reset the printer). Every field
// therefore goes through ^FH, and every character that is not plain printable ASCII, and every
// `^`, `~` and `\`, is written as `\XX` hex of its UTF-8 bytes (^CI28 makes the printer read
// those bytes as UTF-8). No untrusted character reaches the printer's command parser.
//
// Text is wrapped and cut here, measured with the bundled font's bold face at the field's
// height: it is wider than the printer's font 0 (a condensed face), so the measure errs on the
// side of fitting.
import { CODE128_QUIET_ZONE_MODULES, encodeCode128, encodeQr, QR_QUIET_ZONE_MODULES } from './barcodes';
import { labelFont } from './label-font';
import {
  cityStateZip,
  formatPhone,
  handlingFlags,
  packageDescription,
  printableText,
  recipientEntityLine,
  recipientPersonName,
  recipientPhone,
  type LabelOrder,
  orderSourceLine,
} from './label-order';
import { groupedTrackingId, labelFrame, type ShippingLabelOptions } from './shipping-label';
import { ellipsize, wrapText } from './text-fit';

/** Field data made inert: `\XX` for `^`, `~`, `\`, control characters and every non-ASCII byte. */
export function zplFieldData(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const printable = byte >= 0x20 && byte < 0x7f && byte !== 0x5e && byte !== 0x7e && byte !== 0x5c;
    out += printable ? String.fromCharCode(byte) : `\\${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

type Justify = 'L' | 'C' | 'R';

class ZplWriter {
  private readonly commands: string[] = [];
  private readonly bold = labelFont('bold');

  /** Text whose cell starts at (x, y); `height` in dots. Centred or right-aligned text is placed in a block of `width`. */
  text(text: string, x: number, y: number, height: number, width: number, justify: Justify = 'L', reverse = false): void {
    let fitted = ellipsize(printableText(text), width, (t) => this.bold.measure(t, height));
    if (!fitted) return;
    const block = justify === 'L' ? '' : `^FB${Math.round(width)},1,0,${justify},0`;
    // Inside a ^FB block `\&` is a line break and `\\` an escape of its own, after ^FH has decoded
    // the hex: a backslash in such a field is printed as a slash so it can start neither.
    if (block) fitted = fitted.replace(/\\/g, '/');
    this.commands.push(`^FO${Math.round(x)},${Math.round(y)}^A0N,${Math.round(height)}${block}${reverse ? '^FR' : ''}^FH\\^FD${zplFieldData(fitted)}^FS`);
  }

  /** The largest height ≤ `height` (and ≥ `minHeight`) at which the text fits in `maxLines` lines; the lines and that height. */
  fit(text: string, width: number, height: number, minHeight: number, maxLines: number): { lines: string[]; height: number } {
    const clean = printableText(text);
    for (let h = height; h >= minHeight; h -= Math.max(1, Math.round(height * 0.05))) {
      const wrapped = wrapText(clean, width, (t) => this.bold.measure(t, h), maxLines);
      if (!wrapped.truncated) return { lines: wrapped.lines, height: h };
    }
    return { lines: wrapText(clean, width, (t) => this.bold.measure(t, minHeight), maxLines).lines, height: minHeight };
  }

  box(x: number, y: number, width: number, height: number, thickness: number): void {
    this.commands.push(`^FO${Math.round(x)},${Math.round(y)}^GB${Math.round(width)},${Math.round(height)},${Math.round(thickness)},B,0^FS`);
  }

  filledBox(x: number, y: number, width: number, height: number): void {
    this.box(x, y, width, height, Math.min(width, height));
  }

  code128(data: string, x: number, y: number, moduleWidth: number, height: number): void {
    const clean = printableText(data);
    // Subset C packs digit pairs (a 16-digit tracking id in half the width); otherwise let the printer choose.
    const field = /^(\d\d)+$/.test(clean) ? `^BCN,${height},N,N,N^FH\\^FD>;${clean}` : `^BCN,${height},N,N,N,A^FH\\^FD${zplFieldData(clean.replace(/>/g, '><'))}`;
    this.commands.push(`^FO${Math.round(x)},${Math.round(y)}^BY${moduleWidth},3,${height}${field}^FS`);
  }

  qr(data: string, x: number, y: number, magnification: number): void {
    // "M" error correction, "A" automatic data mode; ^FH makes the URL as inert as any other field.
    this.commands.push(`^FO${Math.round(x)},${Math.round(y)}^BQN,2,${magnification}^FH\\^FDMA,${zplFieldData(printableText(data))}^FS`);
  }

  toZpl(width: number, height: number): string {
    // ^CI28: field bytes are UTF-8. ^PW/^LL: the label's size in dots. ^LH0,0: no home offset.
    return ['^XA', '^CI28', `^PW${width}`, `^LL${height}`, '^LH0,0', ...this.commands, '^PQ1', '^XZ', ''].join('\n');
  }
}

export function shippingLabelZpl(order: LabelOrder, options: ShippingLabelOptions): string {
  const { inch, pt, width, height, left, right, contentWidth, rule } = labelFrame(options.dpi);
  const zpl = new ZplWriter();
  const size = (points: number) => Math.round(pt(points));

  // ---- ship from | service level and dates ----
  {
    let y = left;
    const fromWidth = inch(2.35);
    zpl.text('FROM', left, y, size(6.5), fromWidth);
    y += size(8);
    const store = order.store;
    zpl.text(printableText(store.name) || 'Pharmacy', left, y, size(9.5), fromWidth);
    y += size(11.5);
    const storeLines = [store.address?.address_line_1, store.address?.address_line_2, store.address ? cityStateZip(store.address) : '', store.phone ? formatPhone(store.phone) : '']
      .map((line) => printableText(line))
      .filter(Boolean);
    for (const line of storeLines) {
      zpl.text(line, left, y, size(8), fromWidth);
      y += size(9.5);
    }
    const serviceLeft = inch(2.55);
    const serviceWidth = right - serviceLeft;
    let dateTop = left;
    const service = printableText(order.service_level).toUpperCase();
    if (service) {
      const boxHeight = inch(0.34);
      zpl.filledBox(serviceLeft, dateTop, serviceWidth, boxHeight);
      const fitted = zpl.fit(service, serviceWidth - inch(0.1), size(15), size(7), 1);
      zpl.text(fitted.lines[0] ?? '', serviceLeft, dateTop + (boxHeight - fitted.height) / 2, fitted.height, serviceWidth, 'C', true);
      dateTop += boxHeight + inch(0.05);
    }
    for (const [caption, date] of [
      ['PICKUP', order.pickup_date],
      ['DELIVER BY', order.requested_delivery_date],
    ] as const) {
      const text = printableText(date);
      if (!text) continue;
      zpl.text(caption, serviceLeft, dateTop + size(2), size(6.5), serviceWidth / 2);
      zpl.text(text, serviceLeft, dateTop, size(9.5), serviceWidth, 'R');
      dateTop += size(11.5);
    }
    zpl.filledBox(left, inch(0.96), contentWidth, rule);
  }

  // ---- ship to ----
  {
    let y = inch(1.04);
    const bottom = inch(2.9);
    zpl.text('SHIP TO', left, y, size(7), contentWidth);
    y += size(9);
    const address = order.recipient.address;
    const phone = recipientPhone(order);
    const fields: Array<[string, number, number, number]> = [
      // text, preferred pt, minimum pt, max lines
      [recipientPersonName(order), 21, 11, 2],
      [recipientEntityLine(order) ?? '', 13, 8.5, 2],
      [address.address_line_1, 15, 9, 3],
      [address.address_line_2 ?? '', 15, 9, 3],
      [cityStateZip(address), 19, 11, 1],
      [phone ? `PHONE ${phone}` : '', 11, 8, 1],
    ];
    // Scale every field down together until the block fits its band, as the image label does.
    for (let scale = 1; scale >= 0.4; scale -= 0.05) {
      const fitted = fields
        .filter(([text]) => printableText(text))
        .map(([text, preferred, minimum, maxLines]) => zpl.fit(text, contentWidth, size(Math.max(minimum, preferred * scale)), size(minimum), maxLines));
      const total = fitted.reduce((sum, field) => sum + field.lines.length * Math.round(field.height * 1.12), 0);
      if (total <= bottom - y || scale - 0.05 < 0.4) {
        for (const field of fitted) {
          for (const line of field.lines) {
            if (y + field.height > bottom) break;
            zpl.text(line, left, y, field.height, contentWidth);
            y += Math.round(field.height * 1.12);
          }
        }
        break;
      }
    }
    zpl.filledBox(left, inch(2.91), contentWidth, rule);
  }

  // ---- handling flags: reversed text in black boxes, two per row ----
  {
    const flags = handlingFlags(order);
    const top = inch(2.98);
    const bandHeight = inch(3.64) - top;
    const gap = inch(0.06);
    const rows = Math.ceil(flags.length / 2);
    const cellHeight = Math.min(inch(0.42), Math.floor((bandHeight - gap * (rows - 1)) / Math.max(rows, 1)));
    if (flags.length === 0) zpl.text('NO SIGNATURE, ID OR PAYMENT NEEDED', left, top + bandHeight / 2 - size(5), size(9), contentWidth, 'C');
    flags.forEach((flag, index) => {
      const alone = index === flags.length - 1 && index % 2 === 0;
      const cellWidth = alone ? contentWidth : Math.floor((contentWidth - gap) / 2);
      const x = left + (index % 2) * (cellWidth + gap);
      const y = top + Math.floor(index / 2) * (cellHeight + gap);
      zpl.filledBox(x, y, cellWidth, cellHeight);
      const fitted = zpl.fit(flag, cellWidth - inch(0.12), size(17), size(7), 1);
      zpl.text(fitted.lines[0] ?? '', x, y + (cellHeight - fitted.height) / 2, fitted.height, cellWidth, 'C', true);
    });
    zpl.filledBox(left, inch(3.66), contentWidth, rule);
  }

  // ---- Code 128 of the tracking id, QR of the tracking URL ----
  {
    const top = inch(3.76);
    const bottom = inch(4.94);
    const qr = encodeQr(options.trackingUrl);
    // ^BQ magnifies by 1–10 dots a module.
    const magnification = Math.max(1, Math.min(10, Math.floor(inch(1.18) / (qr.size + 2 * QR_QUIET_ZONE_MODULES))));
    const qrSide = qr.size * magnification;
    const qrLeft = right - qrSide;
    zpl.qr(options.trackingUrl, qrLeft, top, magnification);
    const barcodeRoom = qrLeft - QR_QUIET_ZONE_MODULES * magnification - left;
    // The printer encodes the bars; encoding them here too tells how wide they will be.
    const modules = encodeCode128(printableText(order.tracking_id)).modules;
    const moduleWidth = Math.max(1, Math.min(Math.round(options.dpi * 0.02), Math.floor(barcodeRoom / (modules + 2 * CODE128_QUIET_ZONE_MODULES))));
    const digitsHeight = size(13);
    const barsHeight = bottom - top - Math.round(digitsHeight * 1.2) - inch(0.04);
    zpl.code128(order.tracking_id, left + Math.floor((barcodeRoom - modules * moduleWidth) / 2), top, moduleWidth, barsHeight);
    zpl.text(groupedTrackingId(printableText(order.tracking_id)), left, top + barsHeight + inch(0.04), digitsHeight, barcodeRoom, 'C');
    zpl.filledBox(left, bottom + inch(0.02), contentWidth, rule);
  }

  // ---- ids, package, delivery notes ----
  {
    let y = inch(5.04);
    const half = Math.floor(contentWidth / 2);
    zpl.text('ORDER', left, y, size(6.5), half);
    const source = orderSourceLine(order);
    zpl.text(source.caption.toUpperCase(), left + half, y, size(6.5), half, 'R');
    y += size(8);
    zpl.text(order.id, left, y, size(10.5), half - inch(0.05));
    zpl.text(source.value, left + half, y, size(10.5), half, 'R');
    y += size(13);
    const pkg = packageDescription(order.package);
    if (pkg) {
      zpl.text(`PACKAGE ${pkg}`, left, y, size(9), contentWidth);
      y += size(11);
    }
    const notes = printableText(order.delivery_notes);
    if (notes) {
      zpl.text('NOTES', left, y, size(6.5), contentWidth);
      y += size(8);
      const noteHeight = size(9);
      const maxLines = Math.max(1, Math.floor((height - left - y) / Math.round(noteHeight * 1.12)));
      for (const line of zpl.fit(notes, contentWidth, noteHeight, noteHeight, maxLines).lines) {
        zpl.text(line, left, y, noteHeight, contentWidth);
        y += Math.round(noteHeight * 1.12);
      }
    }
  }

  return zpl.toZpl(width, height);
}
