// Opening the one SQLite database and keeping its promises: WAL so readers never block the
// writer, synchronous=FULL so an order BestRx was told about survives a power cut, foreign keys
// on, and a busy timeout so a second connection (a backup, the Electron shell) waits instead of
// failing. Migrations run before anyone else sees the handle.
import Database from 'better-sqlite3';
import { migrate, type Migration, MIGRATIONS } from './migrations';

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /** A file path, or ':memory:' for tests. */
  file: string;
  /** Path to a better_sqlite3.node built for the running runtime (Electron ships its own ABI). */
  nativeBinding?: string | undefined;
  migrations?: readonly Migration[];
}

export function openDatabase(options: OpenDatabaseOptions): SqliteDatabase {
  const db = new Database(options.file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    if (options.file !== ':memory:') {
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
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
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
