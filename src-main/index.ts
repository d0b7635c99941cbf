// Composition root for the Electron app (`npm start`): the same core services as headless
// mode, with settings in electron-store, secrets in the OS keychain, and the renderer in a
// locked-down window talking to the core over IPC.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog } from 'electron';
import { systemClock } from './core/clock';
import { loadConfig } from './core/config/config';
import { createJsonLogger, teeLogWriters } from './core/logger';
import { openDataDirLog, type RotatingLogFile } from './core/log-file';
import { acquireDataDirLock, type DataDirLock } from './core/storage/data-dir-lock';
import { localActor, startRxRelayCore, type RxRelayCore } from './core/rxrelay-core';
import { AppSettingsService } from './core/settings/app-settings';
import type { SqliteDatabase } from './core/storage/database';
import { openKeyedDatabase, rotateKeyedDatabase } from './core/storage/database-key';
import { APP_VERSION } from './core/version';
import { registerAppApiIpc } from './electron/app-api-ipc';
import { createElectronPrinter } from './electron/electron-printer';
import { createElectronSecretStore, ElectronSettingsStore } from './electron/electron-settings';
import { createMainWindow, hardenElectron, registerRendererScheme, rendererLocation } from './electron/main-window';
import { electronSqliteBindingPath } from './electron/native-sqlite';
import { databaseKeyProtection, electronDatabaseKeySource, unprotectedKeyMessage } from './electron/database-key-store';

const mainDir = dirname(fileURLToPath(import.meta.url));
// Every line to stderr and, once the data folder is ours, to <data-dir>/logs/rxrelay.log.
let logFile: RotatingLogFile | undefined;
let dataDirLock: DataDirLock | undefined;
const logger = createJsonLogger(teeLogWriters((line) => process.stderr.write(line + '\n'), (line, level) => logFile?.write(line, level)));
let mainWindow: BrowserWindow | undefined;
let core: RxRelayCore | undefined;
let db: SqliteDatabase | undefined;

// The renderer's own scheme (rxrelay://app/) must be declared before the app is ready.
registerRendererScheme();

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
  const settings = new ElectronSettingsStore();
  // Before any window: every web contents locked down, the CSP header, permissions (the camera
  // only when "ID scanning by camera" is on in Settings, read at each request).
  const appSettings = new AppSettingsService(settings);
  hardenElectron(location, { cameraForIdScanning: () => appSettings.get().id_scan_by_camera });
  location.serve();

  const { config } = loadConfig(process.argv.slice(app.isPackaged ? 1 : 2), process.env, {
    strict: false,
    defaultDataDir: app.getPath('userData'),
  });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // One RxRelay per data folder, headless or not (and no restore under a running one).
  dataDirLock = acquireDataDirLock(config.dataDir, { kind: 'electron' });
  logFile = openDataDirLog(config.dataDir);
  const sqliteNativeBinding = electronSqliteBindingPath(app.getAppPath());
  // The database is encrypted; its key is sealed by the OS keychain (electron/database-key-store.ts).
  const databaseFile = join(config.dataDir, 'rxrelay.db');
  const protection = databaseKeyProtection();
  const keys = electronDatabaseKeySource(config.dataDir, config, protection);
  if (!keys) {
    // No keyring (Linux basic_text) and the user has not accepted an unprotected key: explain, quit.
    logger.error('database.key_unprotected_refused', { allow_with: '--allow-unprotected-key' });
    await dialog.showMessageBox({ type: 'error', title: 'RxRelay', buttons: ['Quit'], ...unprotectedKeyMessage(protection.protected ? '' : protection.reason, config.dataDir) });
    dataDirLock.release();
    app.exit(1);
    return;
  }
  if (!protection.protected && !config.databaseKey) logger.warn('database.key_unprotected_accepted', { kept_in: 'owner-only file in the data folder' });
  if (config.rotateDatabaseKey) {
    // `RxRelay --rotate-db-key`: re-encrypt with a new key, say so, and exit.
    const { keptIn } = rotateKeyedDatabase({ file: databaseFile, nativeBinding: sqliteNativeBinding, keys, logger, newKey: config.newDatabaseKey });
    await dialog.showMessageBox({ type: 'info', title: 'RxRelay', buttons: ['OK'], message: 'The database key was rotated', detail: `The database is now encrypted with a new key, kept in ${keptIn}.` });
    dataDirLock.release();
    app.exit(0);
    return;
  }
  db = openKeyedDatabase({ file: databaseFile, nativeBinding: sqliteNativeBinding, keys, logger });
  core = await startRxRelayCore({
    config,
    db,
    settings,
    secrets: createElectronSecretStore(join(config.dataDir, 'secrets.json'), logger),
    clock: systemClock,
    logger,
    mode: 'electron',
    version: APP_VERSION,
    statusSenderThreadScript: join(mainDir, 'status-push-sender.js'),
    backupThreadScript: join(mainDir, 'backup-thread.js'),
    checkpointThreadScript: join(mainDir, 'checkpoint-thread.js'),
    bestrxListenerThreadScript: join(mainDir, 'bestrx-listener.js'),
    // Diagnostics' log lines, with what is still buffered.
    logTail: (lines) => logFile?.tail(lines) ?? [],
    sqliteNativeBinding,
    printer: createElectronPrinter(() => mainWindow),
  });
  registerAppApiIpc({
    appApi: core.appApi,
    events: core.events,
    window: () => mainWindow,
    location,
    context: { actor: localActor(), desk: 'electron' },
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
      logFile?.close();
      dataDirLock?.release();
      app.quit();
    });
});
