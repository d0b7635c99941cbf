// The audit log keeps its chain's head in memory between appends, and writes the head beside the
// log once per transaction: a group commit of many CreateOrders appends many rows, and each row
// re-read the newest row and rewrote the head. What must not change: the chain links every row
// to the one before, the head matches the newest committed row, and a rolled-back append
// leaves no trace in either.
import { expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { AuditLog, auditRowHash } from '../../../src-main/core/audit/audit-log';
import { openDatabase } from '../../../src-main/core/storage/database';
import { WriteQueue } from '../../../src-main/core/storage/write-queue';
import { FakeClock } from '../../helpers/rxrelay-harness';

function setUp() {
  const db = openDatabase({ file: ':memory:' });
  const writes = new WriteQueue(db);
  const audit = new AuditLog({ db, writes, clock: new FakeClock() });
  // Counts every write of the head, as SQLite sees it.
  db.exec(`
    CREATE TEMP TABLE head_writes (n INTEGER NOT NULL);
    INSERT INTO head_writes VALUES (0);
    CREATE TEMP TRIGGER count_head_inserts AFTER INSERT ON audit_head BEGIN UPDATE head_writes SET n = n + 1; END;
    CREATE TEMP TRIGGER count_head_updates AFTER UPDATE ON audit_head BEGIN UPDATE head_writes SET n = n + 1; END;
  `);
  const headWrites = () => db.prepare('SELECT n FROM head_writes').pluck().get();
  const head = () => db.prepare('SELECT seq, hash FROM audit_head').get();
  const newestRow = () => db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get();
  const append = (action: string) => writes.run(() => audit.appendWithin({ actor: 'bestrx', action, category: 'change', subject: 'RXR-0TEST000000001' }));
  return { db, writes, audit, headWrites, head, newestRow, append };
}

it('writes the head once for a transaction of many rows, and it names the newest row', async () => {
  const log = setUp();
  await Promise.all(['order.created', 'order.created', 'order.created', 'order.created'].map(log.append));

  expect(log.headWrites()).toBe(1);
  expect(log.head()).toEqual(log.newestRow());
  expect(log.head()).toMatchObject({ seq: 4 });
  expect(log.audit.verify()).toMatchObject({ ok: true, rows: 4 });

  await log.append('order.acknowledged');
  expect(log.headWrites()).toBe(2);
  expect(log.audit.verify()).toMatchObject({ ok: true, rows: 5 });
});

it('chains the next row to the newest committed one after an append was rolled back', async () => {
  const log = setUp();
  await log.append('order.created');
  const rolledBack = log.writes.run(() => {
    log.audit.appendWithin({ actor: 'bestrx', action: 'order.amended', category: 'change', subject: 'RXR-0TEST000000001' });
    throw new Error('the change this row records failed');
  });
  await expect(rolledBack).rejects.toThrow('the change this row records failed');
  expect(log.head()).toMatchObject({ seq: 1 });

  await log.append('order.cancelled');
  expect(log.db.prepare('SELECT seq, action FROM audit_log ORDER BY seq').all()).toEqual([
    { seq: 1, action: 'order.created' },
    { seq: 2, action: 'order.cancelled' },
  ]);
  expect(log.head()).toEqual(log.newestRow());
  expect(log.audit.verify()).toMatchObject({ ok: true, rows: 2, problems: [] });
});

it('carries on from a log written by an earlier run of the app', async () => {
  const log = setUp();
  await log.append('order.created');
  // A new AuditLog over the same database (the app started again) reads the head it does not know.
  const restarted = new AuditLog({ db: log.db, writes: log.writes, clock: new FakeClock() });
  await log.writes.run(() => restarted.appendWithin({ actor: 'bestrx', action: 'order.acknowledged', category: 'change', subject: 'RXR-0TEST000000001' }));
  expect(restarted.verify()).toMatchObject({ ok: true, rows: 2 });
});

it("hashes a row as earlier versions did, so their logs still verify", () => {
  const row = { seq: 7, at: '2026-11-21T09:00:00.000Z', actor: 'José Núñez', action: 'order.created', category: 'change' as const, subject: 'RXR-0TEST000000001', details_json: '{"to":"created"}', prev_hash: 'a'.repeat(64) };
  // The formula every earlier version wrote rows with.
  const earlier = createHash('sha256').update(JSON.stringify([row.seq, row.at, row.actor, row.action, row.category, row.subject, row.details_json, row.prev_hash])).digest('hex');
  expect(auditRowHash(row)).toBe(earlier);
});
