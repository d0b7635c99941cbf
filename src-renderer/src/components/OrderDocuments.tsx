import { useEffect, useState, type JSX } from 'react';
import type { PrintableDocument, PrinterInfo, RenderedDocument } from '../../../src-shared/app-api-contract';
import { saveDocument } from '../save-document';
import type { AppStore } from '../store/app-store';

const DOCUMENT_NAMES: Record<PrintableDocument, string> = { label: 'Shipping label', packing_slip: 'Packing slip' };

/**
 * Preview and print of the selected order's label and packing slip. Where the app prints
 * directly (Electron) staff pick a printer; in a browser (headless mode) the browser's print
 * dialog does it, with only the document on the page.
 */
export function OrderDocuments({ store, orderId }: { store: AppStore; orderId: string }): JSX.Element {
  const [document, setDocument] = useState<PrintableDocument>('label');
  const [printers, setPrinters] = useState<{ printers: PrinterInfo[]; prints_directly: boolean } | undefined>();
  const [printer, setPrinter] = useState<string>('');

  useEffect(() => {
    void store
      .getState()
      .printers()
      .then((reply) => {
        if (!reply.ok) return;
        setPrinters(reply.value);
        setPrinter(reply.value.printers.find((p) => p.is_default)?.name ?? '');
      });
  }, [store]);

  return (
    <section className="documents" aria-label="Label and packing slip">
      <div className="document-tabs" role="tablist">
        {(Object.keys(DOCUMENT_NAMES) as PrintableDocument[]).map((d) => (
          <button key={d} type="button" role="tab" aria-selected={d === document} onClick={() => setDocument(d)}>
            {DOCUMENT_NAMES[d]}
          </button>
        ))}
      </div>
      {printers?.prints_directly && (
        <label className="printer-choice">
          Printer
          <select value={printer} onChange={(e) => setPrinter(e.target.value)}>
            <option value="">System default</option>
            {printers.printers.map((p) => (
              <option key={p.name} value={p.name}>
                {p.display_name}
                {p.is_default ? ' (default)' : ''}
              </option>
            ))}
          </select>
        </label>
      )}
      {/* Keyed: another order or document starts with a fresh preview and no stale messages. */}
      <DocumentPane key={`${orderId}:${document}`} store={store} document={document} printer={printer} />
    </section>
  );
}

function DocumentPane({ store, document, printer }: { store: AppStore; document: PrintableDocument; printer: string }): JSX.Element {
  const [preview, setPreview] = useState<RenderedDocument | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [copies, setCopies] = useState(1);
  const [printing, setPrinting] = useState(false);
  const [printed, setPrinted] = useState<string | undefined>();
  const [browserPrint, setBrowserPrint] = useState<RenderedDocument | undefined>();

  useEffect(() => {
    let current = true;
    void store
      .getState()
      .renderDocument(document)
      .then((reply) => {
        if (!current) return;
        if (reply.ok) setPreview(reply.value);
        else setProblem(reply.error.message);
      });
    return () => {
      current = false;
    };
  }, [store, document]);

  // The browser prints what is on the page: the document is put on it (print styles hide the rest),
  // printed once it has rendered, and taken away when the dialog closes.
  useEffect(() => {
    if (!browserPrint) return;
    const done = () => setBrowserPrint(undefined);
    window.addEventListener('afterprint', done, { once: true });
    const timer = window.setTimeout(() => window.print(), 50);
    return () => {
      window.clearTimeout(timer);
      window.removeEventListener('afterprint', done);
    };
  }, [browserPrint]);

  const print = async () => {
    setPrinting(true);
    setProblem(undefined);
    const reply = await store.getState().printDocument(document, printer || undefined, copies);
    setPrinting(false);
    if (!reply.ok) return setProblem(reply.error.message);
    const outcome = reply.value;
    const copy = outcome.copy_number > 1 ? `copy ${outcome.copy_number}, a re-print` : 'first copy';
    setPrinted(outcome.printed_by === 'app' ? `Sent to ${outcome.printer ?? 'the printer'} (${copy}).` : `Opened the print dialog (${copy}).`);
    if (outcome.printed_by === 'renderer') setBrowserPrint(outcome.document);
  };

  const downloadZpl = async () => {
    const reply = await store.getState().renderDocument('label', 'zpl');
    if (!reply.ok) return setProblem(reply.error.message);
    saveDocument(reply.value);
  };

  return (
    <>
      <div className="document-preview">
        {preview ? (
          <img src={`data:${preview.mime_type};base64,${preview.data_base64}`} alt={`${DOCUMENT_NAMES[document]} preview`} />
        ) : (
          !problem && <p aria-busy="true">Rendering…</p>
        )}
      </div>
      <div className="print-controls">
        <label>
          Copies
          <input type="number" min={1} max={20} value={copies} onChange={(e) => setCopies(Math.min(20, Math.max(1, Number(e.target.value) || 1)))} />
        </label>
        <button type="button" onClick={() => void print()} disabled={printing || !preview}>
          Print {DOCUMENT_NAMES[document].toLowerCase()}
        </button>
        {document === 'label' && (
          <button type="button" onClick={() => void downloadZpl()}>
            Download ZPL
          </button>
        )}
      </div>
      {printed && <p role="status">{printed}</p>}
      {problem && <p role="alert">{problem}</p>}
      {browserPrint && (
        <div className="print-sheet">
          <img src={`data:${browserPrint.mime_type};base64,${browserPrint.data_base64}`} alt="" />
        </div>
      )}
    </>
  );
}
