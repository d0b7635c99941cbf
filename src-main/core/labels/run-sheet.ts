// The courier's run sheet: a US Letter PDF listing a run's stops in driving order, with what the
// courier must do at each door (flags, amount to collect, notes) and a line for the signature.
//
// Written with pdfkit in the bundled DejaVu face (embedded, subset) rather than the built-in
// Helvetica: Helvetica's encoding has no Ł, no Cyrillic, no CJK, and a recipient's name must
// never print as the wrong letters. A stop is never split across pages; a stop taller than a
// page cannot happen, because its free-text parts (notes, consents) are capped in lines.
import PDFDocument from 'pdfkit';
import { labelFontFile } from './label-font';
import {
  cityStateZip,
  formatMoney,
  handlingFlags,
  mustCollect,
  printableText,
  recipientEntityLine,
  recipientPersonName,
  recipientPhone,
  type LabelOrder,
} from './label-order';
import { groupedTrackingId } from './shipping-label';

export interface CourierRun {
  name: string;
  courier: string;
  /** YYYY-MM-DD */
  date: string;
  stops: LabelOrder[];
}

const PAGE = { width: 612, height: 792, margin: 40 } as const;
const FOOTER_HEIGHT = 24;
const NUMBER_COLUMN = 40;
const AMOUNT_COLUMN = 120;
const NOTES_MAX_LINES = 4;

type Doc = PDFKit.PDFDocument;

const REGULAR = 'RxRelay-Regular';
const BOLD = 'RxRelay-Bold';

interface StopText {
  name: string;
  address: string;
  contact: string;
  flags: string[];
  consent: string;
  notes: string;
}

function stopText(stop: LabelOrder): StopText {
  const entity = recipientEntityLine(stop);
  const address = stop.recipient.address;
  const phone = recipientPhone(stop);
  const consents = stop.consents.map((c) => printableText(c.consent_header)).filter(Boolean);
  return {
    name: printableText([recipientPersonName(stop), entity].filter(Boolean).join(' — ')),
    address: [address.address_line_1, address.address_line_2, cityStateZip(address)].map((p) => printableText(p)).filter(Boolean).join(', '),
    contact: [phone ? `Phone ${printableText(phone)}` : '', `Order ${printableText(stop.id)}`, `Tracking ${groupedTrackingId(printableText(stop.tracking_id))}`]
      .filter(Boolean)
      .join('   '),
    // The amount goes in its own column; the chips carry the rest.
    flags: handlingFlags({ ...stop, amount_to_collect: 0 }),
    consent: stop.consents.length === 0 ? '' : `Consent${consents.length === 1 ? '' : 's'} to present: ${consents.join('; ') || stop.consents.length}`,
    notes: printableText(stop.delivery_notes),
  };
}

const contentLeft = PAGE.margin + NUMBER_COLUMN;
const contentWidth = PAGE.width - 2 * PAGE.margin - NUMBER_COLUMN - AMOUNT_COLUMN;

/** Draws (or, with draw false, only measures) one stop with its top at y; returns its height. */
function stopBlock(doc: Doc, stop: LabelOrder, number: number, y: number, draw: boolean): number {
  const text = stopText(stop);
  let cursor = y + 6;
  const write = (value: string, font: string, size: number, maxLines: number, width = contentWidth): void => {
    if (!value) return;
    doc.font(font).fontSize(size);
    const lineHeight = doc.currentLineHeight(true);
    const height = Math.min(doc.heightOfString(value, { width }), maxLines * lineHeight);
    if (draw) doc.text(value, contentLeft, cursor, { width, height: height + 0.5, ellipsis: true });
    cursor += height;
  };

  if (draw) {
    doc.font(BOLD).fontSize(16).fillColor('#000').text(String(number), PAGE.margin, y + 4, { width: NUMBER_COLUMN - 8, align: 'right', lineBreak: false });
    const amountLeft = PAGE.width - PAGE.margin - AMOUNT_COLUMN;
    if (mustCollect(stop)) {
      doc.rect(amountLeft + 8, y + 6, AMOUNT_COLUMN - 8, 34).fill('#000');
      doc.font(BOLD).fontSize(8).fillColor('#fff').text('COLLECT', amountLeft + 8, y + 9, { width: AMOUNT_COLUMN - 16, align: 'right', lineBreak: false });
      doc.font(BOLD).fontSize(13).text(formatMoney(stop.amount_to_collect), amountLeft + 8, y + 20, { width: AMOUNT_COLUMN - 16, align: 'right', lineBreak: false });
      doc.fillColor('#000');
    } else {
      doc.font(REGULAR).fontSize(8).fillColor('#000').text('Nothing to collect', amountLeft + 8, y + 9, { width: AMOUNT_COLUMN - 8, align: 'right', lineBreak: false });
    }
  }

  write(text.name, BOLD, 12, 2);
  write(text.address, REGULAR, 10, 3);
  write(text.contact, REGULAR, 8.5, 2);
  if (text.flags.length > 0) {
    cursor += 3;
    doc.font(BOLD).fontSize(8);
    let x = contentLeft;
    for (const flag of text.flags) {
      const width = doc.widthOfString(flag) + 8;
      if (draw) {
        doc.rect(x, cursor, width, 13).fill('#000');
        doc.fillColor('#fff').text(flag, x + 4, cursor + 3, { lineBreak: false });
        doc.fillColor('#000');
      }
      x += width + 5;
    }
    cursor += 16;
  }
  write(text.consent, REGULAR, 8.5, 2);
  write(text.notes ? `Notes: ${text.notes}` : '', REGULAR, 8.5, NOTES_MAX_LINES);

  // Signature line: what the courier gets signed, with room for the printed name and time.
  cursor += 20;
  if (draw) {
    const signatureWidth = contentWidth * 0.5;
    const nameLeft = contentLeft + signatureWidth + 12;
    const nameWidth = PAGE.width - PAGE.margin - nameLeft - 70;
    const timeLeft = PAGE.width - PAGE.margin - 58;
    doc.lineWidth(0.8).strokeColor('#000');
    doc.moveTo(contentLeft, cursor).lineTo(contentLeft + signatureWidth, cursor).stroke();
    doc.moveTo(nameLeft, cursor).lineTo(nameLeft + nameWidth, cursor).stroke();
    doc.moveTo(timeLeft, cursor).lineTo(PAGE.width - PAGE.margin, cursor).stroke();
    doc.font(REGULAR).fontSize(7).fillColor('#000');
    doc.text('Signature', contentLeft, cursor + 2, { lineBreak: false });
    doc.text('Printed name', nameLeft, cursor + 2, { lineBreak: false });
    doc.text('Time', timeLeft, cursor + 2, { lineBreak: false });
  }
  cursor += 14;
  const height = cursor - y;
  if (draw) {
    doc.lineWidth(1.2).moveTo(PAGE.margin, y + height).lineTo(PAGE.width - PAGE.margin, y + height).stroke();
  }
  return height;
}

function runTotalCents(run: CourierRun): number {
  return run.stops.reduce((sum, stop) => sum + Math.max(0, Math.round(stop.amount_to_collect * 100)), 0);
}

/** The first page's header: who, when, how many stops and how much money comes back. Returns its bottom. */
function firstPageHeader(doc: Doc, run: CourierRun): number {
  let y = PAGE.margin;
  doc.font(BOLD).fontSize(8).fillColor('#000').text('COURIER RUN SHEET', PAGE.margin, y, { lineBreak: false });
  y += 12;
  doc.font(BOLD).fontSize(18);
  const name = printableText(run.name) || 'Courier run';
  const nameHeight = Math.min(doc.heightOfString(name, { width: PAGE.width - 2 * PAGE.margin }), 2 * doc.currentLineHeight(true));
  doc.text(name, PAGE.margin, y, { width: PAGE.width - 2 * PAGE.margin, height: nameHeight + 0.5, ellipsis: true });
  y += nameHeight + 4;
  const facts: Array<[string, string]> = [
    ['Courier', printableText(run.courier)],
    ['Date', printableText(run.date)],
    ['Stops', String(run.stops.length)],
    ['Total to collect', formatMoney(runTotalCents(run) / 100)],
  ];
  const column = (PAGE.width - 2 * PAGE.margin) / facts.length;
  facts.forEach(([label, value], index) => {
    const x = PAGE.margin + index * column;
    doc.font(REGULAR).fontSize(8).text(label, x, y, { width: column - 8, lineBreak: false });
    doc.font(BOLD).fontSize(12).text(value, x, y + 10, { width: column - 8, height: 16, ellipsis: true });
  });
  y += 32;
  doc.lineWidth(2).moveTo(PAGE.margin, y).lineTo(PAGE.width - PAGE.margin, y).stroke();
  return y;
}

/** Later pages repeat who and when in one line, so a loose page still says which run it belongs to. */
function continuationHeader(doc: Doc, run: CourierRun): number {
  const y = PAGE.margin;
  const text = [printableText(run.name) || 'Courier run', printableText(run.courier), printableText(run.date)].filter(Boolean).join(' · ');
  doc.font(BOLD).fontSize(9).fillColor('#000').text(text, PAGE.margin, y, { width: PAGE.width - 2 * PAGE.margin, height: 12, ellipsis: true });
  doc.lineWidth(2).moveTo(PAGE.margin, y + 14).lineTo(PAGE.width - PAGE.margin, y + 14).stroke();
  return y + 14;
}

export function renderRunSheetPdf(run: CourierRun): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'LETTER',
      margins: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin },
      bufferPages: true,
      autoFirstPage: true,
      info: {
        Title: `Run sheet ${printableText(run.name)} ${printableText(run.date)}`.trim(),
        Author: 'RxRelay',
        Creator: 'RxRelay',
        // A fixed date from the run, not the clock: the same run gives the same PDF.
        CreationDate: /^\d{4}-\d{2}-\d{2}$/.test(run.date) ? new Date(`${run.date}T00:00:00Z`) : new Date(0),
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    try {
      doc.registerFont(REGULAR, labelFontFile('regular'));
      doc.registerFont(BOLD, labelFontFile('bold'));
      const pageBottom = PAGE.height - PAGE.margin - FOOTER_HEIGHT;
      let y = firstPageHeader(doc, run);
      if (run.stops.length === 0) doc.font(REGULAR).fontSize(11).text('No stops on this run.', PAGE.margin, y + 12);
      run.stops.forEach((stop, index) => {
        const height = stopBlock(doc, stop, index + 1, y, false);
        if (y + height > pageBottom) {
          doc.addPage();
          y = continuationHeader(doc, run);
        }
        y += stopBlock(doc, stop, index + 1, y, true);
      });

      // Footers last, once the page count is known.
      const range = doc.bufferedPageRange();
      for (let i = range.start; i < range.start + range.count; i++) {
        doc.switchToPage(i);
        // Writing inside the bottom margin would make pdfkit start a new page; lift the margin meanwhile.
        const bottomMargin = doc.page.margins.bottom;
        doc.page.margins.bottom = 0;
        const footerY = PAGE.height - PAGE.margin - 10;
        doc.font(REGULAR).fontSize(8).fillColor('#000');
        doc.text(`${printableText(run.name)} · ${printableText(run.date)}`, PAGE.margin, footerY, { width: 300, height: 10, ellipsis: true, lineBreak: false });
        doc.text(`Page ${i - range.start + 1} of ${range.count}`, PAGE.width - PAGE.margin - 150, footerY, { width: 150, align: 'right', lineBreak: false });
        doc.page.margins.bottom = bottomMargin;
      }
      doc.end();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
