// Numbered migrations. Each file holds one schema step; `migrate` applies every pending step in
// a single transaction (all or nothing) and refuses a database written by a newer RxRelay,
// because an older build would misread tables it does not know.
import type Database from 'better-sqlite3-multiple-ciphers';
import { migration0001Initial } from './0001-initial';
import { migration0002StatusPushOutbox } from './0002-status-push-outbox';
import { migration0003LabelPrintEvents } from './0003-label-print-events';
import { migration0004CourierRuns } from './0004-courier-runs';
import { migration0005PartnerDispatches } from './0005-partner-dispatches';
import { migration0006PartnerOriginatedWork } from './0006-partner-originated-work';
import { migration0007StaffAndAudit } from './0007-staff-and-audit';
import { migration0008StatusPushCounts } from './0008-status-push-counts';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
  /**
   * The step rebuilds a table that others reference (SQLite's way to change a constraint):
   * foreign keys are switched off while it runs, which SQLite allows only outside a transaction,
   * and every reference is checked before the transaction commits.
   */
  rebuildsTables?: boolean;
}

export const MIGRATIONS: readonly Migration[] = [
  migration0001Initial,
  migration0002StatusPushOutbox,
  migration0003LabelPrintEvents,
  migration0004CourierRuns,
  migration0005PartnerDispatches,
  migration0006PartnerOriginatedWork,
  migration0007StaffAndAudit,
  migration0008StatusPushCounts,
];

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
  const pending = migrations.slice(from);
  const foreignKeysWereOn = db.pragma('foreign_keys', { simple: true }) === 1;
  const rebuilds = foreignKeysWereOn && pending.some((m) => m.rebuildsTables);
  if (rebuilds) db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      for (const m of pending) {
        m.up(db);
        // user_version lives in the database header and is written inside this transaction.
        db.pragma(`user_version = ${m.version}`);
      }
      if (rebuilds) {
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new Error(`Migration left ${broken.length} broken references; nothing was changed.`);
      }
    }).immediate();
  } finally {
    if (rebuilds) db.pragma('foreign_keys = ON');
  }
  return { from, to: latest };
}
