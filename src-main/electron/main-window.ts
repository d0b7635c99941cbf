// The one window, locked down: isolated and sandboxed renderer with no Node, a strict CSP,
// no navigation away from the app, no new windows (https links go to the system browser), and
// no permission prompts.
import { BrowserWindow, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RENDERER_CSP } from '../../src-shared/renderer-csp';
import { isSafeExternalLink } from './external-links';
import icon from '../../resources/icon.png?asset';

export interface RendererLocation {
  /** What the window loads. */
  load(window: BrowserWindow): Promise<void>;
  /** Whether a frame URL belongs to the app's own renderer (checked on every IPC call). */
  isOwnUrl(url: string): boolean;
}

export function rendererLocation(mainDir: string, devServerUrl: string | undefined): RendererLocation {
  if (devServerUrl) {
    const origin = new URL(devServerUrl).origin;
    return {
      load: (window) => window.loadURL(devServerUrl),
      isOwnUrl: (url) => URL.canParse(url) && new URL(url).origin === origin,
    };
  }
  const indexFile = join(mainDir, '..', 'renderer', 'index.html');
  const indexUrl = pathToFileURL(indexFile).href;
  return {
    load: (window) => window.loadFile(indexFile),
    // Exactly our index.html (any #route), not any local file that happens to be opened.
    isOwnUrl: (url) => URL.canParse(url) && url.split(/[?#]/)[0] === indexUrl,
  };
}

export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;

export function createMainWindow(mainDir: string, location: RendererLocation): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    title: 'RxRelay',
    icon,
    show: false,
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: join(mainDir, '..', 'preload', 'index.cjs') },
  });
  window.once('ready-to-show', () => window.show());
  lockDownContents(window.webContents, location);
  void location.load(window);
  return window;
}

export function lockDownContents(contents: WebContents, location: RendererLocation): void {
  contents.on('will-navigate', (event, url) => {
    if (!location.isOwnUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!location.isOwnUrl(url)) event.preventDefault();
  });
  // No window ever opens inside the app; an https link (a partner's tracking page) opens in the
  // system browser instead.
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** CSP as a response header too (the dev server's pages), and no permission is ever granted. */
export function hardenDefaultSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}
