// Hands a rendered document (base64 from the app API) to the browser or Electron as a download.
import type { RenderedDocument } from '../../src-shared/app-api-contract';

export function saveDocument(rendered: RenderedDocument): void {
  const bytes = Uint8Array.from(atob(rendered.data_base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: rendered.mime_type }));
  Object.assign(document.createElement('a'), { href: url, download: rendered.filename }).click();
  // The download has taken its copy by the next tick; a second is generous.
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
