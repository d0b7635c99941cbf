// Printing labels and packing slips from the Electron app, to a printer staff chose, without a
// dialog: the core renders the document (a PNG at the printer's 203 dpi); Chromium's printing
// puts it on the page at its real size (4 in wide), on paper the size of the document.
import { BrowserWindow } from 'electron';
import type { PrinterInfo } from '../../src-shared/app-api-contract';
import type { DocumentPrinter, PrintJob } from '../core/labels/document-service';
import { SECURE_WEB_PREFERENCES } from './main-window';

const MICRONS_PER_INCH = 25_400;

export function createElectronPrinter(listFrom: () => BrowserWindow | undefined): DocumentPrinter {
  return {
    async list(): Promise<PrinterInfo[]> {
      const window = listFrom();
      if (!window) return [];
      const printers = await window.webContents.getPrintersAsync();
      return printers.map((p) => ({
        name: p.name,
        display_name: p.displayName || p.name,
        // CUPS and Windows both report the default this way; Electron dropped its own flag.
        is_default: (p.options as Record<string, string> | undefined)?.['printer-is-default'] === 'true' || (p as { isDefault?: boolean }).isDefault === true,
      }));
    },

    async print(job: PrintJob, options: { printer?: string; copies: number }): Promise<string> {
      if (!job.mimeType.startsWith('image/')) throw new Error(`Cannot print ${job.mimeType} directly.`);
      // A hidden window of its own, as locked down as the main one; it holds only the image.
      const window = new BrowserWindow({ show: false, webPreferences: { ...SECURE_WEB_PREFERENCES, javascript: false } });
      try {
        const html =
          `<!doctype html><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">` +
          `<style>@page{margin:0}html,body{margin:0}img{display:block;width:${job.widthInches}in;height:${job.heightInches}in}</style>` +
          `<img src="data:${job.mimeType};base64,${job.bytes.toString('base64')}">`;
        await window.loadURL(`data:text/html;base64,${Buffer.from(html).toString('base64')}`);
        await new Promise<void>((resolve, reject) => {
          window.webContents.print(
            {
              silent: true,
              printBackground: false,
              color: false,
              copies: options.copies,
              margins: { marginType: 'none' },
              pageSize: { width: Math.round(job.widthInches * MICRONS_PER_INCH), height: Math.round(job.heightInches * MICRONS_PER_INCH) },
              ...(options.printer ? { deviceName: options.printer } : {}),
            },
            (success, failureReason) => (success ? resolve() : reject(new Error(`The printer did not take the job: ${failureReason}.`))),
          );
        });
        return options.printer ?? 'the default printer';
      } finally {
        window.destroy();
      }
    },
  };
}
