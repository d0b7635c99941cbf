// Putting a backup back: `npm run restore -- --data-dir <dir> --from <backup file>`.
//
//   1. Takes the data folder's lock: refused while RxRelay runs on that folder (and RxRelay cannot
//      start while a restore runs).
//   2. Copies the backup next to the database and checks the copy by opening it the way headless
//      mode does (openKeyedDatabase: the key from RXRELAY_DB_KEY or <data-dir>/rxrelay.key):
//      refused when the key does not open it, it was written by a newer RxRelay (schema version
//      above this build's), is not an RxRelay database, or fails PRAGMA integrity_check. Opening
//      it brings an older backup's schema up to this build's (and encrypts a backup from before
//      encryption), as the app would at start.
//   3. Moves the current database and its -wal/-shm into `<data-dir>/pre-restore-<UTC time>/`
//      (never deleted: the restore can be undone by moving them back), then renames the checked
//      copy into place and fsyncs the folder.
//   4. Says what it did.
// Nothing is changed until step 3, and a failure in step 3 moves the old files back.
import { copyFileSync, existsSync, mkdirSync, realpathSync, renameSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { defaultDataDir } from '../config/config';
import { compactTimestamp, parseBackupFileName, BACKUP_DIR_NAME } from './backups';
import { fsyncDirectory, fsyncFile, removeQuietly } from './durable-files';
import { silentLogger } from '../logger';
import { acquireDataDirLock, type AcquireLockOptions } from './data-dir-lock';
import type { SqliteDatabase } from './database';
import { headlessDatabaseKeySource, KEY_ENV, openKeyedDatabase, parseDatabaseKey, type DatabaseKeySource } from './database-key';
import { DatabaseTooNewError, MIGRATIONS, type Migration } from './migrations';

export const DATABASE_FILE_NAME = 'rxrelay.db';
const DATABASE_COMPANIONS = ['', '-wal', '-shm'] as const;

export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

export interface RestoreOptions {
  dataDir: string;
  /** The backup: a path, or the name of a file in `<data-dir>/backups`. */
  from: string;
  now?: () => Date;
  /** Where the database key is (default: headless mode's, `<data-dir>/rxrelay.key`). */
  keys?: DatabaseKeySource;
  /**
   * Opens a database file the way the app does (migrations given), for the check. The default is
   * openKeyedDatabase with `keys`.
   */
  open?: (file: string, migrations: readonly Migration[]) => SqliteDatabase;
  /** Tests: the lock's view of processes. */
  lock?: Omit<AcquireLockOptions, 'kind'>;
}

export interface RestoreReport {
  database: string;
  restoredFrom: string;
  /** Where the replaced database went; undefined when there was none. */
  movedAsideTo: string | undefined;
  movedFiles: string[];
  backupSchemaVersion: number;
  schemaVersion: number;
  orders: number;
  integrity: 'ok';
}



function resolveBackup(dataDir: string, from: string): string {
  const direct = resolve(from);
  if (existsSync(direct)) return direct;
  // A bare name from `backups.list`: look in the data folder's backups.
  if (!isAbsolute(from) && !from.includes('/') && !from.includes(sep)) {
    const inBackups = join(dataDir, BACKUP_DIR_NAME, from);
    if (existsSync(inBackups)) return inBackups;
  }
  throw new RestoreError(`There is no backup at ${direct}.`);
}

function freshFolder(dataDir: string, at: Date): string {
  const base = join(dataDir, `pre-restore-${compactTimestamp(at)}`);
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    if (!existsSync(candidate)) return candidate;
  }
}

/** Checks `file` by opening it as the app would; returns its schema version before and after, and its order count. */
function checkCandidate(file: string, open: NonNullable<RestoreOptions['open']>): { from: number; to: number; orders: number } {
  const applied: number[] = [];
  // The app's migrations, noting which ones this copy still needed: the first tells its version.
  const migrations = MIGRATIONS.map((m) => ({ ...m, up: (db: Parameters<Migration['up']>[0]) => (applied.push(m.version), m.up(db)) }));
  let db: SqliteDatabase;
  try {
    db = open(file, migrations);
  } catch (error) {
    if (error instanceof DatabaseTooNewError) {
      throw new RestoreError(
        `The backup was written by a newer RxRelay (schema version ${error.databaseVersion}; this build understands up to ${error.supportedVersion}). Update RxRelay first.`,
      );
    }
    throw new RestoreError(
      `The backup cannot be opened as an RxRelay database (${(error as Error).message}). ` +
        `It may be damaged, not a database, or encrypted with another key (a backup made before the key was rotated needs the key of its time, in ${KEY_ENV}).`,
    );
  }
  try {
    const from = applied.length > 0 ? (applied[0] ?? 1) - 1 : MIGRATIONS.length;
    if (from === 0) throw new RestoreError('The file is not an RxRelay backup (it holds no RxRelay data).');
    const rows = db.pragma('integrity_check') as Array<Record<string, unknown>>;
    const problems = rows.map((row) => String(Object.values(row)[0])).filter((value) => value !== 'ok');
    if (problems.length > 0 || rows.length === 0) {
      throw new RestoreError(`The backup is damaged (integrity check: ${problems.slice(0, 3).join('; ') || 'no answer'}).`);
    }
    const orders = (db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n;
    return { from, to: MIGRATIONS.length, orders };
  } finally {
    db.close();
  }
}

export function restoreDatabase(options: RestoreOptions): RestoreReport {
  const now = options.now ?? (() => new Date());
  const dataDir = resolve(options.dataDir);
  const database = join(dataDir, DATABASE_FILE_NAME);
  const from = resolveBackup(dataDir, options.from);
  if (!statSync(from).isFile()) throw new RestoreError(`${from} is not a file.`);
  if (existsSync(database) && realpathSync(from) === realpathSync(database)) {
    throw new RestoreError('That is the database itself, not a backup of it.');
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = acquireDataDirLock(dataDir, { ...options.lock, kind: 'restore' });
  const candidate = join(dataDir, `${DATABASE_FILE_NAME}.restoring`);
  const clearCandidate = () => DATABASE_COMPANIONS.forEach((suffix) => removeQuietly(candidate + suffix));
  try {
    // 2. A copy beside the database (same file system: the final step is a rename), checked.
    clearCandidate();
    copyFileSync(from, candidate);
    // A database copied with its WAL (a pre-restore folder) keeps what the WAL holds.
    if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${candidate}-wal`);
    const keys = options.keys ?? headlessDatabaseKeySource(dataDir, undefined);
    const open = options.open ?? ((file, migrations) => openKeyedDatabase({ file, migrations, keys, logger: silentLogger }));
    const checked = checkCandidate(candidate, open);
    // Closing the last connection folded the WAL into the file; make the file durable.
    for (const suffix of ['-wal', '-shm'] as const) {
      if (existsSync(candidate + suffix) && statSync(candidate + suffix).size === 0) removeQuietly(candidate + suffix);
    }
    fsyncFile(candidate);

    // 3. The current database aside (never deleted), the checked copy in.
    const present = DATABASE_COMPANIONS.map((suffix) => DATABASE_FILE_NAME + suffix).filter((name) => existsSync(join(dataDir, name)));
    let aside: string | undefined;
    const moved: string[] = [];
    if (present.length > 0) {
      aside = freshFolder(dataDir, now());
      mkdirSync(aside, { mode: 0o700 });
      try {
        for (const name of present) {
          renameSync(join(dataDir, name), join(aside, name));
          moved.push(name);
        }
        fsyncDirectory(aside);
      } catch (error) {
        for (const name of moved) renameSync(join(aside, name), join(dataDir, name));
        throw new RestoreError(`The current database could not be moved aside (${(error as Error).message}); nothing was changed.`);
      }
    }
    const placed: string[] = [];
    try {
      for (const suffix of ['-wal', '-shm'] as const) {
        if (!existsSync(candidate + suffix)) continue;
        renameSync(candidate + suffix, database + suffix);
        placed.push(suffix);
      }
      renameSync(candidate, database);
    } catch (error) {
      // Take back what of the copy got in; put the previous files back where they were.
      for (const suffix of placed) removeQuietly(database + suffix);
      if (aside) for (const name of moved) renameSync(join(aside, name), join(dataDir, name));
      throw new RestoreError(`The backup could not be put in place (${(error as Error).message}); the previous database was put back.`);
    }
    fsyncDirectory(dataDir);
    return {
      database,
      restoredFrom: from,
      movedAsideTo: aside,
      movedFiles: moved,
      backupSchemaVersion: checked.from,
      schemaVersion: checked.to,
      orders: checked.orders,
      integrity: 'ok',
    };
  } finally {
    clearCandidate();
    lock.release();
  }
}

export const RESTORE_USAGE = `Usage: npm run restore -- --from <backup file> [--data-dir <path>]

  --from <file>      the backup to restore: a path, or a file name in <data-dir>/backups
  --data-dir <path>  the data folder (RXRELAY_DATA_DIR; default the OS app-data folder)

The database key is RXRELAY_DB_KEY when set, else <data-dir>/rxrelay.key (headless mode's).

RxRelay must not be running on that data folder. The current database (and its -wal/-shm) is
moved to <data-dir>/pre-restore-<time>/, never deleted.`;

/** The restore command: parses its arguments, restores, prints. Returns the exit code. */
export function runRestoreCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: { out: (line: string) => void; err: (line: string) => void },
  options: Omit<RestoreOptions, 'dataDir' | 'from'> = {},
): number {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      io.out(RESTORE_USAGE);
      return 0;
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name !== '--from' && name !== '--data-dir') {
      problems.push(`unknown argument ${arg}`);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) problems.push(`${name} needs a value`);
    else values[name] = value;
  }
  if (!values['--from']) problems.push('--from is required');
  if (problems.length > 0) {
    io.err(`restore: ${problems.join('; ')}\n\n${RESTORE_USAGE}`);
    return 2;
  }
  const dataDir = values['--data-dir'] || env.RXRELAY_DATA_DIR || defaultDataDir();
  const from = values['--from'] ?? '';
  const environmentKey = env[KEY_ENV] ? parseDatabaseKey(env[KEY_ENV]) : undefined;
  if (env[KEY_ENV] && !environmentKey) {
    io.err(`restore: ${KEY_ENV} must be 64 hex characters (a 32-byte key)`);
    return 2;
  }
  try {
    const report = restoreDatabase({ keys: headlessDatabaseKeySource(dataDir, environmentKey), ...options, dataDir, from });
    const taken = parseBackupFileName(report.restoredFrom.split(/[\\/]/).pop() ?? '');
    io.out(`Checked ${report.restoredFrom}${taken ? ` (taken ${taken.at.toISOString()})` : ''}: integrity ok, schema version ${report.backupSchemaVersion}, ${report.orders} orders.`);
    if (report.backupSchemaVersion < report.schemaVersion) io.out(`Brought its schema up to version ${report.schemaVersion}, as RxRelay does at start.`);
    if (report.movedAsideTo) io.out(`Moved the previous database (${report.movedFiles.join(', ')}) to ${report.movedAsideTo}; nothing was deleted.`);
    else io.out(`There was no database in ${dataDir} to move aside.`);
    io.out(`Restored ${report.database}. Start RxRelay as usual.`);
    return 0;
  } catch (error) {
    io.err(`restore: ${(error as Error).message}`);
    return 1;
  }
}
