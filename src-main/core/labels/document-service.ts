// What the app and the BestRx listener ask of the labels library: an order's shipping label or
// packing slip in a given format, the run sheet of a set of orders, and prints, each recorded
// on the order's timeline. Rendering is pure (labels library); this service only loads the
// order, names the file and decides who prints.
import type {
  DocumentFormat,
  PrintableDocument,
  PrinterInfo,
  PrintOutcome,
  RenderedDocument,
} from '../../../src-shared/app-api-contract';
import { localDate } from '../../../src-shared/local-date';
import type { Clock } from '../clock';
import type { OrderService } from '../orders/order-service';
import { IMAGE_FILE_EXTENSIONS, IMAGE_MIME_TYPES, type LabelDpi, type LabelOrder } from './label-order';
import { renderPackingSlip } from './packing-slip';
import { renderRunSheetPdf } from './run-sheet';
import { renderShippingLabel } from './shipping-label';
import { shippingLabelZpl } from './zpl';

export const ZPL_MIME_TYPE = 'application/x-zpl';
const PDF_MIME_TYPE = 'application/pdf';

/** A document ready to print: its bytes, and its paper size (labels are 4×6; a long slip is taller). */
export interface PrintJob {
  filename: string;
  mimeType: string;
  bytes: Buffer;
  widthInches: number;
  heightInches: number;
  dpi: LabelDpi;
}

/**
 * Sends a document to a printer. The Electron shell has one (Chromium's printing); headless
 * mode has none, and its renderer prints through the browser instead.
 */
export interface DocumentPrinter {
  list(): Promise<PrinterInfo[]>;
  /** Prints on `printer` (a name from `list`) or the system default; resolves with the printer used. */
  print(job: PrintJob, options: { printer?: string; copies: number }): Promise<string>;
}

export interface DocumentRequest {
  id: string;
  document: PrintableDocument;
  format: DocumentFormat;
  dpi: LabelDpi;
}

export interface RenderedBytes {
  filename: string;
  mimeType: string;
  bytes: Buffer;
}

export interface DocumentServiceDependencies {
  orders: Pick<OrderService, 'get' | 'recordPrint'>;
  /** The order's tracking link as handed to BestRx, for the label's QR code. */
  trackingUrl: (trackingId: string) => string;
  clock: Clock;
  printer?: DocumentPrinter;
}

export class DocumentService {
  constructor(private readonly deps: DocumentServiceDependencies) {}

  /** Renders one document of one order; `order` may be passed when the caller has just read it. */
  async render(request: DocumentRequest, order: LabelOrder = this.deps.orders.get(request.id), trackingUrl?: string): Promise<RenderedBytes> {
    const stem = `${request.document === 'label' ? 'label' : 'packing-slip'}-${order.id}`;
    if (request.format === 'zpl') {
      if (request.document !== 'label') throw new RangeError('ZPL is available for the shipping label only.');
      const zpl = shippingLabelZpl(order, { trackingUrl: trackingUrl ?? this.deps.trackingUrl(order.tracking_id), dpi: request.dpi });
      return { filename: `${stem}.zpl`, mimeType: ZPL_MIME_TYPE, bytes: Buffer.from(zpl, 'utf8') };
    }
    const format = request.format;
    const bytes =
      request.document === 'label'
        ? await renderShippingLabel(order, { trackingUrl: trackingUrl ?? this.deps.trackingUrl(order.tracking_id), dpi: request.dpi, format })
        : await renderPackingSlip(order, { dpi: request.dpi, format });
    return { filename: `${stem}.${IMAGE_FILE_EXTENSIONS[format]}`, mimeType: IMAGE_MIME_TYPES[format], bytes };
  }

  async runSheet(input: { order_ids: string[]; name?: string; courier?: string; date?: string }): Promise<RenderedBytes> {
    const stops = input.order_ids.map((id) => this.deps.orders.get(id));
    const date = input.date ?? localDate(this.deps.clock.now());
    const bytes = await renderRunSheetPdf({ name: input.name ?? `Run ${date}`, courier: input.courier ?? '', date, stops });
    return { filename: `run-sheet-${date}.pdf`, mimeType: PDF_MIME_TYPE, bytes };
  }

  async printers(): Promise<{ printers: PrinterInfo[]; prints_directly: boolean }> {
    return { printers: this.deps.printer ? await this.deps.printer.list() : [], prints_directly: this.deps.printer !== undefined };
  }

  /**
   * Prints a label or packing slip as a PNG (what every driver takes) and records the print.
   * The print is recorded only once the printer accepted it; without a printer here, the caller
   * (the renderer) prints the returned document itself, and that is recorded as it is handed over.
   */
  async print(
    input: { id: string; document: PrintableDocument; printer?: string; copies: number },
    actor: string,
  ): Promise<PrintOutcome> {
    const dpi: LabelDpi = 203;
    const order = this.deps.orders.get(input.id);
    const rendered = await this.render({ id: input.id, document: input.document, format: 'png', dpi }, order);
    let printerUsed: string | null = null;
    if (this.deps.printer) {
      const size = pngSize(rendered.bytes);
      printerUsed = await this.deps.printer.print(
        { ...rendered, dpi, widthInches: size.width / dpi, heightInches: size.height / dpi },
        { printer: input.printer, copies: input.copies },
      );
    }
    const copyNumber = await this.deps.orders.recordPrint(
      input.id,
      { document: input.document, copies: input.copies, printer: printerUsed, via: this.deps.printer ? 'printer' : 'browser' },
      actor,
    );
    return {
      printed_by: this.deps.printer ? 'app' : 'renderer',
      printer: printerUsed,
      document: toRenderedDocument(rendered),
      copy_number: copyNumber,
    };
  }
}

export function toRenderedDocument(rendered: RenderedBytes): RenderedDocument {
  return { filename: rendered.filename, mime_type: rendered.mimeType, data_base64: rendered.bytes.toString('base64') };
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
