// Encryption at rest: what is on disk is AEGIS-256 pages, a wrong key changes nothing, a plain
// database from before is encrypted in place with its rows, one in the earlier SQLCipher 4
// format is re-encrypted into today's, and a rotated key replaces the old.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCreateOrder } from '../../../src-main/core/bestrx/bestrx-requests';
import type { Logger } from '../../../src-main/core/logger';
import { databaseFileState, DatabaseKeyError, databaseKeyOf, openDatabase, rotateDatabaseKey } from '../../../src-main/core/storage/database';
import { encryptInEarlierFormat, openInCurrentFormat, openInEarlierFormat, reads } from '../../helpers/earlier-cipher';
import { createOrderBody, seedExample } from '../../helpers/fixtures';
import { createTestOrderService } from '../../helpers/order-service';

const PATIENT = 'Quillonmarch Zebrowskiova';
const PLAIN_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxrelay-encryption-'));
  file = join(dir, 'rxrelay.db');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function recordingLogger(): Logger & { events: string[]; lines: string[] } {
  const events: string[] = [];
  const lines: string[] = [];
  const log = (event: string, fields?: object) => {
    events.push(event);
    lines.push(JSON.stringify({ event, ...fields }));
  };
  return { events, lines, info: log, warn: log, error: log };
}

async function storeOrderFor(db: ReturnType<typeof openDatabase>, lastName: string): Promise<string> {
  const seed = seedExample('create-order.request');
  const body = createOrderBody({
    recipient: { ...seed.recipient, last_name: lastName },
    customers: seed.customers.map((customer: object) => ({ ...customer, last_name: lastName })),
  });
  const parsed = parseCreateOrder(body);
  if (!parsed.ok) throw new Error('fixture');
  const service = createTestOrderService({ db });
  return (await service.orders.receiveCreateOrder(parsed.value.content, JSON.stringify(body))).order.id;
}

/** An encrypted database with one order, closed: its key and the order's id. */
async function encryptedDatabaseWithOrder(): Promise<{ key: Buffer; id: string }> {
  const key = randomBytes(32);
  const db = openDatabase({ file, key });
  const id = await storeOrderFor(db, PATIENT);
  db.close();
  return { key, id };
}

/** A plain (pre-encryption) database with the app's schema and one order, its last rows left in the WAL. */
async function plainDatabaseWithOrder(): Promise<string> {
  const db = openDatabase({ file });
  const id = await storeOrderFor(db, PATIENT);
  // What a killed app leaves: the database and a WAL with committed rows not yet copied back
  // (closing would checkpoint and remove the WAL, so the files are taken while it is open).
  expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
  const snapshot = { main: readFileSync(file), wal: readFileSync(`${file}-wal`) };
  db.close();
  writeFileSync(file, snapshot.main);
  writeFileSync(`${file}-wal`, snapshot.wal);
  return id;
}

function filesIn(folder: string): Record<string, string> {
  return Object.fromEntries(readdirSync(folder).map((name) => [name, readFileSync(join(folder, name)).toString('base64')]));
}

describe('an encrypted database', () => {
  it('has no plaintext header and no patient name in the file or its WAL', async () => {
    const key = randomBytes(32);
    const db = openDatabase({ file, key });
    await storeOrderFor(db, PATIENT);
    // While open, the newest pages are in the WAL: both files are checked.
    const wal = readFileSync(`${file}-wal`);
    expect(wal.length).toBeGreaterThan(0);
    for (const bytes of [readFileSync(file), wal]) {
      expect(bytes.subarray(0, 16).equals(PLAIN_HEADER)).toBe(false);
      expect(bytes.includes(PATIENT)).toBe(false);
      expect(bytes.includes('Bloomingdale')).toBe(false);
    }
    expect(databaseKeyOf(db)?.equals(key)).toBe(true);
    db.close();
    expect(readFileSync(file).includes(PATIENT)).toBe(false);
    expect(databaseFileState(file)).toBe('encrypted');

    // The same data in a plain database would show: the check above can see a name.
    const plainFile = join(dir, 'plain.db');
    const plain = openDatabase({ file: plainFile });
    await storeOrderFor(plain, PATIENT);
    plain.close();
    expect(readFileSync(plainFile).includes(PATIENT)).toBe(true);
  });

  it('reopens with its key, in AEGIS-256 format (SQLite3 Multiple Ciphers: cipher=aegis, algorithm=aegis-256, raw key)', async () => {
    const { key, id } = await encryptedDatabaseWithOrder();
    const again = openDatabase({ file, key });
    expect(again.prepare('SELECT id FROM orders').all()).toEqual([{ id }]);
    expect(again.pragma('cipher', { simple: true })).toBe('aegis');
    expect(again.pragma('algorithm', { simple: true })).toBe('aegis-256');
    expect(again.pragma('journal_mode', { simple: true })).toBe('wal');
    again.close();
    // A bare driver connection with those settings (no RxRelay code) reads it; SQLCipher's do not.
    const bare = openInCurrentFormat(file, key, { readonly: true });
    expect(bare.prepare('SELECT count(*) AS n FROM orders').get()).toEqual({ n: 1 });
    bare.close();
    expect(reads(() => openInEarlierFormat(file, key, { readonly: true }))).toBe(false);
  });

  it('notices a page changed on disk (the cipher authenticates every page)', async () => {
    const { key } = await encryptedDatabaseWithOrder();
    const bytes = readFileSync(file);
    const lastPage = bytes.length - 4096;
    bytes[lastPage + 100] = (bytes[lastPage + 100] ?? 0) ^ 0x01;
    writeFileSync(file, bytes);
    const reopened = openDatabase({ file, key });
    try {
      expect(() => reopened.pragma('quick_check')).toThrow();
    } finally {
      reopened.close();
    }
  });

  it('refuses a wrong key with DatabaseKeyError and changes nothing on disk', async () => {
    const { key } = await encryptedDatabaseWithOrder();
    const before = filesIn(dir);
    expect(() => openDatabase({ file, key: randomBytes(32) })).toThrow(DatabaseKeyError);
    expect(() => openDatabase({ file, key: randomBytes(32) })).toThrow(/this key does not open the database/);
    expect(() => openDatabase({ file })).toThrow(DatabaseKeyError);
    expect(filesIn(dir)).toEqual(before);
    openDatabase({ file, key }).close();
  });

  it('leaves :memory: databases unencrypted', () => {
    const db = openDatabase({ file: ':memory:', key: randomBytes(32) });
    expect(databaseKeyOf(db)).toBeUndefined();
    db.close();
  });
});

describe('a plain database from before encryption', () => {
  it('is encrypted in place with its rows, WAL included, and says so in the log (never the key)', async () => {
    const id = await plainDatabaseWithOrder();
    expect(databaseFileState(file)).toBe('plain');
    const key = randomBytes(32);
    const logger = recordingLogger();
    const db = openDatabase({ file, key, logger });
    expect(db.prepare('SELECT id FROM orders').all()).toEqual([{ id }]);
    expect(db.prepare(`SELECT count(*) AS n FROM order_events WHERE order_id = ?`).get(id)).toMatchObject({ n: expect.any(Number) });
    db.close();
    expect(logger.events).toEqual(['database.encrypted_in_place']);
    expect(logger.lines.join('\n')).not.toContain(key.toString('hex'));
    expect(databaseFileState(file)).toBe('encrypted');
    expect(readFileSync(file).includes(PATIENT)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['rxrelay.db']);
    expect(() => openDatabase({ file })).toThrow(DatabaseKeyError);
    openDatabase({ file, key }).close();
  });

  it('is left intact when encryption is interrupted (a copy is encrypted, then swapped in), and the copy is cleaned up', async () => {
    const id = await plainDatabaseWithOrder();
    // What a kill half-way through leaves: a partial copy beside the untouched original.
    writeFileSync(`${file}.encrypting`, randomBytes(10_000));
    writeFileSync(`${file}.encrypting-journal`, randomBytes(1_000));
    const key = randomBytes(32);
    const db = openDatabase({ file, key });
    expect(db.prepare('SELECT id FROM orders').all()).toEqual([{ id }]);
    db.close();
    expect(existsSync(`${file}.encrypting`)).toBe(false);
    expect(existsSync(`${file}.encrypting-journal`)).toBe(false);
  });

  it('is not encrypted while another connection has it open, and stays as it was', async () => {
    await plainDatabaseWithOrder();
    const other = new Database(file);
    other.pragma('journal_mode = WAL');
    other.prepare('SELECT count(*) FROM orders').get();
    try {
      expect(() => openDatabase({ file, key: randomBytes(32) })).toThrow(/open in another program/);
      expect(databaseFileState(file)).toBe('plain');
      expect(existsSync(`${file}.encrypting`)).toBe(false);
    } finally {
      other.close();
    }
  });
});

describe('a database encrypted by an earlier RxRelay (SQLCipher 4 format)', () => {
  /** The app's schema and one order, encrypted as before AEGIS; its last commit left in the WAL, as a killed app leaves it. */
  async function earlierFormatDatabaseWithOrder(key: Buffer): Promise<string> {
    const db = openDatabase({ file });
    const id = await storeOrderFor(db, PATIENT);
    db.close();
    encryptInEarlierFormat(file, key);
    const earlier = openInEarlierFormat(file, key);
    earlier.pragma('journal_mode = WAL');
    earlier.prepare(`INSERT INTO meta (key, value) VALUES ('left in the WAL', 'yes')`).run();
    const snapshot = { main: readFileSync(file), wal: readFileSync(`${file}-wal`) };
    expect(snapshot.wal.length).toBeGreaterThan(0);
    earlier.close();
    writeFileSync(file, snapshot.main);
    writeFileSync(`${file}-wal`, snapshot.wal);
    return id;
  }

  it('is re-encrypted into AEGIS-256 under the same key when opened, WAL included, and says so in the log (never the key)', async () => {
    const key = randomBytes(32);
    const id = await earlierFormatDatabaseWithOrder(key);
    const logger = recordingLogger();
    const db = openDatabase({ file, key, logger });
    expect(db.prepare('SELECT id FROM orders').all()).toEqual([{ id }]);
    expect(db.prepare(`SELECT value FROM meta WHERE key = 'left in the WAL'`).get()).toEqual({ value: 'yes' });
    expect(db.pragma('cipher', { simple: true })).toBe('aegis');
    db.close();
    expect(logger.lines).toEqual([JSON.stringify({ event: 'database.cipher_upgraded', from: 'sqlcipher4', to: 'aegis-256' })]);
    expect(readdirSync(dir).sort()).toEqual(['rxrelay.db']);
    expect(readFileSync(file).includes(PATIENT)).toBe(false);
    expect(reads(() => openInCurrentFormat(file, key))).toBe(true);
    expect(reads(() => openInEarlierFormat(file, key))).toBe(false);
    // Opened again, it is current: nothing more to do.
    const quiet = recordingLogger();
    openDatabase({ file, key, logger: quiet }).close();
    expect(quiet.events).toEqual([]);
  });

  it('is left exactly as it was when the key is wrong', async () => {
    await earlierFormatDatabaseWithOrder(randomBytes(32));
    const before = filesIn(dir);
    expect(() => openDatabase({ file, key: randomBytes(32) })).toThrow(DatabaseKeyError);
    // The database and its WAL are untouched; SQLite only adds the WAL's index (-shm, no data) beside them.
    const after = filesIn(dir);
    expect(Object.keys(after).sort()).toEqual(['rxrelay.db', 'rxrelay.db-shm', 'rxrelay.db-wal']);
    expect({ ...after, 'rxrelay.db-shm': undefined }).toEqual({ ...before, 'rxrelay.db-shm': undefined });
  });

  it('is left as it was while another connection has it open', async () => {
    const key = randomBytes(32);
    await earlierFormatDatabaseWithOrder(key);
    const other = openInEarlierFormat(file, key);
    other.prepare('SELECT count(*) FROM orders').get();
    try {
      expect(() => openDatabase({ file, key })).toThrow(/open in another program/);
      expect(existsSync(`${file}.encrypting`)).toBe(false);
    } finally {
      other.close();
    }
    expect(reads(() => openInEarlierFormat(file, key, { readonly: true }))).toBe(true);
  });

  it('has its key rotated straight into AEGIS-256 with the new key', async () => {
    const key = randomBytes(32);
    const id = await earlierFormatDatabaseWithOrder(key);
    const newKey = randomBytes(32);
    rotateDatabaseKey({ file, key, newKey });
    expect(reads(() => openInCurrentFormat(file, newKey, { readonly: true }))).toBe(true);
    const db = openDatabase({ file, key: newKey });
    expect(db.prepare('SELECT id FROM orders').all()).toEqual([{ id }]);
    db.close();
  });
});

describe('key rotation', () => {
  it('re-encrypts with the new key: the old one stops working, the rows stay', async () => {
    const { key: oldKey, id } = await encryptedDatabaseWithOrder();
    const newKey = randomBytes(32);
    let persisted = false;
    rotateDatabaseKey({ file, key: oldKey, newKey, persistNewKey: () => (persisted = true) });
    expect(persisted).toBe(true);
    expect(() => openDatabase({ file, key: oldKey })).toThrow(DatabaseKeyError);
    const again = openDatabase({ file, key: newKey });
    expect(again.prepare('SELECT id FROM orders').all()).toEqual([{ id }]);
    expect(again.pragma('quick_check', { simple: true })).toBe('ok');
    again.close();
    expect(readFileSync(file).includes(PATIENT)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.includes('rekeying'))).toEqual([]);
  });

  it('changes nothing when it fails before the swap (the new key could not be kept)', async () => {
    const { key: oldKey } = await encryptedDatabaseWithOrder();
    expect(() =>
      rotateDatabaseKey({
        file,
        key: oldKey,
        newKey: randomBytes(32),
        persistNewKey: () => {
          throw new Error('disk full');
        },
      }),
    ).toThrow('disk full');
    openDatabase({ file, key: oldKey }).close();
    expect(readdirSync(dir).filter((name) => name.includes('rekeying'))).toEqual([]);
  });

  it('refuses a wrong current key, and a database another connection has open', async () => {
    const key = randomBytes(32);
    const db = openDatabase({ file, key });
    await storeOrderFor(db, PATIENT);
    expect(() => rotateDatabaseKey({ file, key, newKey: randomBytes(32) })).toThrow(/open in another program/);
    db.close();
    expect(() => rotateDatabaseKey({ file, key: randomBytes(32), newKey: randomBytes(32) })).toThrow(DatabaseKeyError);
    openDatabase({ file, key }).close();
  });
});
