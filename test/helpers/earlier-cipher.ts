// Databases as RxRelay encrypted them before AEGIS-256: SQLCipher 4's format (AES-256-CBC,
// HMAC-SHA512 per page) under a raw key. Made with the driver's own pragmas, not with RxRelay's
// code, so a test using them fails if RxRelay's idea of the earlier format drifts.
import Database from 'better-sqlite3-multiple-ciphers';

const rawKey = (key: Buffer) => `"x'${key.toString('hex')}'"`;

/** Encrypts the plain database `file` (closed, no other connection) in SQLCipher 4's format. */
export function encryptInEarlierFormat(file: string, key: Buffer): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma(`cipher = 'sqlcipher'`);
    db.pragma('legacy = 4');
    db.pragma(`rekey = ${rawKey(key)}`);
  } finally {
    db.close();
  }
}

/** A connection to a database in SQLCipher 4's format. */
export function openInEarlierFormat(file: string, key: Buffer, options: Database.Options = {}): Database.Database {
  const db = new Database(file, options);
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  db.pragma(`key = ${rawKey(key)}`);
  return db;
}

/** A connection to a database in today's format (AEGIS-256), as SQLite3 Multiple Ciphers' shell would open it. */
export function openInCurrentFormat(file: string, key: Buffer, options: Database.Options = {}): Database.Database {
  const db = new Database(file, options);
  db.pragma(`cipher = 'aegis'`);
  db.pragma(`algorithm = 'aegis-256'`);
  db.pragma(`key = ${rawKey(key)}`);
  return db;
}

/** Whether `open` gives a connection that reads the schema. */
export function reads(open: () => Database.Database): boolean {
  try {
    const db = open();
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      return true;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}
