// Opening the one SQLite database and keeping its promises: WAL so readers never block the
// writer, synchronous=FULL so an order BestRx was told about survives a power cut, foreign keys
// on, and a busy timeout so a second connection (a backup, the Electron shell) waits instead of
// failing. Migrations run before anyone else sees the handle.
//
// Encryption at rest. The driver is better-sqlite3-multiple-ciphers (SQLite3 Multiple Ciphers,
// a drop-in for better-sqlite3). With a key, every page of the database file, its WAL and its
// rollback journals is encrypted with AEGIS-256 (`cipher=aegis`, `algorithm=aegis-256`): an
// authenticated cipher (a page changed on disk fails to decrypt, as with an HMAC) built on the
// CPU's AES instructions. The key is 32 random bytes given raw (`PRAGMA key = "x'<64 hex>'"`),
// not a passphrase: no key derivation on each open (worker threads open their own connections).
// SQLite's temporary files are NOT encrypted by SQLite3 Multiple Ciphers, so an encrypted
// connection keeps them in memory (temp_store=MEMORY). Where the key lives: database-key.ts.
//
// Why AEGIS and not SQLCipher 4's format (AES-256-CBC + HMAC-SHA512 per page), which RxRelay used
// first: every page is encrypted when a commit writes it to the WAL and again when the checkpoint
// copies it into the database file, and SQLite3 Multiple Ciphers' portable SHA-512 made that the
// largest single cost of a CreateOrder (profiled: ~17% of the main thread's CPU, most of the
// checkpoint thread's). Measured on the same inserts: SQLCipher 4 ~2.5x the CPU of a plain
// database, AEGIS-256 within ~5% of plain. The price: the `sqlcipher` tool no longer opens the
// file (SQLite3 Multiple Ciphers' own shell does, with the two pragmas above). A database in
// the earlier format is re-encrypted into this one the first time it is opened
// (upgradeEarlierCipher), under the same key.
//
// Patient data on disk is this database and nothing else: labels, packing slips and run sheets
// are rendered on demand and never written to a file, and signatures are stored in the
// database (order_events.proof_json). Backups (backups.ts) are made by this connection with
// VACUUM INTO, which writes them with the same cipher and key.
import { closeSync, copyFileSync, existsSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { fsyncDirectory, fsyncFile } from './durable-files';
import { dirname } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Logger } from '../logger';
import { migrate, type Migration, MIGRATIONS } from './migrations';

export type SqliteDatabase = Database.Database;

/** How pages are encrypted: today's format, and the ones earlier RxRelay versions wrote. */
export type CipherScheme = 'aegis-256' | 'sqlcipher4';
const CURRENT_CIPHER: CipherScheme = 'aegis-256';
/** Formats still opened, to be re-encrypted into CURRENT_CIPHER. */
const EARLIER_CIPHERS: readonly CipherScheme[] = ['sqlcipher4'];

/** The database key's length: 32 random bytes (AES-256). */
export const DATABASE_KEY_BYTES = 32;

/** The key does not open the database, or there is no key for an encrypted one. The message says which; it never holds a key. */
export class DatabaseKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseKeyError';
  }
}

export interface OpenDatabaseOptions {
  /** A file path, or ':memory:' for tests (never encrypted). */
  file: string;
  /**
   * The 32-byte key: the file is encrypted with it (a new file is created encrypted; a plain
   * one is encrypted in place first). Without it the file must be a plain SQLite database.
   */
  key?: Buffer | undefined;
  /** Path to a better_sqlite3.node built for the running runtime (Electron ships its own ABI). */
  nativeBinding?: string | undefined;
  migrations?: readonly Migration[];
  /** Told when a plain database was encrypted in place (`database.encrypted_in_place`). */
  logger?: Logger | undefined;
}

const keys = new WeakMap<SqliteDatabase, Buffer>();

/** The key a connection was opened with (for a second connection to the same file), if any. */
export function databaseKeyOf(db: SqliteDatabase): Buffer | undefined {
  return keys.get(db);
}

export function openDatabase(options: OpenDatabaseOptions): SqliteDatabase {
  const memory = options.file === ':memory:';
  const key = memory ? undefined : options.key;
  if (!memory) {
    const state = databaseFileState(options.file);
    if (key && state === 'plain') {
      encryptPlainDatabase(options.file, key, options.nativeBinding);
      options.logger?.info('database.encrypted_in_place', { cipher: CURRENT_CIPHER });
    } else if (!key && state === 'encrypted') {
      throw new DatabaseKeyError(`${options.file} is encrypted and no key was given to open it`);
    }
  }
  let db = new Database(options.file, driverOptions(options.nativeBinding));
  try {
    if (key) {
      applyDatabaseKey(db, key);
      if (!keyOpens(db)) {
        // Not today's format under this key. One in an earlier format is re-encrypted into it;
        // the copy needs the file to itself, so this connection is closed for it and opened again.
        db.close();
        const upgradedFrom = upgradeEarlierCipher(options.file, key, options.nativeBinding);
        if (upgradedFrom) options.logger?.info('database.cipher_upgraded', { from: upgradedFrom, to: CURRENT_CIPHER });
        db = new Database(options.file, driverOptions(options.nativeBinding));
        applyDatabaseKey(db, key);
      }
      verifyDatabaseKey(db, options.file);
      // SQLite3 Multiple Ciphers encrypts the database, its WAL and journals, not temporary
      // files (big sorts, temporary tables): those stay in memory.
      db.pragma('temp_store = MEMORY');
    }
    if (!memory) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`SQLite refused WAL mode (got ${String(mode)})`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // 32 MiB of page cache (the default is 2 MiB): the indexes the board and CreateOrder walk stay
    // in memory as the order history grows.
    db.pragma('cache_size = -32768');
    migrate(db, options.migrations ?? MIGRATIONS);
    if (key) keys.set(db, key);
    if (!memory) removeLeftoverCopies(options.file);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function driverOptions(nativeBinding: string | undefined): Database.Options {
  return nativeBinding ? { nativeBinding } : {};
}

function keyLiteral(key: Buffer): string {
  if (key.length !== DATABASE_KEY_BYTES) throw new DatabaseKeyError(`a database key is ${DATABASE_KEY_BYTES} bytes, not ${key.length}`);
  return `"x'${key.toString('hex')}'"`;
}

/**
 * The first statements on a connection to an encrypted file: the cipher (today's unless told)
 * and the raw key. Nothing is read until a statement touches the database, so a wrong key fails
 * there (verifyDatabaseKey), changing nothing.
 */
export function applyDatabaseKey(db: SqliteDatabase, key: Buffer, cipher: CipherScheme = CURRENT_CIPHER): void {
  selectCipher(db, cipher);
  db.pragma(`key = ${keyLiteral(key)}`);
}

/** The cipher the next key or rekey on this connection uses. */
function selectCipher(db: SqliteDatabase, cipher: CipherScheme): void {
  if (cipher === 'aegis-256') {
    db.pragma(`cipher = 'aegis'`);
    // Named, not left to the library's default: a later default would not open today's files.
    db.pragma(`algorithm = 'aegis-256'`);
  } else {
    db.pragma(`cipher = 'sqlcipher'`);
    db.pragma('legacy = 4');
  }
}

/**
 * What a worker thread (status-push sender, backups, checkpoints) needs to open its own
 * connection to the app's database file. `keyHex` is a secret: never logged, never in an error.
 */
export interface ThreadDatabase {
  file: string;
  nativeBinding?: string | undefined;
  keyHex?: string | undefined;
}

/** The app's database as a worker thread opens it; undefined for an in-memory one (tests), which no other connection can reach. */
export function threadDatabaseOf(db: SqliteDatabase, nativeBinding: string | undefined): ThreadDatabase | undefined {
  if (db.memory) return undefined;
  return { file: db.name, nativeBinding, keyHex: databaseKeyOf(db)?.toString('hex') };
}

/** A worker thread's own connection: the key before any other statement (the app verified it), temporary files in memory. */
export function openThreadConnection(database: ThreadDatabase, options: { readonly: boolean }): SqliteDatabase {
  const db = new Database(database.file, { readonly: options.readonly, fileMustExist: true, ...driverOptions(database.nativeBinding) });
  if (database.keyHex) applyDatabaseKey(db, Buffer.from(database.keyHex, 'hex'));
  db.pragma('temp_store = MEMORY');
  return db;
}

/** Reads the schema: a key that does not open the file fails here (DatabaseKeyError), changing nothing. */
export function verifyDatabaseKey(db: SqliteDatabase, file: string): void {
  if (!keyOpens(db)) throw new DatabaseKeyError(`this key does not open the database ${file}`);
}

/** Whether the connection's key (and cipher) reads the schema; any failure other than "not a database" is thrown. */
function keyOpens(db: SqliteDatabase): boolean {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') return false;
    throw error;
  }
}

/** Every plain SQLite 3 file starts with these 16 bytes; an encrypted one with its random salt. */
const PLAIN_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** 'absent': no file or an empty one (a new database); 'plain': unencrypted SQLite; 'encrypted': anything else. */
export function databaseFileState(file: string): 'absent' | 'plain' | 'encrypted' {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
  try {
    const header = Buffer.alloc(PLAIN_HEADER.length);
    const read = readSync(fd, header, 0, header.length, 0);
    if (read === 0) return 'absent';
    return read === header.length && header.equals(PLAIN_HEADER) ? 'plain' : 'encrypted';
  } finally {
    closeSync(fd);
  }
}

/** The copies encryption and key rotation work on, beside the database until they replace it. */
const ENCRYPTING_SUFFIX = '.encrypting';
const REKEYING_SUFFIX = '.rekeying';

/**
 * Turns the database into one self-contained file that no one else has open: the WAL copied
 * into it and removed (journal_mode=DELETE needs every other connection closed, so it also
 * proves no one else is using it).
 */
function settleIntoOneFile(db: SqliteDatabase, file: string): void {
  const inUse = () => new Error(`${file} is open in another program (is RxRelay running?): stop it and try again`);
  db.pragma('busy_timeout = 5000');
  let settled: boolean;
  try {
    const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    settled = (!checkpoint || checkpoint.busy === 0) && db.pragma('journal_mode = DELETE', { simple: true }) === 'delete';
  } catch (error) {
    if (/^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code))) throw inUse();
    throw error;
  }
  if (!settled) throw inUse();
}

function fileStamp(file: string): string {
  const stat = statSync(file);
  return `${stat.size}:${stat.mtimeMs}`;
}

interface PreparedCopy {
  file: string;
  copy: string;
  stamp: string;
}

/**
 * Re-encryption works on a copy that then replaces the file. Why not PRAGMA rekey on the file
 * itself (one transaction): SQLite3 Multiple Ciphers 2.3 (this driver's) refuses to rekey in
 * WAL mode, and in rollback-journal mode a kill in the middle of a rekey was not always
 * recoverable: the rekey gives the file a new salt as it rewrites page 1, while the hot journal
 * holds the old pages under the old key and salt, so neither key could roll it back (2 kills in
 * ~60 at random moments, measured on a 40 MB database). With a copy, a kill at any moment leaves
 * the original untouched until one atomic rename, and the copy is checked before that.
 *
 * `settle`: the file is the live database (fold its WAL in, and prove no one else has it open);
 * otherwise it is a closed single file (a backup).
 */
function prepareRekeyedCopy(options: {
  file: string;
  suffix: string;
  /** How the file is encrypted now; undefined: it is plain. */
  from: { key: Buffer; cipher: CipherScheme } | undefined;
  /** The copy is encrypted with this key, in the current format. */
  newKey: Buffer;
  nativeBinding: string | undefined;
  settle: boolean;
}): PreparedCopy {
  const { file, nativeBinding } = options;
  const copy = file + options.suffix;
  removeFiles(copy);
  if (options.settle) {
    const source = new Database(file, driverOptions(nativeBinding));
    try {
      if (options.from) {
        applyDatabaseKey(source, options.from.key, options.from.cipher);
        verifyDatabaseKey(source, file);
      }
      settleIntoOneFile(source, file);
    } finally {
      source.close();
    }
  }
  const stamp = fileStamp(file);
  try {
    copyFileSync(file, copy);
    const target = new Database(copy, driverOptions(nativeBinding));
    try {
      target.pragma('temp_store = MEMORY');
      if (options.from) {
        applyDatabaseKey(target, options.from.key, options.from.cipher);
        verifyDatabaseKey(target, file);
      }
      // SQLite3 Multiple Ciphers rekeys only outside WAL mode (a no-op for a settled file).
      if (target.pragma('journal_mode = DELETE', { simple: true }) !== 'delete') throw new Error(`could not take the copy of ${file} out of WAL mode`);
      // The rekey writes with the cipher selected last: the current one, whatever the file had.
      selectCipher(target, CURRENT_CIPHER);
      // Rewrites every page with the new key (through a VACUUM when the space each page keeps for
      // the cipher's nonce and tag changes size: plain, or an earlier format), in one transaction
      // on the copy.
      target.pragma(`rekey = ${keyLiteral(options.newKey)}`);
    } finally {
      target.close();
    }
    checkCopy(copy, options.newKey, nativeBinding);
    fsyncFile(copy);
    return { file, copy, stamp };
  } catch (error) {
    removeFiles(copy);
    throw error;
  }
}

/** Whether `file` opens with `key` and passes quick_check. */
function checkCopy(file: string, key: Buffer, nativeBinding: string | undefined): void {
  const check = new Database(file, driverOptions(nativeBinding));
  try {
    applyDatabaseKey(check, key);
    verifyDatabaseKey(check, file);
    const result = check.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new Error(`the re-encrypted copy ${file} failed its check (${String(result)})`);
  } finally {
    check.close();
  }
}

/** The one atomic step: the checked copy replaces the file. */
function commitRekeyedCopy(prepared: PreparedCopy): void {
  if (fileStamp(prepared.file) !== prepared.stamp || existsSync(`${prepared.file}-wal`)) {
    throw new Error(`${prepared.file} changed while it was being re-encrypted (is RxRelay running?)`);
  }
  renameSync(prepared.copy, prepared.file);
  fsyncDirectory(dirname(prepared.file));
}

function encryptPlainDatabase(file: string, key: Buffer, nativeBinding: string | undefined): void {
  commitRekeyedCopy(prepareRekeyedCopy({ file, suffix: ENCRYPTING_SUFFIX, from: undefined, newKey: key, nativeBinding, settle: true }));
}

/**
 * A database that the key does not open in today's format, re-encrypted into it under the same
 * key when the key opens it in an earlier format, through a checked copy like every
 * re-encryption (a kill leaves the original as it was). Returns the format it was in; undefined
 * when the key opens it in no format (the open that follows says so).
 */
function upgradeEarlierCipher(file: string, key: Buffer, nativeBinding: string | undefined): CipherScheme | undefined {
  const cipher = EARLIER_CIPHERS.find((earlier) => opensWith(file, key, nativeBinding, earlier, LIVE_DATABASE));
  if (!cipher) return undefined;
  commitRekeyedCopy(prepareRekeyedCopy({ file, suffix: ENCRYPTING_SUFFIX, from: { key, cipher }, newKey: key, nativeBinding, settle: true }));
  return cipher;
}

/** The live database is tried read-write: it may have a WAL to read, which a read-only connection cannot open without its -shm. */
const LIVE_DATABASE = { readonly: false };
/** A backup is only read: checked, never changed. */
const CLOSED_COPY = { readonly: true };

/** The format in which `key` opens `file` (today's tried first), or undefined. */
function cipherOpening(file: string, key: Buffer, nativeBinding: string | undefined, mode: { readonly: boolean }): CipherScheme | undefined {
  return [CURRENT_CIPHER, ...EARLIER_CIPHERS].find((cipher) => opensWith(file, key, nativeBinding, cipher, mode));
}

function opensWith(file: string, key: Buffer, nativeBinding: string | undefined, cipher: CipherScheme, { readonly }: { readonly: boolean }): boolean {
  try {
    const db = new Database(file, { ...driverOptions(nativeBinding), readonly, fileMustExist: true });
    try {
      applyDatabaseKey(db, key, cipher);
      verifyDatabaseKey(db, file);
      return true;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

/**
 * Key rotation: the database re-encrypted from `key` to `newKey`, RxRelay stopped (refused
 * otherwise). `companions` are other files under the same key (backups): re-encrypted with it
 * (a plain one is encrypted; one that `key` does not open is left as it is and reported).
 *
 * Every re-encrypted copy is made and checked first; then `persistNewKey` (from then on either
 * key may be the one that opens the database, so the caller keeps both until this returns:
 * database-key.ts); then the database's copy replaces it, then each companion's. Killed between
 * those renames, `settleRekeyedCopies` finishes (or discards) the companions' copies at the next
 * open, whichever key turns out to open the database.
 */
export function rotateDatabaseKey(options: {
  file: string;
  key: Buffer;
  newKey: Buffer;
  nativeBinding?: string | undefined;
  companions?: readonly string[];
  persistNewKey?: () => void;
}): { reencrypted: string[]; skipped: string[] } {
  const { file, key, newKey, nativeBinding } = options;
  if (databaseFileState(file) !== 'encrypted') throw new DatabaseKeyError(`${file} is not an encrypted database`);
  const prepared: PreparedCopy[] = [];
  const skipped: string[] = [];
  try {
    // Today's format, unless this build never opened it; a key that opens it in no format fails in the copy's check.
    const cipher = cipherOpening(file, key, nativeBinding, LIVE_DATABASE) ?? CURRENT_CIPHER;
    prepared.push(prepareRekeyedCopy({ file, suffix: REKEYING_SUFFIX, from: { key, cipher }, newKey, nativeBinding, settle: true }));
    for (const companion of options.companions ?? []) {
      const state = databaseFileState(companion);
      if (state === 'absent') continue;
      // Backups from before a format change are in the earlier format: re-encrypted into today's with the new key.
      const companionCipher = state === 'encrypted' ? cipherOpening(companion, key, nativeBinding, CLOSED_COPY) : undefined;
      if (state === 'encrypted' && !companionCipher) {
        skipped.push(companion);
        continue;
      }
      const from = companionCipher ? { key, cipher: companionCipher } : undefined;
      prepared.push(prepareRekeyedCopy({ file: companion, suffix: REKEYING_SUFFIX, from, newKey, nativeBinding, settle: false }));
    }
    options.persistNewKey?.();
  } catch (error) {
    for (const { copy } of prepared) removeFiles(copy);
    throw error;
  }
  for (const copy of prepared) commitRekeyedCopy(copy);
  return { reencrypted: prepared.slice(1).map((copy) => copy.file), skipped };
}

/**
 * After a rotation was killed: a companion's re-encrypted copy that opens with the database's
 * key, beside an original that does not, was made for the rotation that went through: it
 * replaces the original. Any other copy was not (the rotation stopped before the database's
 * rename, or the copy is half-made): it is deleted.
 */
export function settleRekeyedCopies(companions: readonly string[], key: Buffer, nativeBinding?: string): string[] {
  const finished: string[] = [];
  for (const file of companions) {
    const copy = file + REKEYING_SUFFIX;
    if (!existsSync(copy)) continue;
    let ready: boolean;
    try {
      checkCopy(copy, key, nativeBinding);
      ready = cipherOpening(file, key, nativeBinding, CLOSED_COPY) === undefined;
    } catch {
      ready = false;
    }
    if (ready) {
      renameSync(copy, file);
      fsyncDirectory(dirname(file));
      finished.push(file);
    } else {
      removeFiles(copy);
    }
  }
  return finished;
}

/** A copy left by encryption or rotation killed half-way: the database itself was never touched. */
function removeLeftoverCopies(file: string): void {
  removeFiles(file + ENCRYPTING_SUFFIX);
  removeFiles(file + REKEYING_SUFFIX);
}

function removeFiles(file: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
}



const statementCache = new WeakMap<SqliteDatabase, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per connection: the hot path prepares nothing. */
export function prepared(db: SqliteDatabase, sql: string): Database.Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}
