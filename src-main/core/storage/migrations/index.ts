// Numbered migrations. Each file holds one schema step; `migrate` applies every pending step in
// a single transaction (all or nothing) and refuses a database written by a newer RxRelay,
// because an older build would misread tables it does not know.
import type Database from 'better-sqlite3';
import { migration0001Initial } from './0001-initial';
import { migration0002StatusPushOutbox } from './0002-status-push-outbox';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [migration0001Initial, migration0002StatusPushOutbox];

export class DatabaseTooNewError extends Error {
  constructor(
    readonly databaseVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      `This database was written by a newer RxRelay (schema version ${databaseVersion}; ` +
        `this build understands up to ${supportedVersion}). Update RxRelay, or point it at another data folder.`,
    );
    this.name = 'DatabaseTooNewError';
  }
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  migrations.forEach((m, index) => {
    if (m.version !== index + 1) throw new Error(`Migration ${m.name} is numbered ${m.version}, expected ${index + 1}`);
  });
  const latest = migrations.length;
  const from = schemaVersion(db);
  if (from > latest) throw new DatabaseTooNewError(from, latest);
  if (from === latest) return { from, to: latest };
  db.transaction(() => {
    for (const m of migrations.slice(from)) {
      m.up(db);
      // user_version lives in the database header and is written inside this transaction.
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
  return { from, to: latest };
}
