// Every SQL statement about the audit log. Functions run inside the caller's transaction.
import { prepared, type SqliteDatabase } from './database';

export type AuditCategory = 'read' | 'change' | 'export' | 'print' | 'access';

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  category: AuditCategory;
  subject: string | null;
  details_json: string | null;
  prev_hash: string;
  hash: string;
}

export function auditHead(db: SqliteDatabase): { seq: number; hash: string } | undefined {
  return prepared(db, `SELECT seq, hash FROM audit_head WHERE id = 1`).get() as { seq: number; hash: string } | undefined;
}

export function lastAuditRow(db: SqliteDatabase): Pick<AuditRow, 'seq' | 'hash'> | undefined {
  return prepared(db, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).get() as Pick<AuditRow, 'seq' | 'hash'> | undefined;
}

export function insertAuditRow(db: SqliteDatabase, row: AuditRow): void {
  prepared(
    db,
    `INSERT INTO audit_log (seq, at, actor, action, category, subject, details_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(row.seq, row.at, row.actor, row.action, row.category, row.subject, row.details_json, row.prev_hash, row.hash);
}

/** The head kept beside the log: the newest row's seq and hash, so removing the newest rows shows. */
export function writeAuditHead(db: SqliteDatabase, head: { seq: number; hash: string }): void {
  prepared(db, `INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`).run(head.seq, head.hash);
}

/** Rows in order from `afterSeq`, a page at a time (the verifier walks the whole log this way). */
export function auditRowsAfter(db: SqliteDatabase, afterSeq: number, limit: number): AuditRow[] {
  return prepared(db, `SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`).all(afterSeq, limit) as AuditRow[];
}

export function listAuditRows(db: SqliteDatabase, filter: { subject?: string | undefined; actor?: string | undefined; limit: number; beforeSeq?: number | undefined }): AuditRow[] {
  return prepared(
    db,
    `SELECT * FROM audit_log
     WHERE (? IS NULL OR subject = ?) AND (? IS NULL OR actor = ?) AND (? IS NULL OR seq < ?)
     ORDER BY seq DESC LIMIT ?`,
  ).all(filter.subject ?? null, filter.subject ?? null, filter.actor ?? null, filter.actor ?? null, filter.beforeSeq ?? null, filter.beforeSeq ?? null, filter.limit) as AuditRow[];
}

export function countAuditRows(db: SqliteDatabase, filter: { subject?: string | undefined; actor?: string | undefined } = {}): number {
  return (
    prepared(db, `SELECT COUNT(*) AS n FROM audit_log WHERE (? IS NULL OR subject = ?) AND (? IS NULL OR actor = ?)`).get(
      filter.subject ?? null,
      filter.subject ?? null,
      filter.actor ?? null,
      filter.actor ?? null,
    ) as { n: number }
  ).n;
}
