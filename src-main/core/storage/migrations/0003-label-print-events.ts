import type { Migration } from './index';

// Prints of an order's shipping label, packing slip or run sheet become order events
// ('label_printed'), so the timeline shows who printed what and when, and a re-print is visible.
//
// SQLite cannot change a CHECK constraint in place: the table is rebuilt by the procedure of
// https://www.sqlite.org/lang_altertable.html#otheralter (new table, copy, drop, rename), which
// needs foreign keys off while it runs (status_pushes references order_events); `migrate` does
// that around the transaction and checks every reference before committing.
export const migration0003LabelPrintEvents: Migration = {
  version: 3,
  name: '0003-label-print-events',
  rebuildsTables: true,
  up(db) {
    db.exec(`
      CREATE TABLE order_events_new (
        event_id    TEXT NOT NULL UNIQUE,
        order_id    TEXT NOT NULL REFERENCES orders (id),
        seq         INTEGER NOT NULL,
        type        TEXT NOT NULL CHECK (type IN ('created', 'status_changed', 'amended', 'return_requested', 'label_printed')),
        from_status TEXT,
        to_status   TEXT,
        actor       TEXT NOT NULL,
        device_id   TEXT NOT NULL,
        captured_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        notes       TEXT,
        proof_json  TEXT,
        PRIMARY KEY (order_id, seq)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO order_events_new SELECT event_id, order_id, seq, type, from_status, to_status, actor, device_id,
        captured_at, recorded_at, notes, proof_json FROM order_events;
      DROP TABLE order_events;
      ALTER TABLE order_events_new RENAME TO order_events;
      CREATE TRIGGER order_events_are_append_only_update BEFORE UPDATE ON order_events
        BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
      CREATE TRIGGER order_events_are_append_only_delete BEFORE DELETE ON order_events
        BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
    `);
  },
};
