import type { Migration } from './index';

// Staff accounts and the audit log (issue 9: HIPAA's technical safeguards — unique user
// identification, automatic logoff, audit controls, integrity).
//
// staff_users: named users with a role; the PIN or password is kept only as a scrypt hash
// (security/passwords.ts). Repeated failures lock the account until `locked_until`.
//
// audit_log: append-only (triggers refuse UPDATE and DELETE), one row per read of a patient's
// record, change, export and print. Each row's hash covers its own fields and the previous row's
// hash, so a row changed or removed by other means breaks the chain from there on; the head
// (last seq and hash) is kept beside it in audit_head, updated in the same transaction, so
// removing the newest rows is caught too.
export const migration0007StaffAndAudit: Migration = {
  version: 7,
  name: '0007-staff-and-audit',
  up(db) {
    db.exec(`
      CREATE TABLE staff_users (
        id              TEXT PRIMARY KEY,
        username        TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name    TEXT NOT NULL,
        role            TEXT NOT NULL CHECK (role IN ('counter', 'courier', 'admin')),
        secret_kind     TEXT NOT NULL CHECK (secret_kind IN ('pin', 'password')),
        secret_hash     TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until    TEXT,
        disabled_at     TEXT,
        created_at      TEXT NOT NULL,
        created_by      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
      ) STRICT;

      CREATE TABLE audit_log (
        seq          INTEGER PRIMARY KEY,
        at           TEXT NOT NULL,
        actor        TEXT NOT NULL,
        action       TEXT NOT NULL,
        category     TEXT NOT NULL CHECK (category IN ('read', 'change', 'export', 'print', 'access')),
        subject      TEXT,
        details_json TEXT,
        prev_hash    TEXT NOT NULL,
        hash         TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_log_by_subject ON audit_log (subject, seq) WHERE subject IS NOT NULL;
      CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

      CREATE TABLE audit_head (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        seq  INTEGER NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
    `);
  },
};
