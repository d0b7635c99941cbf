// Encryption at rest: what is on disk is SQLCipher pages, a wrong key changes nothing, a plain
// database from before is encrypted in place with its rows, and a rotated key replaces the old.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCreateOrder } from '../../../src-main/core/bestrx/bestrx-requests';
import type { Logger } from '../../../src-main/core/logger';
import { databaseFileState, DatabaseKeyError, databaseKeyOf, openDatabase, rotateDatabaseKey } from '../../../src-main/core/storage/database';
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

  it('reopens with its key, in SQLCipher 4 format (a raw key opens it in any SQLCipher 4)', async () => {
    const key = randomBytes(32);
    const db = openDatabase({ file, key });
    const id = await storeOrderFor(db, PATIENT);
    db.close();
    const again = openDatabase({ file, key });
    expect(again.prepare('SELECT id FROM orders').all()).toEqual([{ id }]);
    expect(again.pragma('cipher', { simple: true })).toBe('sqlcipher');
    expect(Number(again.pragma('legacy', { simple: true }))).toBe(4);
    expect(again.pragma('journal_mode', { simple: true })).toBe('wal');
    again.close();
    // A bare driver connection with SQLCipher's own settings (no RxRelay code) reads it.
    const bare = new Database(file, { readonly: true });
    bare.pragma(`cipher = 'sqlcipher'`);
    bare.pragma('legacy = 4');
    bare.pragma(`key = "x'${key.toString('hex')}'"`);
    expect(bare.prepare('SELECT count(*) AS n FROM orders').get()).toEqual({ n: 1 });
    bare.close();
  });

  it('refuses a wrong key with DatabaseKeyError and changes nothing on disk', async () => {
    const key = randomBytes(32);
    const db = openDatabase({ file, key });
    await storeOrderFor(db, PATIENT);
    db.close();
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

describe('key rotation', () => {
  it('re-encrypts with the new key: the old one stops working, the rows stay', async () => {
    const oldKey = randomBytes(32);
    const db = openDatabase({ file, key: oldKey });
    const id = await storeOrderFor(db, PATIENT);
    db.close();
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
    const oldKey = randomBytes(32);
    const db = openDatabase({ file, key: oldKey });
    await storeOrderFor(db, PATIENT);
    db.close();
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
