// Every SQL statement about staff accounts. Functions run inside the caller's transaction.
import { prepared, type SqliteDatabase } from './database';

export type StaffRole = 'counter' | 'courier' | 'admin';

export interface StaffUserRow {
  id: string;
  username: string;
  display_name: string;
  role: StaffRole;
  secret_kind: 'pin' | 'password';
  secret_hash: string;
  failed_attempts: number;
  locked_until: string | null;
  disabled_at: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export function countStaffUsers(db: SqliteDatabase): number {
  return (prepared(db, `SELECT COUNT(*) AS n FROM staff_users`).get() as { n: number }).n;
}

export function countActiveAdmins(db: SqliteDatabase): number {
  return (prepared(db, `SELECT COUNT(*) AS n FROM staff_users WHERE role = 'admin' AND disabled_at IS NULL`).get() as { n: number }).n;
}

export function listStaffUsers(db: SqliteDatabase): StaffUserRow[] {
  return prepared(db, `SELECT * FROM staff_users ORDER BY username`).all() as StaffUserRow[];
}

export function getStaffUser(db: SqliteDatabase, id: string): StaffUserRow | undefined {
  return prepared(db, `SELECT * FROM staff_users WHERE id = ?`).get(id) as StaffUserRow | undefined;
}

export function findStaffUserByName(db: SqliteDatabase, username: string): StaffUserRow | undefined {
  return prepared(db, `SELECT * FROM staff_users WHERE username = ?`).get(username) as StaffUserRow | undefined;
}

export function insertStaffUser(db: SqliteDatabase, row: Omit<StaffUserRow, 'failed_attempts' | 'locked_until' | 'disabled_at' | 'updated_at'>): void {
  prepared(
    db,
    `INSERT INTO staff_users (id, username, display_name, role, secret_kind, secret_hash, created_at, created_by, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(row.id, row.username, row.display_name, row.role, row.secret_kind, row.secret_hash, row.created_at, row.created_by, row.created_at);
}

export function updateStaffUser(
  db: SqliteDatabase,
  change: { id: string; display_name?: string; role?: StaffRole; secret?: { kind: 'pin' | 'password'; hash: string }; disabled?: boolean; now: string },
): void {
  prepared(
    db,
    `UPDATE staff_users SET
       display_name = COALESCE(?, display_name),
       role = COALESCE(?, role),
       secret_kind = COALESCE(?, secret_kind),
       secret_hash = COALESCE(?, secret_hash),
       disabled_at = CASE WHEN ? IS NULL THEN disabled_at WHEN ? = 1 THEN COALESCE(disabled_at, ?) ELSE NULL END,
       updated_at = ?
     WHERE id = ?`,
  ).run(
    change.display_name ?? null,
    change.role ?? null,
    change.secret?.kind ?? null,
    change.secret?.hash ?? null,
    change.disabled === undefined ? null : 1,
    change.disabled ? 1 : 0,
    change.now,
    change.now,
    change.id,
  );
}

export function recordSignInFailure(db: SqliteDatabase, change: { id: string; lockedUntil: string | null; now: string }): void {
  prepared(db, `UPDATE staff_users SET failed_attempts = failed_attempts + 1, locked_until = COALESCE(?, locked_until), updated_at = ? WHERE id = ?`).run(
    change.lockedUntil,
    change.now,
    change.id,
  );
}

export function clearSignInFailures(db: SqliteDatabase, id: string, now: string): void {
  prepared(db, `UPDATE staff_users SET failed_attempts = 0, locked_until = NULL, updated_at = ? WHERE id = ?`).run(now, id);
}

/** Failures counted again from zero; a lock already set stays. */
export function resetFailureCount(db: SqliteDatabase, id: string): void {
  prepared(db, `UPDATE staff_users SET failed_attempts = 0 WHERE id = ?`).run(id);
}
