// Composition root for the Electron app (`npm start`): the same core services as headless
// mode, with settings in electron-store, secrets in the OS keychain, and the renderer in a
// locked-down window talking to the core over IPC.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog } from 'electron';
import { systemClock } from './core/clock';
import { loadConfig } from './core/config/config';
import { createJsonLogger } from './core/logger';
import { localActor, startRxRelayCore, type RxRelayCore } from './core/rxrelay-core';
import { openDatabase, type SqliteDatabase } from './core/storage/database';
import { APP_VERSION } from './core/version';
import { registerAppApiIpc } from './electron/app-api-ipc';
import { createElectronPrinter } from './electron/electron-printer';
import { createElectronSecretStore, ElectronSettingsStore } from './electron/electron-settings';
import { createMainWindow, hardenDefaultSession, lockDownContents, rendererLocation } from './electron/main-window';
import { electronSqliteBindingPath } from './electron/native-sqlite';

const mainDir = dirname(fileURLToPath(import.meta.url));
const logger = createJsonLogger();
let mainWindow: BrowserWindow | undefined;
let core: RxRelayCore | undefined;
let db: SqliteDatabase | undefined;

if (!app.requestSingleInstanceLock()) {
  // Two copies would fight over the BestRx port and the database.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.whenReady().then(start).catch(fail);
}

async function start(): Promise<void> {
  // The database, its WAL and the settings hold patient data: readable by this user only.
  process.umask(0o077);
  const location = rendererLocation(mainDir, process.env.ELECTRON_RENDERER_URL);
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents, location));
  hardenDefaultSession();

  const { config } = loadConfig(process.argv.slice(app.isPackaged ? 1 : 2), process.env, {
    strict: false,
    defaultDataDir: app.getPath('userData'),
  });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const sqliteNativeBinding = electronSqliteBindingPath(app.getAppPath());
  db = openDatabase({ file: join(config.dataDir, 'rxrelay.db'), nativeBinding: sqliteNativeBinding });
  core = await startRxRelayCore({
    config,
    db,
    settings: new ElectronSettingsStore(),
    secrets: createElectronSecretStore(join(config.dataDir, 'secrets.json'), logger),
    clock: systemClock,
    logger,
    mode: 'electron',
    version: APP_VERSION,
    statusSenderThreadScript: join(mainDir, 'status-push-sender.js'),
    sqliteNativeBinding,
    printer: createElectronPrinter(() => mainWindow),
  });
  registerAppApiIpc({
    appApi: core.appApi,
    events: core.events,
    window: () => mainWindow,
    location,
    context: { actor: localActor() },
    logger,
  });
  mainWindow = createMainWindow(mainDir, location);
  mainWindow.on('closed', () => (mainWindow = undefined));
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(mainDir, location);
  });
}

function fail(error: unknown): void {
  logger.error('electron.start_failed', { error: (error as Error).name });
  dialog.showErrorBox('RxRelay could not start', (error as Error).message);
  app.exit(1);
}

app.on('window-all-closed', () => {
  // The BestRx endpoint must stay up while the app runs; on macOS the app stays in the dock.
  if (process.platform !== 'darwin') app.quit();
});

// Stop the BestRx listener and let in-flight requests finish before the database closes.
let stopped = false;
app.on('before-quit', (event) => {
  if (stopped || !core) return;
  event.preventDefault();
  stopped = true;
  void core
    .stop()
    .catch((error: unknown) => logger.error('electron.stop_failed', { error: (error as Error).name }))
    .finally(() => {
      db?.close();
      app.quit();
    });
});
