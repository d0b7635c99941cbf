// Group commit: one transaction for many writes, each write alone in its failure, nothing
// resolved before its commit.
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { WriteQueue, type TransactionParticipant } from '../../../src-main/core/storage/write-queue';

function setUp() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const queue = new WriteQueue(db);
  const rows = () => db.prepare('SELECT v FROM t ORDER BY id').pluck().all();
  return { db, queue, rows };
}

describe('WriteQueue', () => {
  it('applies writes queued in the same turn of the event loop in one transaction, in order', async () => {
    const { db, queue, rows } = setUp();
    const transactionIds: unknown[] = [];
    const results = await Promise.all(
      ['a', 'b', 'c'].map((v) =>
        queue.run(() => {
          transactionIds.push(db.inTransaction);
          db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
          return rows().length;
        }),
      ),
    );
    expect(results).toEqual([1, 2, 3]);
    expect(transactionIds).toEqual([true, true, true]);
    expect(rows()).toEqual(['a', 'b', 'c']);
  });

  it('resolves only after the commit, and nothing is visible to a second connection before', async () => {
    const file = `/tmp/rxrelay-write-queue-${process.pid}-${Date.now()}.db`;
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const reader = new Database(file, { readonly: true });
    const queue = new WriteQueue(db);
    let seenByReaderDuringWrite: unknown;
    const done = queue.run(() => {
      db.prepare('INSERT INTO t (v) VALUES (?)').run('x');
      seenByReaderDuringWrite = reader.prepare('SELECT COUNT(*) FROM t').pluck().get();
      return 'written';
    });
    await expect(done).resolves.toBe('written');
    expect(seenByReaderDuringWrite).toBe(0);
    expect(reader.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(1);
    reader.close();
    db.close();
  });

  it('rolls back a failing write alone and rejects only its caller, in queue order', async () => {
    const { db, queue, rows } = setUp();
    const outcomes = await Promise.allSettled([
      queue.run(() => db.prepare('INSERT INTO t (v) VALUES (?)').run('kept-1')),
      queue.run(() => {
        db.prepare('INSERT INTO t (v) VALUES (?)').run('rolled-back');
        throw new Error('invalid order');
      }),
      queue.run(() => db.prepare('INSERT INTO t (v) VALUES (?)').run('kept-2')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('invalid order'));
    expect(rows()).toEqual(['kept-1', 'kept-2']);
  });

  it('keeps a failure found only at COMMIT with the write that caused it', async () => {
    const { db, queue, rows } = setUp();
    // A deferred foreign key is checked at COMMIT: the batch's commit fails as a whole, then
    // each write is replayed alone and only the offending one is refused.
    db.exec('PRAGMA foreign_keys = ON; CREATE TABLE child (parent INTEGER REFERENCES t (id) DEFERRABLE INITIALLY DEFERRED)');
    const outcomes = await Promise.allSettled([
      queue.run(() => db.prepare('INSERT INTO t (v) VALUES (?)').run('innocent')),
      queue.run(() => db.prepare('INSERT INTO child (parent) VALUES (999)').run()),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    expect(rows()).toEqual(['innocent']);
    expect(db.prepare('SELECT COUNT(*) FROM child').pluck().get()).toBe(0);
  });

  it('rejects every write when the database cannot commit at all, and applies none', async () => {
    const { db, queue, rows } = setUp();
    db.exec("CREATE TRIGGER refuse_all BEFORE INSERT ON t BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
    const outcomes = await Promise.allSettled(['a', 'b', 'c'].map((v) => queue.run(() => db.prepare('INSERT INTO t (v) VALUES (?)').run(v))));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(rows()).toEqual([]);
  });

  it("tells an enlisted participant once per transaction, before COMMIT, how many writes enlisted it", async () => {
    const { db, queue, rows } = setUp();
    const told: string[] = [];
    // Like the audit log's head: something every write of the batch updates in memory, written once at the end.
    let rowsThisTransaction = 0;
    const participant: TransactionParticipant = {
      beforeCommit() {
        told.push(`before commit (in transaction: ${db.inTransaction})`);
        db.prepare('INSERT INTO t (v) VALUES (?)').run(`summary of ${rowsThisTransaction}`);
        rowsThisTransaction = 0;
      },
      afterRollback: () => told.push('after rollback'),
    };
    await Promise.all(
      ['a', 'b', 'c'].map((v) =>
        queue.run(() => {
          db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
          rowsThisTransaction += 1;
          queue.enlist(participant);
        }),
      ),
    );
    expect(told).toEqual(['before commit (in transaction: true)']);
    expect(rows()).toEqual(['a', 'b', 'c', 'summary of 3']);

    // The next transaction does not tell it unless one of its writes enlists it again.
    await queue.run(() => db.prepare('INSERT INTO t (v) VALUES (?)').run('d'));
    expect(told).toHaveLength(1);
  });

  it('tells an enlisted participant about a rollback, and again about each replayed write', async () => {
    const { db, queue, rows } = setUp();
    const told: string[] = [];
    const participant: TransactionParticipant = { beforeCommit: () => told.push('before commit'), afterRollback: () => told.push('after rollback') };
    const outcomes = await Promise.allSettled([
      queue.run(() => {
        db.prepare('INSERT INTO t (v) VALUES (?)').run('kept');
        queue.enlist(participant);
      }),
      queue.run(() => {
        queue.enlist(participant);
        throw new Error('invalid order');
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    // The batch rolled back; then each write alone: the first committed, the second rolled back.
    expect(told).toEqual(['after rollback', 'before commit', 'after rollback']);
    expect(rows()).toEqual(['kept']);
  });

  it('rolls the transaction back when a participant fails before COMMIT', async () => {
    const { db, queue, rows } = setUp();
    const participant: TransactionParticipant = {
      beforeCommit: () => {
        throw new Error('head could not be written');
      },
      afterRollback: () => undefined,
    };
    const written = queue.run(() => {
      db.prepare('INSERT INTO t (v) VALUES (?)').run('x');
      queue.enlist(participant);
    });
    await expect(written).rejects.toThrow('head could not be written');
    expect(rows()).toEqual([]);
  });

  it('refuses to enlist a participant outside a write', () => {
    const { queue } = setUp();
    expect(() => queue.enlist({ beforeCommit: () => undefined, afterRollback: () => undefined })).toThrow(/inside its transaction/);
  });

  it('splits a burst larger than one batch into several commits', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const queue = new WriteQueue(db, 4);
    const seenCounts: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        queue.run(() => {
          db.prepare('INSERT INTO t (v) VALUES (?)').run(String(i));
          seenCounts.push(queue.pending);
        }),
      ),
    );
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(10);
    // While the first batch of 4 ran, 6 writes were still waiting for the next commits.
    expect(seenCounts[0]).toBe(6);
    expect(seenCounts[4]).toBe(2);
  });
});
