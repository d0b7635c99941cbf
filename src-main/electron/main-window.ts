// The one window, locked down: isolated and sandboxed renderer with no Node, a strict CSP,
// no navigation away from the app, no new windows (https links go to the system browser), and
// no permission granted but the camera, for scanning an ID, when staff turned that on.
//
// The built renderer is served over a privileged scheme of the app's own (rxrelay://app/), not
// file://: the packaged app flips the GrantFileProtocolExtraPrivileges fuse off (see
// electron-builder.json), which takes away file://'s reach into app.asar and its access to
// other local files; a page here can read only the files this handler serves.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { app, BrowserWindow, protocol, session, shell, type Session, type WebContents, type WebPreferences } from 'electron';
import { RENDERER_CSP } from '../../src-shared/renderer-csp';
import { isSafeExternalLink } from './external-links';
import icon from '../../resources/icon.png?asset';

/** The renderer's own origin in the built app: `rxrelay://app/index.html`. */
export const RENDERER_SCHEME = 'rxrelay';
export const RENDERER_HOST = 'app';
const RENDERER_ENTRY = `${RENDERER_SCHEME}://${RENDERER_HOST}/index.html`;

export interface RendererLocation {
  /** Serves the built renderer (the app's scheme); nothing to do with a dev server. */
  serve(): void;
  /** What the window loads. */
  load(window: BrowserWindow): Promise<void>;
  /** Whether a frame URL belongs to the app's own renderer (checked on every IPC call). */
  isOwnUrl(url: string): boolean;
}

/**
 * Must run before the app is ready (Electron allows it once): the app's scheme is standard
 * (a real origin, so 'self' and relative URLs work) and secure (a secure context: the camera
 * needs one). It bypasses nothing: the CSP applies as on any page.
 */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

export function rendererLocation(mainDir: string, devServerUrl: string | undefined): RendererLocation {
  if (devServerUrl) {
    const origin = new URL(devServerUrl).origin;
    return {
      serve: () => undefined,
      load: (window) => window.loadURL(devServerUrl),
      isOwnUrl: (url) => URL.canParse(url) && new URL(url).origin === origin,
    };
  }
  const rendererDir = join(mainDir, '..', 'renderer');
  return {
    serve: () => protocol.handle(RENDERER_SCHEME, (request) => rendererResponse(rendererDir, request)),
    load: (window) => window.loadURL(RENDERER_ENTRY),
    // Node gives a non-special scheme's URL the origin "null": compare scheme and host.
    isOwnUrl: (url) => {
      if (!URL.canParse(url)) return false;
      const parsed = new URL(url);
      return parsed.protocol === `${RENDERER_SCHEME}:` && parsed.host === RENDERER_HOST && parsed.username === '' && parsed.password === '';
    },
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/**
 * One answer of the app's scheme: index.html (with the CSP as a header too) and the files under
 * assets/, nothing else; no other host, no way out of the renderer folder, GET only.
 */
export async function rendererResponse(rendererDir: string, request: Request): Promise<Response> {
  const headers = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers });
  const url = new URL(request.url);
  if (url.protocol !== `${RENDERER_SCHEME}:` || url.host !== RENDERER_HOST) return new Response(null, { status: 404, headers });
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return new Response(null, { status: 400, headers });
  }
  const assetsDir = join(rendererDir, 'assets');
  let file: string;
  if (path === '/' || path === '/index.html') file = join(rendererDir, 'index.html');
  else if (path.startsWith('/assets/')) file = normalize(join(assetsDir, path.slice('/assets/'.length)));
  else return new Response(null, { status: 404, headers });
  if (file !== join(rendererDir, 'index.html') && !file.startsWith(assetsDir + sep)) return new Response(null, { status: 404, headers });
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return new Response(null, { status: 404, headers });
  }
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const isPage = type.startsWith('text/html');
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: {
      ...headers,
      'content-type': type,
      'cache-control': 'no-store',
      ...(isPage ? { 'content-security-policy': RENDERER_CSP } : {}),
    },
  });
}

/**
 * Every window's webPreferences start from these (the main window adds its preload, the print
 * window turns JavaScript off). test/unit/electron/hardening.test.ts reads them back from each
 * window the code creates.
 */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const satisfies WebPreferences;

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

/** What may be granted: only the camera (video, never the microphone), only when this says so. */
export interface PermissionPolicy {
  /** The "ID scanning by camera" setting, read at each request (staff may turn it on or off). */
  cameraForIdScanning(): boolean;
}

/**
 * Everything that applies to the whole app, installed once before any window exists: every
 * web contents (windows, the print window, anything Chromium creates) is locked down, and the
 * default session sends the CSP and answers permission requests.
 */
export function hardenElectron(location: RendererLocation, policy: PermissionPolicy): void {
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents, location));
  hardenDefaultSession(location, policy);
}

export function lockDownContents(contents: WebContents, location: RendererLocation): void {
  contents.on('will-navigate', (event, url) => {
    if (!location.isOwnUrl(url)) event.preventDefault();
  });
  // Frames inside the page too (the app has none; a frame that appears may not go anywhere else).
  contents.on('will-frame-navigate', (event) => {
    if (!location.isOwnUrl(event.url)) event.preventDefault();
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

type PermissionRequestHandler = NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>;
type PermissionCheckHandler = NonNullable<Parameters<Session['setPermissionCheckHandler']>[0]>;

/**
 * The camera is granted to our own page's top frame only, video only, only while the setting
 * is on. Every other permission (microphone, notifications, geolocation, screen capture,
 * clipboard reads, openExternal, ...) is refused.
 */
export function permissionHandlers(location: RendererLocation, policy: PermissionPolicy): { request: PermissionRequestHandler; check: PermissionCheckHandler } {
  const cameraFor = (url: string | undefined, isMainFrame: boolean) =>
    isMainFrame && url !== undefined && location.isOwnUrl(url) && policy.cameraForIdScanning();
  return {
    request: (_contents, permission, callback, details) => {
      const mediaTypes = permission === 'media' && 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
      const videoOnly = mediaTypes.length > 0 && mediaTypes.every((type) => type === 'video');
      callback(permission === 'media' && videoOnly && cameraFor(details.requestingUrl, details.isMainFrame));
    },
    check: (_contents, permission, _origin, details) =>
      permission === 'media' && details.mediaType === 'video' && cameraFor(details.requestingUrl, details.isMainFrame),
  };
}

/** CSP as a response header too (the dev server's pages), and no permission but the camera. */
export function hardenDefaultSession(location: RendererLocation, policy: PermissionPolicy): void {
  const ses = session.defaultSession;
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  const handlers = permissionHandlers(location, policy);
  ses.setPermissionRequestHandler(handlers.request);
  ses.setPermissionCheckHandler(handlers.check);
  // USB, serial and HID devices: never (Bluetooth has no chooser here, so it is never offered).
  ses.setDevicePermissionHandler(() => false);
}
