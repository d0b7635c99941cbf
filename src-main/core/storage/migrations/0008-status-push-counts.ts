import type { Migration } from './index';

// How many status pushes are in each state, kept as the pushes change instead of counted.
//
// The outbox screen (outbox.list) shows these counts, and the screen refreshes while a backlog
// drains. Counting meant reading an index entry for every push ever made: pushes are kept as
// history, four or more per order, so a year of a busy pharmacy is hundreds of thousands of
// entries read, on the thread that answers BestRx, at every refresh (0.75 ms at 10,000 pushes,
// growing with the history). Triggers keep the counts in the same transaction as the change, so
// they can never disagree with the rows; reading them is four rows of one page.
export const migration0008StatusPushCounts: Migration = {
  version: 8,
  name: '0008-status-push-counts',
  up(db) {
    db.exec(`
      CREATE TABLE status_push_counts (
        state TEXT PRIMARY KEY CHECK (state IN ('pending', 'delivered', 'dead', 'skipped')),
        n     INTEGER NOT NULL CHECK (n >= 0)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO status_push_counts (state, n)
        SELECT s.state, (SELECT COUNT(*) FROM status_pushes p WHERE p.state = s.state)
        FROM (SELECT 'pending' AS state UNION ALL SELECT 'delivered' UNION ALL SELECT 'dead' UNION ALL SELECT 'skipped') s;

      CREATE TRIGGER status_push_counts_insert AFTER INSERT ON status_pushes
        BEGIN UPDATE status_push_counts SET n = n + 1 WHERE state = NEW.state; END;
      CREATE TRIGGER status_push_counts_update AFTER UPDATE OF state ON status_pushes WHEN OLD.state <> NEW.state
        BEGIN
          UPDATE status_push_counts SET n = n - 1 WHERE state = OLD.state;
          UPDATE status_push_counts SET n = n + 1 WHERE state = NEW.state;
        END;
      CREATE TRIGGER status_push_counts_delete AFTER DELETE ON status_pushes
        BEGIN UPDATE status_push_counts SET n = n - 1 WHERE state = OLD.state; END;
    `);
  },
};
