import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/core/storage/database';
import { DatabaseTooNewError, migrate, MIGRATIONS, schemaVersion, type Migration } from '../../../src-main/core/storage/migrations';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rxrelay-migrations-'));
  dirs.push(dir);
  return join(dir, 'rxrelay.db');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An order row with nothing but what the schema requires, for migration tests. */
function insertBareOrder(db: Database.Database, status = 'created'): void {
  db.prepare(
    `INSERT INTO orders (id, tracking_id, bestrx_pharmacy_id, bestrx_order_id, bestrx_unique_order_id, status, status_changed_at,
      prescription_amount_cents, otc_amount_cents, tax_amount_cents, total_amount_cents, amount_to_collect_cents, declared_amount_cents,
      refrigeration_needed, signature_required, photo_id_required, request_json, search_text, created_at, updated_at)
     VALUES ('o1', 't1', 'p', 1, 1, ?, 'now', 0, 0, 0, 0, 0, 0, 0, 0, 0, '{}', '', 'now', 'now')`,
  ).run(status);
}

/** A database file migrated to `version` only, with foreign keys enforced as the app enforces them. */
function databaseAtVersion(version: number): { file: string; db: Database.Database } {
  const file = tempFile();
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  migrate(db, MIGRATIONS.slice(0, version));
  return { file, db };
}

const tableNames = (db: Database.Database) =>
  (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name);

describe('opening the database', () => {
  it('migrates an empty file to the latest schema with WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
    const db = openDatabase({ file: tempFile() });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('opens an up-to-date database without changing it', () => {
    const file = tempFile();
    openDatabase({ file }).close();
    const db = openDatabase({ file });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    db.close();
  });

  it('refuses a database written by a newer RxRelay and leaves it untouched', () => {
    const file = tempFile();
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.exec('CREATE TABLE from_the_future (x)');
    raw.close();
    expect(() => openDatabase({ file })).toThrow(DatabaseTooNewError);
    expect(() => openDatabase({ file })).toThrow(
      new RegExp(`newer RxRelay \\(schema version ${MIGRATIONS.length + 1}; this build understands up to ${MIGRATIONS.length}\\)`),
    );
    const check = new Database(file);
    expect(schemaVersion(check)).toBe(MIGRATIONS.length + 1);
    expect(tableNames(check)).toEqual(['from_the_future']);
    check.close();
  });

  it('applies pending migrations all or nothing', () => {
    const db = new Database(':memory:');
    const failing: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'adds a table', up: (d) => d.exec('CREATE TABLE added (x)') },
      { version: MIGRATIONS.length + 2, name: 'breaks', up: () => { throw new Error('disk on fire'); } },
    ];
    expect(() => migrate(db, failing)).toThrow('disk on fire');
    expect(schemaVersion(db)).toBe(0);
    expect(tableNames(db)).toEqual([]);
  });

  it('refuses a migration list with a gap in its numbering', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ ...MIGRATIONS[0]!, version: 2 }])).toThrow(/numbered 2, expected 1/);
  });
});

describe('migration 0001-initial', () => {
  const db = () => {
    const d = new Database(':memory:');
    d.pragma('foreign_keys = ON');
    migrate(d, MIGRATIONS.slice(0, 1));
    return d;
  };

  it('creates the order tables, the event log and the idempotency keys', () => {
    expect(tableNames(db())).toEqual([
      'idempotency_keys',
      'meta',
      'order_consents',
      'order_customers',
      'order_events',
      'order_otc_items',
      'order_prescriptions',
      'order_recipients',
      'order_stores',
      'orders',
    ]);
  });

  it('makes order events append-only', () => {
    const d = db();
    insertBareOrder(d, 'created');
    d.prepare(
      `INSERT INTO order_events (event_id, order_id, seq, type, to_status, actor, device_id, captured_at, recorded_at)
       VALUES ('e1', 'o1', 1, 'created', 'created', 'bestrx', 'd', 'now', 'now')`,
    ).run();
    expect(() => d.prepare(`UPDATE order_events SET actor = 'mallory'`).run()).toThrow(/append-only/);
    expect(() => d.prepare(`DELETE FROM order_events`).run()).toThrow(/append-only/);
    expect(() => d.prepare(`UPDATE orders SET status = 'teleported'`).run()).toThrow(/CHECK constraint/);
    expect(() =>
      d.prepare(
        `INSERT INTO order_events (event_id, order_id, seq, type, actor, device_id, captured_at, recorded_at)
         VALUES ('e2', 'missing-order', 1, 'created', 'a', 'd', 'now', 'now')`,
      ).run(),
    ).toThrow(/FOREIGN KEY/);
  });
});

describe('migration 0002-status-push-outbox', () => {
  it('adds the outbox to a database that already holds orders, keeping them', () => {
    const file = tempFile();
    const v1 = new Database(file);
    migrate(v1, MIGRATIONS.slice(0, 1));
    insertBareOrder(v1, 'created');
    v1.close();

    const db = openDatabase({ file });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT id FROM orders').pluck().all()).toEqual(['o1']);
    expect(tableNames(db)).toEqual(expect.arrayContaining(['status_pushes', 'status_push_payloads']));
    db.prepare(
      `INSERT INTO order_events (event_id, order_id, seq, type, to_status, actor, device_id, captured_at, recorded_at)
       VALUES ('e1', 'o1', 1, 'created', 'created', 'bestrx', 'd', 'now', 'now')`,
    ).run();
    const insertPush = db.prepare(
      `INSERT INTO status_pushes (order_id, event_id, order_seq, status, status_code, status_description, state,
         next_attempt_at, window_started_at, created_at)
       VALUES ('o1', ?, 1, 'created', '1', 'Order Created', ?, 'now', 'now', 'now')`,
    );
    insertPush.run('e1', 'pending');
    expect(() => insertPush.run('e1', 'pending')).toThrow(/UNIQUE/);
    expect(() => insertPush.run('no-such-event', 'pending')).toThrow(/FOREIGN KEY|UNIQUE/);
    expect(() => db.prepare(`UPDATE status_pushes SET state = 'lost'`).run()).toThrow(/CHECK constraint/);
    db.close();
  });
});

describe('migration 0003-label-print-events', () => {
  it('rebuilds the event log to allow label prints, keeping events, the outbox links and the guards', () => {
    const { file, db: v2 } = databaseAtVersion(2);
    insertBareOrder(v2, 'acknowledged');
    const insertEvent = (db: Database.Database, seq: number, type: string) =>
      db
        .prepare(
          `INSERT INTO order_events (event_id, order_id, seq, type, to_status, actor, device_id, captured_at, recorded_at)
           VALUES (?, 'o1', ?, ?, 'acknowledged', 'staff', 'd', 'now', 'now')`,
        )
        .run(`e${seq}`, seq, type);
    insertEvent(v2, 1, 'created');
    insertEvent(v2, 2, 'status_changed');
    expect(() => insertEvent(v2, 3, 'label_printed')).toThrow(/CHECK constraint/);
    v2.prepare(
      `INSERT INTO status_pushes (order_id, event_id, order_seq, status, status_code, status_description, state,
         next_attempt_at, window_started_at, created_at)
       VALUES ('o1', 'e2', 2, 'acknowledged', '2', 'Order Acknowledged', 'pending', 'now', 'now', 'now')`,
    ).run();
    v2.close();

    const db = openDatabase({ file });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT event_id FROM order_events ORDER BY seq').pluck().all()).toEqual(['e1', 'e2']);
    insertEvent(db, 3, 'label_printed');
    expect(() => insertEvent(db, 4, 'teleported')).toThrow(/CHECK constraint/);
    expect(() => db.prepare(`UPDATE order_events SET actor = 'mallory'`).run()).toThrow(/append-only/);
    expect(() => db.prepare(`DELETE FROM order_events`).run()).toThrow(/append-only/);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(() =>
      db
        .prepare(
          `INSERT INTO status_pushes (order_id, event_id, order_seq, status, status_code, status_description, state,
             next_attempt_at, window_started_at, created_at)
           VALUES ('o1', 'no-such-event', 9, 'acknowledged', '2', 'x', 'pending', 'now', 'now', 'now')`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('rolls back and turns foreign keys back on when a rebuild would break a reference', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS);
    const breaking: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'drops a referenced row',
      rebuildsTables: true,
      up: (d) => d.exec(`CREATE TABLE parent (id TEXT PRIMARY KEY); CREATE TABLE child (p TEXT REFERENCES parent (id)); INSERT INTO child VALUES ('gone');`),
    };
    expect(() => migrate(db, [...MIGRATIONS, breaking])).toThrow(/broken references/);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(tableNames(db)).not.toContain('child');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});

describe('migration 0004-courier-runs', () => {
  it('puts an order on at most one run, and only orders that exist', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 4));
    insertBareOrder(db, 'created');
    const run = db.prepare(`INSERT INTO courier_runs (id, name, courier, run_date, created_at, created_by) VALUES (?, 'Run', 'Dana', '2026-11-21', 'now', 'me')`);
    run.run('r1');
    run.run('r2');
    const stop = db.prepare(`INSERT INTO courier_run_stops (run_id, position, order_id) VALUES (?, ?, ?)`);
    stop.run('r1', 1, 'o1');
    expect(() => stop.run('r2', 1, 'o1')).toThrow(/UNIQUE/);
    expect(() => stop.run('r2', 1, 'missing')).toThrow(/FOREIGN KEY/);
    expect(() => stop.run('nope', 1, 'o1')).toThrow(/FOREIGN KEY|UNIQUE/);
  });
});

describe('migration 0005-partner-dispatches', () => {
  it('keeps the event log (now with partner events), allows one live hand-over per order, and keys the inbox by event id', () => {
    const { file, db: v4 } = databaseAtVersion(4);
    insertBareOrder(v4, 'acknowledged');
    const insertEvent = (db: Database.Database, seq: number, type: string) =>
      db
        .prepare(
          `INSERT INTO order_events (event_id, order_id, seq, type, to_status, actor, device_id, captured_at, recorded_at)
           VALUES (?, 'o1', ?, ?, NULL, 'staff', 'd', 'now', 'now')`,
        )
        .run(`e${seq}`, seq, type);
    insertEvent(v4, 1, 'created');
    insertEvent(v4, 2, 'label_printed');
    expect(() => insertEvent(v4, 3, 'partner_dispatched')).toThrow(/CHECK constraint/);
    v4.close();

    const db = openDatabase({ file });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT event_id FROM order_events ORDER BY seq').pluck().all()).toEqual(['e1', 'e2']);
    insertEvent(db, 3, 'partner_dispatched');
    insertEvent(db, 4, 'partner_update');
    expect(() => db.prepare(`DELETE FROM order_events`).run()).toThrow(/append-only/);

    const dispatch = db.prepare(
      `INSERT INTO partner_dispatches (id, order_id, partner, state, reference, details_json, created_at, created_by, updated_at)
       VALUES (?, ?, 'united', ?, ?, '{}', 'now', 'me', 'now')`,
    );
    dispatch.run('d1', 'o1', 'failed', 'o1');
    dispatch.run('d2', 'o1', 'open', 'o1-2');
    expect(() => dispatch.run('d3', 'o1', 'dispatching', 'o1-3')).toThrow(/UNIQUE/);
    expect(() => dispatch.run('d4', 'o1', 'failed', 'o1-2')).toThrow(/UNIQUE/);
    expect(() => dispatch.run('d5', 'missing', 'failed', 'x')).toThrow(/FOREIGN KEY/);
    expect(() => dispatch.run('d6', 'o1', 'lost', 'o1-6')).toThrow(/CHECK constraint/);

    const inbox = db.prepare(
      `INSERT INTO partner_inbox (partner, event_id, source, partner_order_ref, partner_status, payload_json, received_at)
       VALUES ('united', ?, 'webhook', 'u1', 'shipped', '{}', 'now')`,
    );
    inbox.run('u1:shipped');
    expect(() => inbox.run('u1:shipped')).toThrow(/UNIQUE|PRIMARY KEY/);
    db.close();
  });
});

describe('migration 0006-partner-originated-work', () => {
  it('marks existing orders as BestRx orders, allows only known origins, and keys incoming prescriptions by the partner’s prescription id', () => {
    const { file, db: v5 } = databaseAtVersion(5);
    insertBareOrder(v5, 'acknowledged');
    expect(() => v5.prepare(`SELECT origin FROM orders`).get()).toThrow(/no such column/);
    v5.close();

    const db = openDatabase({ file });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare(`SELECT origin FROM orders WHERE id = 'o1'`).pluck().get()).toBe('bestrx');
    db.prepare(`UPDATE orders SET origin = 'honeybee' WHERE id = 'o1'`).run();
    expect(() => db.prepare(`UPDATE orders SET origin = 'fax' WHERE id = 'o1'`).run()).toThrow(/CHECK constraint/);

    const prescription = db.prepare(
      `INSERT INTO partner_prescriptions (partner, prescription_id, partner_patient_id, event_id, drug_name, ndc, received_at, matched_order_id)
       VALUES ('honeybee', ?, 'ay87nt', 'e1', 'IBUPROFEN 800 MG TABLET', '0904585461', 'now', ?)`,
    );
    prescription.run('82', null);
    expect(() => prescription.run('82', null)).toThrow(/UNIQUE|PRIMARY KEY/);
    prescription.run('83', 'o1');
    expect(() => prescription.run('84', 'missing')).toThrow(/FOREIGN KEY/);
    db.prepare(`INSERT INTO partner_patients (partner, partner_patient_id, first_name, fetched_at) VALUES ('honeybee', 'ay87nt', 'Ann', 'now')`).run();
    db.close();
  });
});

describe('migration 0007-staff-and-audit', () => {
  it('adds staff accounts with known roles and unique names, and an audit log that refuses updates and deletes', () => {
    const { file, db: v6 } = databaseAtVersion(6);
    expect(tableNames(v6)).not.toContain('audit_log');
    v6.close();

    const db = openDatabase({ file });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    const user = db.prepare(
      `INSERT INTO staff_users (id, username, display_name, role, secret_kind, secret_hash, created_at, created_by, updated_at)
       VALUES (?, ?, 'X', ?, 'pin', 'scrypt$…', 'now', 'me', 'now')`,
    );
    user.run('u1', 'Ana', 'admin');
    expect(() => user.run('u2', 'ana', 'counter')).toThrow(/UNIQUE/);
    expect(() => user.run('u3', 'bo', 'pharmacist')).toThrow(/CHECK constraint/);
    db.prepare(`INSERT INTO audit_log (seq, at, actor, action, category, prev_hash, hash) VALUES (1, 'now', 'ana', 'orders.get', 'read', 'p', 'h')`).run();
    expect(() => db.prepare(`INSERT INTO audit_log (seq, at, actor, action, category, prev_hash, hash) VALUES (2, 'now', 'ana', 'x', 'gossip', 'p', 'h')`).run()).toThrow(/CHECK constraint/);
    expect(() => db.prepare(`UPDATE audit_log SET actor = 'bo'`).run()).toThrow(/append-only/);
    expect(() => db.prepare(`DELETE FROM audit_log`).run()).toThrow(/append-only/);
    db.close();
  });
});

describe('migration 0008-status-push-counts', () => {
  it('counts the pushes already there, and keeps the counts as pushes are added, change state and go', () => {
    const { file, db: v7 } = databaseAtVersion(7);
    insertBareOrder(v7);
    /** A status change of order o1 and its push, in `state`. */
    const addPush = (db: Database.Database, seq: number, state: string) => {
      db.prepare(
        `INSERT INTO order_events (event_id, order_id, seq, type, to_status, actor, device_id, captured_at, recorded_at)
         VALUES (?, 'o1', ?, 'status_changed', 'acknowledged', 'bestrx', 'd', 'now', 'now')`,
      ).run(`e${seq}`, seq);
      db.prepare(
        `INSERT INTO status_pushes (order_id, event_id, order_seq, status, status_code, status_description, state,
           next_attempt_at, window_started_at, created_at)
         VALUES ('o1', ?, ?, 'acknowledged', '2', 'Acknowledged', ?, 'now', 'now', 'now')`,
      ).run(`e${seq}`, seq, state);
    };
    ['delivered', 'delivered', 'delivered', 'dead', 'pending'].forEach((state, index) => addPush(v7, index + 1, state));
    v7.close();

    const db = openDatabase({ file });
    const counts = () => Object.fromEntries((db.prepare('SELECT state, n FROM status_push_counts ORDER BY state').all() as Array<{ state: string; n: number }>).map((r) => [r.state, r.n]));
    const counted = () => {
      const all = { pending: 0, delivered: 0, dead: 0, skipped: 0 } as Record<string, number>;
      for (const row of db.prepare('SELECT state, COUNT(*) AS n FROM status_pushes GROUP BY state').all() as Array<{ state: string; n: number }>) all[row.state] = row.n;
      return all;
    };
    expect(counts()).toEqual({ dead: 1, delivered: 3, pending: 1, skipped: 0 });

    addPush(db, 6, 'pending');
    db.prepare(`UPDATE status_pushes SET state = 'skipped' WHERE state = 'dead'`).run();
    db.prepare(`UPDATE status_pushes SET state = 'delivered' WHERE order_seq = 5`).run();
    db.prepare(`UPDATE status_pushes SET attempts = attempts + 1`).run(); // no state change: no count change
    db.prepare(`UPDATE status_pushes SET state = 'delivered' WHERE order_seq = 1`).run(); // the same state again
    expect(counts()).toEqual({ dead: 0, delivered: 4, pending: 1, skipped: 1 });
    db.prepare(`DELETE FROM status_pushes WHERE order_seq = 6`).run();
    expect(counts()).toEqual(counted());

    // A change the counts would get wrong is refused with it, never half applied.
    expect(() => db.prepare(`UPDATE status_pushes SET state = 'lost' WHERE order_seq = 2`).run()).toThrow(/CHECK constraint/);
    expect(counts()).toEqual(counted());
    db.close();
  });
});
