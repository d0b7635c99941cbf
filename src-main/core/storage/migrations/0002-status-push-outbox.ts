import type { Migration } from './index';

// The transactional outbox for BestRx's UpdateOrderStatus. A row is written in the same
// transaction as the order event it announces, with the exact payload to send, so a status
// change that was committed can never miss its push, and a crash at any moment leaves the row
// pending to be sent (again) after restart.
//
// Pushes of one order go out strictly in `order_seq` order (the event's place in that order's
// history): a later row waits while an earlier one is pending or dead.
export const migration0002StatusPushOutbox: Migration = {
  version: 2,
  name: '0002-status-push-outbox',
  up(db) {
    db.exec(`
      CREATE TABLE status_pushes (
        id                INTEGER PRIMARY KEY,
        order_id          TEXT NOT NULL REFERENCES orders (id),
        event_id          TEXT NOT NULL UNIQUE REFERENCES order_events (event_id),
        order_seq         INTEGER NOT NULL,
        status            TEXT NOT NULL,     -- the RxRelay status announced
        status_code       TEXT NOT NULL,     -- BestRx's code and description as sent (lists show them
        status_description TEXT NOT NULL,    --   without reading the payload, which carries a signature)
        state             TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead', 'skipped')),
        attempts          INTEGER NOT NULL DEFAULT 0,
        next_attempt_at   TEXT NOT NULL,     -- due when <= now (ISO 8601, UTC, fixed width: compares as text)
        window_started_at TEXT NOT NULL,     -- the ~72 h before a push is given up start here (reset by a retry)
        last_attempt_at   TEXT,
        last_error        TEXT,
        last_http_status  INTEGER,
        created_at        TEXT NOT NULL,
        finished_at       TEXT,              -- when it was delivered, given up or skipped
        finished_by       TEXT,              -- who skipped it
        UNIQUE (order_id, order_seq)
      ) STRICT;
      CREATE INDEX status_pushes_due ON status_pushes (next_attempt_at) WHERE state = 'pending';
      CREATE INDEX status_pushes_by_state ON status_pushes (state, id);

      -- Exactly what is sent, built when the event was written. Kept apart from the push's
      -- bookkeeping: a payload carries a signature image (tens of KB), and every attempt
      -- updates the push row, which would otherwise rewrite the image each time.
      CREATE TABLE status_push_payloads (
        push_id      INTEGER PRIMARY KEY REFERENCES status_pushes (id),
        payload_json TEXT NOT NULL
      ) STRICT;
    `);
  },
};
