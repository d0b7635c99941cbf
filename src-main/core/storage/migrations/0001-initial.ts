import type { Migration } from './index';

// The first schema: orders as BestRx described them, split into the parts BestRx sends
// (store, recipient, customers, prescriptions, OTC items, consents), the append-only event
// log every status change is built on, and the idempotency keys that make CreateOrder safe to
// repeat. Money is integer cents. Tables are STRICT so a wrong type is an error, not a surprise.
//
// Write cost shaped the layout: every CreateOrder inserts into each of these tables, and each
// extra B-tree is another page rewritten per commit. The parts tables are WITHOUT ROWID (the
// primary key is the table, no second index), and orders are listed newest first by their
// time-ordered id rather than through a created_at index.
export const migration0001Initial: Migration = {
  version: 1,
  name: '0001-initial',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE orders (
        id                        TEXT PRIMARY KEY,           -- provider_order_id
        tracking_id               TEXT NOT NULL UNIQUE,
        bestrx_pharmacy_id        TEXT NOT NULL,
        bestrx_order_id           INTEGER NOT NULL,
        bestrx_unique_order_id    INTEGER NOT NULL,
        status                    TEXT NOT NULL CHECK (status IN ('created','acknowledged','picked_up','in_transit',
                                    'out_for_delivery','delivered','attempted','unable_to_deliver','returned','cancelled')),
        status_changed_at         TEXT NOT NULL,
        return_requested_at       TEXT,
        pickup_date               TEXT,
        requested_delivery_date   TEXT,
        service_level             TEXT,
        prescription_amount_cents INTEGER NOT NULL,
        otc_amount_cents          INTEGER NOT NULL,
        tax_amount_cents          INTEGER NOT NULL,
        total_amount_cents        INTEGER NOT NULL,
        amount_to_collect_cents   INTEGER NOT NULL,
        declared_amount_cents     INTEGER NOT NULL,
        package_height            TEXT,
        package_width             TEXT,
        package_length            TEXT,
        package_weight            TEXT,
        refrigeration_needed      INTEGER NOT NULL CHECK (refrigeration_needed IN (0, 1)),
        signature_required        INTEGER NOT NULL CHECK (signature_required IN (0, 1)),
        photo_id_required         INTEGER NOT NULL CHECK (photo_id_required IN (0, 1)),
        delivery_notes            TEXT,
        request_json              TEXT NOT NULL,              -- the body exactly as BestRx last sent it
        search_text               TEXT NOT NULL,              -- lower-cased names, address, ids, Rx numbers
        created_at                TEXT NOT NULL,
        updated_at                TEXT NOT NULL
      ) STRICT;
      CREATE INDEX orders_by_status ON orders (status, id);

      CREATE TABLE order_stores (
        order_id                  TEXT PRIMARY KEY REFERENCES orders (id),
        bestrx_pharmacy_id        TEXT NOT NULL,
        delivery_provider_acct_no TEXT,
        name                      TEXT,
        address_line_1            TEXT,
        address_line_2            TEXT,
        city                      TEXT,
        state                     TEXT,
        zip_code                  TEXT,
        phone                     TEXT,
        fax                       TEXT,
        email                     TEXT,
        ncpdp                     TEXT,
        npi                       TEXT,
        dea                       TEXT
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE order_recipients (
        order_id       TEXT PRIMARY KEY REFERENCES orders (id),
        entity_name    TEXT,
        first_name     TEXT,
        middle_name    TEXT,
        last_name      TEXT,
        address_line_1 TEXT NOT NULL,
        address_line_2 TEXT,
        city           TEXT NOT NULL,
        state          TEXT NOT NULL,
        zip_code       TEXT NOT NULL,
        home_phone     TEXT,
        work_phone     TEXT,
        mobile_phone   TEXT,
        fax            TEXT,
        email          TEXT
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE order_customers (
        order_id           TEXT NOT NULL REFERENCES orders (id),
        position           INTEGER NOT NULL,
        customer_unique_id INTEGER,
        first_name         TEXT,
        middle_name        TEXT,
        last_name          TEXT,
        address_line_1     TEXT,
        address_line_2     TEXT,
        city               TEXT,
        state              TEXT,
        zip_code           TEXT,
        PRIMARY KEY (order_id, position)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE order_prescriptions (
        order_id           TEXT NOT NULL REFERENCES orders (id),
        position           INTEGER NOT NULL,
        customer_unique_id INTEGER,
        rx_number          TEXT NOT NULL,
        fill_date          TEXT,
        amount_due_cents   INTEGER,
        partial_fill_seqno INTEGER,
        PRIMARY KEY (order_id, position)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE order_otc_items (
        order_id           TEXT NOT NULL REFERENCES orders (id),
        position           INTEGER NOT NULL,
        customer_unique_id INTEGER,
        upc                TEXT,
        item_description   TEXT,
        quantity           REAL,
        amount_due_cents   INTEGER,
        PRIMARY KEY (order_id, position)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE order_consents (
        order_id            TEXT NOT NULL REFERENCES orders (id),
        position            INTEGER NOT NULL,
        consent_header      TEXT,
        consent_text        TEXT,
        consent_inputs_json TEXT NOT NULL,
        consent_type_json   TEXT NOT NULL,   -- JSON of the value as sent ("0" and 0 are echoed differently)
        PRIMARY KEY (order_id, position)
      ) STRICT, WITHOUT ROWID;

      -- Append-only: every change to an order, with who, which device and when it happened at
      -- the door (captured_at) as well as when it was written here (recorded_at).
      CREATE TABLE order_events (
        event_id    TEXT NOT NULL UNIQUE,
        order_id    TEXT NOT NULL REFERENCES orders (id),
        seq         INTEGER NOT NULL,
        type        TEXT NOT NULL CHECK (type IN ('created', 'status_changed', 'amended', 'return_requested')),
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
      CREATE TRIGGER order_events_are_append_only_update BEFORE UPDATE ON order_events
        BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
      CREATE TRIGGER order_events_are_append_only_delete BEFORE DELETE ON order_events
        BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;

      -- (pharmacy, BestRx unique order id) names one order forever; this table is where that key
      -- is looked up, so orders carries no index of its own on it. request_hash (the last accepted
      -- body's fingerprint) recognises a byte-identical retry without reading the order.
      CREATE TABLE idempotency_keys (
        bestrx_pharmacy_id     TEXT NOT NULL,
        bestrx_unique_order_id INTEGER NOT NULL,
        order_id               TEXT NOT NULL REFERENCES orders (id),
        request_hash           TEXT NOT NULL,
        created_at             TEXT NOT NULL,
        updated_at             TEXT NOT NULL,
        PRIMARY KEY (bestrx_pharmacy_id, bestrx_unique_order_id)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
