// Where the database key lives in headless mode (RXRELAY_DB_KEY, or a 0600 key file made at
// first start), and rotation that survives being stopped between any two steps.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src-main/core/logger';
import { applyDatabaseKey, DatabaseKeyError, openDatabase, rotateDatabaseKey } from '../../../src-main/core/storage/database';
import { encryptInEarlierFormat, openInCurrentFormat, openInEarlierFormat, reads } from '../../helpers/earlier-cipher';
import {
  createFileKeyStore,
  headlessDatabaseKeySource,
  openKeyedDatabase,
  parseDatabaseKey,
  rotateKeyedDatabase,
} from '../../../src-main/core/storage/database-key';

const posix = process.platform !== 'win32';
let dir: string;
let file: string;
let keyFile: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxrelay-key-'));
  file = join(dir, 'rxrelay.db');
  keyFile = join(dir, 'rxrelay.key');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function recordingLogger(): Logger & { events: string[]; text: () => string } {
  const events: string[] = [];
  const lines: string[] = [];
  const log = (event: string, fields?: object) => {
    events.push(event);
    lines.push(JSON.stringify({ event, ...fields }));
  };
  return { events, text: () => lines.join('\n'), info: log, warn: log, error: log };
}

const keyInFile = (path = keyFile) => parseDatabaseKey(readFileSync(path, 'utf8'))!;

function addRow(db: ReturnType<typeof openDatabase>, text: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS notes (text TEXT)');
  db.prepare('INSERT INTO notes (text) VALUES (?)').run(text);
}

const rows = (db: ReturnType<typeof openDatabase>) => db.prepare('SELECT text FROM notes').pluck().all();

describe('the headless key file', () => {
  it('is made at first start, owner-only, and opens the database at the next start', () => {
    const logger = recordingLogger();
    const db = openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger });
    addRow(db, 'first');
    db.close();
    expect(existsSync(keyFile)).toBe(true);
    if (posix) expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(logger.events).toEqual(['database.key_created']);
    expect(logger.text()).not.toContain(keyInFile().toString('hex'));

    const again = openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger });
    expect(rows(again)).toEqual(['first']);
    again.close();
    // It is the file's key that opens it.
    openDatabase({ file, key: keyInFile() }).close();
  });

  it.runIf(posix)('is refused when group or others can read it, with what to do', () => {
    openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger: recordingLogger() }).close();
    const before = readFileSync(file);
    chmodSync(keyFile, 0o644);
    const open = () => openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger: recordingLogger() });
    expect(open).toThrow(DatabaseKeyError);
    expect(open).toThrow(/can be read by other users \(mode 0644\).*chmod 600/);
    chmodSync(keyFile, 0o640);
    expect(open).toThrow(/mode 0640/);
    expect(readFileSync(file).equals(before)).toBe(true);
    chmodSync(keyFile, 0o600);
    open().close();
  });

  it('is refused when it does not hold a key', () => {
    writeFileSync(keyFile, 'not a key\n', { mode: 0o600 });
    expect(() => openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger: recordingLogger() })).toThrow(/does not hold a database key/);
    expect(existsSync(file)).toBe(false);
  });

  it('is not made up for an encrypted database whose key is missing: no new, empty database', () => {
    const db = openDatabase({ file, key: randomBytes(32) });
    addRow(db, 'kept');
    db.close();
    const before = readFileSync(file);
    expect(() => openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger: recordingLogger() })).toThrow(
      /is encrypted, but there is no key for it .*RXRELAY_DB_KEY/,
    );
    expect(existsSync(keyFile)).toBe(false);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('encrypts a plain database from before with a new key file', () => {
    const plain = openDatabase({ file });
    addRow(plain, 'from before');
    plain.close();
    const logger = recordingLogger();
    const db = openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger });
    expect(rows(db)).toEqual(['from before']);
    db.close();
    expect(logger.events).toEqual(['database.key_created', 'database.encrypted_in_place']);
    expect(() => openDatabase({ file })).toThrow(DatabaseKeyError);
  });
});

describe('RXRELAY_DB_KEY', () => {
  it('wins over the key file, and no key file is made', () => {
    const environmentKey = randomBytes(32);
    const db = openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, environmentKey), logger: recordingLogger() });
    addRow(db, 'env');
    db.close();
    expect(existsSync(keyFile)).toBe(false);
    openDatabase({ file, key: environmentKey }).close();

    // A key file beside it changes nothing: the environment's key is the one used.
    writeFileSync(keyFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
    const again = openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, environmentKey), logger: recordingLogger() });
    expect(rows(again)).toEqual(['env']);
    again.close();
  });

  it('says which key failed when it is wrong', () => {
    openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, randomBytes(32)), logger: recordingLogger() }).close();
    expect(() => openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, randomBytes(32)), logger: recordingLogger() })).toThrow(
      /this key does not open the database .*\(the key is RXRELAY_DB_KEY\)/,
    );
  });

  it('rotates to RXRELAY_DB_NEW_KEY, and only when it is given', () => {
    const oldKey = randomBytes(32);
    const db = openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, oldKey), logger: recordingLogger() });
    addRow(db, 'env');
    db.close();
    expect(() => rotateKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, oldKey), logger: recordingLogger() })).toThrow(/RXRELAY_DB_NEW_KEY/);
    const newKey = randomBytes(32);
    rotateKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, oldKey), logger: recordingLogger(), newKey });
    expect(() => openDatabase({ file, key: oldKey })).toThrow(DatabaseKeyError);
    const again = openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, newKey), logger: recordingLogger() });
    expect(rows(again)).toEqual(['env']);
    again.close();
  });
});

describe('rotation with the key file', () => {
  function start(): ReturnType<typeof openDatabase> {
    return openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger: recordingLogger() });
  }

  it('puts a new key in the key file: the old key stops working, the rows stay, nothing is left over', () => {
    const db = start();
    addRow(db, 'before rotation');
    db.close();
    const oldKey = keyInFile();
    const logger = recordingLogger();
    const { keptIn } = rotateKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger });
    expect(keptIn).toBe(keyFile);
    const newKey = keyInFile();
    expect(newKey.equals(oldKey)).toBe(false);
    if (posix) expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(() => openDatabase({ file, key: oldKey })).toThrow(DatabaseKeyError);
    const again = start();
    expect(rows(again)).toEqual(['before rotation']);
    again.close();
    expect(readdirSync(dir).sort()).toEqual(['rxrelay.db', 'rxrelay.key']);
    expect(logger.events).toContain('database.key_rotated');
    expect(logger.text()).not.toContain(newKey.toString('hex'));
    expect(logger.text()).not.toContain(oldKey.toString('hex'));
  });

  it('recovers when stopped after the new key was kept but before the database was re-encrypted', () => {
    const db = start();
    addRow(db, 'kept');
    db.close();
    const oldKey = keyInFile();
    const store = createFileKeyStore(keyFile);
    // Step 1 done, step 2 (the swap) never happened.
    store.write('next', randomBytes(32));
    const logger = recordingLogger();
    const again = openKeyedDatabase({ file, keys: { kind: 'store', store }, logger });
    expect(rows(again)).toEqual(['kept']);
    again.close();
    expect(logger.events).toEqual(['database.key_rotation_abandoned']);
    expect(existsSync(`${keyFile}.next`)).toBe(false);
    expect(keyInFile().equals(oldKey)).toBe(true);
  });

  it('recovers when stopped after the database was re-encrypted but before its key became current', () => {
    const db = start();
    addRow(db, 'kept');
    db.close();
    const oldKey = keyInFile();
    const store = createFileKeyStore(keyFile);
    const newKey = randomBytes(32);
    // Steps 1 and 2 done; the key file still holds the old key.
    rotateDatabaseKey({ file, key: oldKey, newKey, persistNewKey: () => store.write('next', newKey) });
    expect(keyInFile().equals(oldKey)).toBe(true);
    const logger = recordingLogger();
    const again = openKeyedDatabase({ file, keys: { kind: 'store', store }, logger });
    expect(rows(again)).toEqual(['kept']);
    again.close();
    expect(logger.events).toEqual(['database.key_rotation_completed']);
    expect(keyInFile().equals(newKey)).toBe(true);
    expect(existsSync(`${keyFile}.next`)).toBe(false);
  });

  it('keeps the old key when re-encryption fails', () => {
    const db = start();
    addRow(db, 'kept');
    // Still open: the rotation is refused before anything changes.
    expect(() => rotateKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger: recordingLogger() })).toThrow(
      /open in another program/,
    );
    db.close();
    const again = start();
    expect(rows(again)).toEqual(['kept']);
    again.close();
    expect(existsSync(`${keyFile}.next`)).toBe(false);
  });
});

describe('rotation and the backups beside the database', () => {
  const backupsDir = () => join(dir, 'backups');
  const backup = (name: string) => join(backupsDir(), name);
  const ENCRYPTED = 'rxrelay-20261121T090000Z.db';
  const PLAIN = 'rxrelay-20261120T090000Z.db';
  const FOREIGN = 'rxrelay-20261119T090000Z.db';

  function opensWith(path: string, key: Buffer | undefined): boolean {
    try {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        if (key) applyDatabaseKey(db, key);
        return db.prepare('SELECT text FROM notes').pluck().all().length === 1;
      } finally {
        db.close();
      }
    } catch {
      return false;
    }
  }

  /** A database with a row, an encrypted backup of it (as backups.ts makes them: VACUUM INTO), a plain one and one under another key. */
  function withBackups(): Buffer {
    const db = openKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger: recordingLogger() });
    addRow(db, 'kept');
    mkdirSync(backupsDir());
    db.exec(`VACUUM INTO '${backup(ENCRYPTED)}'`);
    db.close();
    const plain = new Database(backup(PLAIN));
    addRow(plain, 'from before encryption');
    plain.close();
    const foreign = openDatabase({ file: backup(FOREIGN), key: randomBytes(32) });
    addRow(foreign, 'another key');
    foreign.close();
    return keyInFile();
  }

  it('re-encrypts them with the new key (the plain one too; one the old key does not open is left as it is)', () => {
    const oldKey = withBackups();
    const size = statSync(backup(ENCRYPTED)).size;
    const foreignBefore = readFileSync(backup(FOREIGN));
    const logger = recordingLogger();
    rotateKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger });
    const newKey = keyInFile();
    expect(opensWith(backup(ENCRYPTED), newKey)).toBe(true);
    expect(opensWith(backup(ENCRYPTED), oldKey)).toBe(false);
    // Same size: the backup list's "verified" (size as when checked) still holds.
    expect(statSync(backup(ENCRYPTED)).size).toBe(size);
    expect(opensWith(backup(PLAIN), newKey)).toBe(true);
    expect(opensWith(backup(PLAIN), undefined)).toBe(false);
    expect(readFileSync(backup(FOREIGN)).equals(foreignBefore)).toBe(true);
    expect(readdirSync(backupsDir()).sort()).toEqual([FOREIGN, PLAIN, ENCRYPTED]);
    expect(logger.events).toEqual(['database.key_rotated', 'database.backups_not_reencrypted']);
  });

  it('re-encrypts a backup from before AEGIS (SQLCipher 4 format) into today’s format with the new key', () => {
    const oldKey = withBackups();
    const EARLIER = 'rxrelay-20261118T090000Z.db';
    const earlier = new Database(backup(EARLIER));
    addRow(earlier, 'in the earlier format');
    earlier.close();
    encryptInEarlierFormat(backup(EARLIER), oldKey);
    expect(reads(() => openInEarlierFormat(backup(EARLIER), oldKey, { readonly: true }))).toBe(true);
    rotateKeyedDatabase({ file, keys: headlessDatabaseKeySource(dir, undefined), logger: recordingLogger() });
    const newKey = keyInFile();
    expect(opensWith(backup(EARLIER), newKey)).toBe(true);
    expect(reads(() => openInCurrentFormat(backup(EARLIER), newKey, { readonly: true }))).toBe(true);
    expect(reads(() => openInEarlierFormat(backup(EARLIER), oldKey, { readonly: true }))).toBe(false);
  });

  /** A backup's checked copy under `to`, as rotation leaves it before its rename. */
  function rekeyedCopy(path: string, from: Buffer, to: Buffer): void {
    const copy = `${path}.rekeying`;
    writeFileSync(copy, readFileSync(path));
    const db = new Database(copy);
    applyDatabaseKey(db, from);
    db.pragma(`rekey = "x'${to.toString('hex')}'"`);
    db.close();
  }

  it('puts a re-encrypted backup in place at the next open when the rotation was killed after the database’s rename', () => {
    const oldKey = withBackups();
    const store = createFileKeyStore(keyFile);
    const newKey = randomBytes(32);
    rekeyedCopy(backup(ENCRYPTED), oldKey, newKey);
    rotateDatabaseKey({ file, key: oldKey, newKey, persistNewKey: () => store.write('next', newKey) });
    const logger = recordingLogger();
    openKeyedDatabase({ file, keys: { kind: 'store', store }, logger }).close();
    expect(logger.events).toEqual(['database.backups_reencrypted', 'database.key_rotation_completed']);
    expect(opensWith(backup(ENCRYPTED), newKey)).toBe(true);
    expect(existsSync(`${backup(ENCRYPTED)}.rekeying`)).toBe(false);
    expect(keyInFile().equals(newKey)).toBe(true);
  });

  it('discards a re-encrypted backup copy when the rotation was killed before the database’s rename', () => {
    const oldKey = withBackups();
    const store = createFileKeyStore(keyFile);
    const newKey = randomBytes(32);
    rekeyedCopy(backup(ENCRYPTED), oldKey, newKey);
    store.write('next', newKey);
    openKeyedDatabase({ file, keys: { kind: 'store', store }, logger: recordingLogger() }).close();
    expect(existsSync(`${backup(ENCRYPTED)}.rekeying`)).toBe(false);
    expect(opensWith(backup(ENCRYPTED), oldKey)).toBe(true);
    expect(keyInFile().equals(oldKey)).toBe(true);
  });
});
