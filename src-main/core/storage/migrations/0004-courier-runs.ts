import type { Migration } from './index';

// Courier runs: a courier, a day, and the orders they take out, in driving order. An order is
// on at most one run (UNIQUE order_id): a package is in one car.
export const migration0004CourierRuns: Migration = {
  version: 4,
  name: '0004-courier-runs',
  up(db) {
    db.exec(`
      CREATE TABLE courier_runs (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        courier     TEXT NOT NULL,
        run_date    TEXT NOT NULL,   -- YYYY-MM-DD, the pharmacy's day
        created_at  TEXT NOT NULL,
        created_by  TEXT NOT NULL
      ) STRICT;
      CREATE TABLE courier_run_stops (
        run_id    TEXT NOT NULL REFERENCES courier_runs (id),
        position  INTEGER NOT NULL,
        order_id  TEXT NOT NULL UNIQUE REFERENCES orders (id),
        PRIMARY KEY (run_id, position)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
