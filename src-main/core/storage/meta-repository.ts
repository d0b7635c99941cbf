// Small facts about this installation that belong with its data (they travel with a restored
// backup): the device id stamped on every order event.
import { randomUUID } from 'node:crypto';
import { prepared, type SqliteDatabase } from './database';

export function readMeta(db: SqliteDatabase, key: string): string | undefined {
  const row = prepared(db, `SELECT value FROM meta WHERE key = ?`).get(key) as { value: string } | undefined;
  return row?.value;
}

export function writeMeta(db: SqliteDatabase, key: string, value: string): void {
  prepared(db, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(key, value);
}

/** This installation's device id, created on first use. */
export function ensureDeviceId(db: SqliteDatabase): string {
  const existing = readMeta(db, 'device_id');
  if (existing) return existing;
  const deviceId = randomUUID();
  writeMeta(db, 'device_id', deviceId);
  return deviceId;
}
