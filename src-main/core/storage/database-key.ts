// Where the database key comes from, and how it changes (database.ts does the encryption).
//
// The key is 32 random bytes made at first start; it is never derived from a password and never
// logged. It is kept, in order of precedence:
//   - RXRELAY_DB_KEY (64 hex characters): the operator's secret manager holds it; RxRelay stores
//     nothing. Headless mode and the app both honour it.
//   - headless mode: `<data-dir>/rxrelay.key`, created owner-only (0600) at first start. A key
//     file that others can read is refused: RxRelay does not start on a key that has leaked.
//   - the Electron app: sealed by the OS keychain through safeStorage (src-main/electron/
//     database-key-store.ts); on a Linux desktop without a keyring only when the user accepts an
//     unprotected 0600 key file (--allow-unprotected-key).
//
// Rotation (`npm run rotate-key`, or the app started with --rotate-db-key), crash-safe at every
// step:
//   1. the new key is written beside the current one (`rxrelay.key.next`);
//   2. the database is re-encrypted through a checked copy that replaces it in one rename;
//   3. the new key becomes the current one; the `.next` slot is removed.
// Opening always tries the current key first, then the `.next` one: killed before 2's rename,
// the current key opens it (the stale `.next` is removed); killed after it, the `.next` key
// opens it and becomes current. A key is never overwritten before the database stops needing it.
// The backups in `<data-dir>/backups` are under the database's key: step 2 re-encrypts them too
// (their checked copies are all made before the database's rename, and a copy left by a kill
// after it is put in place at the next open), so a backup never outlives the key that opens it.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { fsyncDirectory, writePrivateFileAtomically } from './durable-files';
import { dirname, join } from 'node:path';
import type { Logger } from '../logger';
import { BACKUP_DIR_NAME, parseBackupFileName } from './backups';
import {
  DATABASE_KEY_BYTES,
  DatabaseKeyError,
  databaseFileState,
  openDatabase,
  rotateDatabaseKey,
  settleRekeyedCopies,
  type OpenDatabaseOptions,
  type SqliteDatabase,
} from './database';

export const KEY_FILE_NAME = 'rxrelay.key';
export const KEY_ENV = 'RXRELAY_DB_KEY';

export function generateDatabaseKey(): Buffer {
  return randomBytes(DATABASE_KEY_BYTES);
}

/** 64 hex characters (surrounding white space ignored) → the key; anything else → undefined. */
export function parseDatabaseKey(text: string): Buffer | undefined {
  const hex = text.trim();
  return /^[0-9a-fA-F]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

/** `current`: the key that opens the database; `next`: a rotation's new key, until it is done. */
export type DatabaseKeySlot = 'current' | 'next';

export interface DatabaseKeyStore {
  /** Where the key is kept, for messages (never the key itself). */
  readonly description: string;
  read(slot: DatabaseKeySlot): Buffer | undefined;
  /** Durable when it returns (written to a temporary file, fsynced, renamed). */
  write(slot: DatabaseKeySlot, key: Buffer): void;
  remove(slot: DatabaseKeySlot): void;
}

export interface FileKeyStoreOptions {
  /** How the key's hex text is stored (the Electron shell seals it with safeStorage); default as is. */
  seal?: (hex: string) => string;
  unseal?: (stored: string) => string;
  /** Refuse a key file that group or others may read (default true; POSIX only). */
  ownerOnly?: boolean;
  description?: string;
}

/** A key in a file (`path`) and a rotation's next key beside it (`path.next`), both 0600. */
export function createFileKeyStore(path: string, options: FileKeyStoreOptions = {}): DatabaseKeyStore {
  const pathOf = (slot: DatabaseKeySlot) => (slot === 'current' ? path : `${path}.next`);
  const ownerOnly = options.ownerOnly ?? true;
  return {
    description: options.description ?? path,
    read(slot) {
      const file = pathOf(slot);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      if (ownerOnly && process.platform !== 'win32') {
        const mode = statSync(file).mode & 0o777;
        if ((mode & 0o077) !== 0) {
          throw new DatabaseKeyError(
            `the database key file ${file} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}). ` +
              `RxRelay does not use a key that may have leaked. Make it private (chmod 600 ${file}), then, since others could read it, ` +
              'rotate the key (npm run rotate-key).',
          );
        }
      }
      let hex: string;
      try {
        hex = options.unseal ? options.unseal(text.trim()) : text;
      } catch (error) {
        throw new DatabaseKeyError(`the database key in ${file} could not be unsealed (${(error as Error).message})`);
      }
      const key = parseDatabaseKey(hex);
      if (!key) throw new DatabaseKeyError(`${file} does not hold a database key (64 hex characters)`);
      return key;
    },
    write(slot, key) {
      const file = pathOf(slot);
      const hex = key.toString('hex');
      writePrivateFileAtomically(file, (options.seal ? options.seal(hex) : hex) + '\n');
    },
    remove(slot) {
      rmSync(pathOf(slot), { force: true });
      fsyncDirectory(dirname(path));
    },
  };
}

/** Where the key comes from: fixed (RXRELAY_DB_KEY), or a store RxRelay manages. */
export type DatabaseKeySource = { kind: 'fixed'; key: Buffer; description: string } | { kind: 'store'; store: DatabaseKeyStore };

/** Headless mode: RXRELAY_DB_KEY when given, else `<data-dir>/rxrelay.key`. */
export function headlessDatabaseKeySource(dataDir: string, environmentKey: Buffer | undefined): DatabaseKeySource {
  return environmentKey ? { kind: 'fixed', key: environmentKey, description: KEY_ENV } : { kind: 'store', store: createFileKeyStore(join(dataDir, KEY_FILE_NAME)) };
}

export interface OpenKeyedDatabaseOptions extends Omit<OpenDatabaseOptions, 'key' | 'logger'> {
  keys: DatabaseKeySource;
  logger: Logger;
}

/**
 * Opens the database encrypted with its key: makes the key at first start (a new database, or a
 * plain one from before encryption, which is then encrypted in place), and finishes a rotation
 * that was interrupted. Throws DatabaseKeyError when no key it has opens the database: it never
 * starts a new, empty database beside an encrypted one.
 */
export function openKeyedDatabase(options: OpenKeyedDatabaseOptions): SqliteDatabase {
  const { keys, logger, ...rest } = options;
  const open = (key: Buffer) => {
    const db = openDatabase({ ...rest, key, logger });
    // Backups re-encrypted by a rotation that was killed before it put them all in place.
    const finished = settleRekeyedCopies(backupFilesBeside(rest.file), key, rest.nativeBinding);
    if (finished.length > 0) logger.info('database.backups_reencrypted', { count: finished.length });
    return db;
  };
  if (keys.kind === 'fixed') {
    try {
      return open(keys.key);
    } catch (error) {
      if (error instanceof DatabaseKeyError) throw new DatabaseKeyError(`${error.message} (the key is ${keys.description})`);
      throw error;
    }
  }
  const { store } = keys;
  const current = store.read('current');
  const next = store.read('next');
  if (!current && !next) {
    if (databaseFileState(rest.file) === 'encrypted') {
      throw new DatabaseKeyError(
        `${rest.file} is encrypted, but there is no key for it in ${store.description}. ` +
          `If it was encrypted elsewhere (the other of headless mode and the app, or another machine), give that key in ${KEY_ENV}.`,
      );
    }
    const key = generateDatabaseKey();
    store.write('current', key);
    logger.info('database.key_created', { kept_in: store.description });
    return open(key);
  }
  if (current) {
    try {
      const db = open(current);
      if (next) {
        // A rotation stopped before the re-encrypted copy replaced the database: the current key
        // is still the one; the new key was never used.
        store.remove('next');
        logger.warn('database.key_rotation_abandoned', { kept_in: store.description });
      }
      return db;
    } catch (error) {
      if (!(error instanceof DatabaseKeyError) || !next) throw error;
    }
  }
  // A rotation stopped after the database was re-encrypted, before its new key became current.
  const db = open(next!);
  store.write('current', next!);
  store.remove('next');
  logger.info('database.key_rotation_completed', { kept_in: store.description });
  return db;
}

/**
 * Re-encrypts the database with a new random key (RxRelay stopped). With a store, the new key is
 * kept there; with a fixed key (RXRELAY_DB_KEY) the new one must be given (RXRELAY_DB_NEW_KEY)
 * and the operator puts it in RXRELAY_DB_KEY afterwards.
 */
export function rotateKeyedDatabase(
  options: Omit<OpenKeyedDatabaseOptions, 'migrations'> & { newKey?: Buffer | undefined },
): { keptIn: string } {
  const { keys, logger, file, nativeBinding } = options;
  // Opening first: it makes sure there is a key that opens the database (a plain database is
  // encrypted, an interrupted rotation finished) and that the schema is current.
  openKeyedDatabase({ file, nativeBinding, keys, logger }).close();
  if (keys.kind === 'fixed') {
    if (!options.newKey) throw new DatabaseKeyError(`the key is ${keys.description}: give the new key in RXRELAY_DB_NEW_KEY (64 hex characters) to rotate it`);
    if (options.newKey.equals(keys.key)) throw new DatabaseKeyError('RXRELAY_DB_NEW_KEY is the same key as RXRELAY_DB_KEY');
    const result = rotateDatabaseKey({ file, key: keys.key, newKey: options.newKey, nativeBinding, companions: backupFilesBeside(file) });
    logRotation(logger, 'RXRELAY_DB_NEW_KEY', result);
    return { keptIn: 'RXRELAY_DB_NEW_KEY (now set RXRELAY_DB_KEY to it)' };
  }
  const { store } = keys;
  const current = store.read('current');
  if (!current) throw new DatabaseKeyError(`no database key in ${store.description}`);
  const newKey = options.newKey ?? generateDatabaseKey();
  const result = rotateDatabaseKey({
    file,
    key: current,
    newKey,
    nativeBinding,
    companions: backupFilesBeside(file),
    persistNewKey: () => store.write('next', newKey),
  });
  store.write('current', newKey);
  store.remove('next');
  logRotation(logger, store.description, result);
  return { keptIn: store.description };
}

function logRotation(logger: Logger, keptIn: string, result: { reencrypted: string[]; skipped: string[] }): void {
  logger.info('database.key_rotated', { kept_in: keptIn, backups_reencrypted: result.reencrypted.length });
  // A backup the old key did not open (made under an even older key, or damaged) keeps its own key.
  if (result.skipped.length > 0) logger.warn('database.backups_not_reencrypted', { count: result.skipped.length });
}

/** The backups beside a database (`<its folder>/backups/rxrelay-<time>.db`): encrypted with its key. */
export function backupFilesBeside(file: string): string[] {
  const dir = join(dirname(file), BACKUP_DIR_NAME);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((name) => parseBackupFileName(name) !== undefined).map((name) => join(dir, name));
}


