// Composition root for headless mode (`npm run serve`): the core under plain Node, plus the
// renderer and the app API served on loopback. No Electron module is imported from here.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHeadlessUiServer } from './core/app-api/headless-ui-server';
import { systemClock } from './core/clock';
import { ConfigError, loadConfig, USAGE } from './core/config/config';
import { createJsonLogger, teeLogWriters } from './core/logger';
import { openDataDirLog } from './core/log-file';
import { acquireDataDirLock, DataDirLockedError } from './core/storage/data-dir-lock';
import { localActor, startRxRelayCore } from './core/rxrelay-core';
import { JsonFileSecretStore, JsonFileStore } from './core/settings/json-file-store';
import { DatabaseKeyError } from './core/storage/database';
import { headlessDatabaseKeySource, openKeyedDatabase, rotateKeyedDatabase } from './core/storage/database-key';
import { DatabaseTooNewError } from './core/storage/migrations';
import { APP_VERSION } from './core/version';

async function main(): Promise<void> {
  // Everything RxRelay writes (database, WAL, settings, secrets) holds patient data or keys:
  // readable by this user only.
  process.umask(0o077);
  const { config, help } = loadConfig(process.argv.slice(2), process.env, { strict: true });
  if (help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // One RxRelay per data folder (and no restore under a running one): refused before the database opens.
  const dataDirLock = acquireDataDirLock(config.dataDir, { kind: 'headless' });
  // Every line to stderr and to <data-dir>/logs/rxrelay.log (rotated), redacted by the logger.
  const logFile = openDataDirLog(config.dataDir);
  const logger = createJsonLogger(teeLogWriters((line) => process.stderr.write(line + '\n'), logFile.write));
  const mainDir = dirname(fileURLToPath(import.meta.url));
  // The database is encrypted; its key is RXRELAY_DB_KEY or <data-dir>/rxrelay.key (0600, made at first start).
  const databaseFile = join(config.dataDir, 'rxrelay.db');
  const keys = headlessDatabaseKeySource(config.dataDir, config.databaseKey);
  if (config.rotateDatabaseKey) {
    // `npm run rotate-key`: re-encrypt with a new key and exit (the lock above keeps RxRelay out meanwhile).
    const { keptIn } = rotateKeyedDatabase({ file: databaseFile, keys, logger, newKey: config.newDatabaseKey });
    process.stdout.write(`Database key rotated: ${databaseFile} is now encrypted with a new key, kept in ${keptIn}.\n`);
    logFile.close();
    dataDirLock.release();
    return;
  }
  const db = openKeyedDatabase({ file: databaseFile, keys, logger });
  const core = await startRxRelayCore({
    config,
    db,
    settings: new JsonFileStore(join(config.dataDir, 'settings.json')),
    secrets: new JsonFileSecretStore(join(config.dataDir, 'secrets.json')),
    clock: systemClock,
    logger,
    mode: 'headless',
    version: APP_VERSION,
    statusSenderThreadScript: join(mainDir, 'status-push-sender.js'),
    backupThreadScript: join(mainDir, 'backup-thread.js'),
    checkpointThreadScript: join(mainDir, 'checkpoint-thread.js'),
    bestrxListenerThreadScript: join(mainDir, 'bestrx-listener.js'),
    // Diagnostics' log lines, with what is still buffered.
    logTail: (lines) => logFile.tail(lines),
  });
  const apiToken = config.apiToken ?? randomBytes(24).toString('base64url');
  const ui = await startHeadlessUiServer({
    port: config.uiPort,
    apiToken,
    appApi: core.appApi,
    events: core.events,
    rendererDir: join(mainDir, '..', 'renderer'),
    context: { actor: localActor(), desk: 'headless-ui' },
    logger,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('headless.stopping', { signal });
    await Promise.allSettled([ui.close(), core.stop()]);
    db.close();
    logFile.close();
    dataDirLock.release();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const united = core.partners.united;
  // The seed: the sandbox's setup token is found "in the terminal output" for local development.
  if (united) process.stdout.write(`United Pharmacy sandbox: ${united.baseUrl} (setup token ${united.setupToken})\n`);
  const caryrx = core.partners.caryrx;
  if (caryrx) process.stdout.write(`CaryRx sandbox: ${caryrx.url} (apikey ${caryrx.apiKey})\n`);
  const honeybee = core.partners.honeybee;
  if (honeybee) process.stdout.write(`Honeybee Health sandbox: ${honeybee.url} (client id ${honeybee.clientId})\n`);
  if (!config.apiToken) process.stdout.write(`API token (RXRELAY_API_TOKEN) for this session: ${apiToken}\n`);
  const mode = config.sandbox ? `sandbox (${config.sandboxReason})` : 'live';
  process.stdout.write(`RxRelay ready: BestRx endpoint ${core.bestrx.url} | UI ${ui.url} | ${mode} | data ${config.dataDir}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseTooNewError || error instanceof DataDirLockedError || error instanceof DatabaseKeyError) {
    process.stderr.write(`RxRelay could not start: ${error.message}\n\n${error instanceof ConfigError ? USAGE + '\n' : ''}`);
    process.exit(2);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    process.stderr.write(`RxRelay could not start: ${(error as Error).message}. Is another RxRelay running? Choose other ports with --bestrx-port / --ui-port.\n`);
    process.exit(1);
  }
  process.stderr.write(`RxRelay could not start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
