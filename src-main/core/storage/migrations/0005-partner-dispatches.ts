import type { Migration } from './index';

// The partner sync engine's state (product spec, "Partners").
//
// partner_dispatches: one hand-over of an order to a fulfilment partner, run as a saga of steps
// (United: patient, then order). Each step's partner id goes into refs_json in the transaction
// that ends the step, before the next step starts; `step_started_at` is set *before* a step calls
// the partner, so after a crash or a timeout the engine knows the partner may already have done
// it and the connector looks before it creates. An order has at most one live hand-over.
//
// partner_inbox: every inbound partner event (webhook or a change seen by polling), keyed by the
// partner's event id so a replayed webhook, or a webhook and a poll that saw the same change, is
// applied once; applied in the same transaction as the order events it causes.
//
// order_events is rebuilt (as in 0003) for two new event types: the hand-over, and partner
// progress that is not an RxRelay status change (confirmed, processing).
export const migration0005PartnerDispatches: Migration = {
  version: 5,
  name: '0005-partner-dispatches',
  rebuildsTables: true,
  up(db) {
    db.exec(`
      CREATE TABLE order_events_new (
        event_id    TEXT NOT NULL UNIQUE,
        order_id    TEXT NOT NULL REFERENCES orders (id),
        seq         INTEGER NOT NULL,
        type        TEXT NOT NULL CHECK (type IN ('created', 'status_changed', 'amended', 'return_requested', 'label_printed',
                                                  'partner_dispatched', 'partner_update')),
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

      CREATE TABLE partner_dispatches (
        id                TEXT PRIMARY KEY,
        order_id          TEXT NOT NULL REFERENCES orders (id),
        partner           TEXT NOT NULL,
        state             TEXT NOT NULL CHECK (state IN ('dispatching', 'open', 'finished', 'failed')),
        step              TEXT,              -- the next step to run while dispatching
        step_started_at   TEXT,              -- set before a step calls the partner; cleared when it is recorded
        reference         TEXT NOT NULL,     -- our reference for the partner's order (United: order_id)
        details_json      TEXT NOT NULL,     -- what staff added at dispatch
        refs_json         TEXT NOT NULL DEFAULT '{}',
        partner_order_ref TEXT,              -- the partner's order id, once placed (webhooks and polls find the hand-over by it)
        partner_status    TEXT,
        carrier           TEXT,
        tracking          TEXT,
        attempts          INTEGER NOT NULL DEFAULT 0,
        next_attempt_at   TEXT,              -- dispatching: next try of the step; open: next poll
        last_error        TEXT,
        created_at        TEXT NOT NULL,
        created_by        TEXT NOT NULL,
        updated_at        TEXT NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX partner_dispatches_live_per_order ON partner_dispatches (order_id) WHERE state IN ('dispatching', 'open');
      CREATE UNIQUE INDEX partner_dispatches_by_partner_order ON partner_dispatches (partner, partner_order_ref) WHERE partner_order_ref IS NOT NULL;
      CREATE UNIQUE INDEX partner_dispatches_by_reference ON partner_dispatches (partner, reference);
      CREATE INDEX partner_dispatches_due ON partner_dispatches (partner, next_attempt_at) WHERE state IN ('dispatching', 'open');
      CREATE INDEX partner_dispatches_by_order ON partner_dispatches (order_id, created_at);

      CREATE TABLE partner_inbox (
        partner         TEXT NOT NULL,
        event_id        TEXT NOT NULL,
        source          TEXT NOT NULL CHECK (source IN ('webhook', 'poll')),
        partner_order_ref TEXT NOT NULL,
        partner_status  TEXT NOT NULL,
        payload_json    TEXT NOT NULL,
        received_at     TEXT NOT NULL,
        dispatch_id     TEXT REFERENCES partner_dispatches (id),
        applied_at      TEXT,                -- null until it was matched to a hand-over and applied
        PRIMARY KEY (partner, event_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX partner_inbox_unapplied ON partner_inbox (partner, partner_order_ref) WHERE applied_at IS NULL;
    `);
  },
};
