// The Electron shell's hardening, read back from the real code so a regression fails CI:
// every window's webPreferences, the renderer's CSP (index.html's meta tag, the session's
// header, the app scheme's answer), the navigation / window.open / webview / permission
// handlers, the app scheme that serves the renderer, the only IPC handler, and the fuses of the
// packaged build (electron-builder.json). Electron cannot run here: `electron` is a stand-in
// that records what the code asks of it.
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

/** A web contents stand-in: what the code registers on it, by event name. */
class FakeContents {
  static nextId = 1;
  readonly id = FakeContents.nextId++;
  readonly listeners = new Map<string, Listener[]>();
  windowOpenHandler: Listener | undefined;
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  setWindowOpenHandler(handler: Listener) {
    this.windowOpenHandler = handler;
  }
  /** Fires an event the way Electron does; true when any listener prevented it. */
  emit(event: string, ...args: unknown[]): boolean {
    let prevented = false;
    const e = { preventDefault: () => (prevented = true) };
    const listeners = this.listeners.get(event) ?? [];
    expect(listeners.length, `a listener for ${event}`).toBeGreaterThan(0);
    for (const listener of listeners) listener(e, ...args);
    return prevented;
  }
  /** will-frame-navigate passes one details object that is also the event. */
  emitDetails(event: string, details: Record<string, unknown>): boolean {
    let prevented = false;
    const listeners = this.listeners.get(event) ?? [];
    expect(listeners.length, `a listener for ${event}`).toBeGreaterThan(0);
    for (const listener of listeners) listener({ ...details, preventDefault: () => (prevented = true) });
    return prevented;
  }
  getPrintersAsync = async () => [];
  print(_options: unknown, callback: (success: boolean, reason: string) => void) {
    callback(true, '');
  }
}

const created: { options: { webPreferences?: Record<string, unknown> }; window: FakeWindow }[] = [];
class FakeWindow {
  readonly webContents = new FakeContents();
  readonly loaded: string[] = [];
  constructor(options: { webPreferences?: Record<string, unknown> }) {
    created.push({ options, window: this });
  }
  once() {
    return this;
  }
  on() {
    return this;
  }
  show() {}
  destroy() {}
  async loadURL(url: string) {
    this.loaded.push(url);
  }
  async loadFile(file: string) {
    this.loaded.push(`file:${file}`);
  }
  static getAllWindows() {
    return created.map((c) => c.window);
  }
}

const appListeners = new Map<string, Listener>();
const sessionHandlers: { headers?: Listener; request?: Listener; check?: Listener; device?: Listener } = {};
const protocolCalls: { privileged: unknown[]; handled: Map<string, Listener> } = { privileged: [], handled: new Map() };
const openExternal = vi.fn(async () => undefined);

vi.mock('electron', () => ({
  app: { on: (event: string, listener: Listener) => appListeners.set(event, listener) },
  BrowserWindow: FakeWindow,
  shell: { openExternal },
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => protocolCalls.privileged.push(...schemes),
    handle: (scheme: string, handler: Listener) => protocolCalls.handled.set(scheme, handler),
  },
  session: {
    defaultSession: {
      webRequest: { onHeadersReceived: (listener: Listener) => (sessionHandlers.headers = listener) },
      setPermissionRequestHandler: (handler: Listener) => (sessionHandlers.request = handler),
      setPermissionCheckHandler: (handler: Listener) => (sessionHandlers.check = handler),
      setDevicePermissionHandler: (handler: Listener) => (sessionHandlers.device = handler),
    },
  },
}));

const mainWindow = await import('../../../src-main/electron/main-window');
const { createElectronPrinter } = await import('../../../src-main/electron/electron-printer');
const { RENDERER_CSP } = await import('../../../src-shared/renderer-csp');
const { AppSettingsService } = await import('../../../src-main/core/settings/app-settings');
const { createMemorySettingsStore } = await import('../../../src-main/core/settings/settings-store');

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', '..');
const location = mainWindow.rendererLocation('/app/out/main', undefined);
const OWN_PAGE = 'rxrelay://app/index.html';

/** What every window must have; each value is checked exactly. */
const REQUIRED_WEB_PREFERENCES = {
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
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|cts)$/.test(name) ? [path] : [];
  });
}
const shellSources = [...sourceFiles(join(root, 'src-main')), ...sourceFiles(join(root, 'src-preload'))].map((file) => ({
  file: relative(root, file).split('\\').join('/'),
  text: readFileSync(file, 'utf8'),
}));

/** `directive source source; ...` → { directive: [sources] } (names lower-cased, as browsers do). */
function parseCsp(policy: string): Record<string, string[]> {
  const directives: Record<string, string[]> = {};
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    expect(directives, `directive ${name} appears once`).not.toHaveProperty(name.toLowerCase());
    directives[name.toLowerCase()] = sources;
  }
  return directives;
}

function metaCsp(html: string): string {
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)?.[1];
  expect(meta, 'a CSP meta tag').toBeDefined();
  return meta!;
}

function assertStrictRendererCsp(policy: string): void {
  const csp = parseCsp(policy);
  expect(csp['default-src']).toEqual(["'self'"]);
  expect(csp['script-src']).toEqual(["'self'"]);
  expect(csp['object-src']).toEqual(["'none'"]);
  expect(csp['base-uri']).toEqual(["'none'"]);
  expect(csp['frame-ancestors']).toEqual(["'none'"]);
  expect(csp['form-action']).toEqual(["'none'"]);
  for (const [directive, sources] of Object.entries(csp)) {
    // Nothing but the app itself, and inline images/blobs it makes: no eval, no inline script or
    // style, no remote origin, no wildcard, no scheme-wide source (https:, ws:, file:, ...).
    for (const source of sources) {
      expect(["'self'", "'none'", 'data:', 'blob:'], `${directive} ${source}`).toContain(source);
    }
  }
  // A script from a data: or blob: URL would be as good as inline script.
  expect(csp['script-src']).not.toContain('data:');
  expect(csp['script-src']).not.toContain('blob:');
}

beforeEach(() => {
  created.length = 0;
  openExternal.mockClear();
});

describe('every window is locked down', () => {
  it('the main window and the hidden print window get the secure webPreferences, from the real code', async () => {
    mainWindow.createMainWindow('/app/out/main', location);
    await createElectronPrinter(() => undefined).print(
      { filename: 'label.png', mimeType: 'image/png', bytes: Buffer.from('png'), widthInches: 4, heightInches: 6, dpi: 203 },
      { copies: 1 },
    );
    expect(created).toHaveLength(2);
    for (const { options } of created) {
      expect(options.webPreferences).toBeDefined();
      for (const [key, value] of Object.entries(REQUIRED_WEB_PREFERENCES)) {
        expect(options.webPreferences?.[key], `webPreferences.${key}`).toBe(value);
      }
      // Nothing that re-opens what the list above closes.
      for (const key of ['enableBlinkFeatures', 'additionalArguments', 'partition', 'session', 'offscreen']) {
        expect(options.webPreferences, key).not.toHaveProperty(key);
      }
    }
    const [main, printer] = created;
    expect(main?.options.webPreferences?.preload).toMatch(/[\\/]preload[\\/]index\.cjs$/);
    expect(main?.window.loaded).toEqual([OWN_PAGE]);
    // The print window holds one image: no script at all, and a CSP of its own.
    expect(printer?.options.webPreferences?.javascript).toBe(false);
    expect(printer?.options.webPreferences).not.toHaveProperty('preload');
    const html = Buffer.from(printer!.window.loaded[0]!.replace(/^data:text\/html;base64,/, ''), 'base64').toString('utf8');
    const printCsp = parseCsp(metaCsp(html));
    expect(printCsp['default-src']).toEqual(["'none'"]);
    expect(printCsp['img-src']).toEqual(['data:']);
    expect(printCsp).not.toHaveProperty('script-src');
  });

  it('the shared preferences are the secure ones (what any future window starts from)', () => {
    expect(mainWindow.SECURE_WEB_PREFERENCES).toEqual(REQUIRED_WEB_PREFERENCES);
  });

  it('no window is made anywhere else (a new one must be added to the test above)', () => {
    const makers = shellSources.filter((s) => /new\s+BrowserWindow\s*\(/.test(s.text)).map((s) => s.file);
    expect(makers.sort()).toEqual(['src-main/electron/electron-printer.ts', 'src-main/electron/main-window.ts']);
    const count = shellSources.reduce((n, s) => n + (s.text.match(/new\s+BrowserWindow\s*\(/g)?.length ?? 0), 0);
    expect(count).toBe(2);
    // The Electron side (src-main/core cannot import Electron: lint refuses it).
    for (const { file, text } of shellSources.filter((s) => !s.file.startsWith('src-main/core/'))) {
      expect(text, file).not.toMatch(/\b(BrowserView|WebContentsView|BaseWindow)\b/);
      expect(text, file).not.toMatch(/webviewTag\s*:\s*true|nodeIntegration\w*\s*:\s*true|contextIsolation\s*:\s*false|sandbox\s*:\s*false|webSecurity\s*:\s*false/);
    }
  });
});

describe('one strict CSP', () => {
  const indexHtml = readFileSync(join(root, 'src-renderer', 'index.html'), 'utf8');

  it('index.html declares the shared policy, and it is strict', () => {
    expect(metaCsp(indexHtml)).toBe(RENDERER_CSP);
    assertStrictRendererCsp(metaCsp(indexHtml));
  });

  it('the Electron session sends the same policy as a header, replacing any other', () => {
    mainWindow.hardenElectron(location, { cameraForIdScanning: () => false });
    const callback = vi.fn();
    sessionHandlers.headers!({ responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src *"] } }, callback);
    const headers = (callback.mock.calls[0]?.[0] as { responseHeaders: Record<string, string[]> }).responseHeaders;
    expect(headers['Content-Security-Policy']).toEqual([RENDERER_CSP]);
    expect(headers['Content-Type']).toEqual(['text/html']);
    assertStrictRendererCsp(headers['Content-Security-Policy']![0]!);
  });

  it('the parser behind these checks does catch a weaker policy', () => {
    for (const weaker of [
      RENDERER_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'"),
      RENDERER_CSP.replace("connect-src 'self'", "connect-src 'self' https://api.example.com"),
      RENDERER_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
      RENDERER_CSP.replace("object-src 'none'; ", ''),
      RENDERER_CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'"),
      RENDERER_CSP.replace("img-src 'self' data: blob:", "img-src 'self' data: blob: https:"),
    ]) {
      expect(() => assertStrictRendererCsp(weaker), weaker).toThrow();
    }
  });
});

describe('the renderer is served on the app scheme, not file://', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rxrelay-renderer-'));
  const rendererDir = join(dir, 'out', 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), readFileSync(join(root, 'src-renderer', 'index.html')));
  writeFileSync(join(rendererDir, 'assets', 'index-abc.js'), 'export {};');
  writeFileSync(join(rendererDir, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(dir, 'out', 'secrets.json'), '{"password":"x"}');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const get = (url: string, method = 'GET') => mainWindow.rendererResponse(rendererDir, new Request(url, { method }));

  it('declares a standard, secure scheme that bypasses no CSP', () => {
    mainWindow.registerRendererScheme();
    expect(protocolCalls.privileged).toEqual([
      { scheme: 'rxrelay', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    ]);
  });

  it('the built app serves it; with a dev server nothing is registered', () => {
    protocolCalls.handled.clear();
    mainWindow.rendererLocation('/app/out/main', 'http://localhost:5173/').serve();
    expect(protocolCalls.handled.size).toBe(0);
    location.serve();
    expect([...protocolCalls.handled.keys()]).toEqual(['rxrelay']);
  });

  it('answers index.html with the CSP header, and the assets with their types', async () => {
    const page = await get('rxrelay://app/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(metaCsp(await page.text())).toBe(RENDERER_CSP);
    expect((await get('rxrelay://app/')).status).toBe(200);
    const script = await get('rxrelay://app/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('export {};');
    expect((await get('rxrelay://app/assets/index-abc.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it.each([
    ['a file outside the renderer', 'rxrelay://app/assets/..%2f..%2fsecrets.json', 404],
    ['a dot-dot path', 'rxrelay://app/assets/../../secrets.json', 404],
    ['an encoded backslash escape', 'rxrelay://app/assets/..%5c..%5csecrets.json', 404],
    ['a file beside index.html', 'rxrelay://app/secrets.json', 404],
    ['another host', 'rxrelay://evil/index.html', 404],
    ['a missing asset', 'rxrelay://app/assets/nope.js', 404],
    ['a malformed escape', 'rxrelay://app/assets/%E0%A4%A', 400],
  ])('refuses %s', async (_name, url, status) => {
    const response = await get(url);
    expect(response.status).toBe(status);
    expect(await response.text()).not.toContain('password');
  });

  it('answers GET only', async () => {
    expect((await get('rxrelay://app/index.html', 'POST')).status).toBe(405);
  });
});

describe('no navigation, no new window, no webview', () => {
  function lockedContents() {
    appListeners.clear();
    mainWindow.hardenElectron(location, { cameraForIdScanning: () => false });
    const onCreated = appListeners.get('web-contents-created');
    expect(onCreated, 'a web-contents-created listener').toBeDefined();
    const contents = new FakeContents();
    onCreated!({}, contents);
    return contents;
  }

  it('every web contents the app creates is locked down, and so is the main window itself', () => {
    const contents = lockedContents();
    const window = mainWindow.createMainWindow('/app/out/main', location);
    for (const c of [contents, window.webContents as unknown as FakeContents]) {
      for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
        expect(c.listeners.get(event)?.length, event).toBeGreaterThan(0);
      }
      expect(c.windowOpenHandler).toBeDefined();
    }
  });

  it.each(['https://attacker.example/', 'http://localhost:5173/', 'file:///etc/passwd', 'file:///app/out/renderer/index.html', 'rxrelay://evil/index.html', 'javascript:alert(1)', 'data:text/html,<script>1</script>'])(
    'blocks navigating or redirecting to %s',
    (url) => {
      const contents = lockedContents();
      expect(contents.emit('will-navigate', url)).toBe(true);
      expect(contents.emit('will-redirect', url)).toBe(true);
      expect(contents.emitDetails('will-frame-navigate', { url, isMainFrame: false })).toBe(true);
    },
  );

  it("lets the app's own page load", () => {
    const contents = lockedContents();
    expect(contents.emit('will-navigate', OWN_PAGE)).toBe(false);
    expect(contents.emit('will-redirect', `${OWN_PAGE}#orders`)).toBe(false);
    expect(contents.emitDetails('will-frame-navigate', { url: OWN_PAGE, isMainFrame: true })).toBe(false);
  });

  it('refuses every webview', () => {
    expect(lockedContents().emit('will-attach-webview', {}, { src: OWN_PAGE })).toBe(true);
  });

  it('denies every window.open; an https link goes to the system browser instead', () => {
    const open = lockedContents().windowOpenHandler!;
    expect(open({ url: 'https://track.cary.example/abc' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://track.cary.example/abc');
    openExternal.mockClear();
    for (const url of ['http://track.example/1', 'file:///etc/passwd', 'javascript:alert(1)', OWN_PAGE, 'https://u:p@example.com/', 'smb://host/share']) {
      expect(open({ url }), url).toEqual({ action: 'deny' });
    }
    expect(openExternal).not.toHaveBeenCalled();
  });
});

describe('permissions: none, but the camera for ID scanning when it is on', () => {
  let cameraOn = false;
  function handlers() {
    mainWindow.hardenElectron(location, { cameraForIdScanning: () => cameraOn });
    const request = (permission: string, details: Record<string, unknown>) => {
      let granted: boolean | undefined;
      sessionHandlers.request!({}, permission, (answer: boolean) => (granted = answer), details);
      expect(granted, 'the request was answered').toBeDefined();
      return granted;
    };
    const check = (permission: string, details: Record<string, unknown>) => sessionHandlers.check!({}, permission, 'rxrelay://app', details) as boolean;
    return { request, check };
  }
  const camera = { requestingUrl: OWN_PAGE, isMainFrame: true, mediaTypes: ['video'] };
  const OTHER_PERMISSIONS = [
    'clipboard-read',
    'clipboard-sanitized-write',
    'display-capture',
    'fullscreen',
    'geolocation',
    'idle-detection',
    'mediaKeySystem',
    'midi',
    'midiSysex',
    'notifications',
    'pointerLock',
    'keyboardLock',
    'openExternal',
    'speaker-selection',
    'storage-access',
    'top-level-storage-access',
    'window-management',
    'fileSystem',
    'hid',
    'serial',
    'usb',
    'unknown',
  ];

  beforeEach(() => (cameraOn = false));

  it('with the setting off, not even the camera', () => {
    const { request, check } = handlers();
    expect(request('media', camera)).toBe(false);
    expect(check('media', { requestingUrl: OWN_PAGE, isMainFrame: true, mediaType: 'video' })).toBe(false);
  });

  it('with the setting on, the camera for our own page, video only', () => {
    cameraOn = true;
    const { request, check } = handlers();
    expect(request('media', camera)).toBe(true);
    expect(check('media', { requestingUrl: OWN_PAGE, isMainFrame: true, mediaType: 'video', securityOrigin: 'rxrelay://app' })).toBe(true);
    // Never the microphone, never another page or a frame inside ours.
    expect(request('media', { ...camera, mediaTypes: ['audio'] })).toBe(false);
    expect(request('media', { ...camera, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(request('media', { ...camera, mediaTypes: [] })).toBe(false);
    expect(request('media', { requestingUrl: OWN_PAGE, isMainFrame: true })).toBe(false);
    expect(request('media', { ...camera, isMainFrame: false })).toBe(false);
    expect(request('media', { ...camera, requestingUrl: 'https://attacker.example/' })).toBe(false);
    expect(request('media', { ...camera, requestingUrl: 'file:///tmp/evil.html' })).toBe(false);
    expect(check('media', { requestingUrl: OWN_PAGE, isMainFrame: true, mediaType: 'audio' })).toBe(false);
    expect(check('media', { requestingUrl: OWN_PAGE, isMainFrame: true, mediaType: 'unknown' })).toBe(false);
    expect(check('media', { isMainFrame: true, mediaType: 'video' })).toBe(false);
    expect(check('media', { requestingUrl: 'https://attacker.example/', isMainFrame: true, mediaType: 'video' })).toBe(false);
    expect(check('media', { requestingUrl: OWN_PAGE, isMainFrame: false, mediaType: 'video' })).toBe(false);
  });

  it.each([false, true])('everything else is refused (camera setting on: %s)', (on) => {
    cameraOn = on;
    const { request, check } = handlers();
    for (const permission of OTHER_PERMISSIONS) {
      expect(request(permission, { requestingUrl: OWN_PAGE, isMainFrame: true }), permission).toBe(false);
      expect(check(permission, { requestingUrl: OWN_PAGE, isMainFrame: true }), permission).toBe(false);
    }
    expect(sessionHandlers.device!({ deviceType: 'usb', origin: 'rxrelay://app' })).toBe(false);
  });

  it('follows the setting as staff change it, without a restart', () => {
    const { request } = handlers();
    expect(request('media', camera)).toBe(false);
    cameraOn = true;
    expect(request('media', camera)).toBe(true);
    cameraOn = false;
    expect(request('media', camera)).toBe(false);
  });

  it('"ID scanning by camera" is a setting of the app, off unless set to true', () => {
    const store = createMemorySettingsStore();
    const settings = new AppSettingsService(store);
    expect(settings.get().id_scan_by_camera).toBe(false);
    expect(settings.update({ id_scan_by_camera: true }).id_scan_by_camera).toBe(true);
    expect(settings.update({ inline_label_images: false }).id_scan_by_camera).toBe(true);
    expect(settings.update({ id_scan_by_camera: false }).id_scan_by_camera).toBe(false);
    for (const handEdited of ['yes', 1, 'true', null]) {
      expect(new AppSettingsService(createMemorySettingsStore({ 'idScan.camera': handEdited })).get().id_scan_by_camera).toBe(false);
    }
  });
});

describe('IPC', () => {
  it('the app API handler (which checks the sender frame) is the only ipcMain listener', () => {
    const users = shellSources.filter((s) => /\bipcMain\b/.test(s.text)).map((s) => s.file);
    expect(users).toEqual(['src-main/electron/app-api-ipc.ts']);
    const ipc = shellSources.find((s) => s.file === 'src-main/electron/app-api-ipc.ts')!.text;
    expect(ipc.match(/ipcMain\.(handle|handleOnce|on|once|addListener)\s*\(/g)).toEqual(['ipcMain.handle(']);
    expect(ipc).toMatch(/isTrustedSender\(event\)/);
    expect(ipc).toMatch(/senderFrame/);
  });
});

describe('the packaged build (electron-builder.json)', () => {
  const config = JSON.parse(readFileSync(join(root, 'electron-builder.json'), 'utf8')) as {
    asar?: unknown;
    asarUnpack?: string[];
    electronFuses?: Record<string, unknown>;
    mac?: { entitlements?: string; entitlementsInherit?: string; hardenedRuntime?: boolean };
  };

  it('flips the fuses: no RunAsNode, no NODE_OPTIONS, no --inspect, ASAR integrity, app only from the ASAR', () => {
    const fuses = config.electronFuses ?? {};
    expect(fuses.runAsNode).toBe(false);
    expect(fuses.enableNodeOptionsEnvironmentVariable).toBe(false);
    expect(fuses.enableNodeCliInspectArguments).toBe(false);
    expect(fuses.enableEmbeddedAsarIntegrityValidation).toBe(true);
    expect(fuses.onlyLoadAppFromAsar).toBe(true);
    expect(fuses.enableCookieEncryption).toBe(true);
    expect(fuses.loadBrowserProcessSpecificV8Snapshot).toBe(false);
    // Off: the renderer is served on rxrelay://app/ (main-window.ts), not from file://.
    expect(fuses.grantFileProtocolExtraPrivileges).toBe(false);
  });

  it('packs the app into an ASAR (the fuses above need it), the native SQLite drivers unpacked', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['**/node_modules/better-sqlite3/**', '**/node_modules/better-sqlite3-multiple-ciphers/**', '**/*.node']),
    );
    // Nothing that runs JavaScript is left outside the integrity check.
    for (const pattern of config.asarUnpack ?? []) expect(pattern, pattern).not.toMatch(/^out\b|\*\*\/\*\.js$|^\*\*$|^\*\*\/\*$/);
  });

  it('signs macOS builds with the hardened runtime and only the entitlements it needs', () => {
    expect(config.mac?.hardenedRuntime).toBe(true);
    const plist = readFileSync(join(root, config.mac!.entitlements!), 'utf8');
    expect(config.mac?.entitlementsInherit).toBe(config.mac?.entitlements);
    const keys = [...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]).sort();
    expect(keys).toEqual(['com.apple.security.cs.allow-jit', 'com.apple.security.device.camera']);
  });

  it('is what `npm run package` builds with', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.package).toMatch(/electron-builder --config electron-builder\.json/);
  });
});
