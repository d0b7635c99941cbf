// Reading a PDF back with PDF.js the way a viewer would: pages, their size, and their text as lines.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfPageText {
  lines: string[];
  width: number;
  height: number;
}

export async function readPdf(file: Buffer): Promise<PdfPageText[]> {
  const pdf = await getDocument({ data: new Uint8Array(file), useSystemFonts: false, disableFontFace: true, isEvalSupported: false, verbosity: 0 })
    .promise;
  const pages: PdfPageText[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const page = await pdf.getPage(n);
    const viewport = page.getViewport({ scale: 1 });
    const content = await page.getTextContent();
    // Items on one baseline make one line; lines top to bottom.
    const byLine = new Map<number, Array<{ x: number; text: string }>>();
    for (const item of content.items) {
      if (!('str' in item) || !item.str) continue;
      const y = Math.round(item.transform[5] as number);
      const line = byLine.get(y) ?? [];
      line.push({ x: item.transform[4] as number, text: item.str });
      byLine.set(y, line);
    }
    const lines = [...byLine.entries()]
      .sort(([a], [b]) => b - a)
      .map(([, items]) =>
        items
          .sort((a, b) => a.x - b.x)
          .map((item) => item.text)
          .join(' ')
          .replace(/\s+/g, ' ')
          .trim(),
      );
    pages.push({ lines, width: viewport.width, height: viewport.height });
  }
  await pdf.destroy();
  return pages;
}
