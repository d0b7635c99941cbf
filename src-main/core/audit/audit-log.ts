// The audit log (issue 9; HIPAA §164.312(b) audit controls, (c) integrity): one append-only row
// per read of a patient's record, change, export and print, each chained to the one before by a
// SHA-256 hash over its fields and the previous hash. Rows are written inside the transaction of
// the change they record (an order event and its audit row commit together), so the log never
// claims a change that did not happen nor misses one that did.
//
// The verifier recomputes the chain: a row edited outside RxRelay (the triggers refuse it
// inside) breaks its own hash, a removed row breaks the next row's link, and removing the newest
// rows is caught by the head kept beside the log. What it cannot prove is that nobody with the
// database key rewrote the whole chain consistently: that is what exported copies and backups
// kept elsewhere are for.
import { hash } from 'node:crypto';
import type { AuditEntryView, AuditVerification, RenderedDocument } from '../../../src-shared/app-api-contract';
import type { Clock } from '../clock';
import { canonicalJson } from '../domain/order-content';
import {
  auditHead,
  auditRowsAfter,
  countAuditRows,
  insertAuditRow,
  lastAuditRow,
  listAuditRows,
  writeAuditHead,
  type AuditCategory,
  type AuditRow,
} from '../storage/audit-repository';
import type { SqliteDatabase } from '../storage/database';
import type { TransactionParticipant, WriteQueue } from '../storage/write-queue';

/** The hash the first row links to. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);
const VERIFY_PAGE = 2_000;
const EXPORT_LIMIT = 100_000;

export interface AuditEntry {
  actor: string;
  action: string;
  category: AuditCategory;
  /** What it was about (an order id, a staff user), never a patient's name. */
  subject?: string | null | undefined;
  details?: Record<string, unknown> | undefined;
}

export function auditRowHash(row: Omit<AuditRow, 'hash'>): string {
  // One-shot hash(): half the cost of createHash().update().digest() for a string this short,
  // and every CreateOrder appends a row inside the group commit.
  return hash('sha256', JSON.stringify([row.seq, row.at, row.actor, row.action, row.category, row.subject, row.details_json, row.prev_hash]), 'hex');
}

export class AuditLog implements TransactionParticipant {
  /**
   * The chain's newest row as this connection last wrote or read it, so an append does not read
   * it back: committed, or written by the transaction in progress. Only this connection writes
   * the log (every write goes through its WriteQueue), and a rollback clears it (afterRollback).
   */
  private head: { seq: number; hash: string } | undefined;

  constructor(private readonly deps: { db: SqliteDatabase; writes: Pick<WriteQueue, 'run' | 'enlist'>; clock: Clock }) {}

  /**
   * Inside a write: the row commits (or not) with the change it records. The head beside the
   * log is written once per transaction, just before its COMMIT (a group commit of many
   * CreateOrders appends many rows, and a head written per row was rewritten as many times).
   */
  appendWithin(entry: AuditEntry): void {
    const { db } = this.deps;
    const last = this.head ?? lastAuditRow(db);
    const row: Omit<AuditRow, 'hash'> = {
      seq: (last?.seq ?? 0) + 1,
      at: this.deps.clock.now().toISOString(),
      actor: entry.actor,
      action: entry.action,
      category: entry.category,
      subject: entry.subject ?? null,
      details_json: entry.details === undefined ? null : canonicalJson(entry.details),
      prev_hash: last?.hash ?? AUDIT_GENESIS_HASH,
    };
    const rowHash = auditRowHash(row);
    insertAuditRow(db, { ...row, hash: rowHash });
    this.head = { seq: row.seq, hash: rowHash };
    this.deps.writes.enlist(this);
  }

  /** @internal The write queue's: the head beside the log, once per transaction. */
  beforeCommit(): void {
    if (this.head) writeAuditHead(this.deps.db, this.head);
  }

  /** @internal The write queue's: rows of a rolled-back transaction are gone, and so is their head. */
  afterRollback(): void {
    this.head = undefined;
  }

  /** A row of its own (a read, an export, a sign-in). */
  append(entry: AuditEntry): Promise<void> {
    return this.deps.writes.run(() => this.appendWithin(entry));
  }

  verify(): AuditVerification {
    const { db } = this.deps;
    const problems: string[] = [];
    let expectedSeq = 1;
    let previousHash = AUDIT_GENESIS_HASH;
    let rows = 0;
    let firstBad: number | null = null;
    const bad = (seq: number, problem: string) => {
      firstBad ??= seq;
      if (problems.length < 50) problems.push(problem);
    };
    for (let after = 0; ; ) {
      const page = auditRowsAfter(db, after, VERIFY_PAGE);
      if (page.length === 0) break;
      for (const row of page) {
        rows += 1;
        if (row.seq !== expectedSeq) bad(expectedSeq, `Rows ${expectedSeq}–${row.seq - 1} are missing.`);
        else if (row.prev_hash !== previousHash) bad(row.seq, `The row before row ${row.seq} was changed or removed.`);
        if (auditRowHash(row) !== row.hash) bad(row.seq, `Row ${row.seq} was changed after it was written.`);
        expectedSeq = row.seq + 1;
        previousHash = row.hash;
        after = row.seq;
      }
    }
    const head = auditHead(db);
    const lastSeq = expectedSeq - 1;
    if ((head?.seq ?? 0) !== lastSeq || (head && head.hash !== previousHash)) {
      bad(lastSeq + 1, `The log ends at row ${lastSeq} but its head says ${head?.seq ?? 0}: the newest rows were removed or changed.`);
    }
    return { ok: problems.length === 0, rows, first_bad_seq: firstBad, problems };
  }

  list(filter: { subject?: string | undefined; actor?: string | undefined; limit: number; before_seq?: number | undefined }): { entries: AuditEntryView[]; total: number } {
    const rows = listAuditRows(this.deps.db, { subject: filter.subject, actor: filter.actor, limit: filter.limit, beforeSeq: filter.before_seq });
    return { entries: rows.map(toView), total: countAuditRows(this.deps.db, { subject: filter.subject, actor: filter.actor }) };
  }

  /** The whole log as CSV (oldest first), with each row's hash so a copy can be checked later. */
  exportCsv(): RenderedDocument {
    const lines = ['seq,at,actor,action,category,subject,details,prev_hash,hash'];
    for (let after = 0; lines.length <= EXPORT_LIMIT; ) {
      const page = auditRowsAfter(this.deps.db, after, VERIFY_PAGE);
      if (page.length === 0) break;
      for (const row of page) {
        lines.push([row.seq, row.at, row.actor, row.action, row.category, row.subject ?? '', row.details_json ?? '', row.prev_hash, row.hash].map(csvCell).join(','));
        after = row.seq;
      }
    }
    const stamp = this.deps.clock.now().toISOString().replace(/[:.]/g, '-');
    return { filename: `rxrelay-audit-${stamp}.csv`, mime_type: 'text/csv', data_base64: Buffer.from(lines.join('\r\n') + '\r\n', 'utf8').toString('base64') };
  }
}

function toView(row: AuditRow): AuditEntryView {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    category: row.category,
    subject: row.subject,
    details: row.details_json ? (JSON.parse(row.details_json) as Record<string, unknown>) : null,
    hash: row.hash,
  };
}

/** RFC 4180, and a cell a spreadsheet would run as a formula is quoted as text. */
function csvCell(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
