// Backups and restore end to end, on the real core: orders arrive, a backup is made through the
// app API, more happens, the app stops, the restore command puts the backup back, and the
// database is exactly as it was at the backup; the replaced database is kept aside.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppApiOutput, AppApiReply, BackupsOverview, BackupView } from '../../src-shared/app-api-contract';
import { acquireDataDirLock } from '../../src-main/core/storage/data-dir-lock';
import { databaseFileState, openDatabase, type SqliteDatabase } from '../../src-main/core/storage/database';
import { runRestoreCommand } from '../../src-main/core/storage/restore';
import { createOrderBody } from '../helpers/fixtures';
import { snapshotDatabase, startHarness, type Harness } from '../helpers/rxrelay-harness';

let h: Harness;
let dataDir: string;
let stopped = false;

async function call<M extends 'backups.list' | 'backups.run'>(method: M): Promise<AppApiOutput<M>> {
  const reply = (await h.core.appApi.call(method, {}, { actor: 'admin' })) as AppApiReply<AppApiOutput<M>>;
  if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
  return reply.value;
}

function restore(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  // The harness keeps the database key itself (no rxrelay.key file): given as an operator would.
  const code = runRestoreCommand(args, { RXRELAY_DB_KEY: h.dbKey.toString('hex') }, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  h = await startHarness();
  dataDir = h.dataDir;
});
afterAll(async () => {
  if (!stopped) await h.stop();
  else rmSync(dataDir, { recursive: true, force: true });
});

describe('backups.run, backups.list and npm run restore', () => {
  let backup: BackupView;
  let atBackup: Record<string, unknown[]>;
  let firstOrder: string;

  it('makes a verified backup while the app serves, and lists it', async () => {
    const created = await h.post('/Order/CreateOrder', createOrderBody());
    expect(created.status).toBe(200);
    firstOrder = created.json.data.provider_order_id as string;
    await h.core.orders.transition({ id: firstOrder, to: 'acknowledged' }, 'counter');
    await h.settle();
    atBackup = snapshotDatabase(h.db);

    backup = await call('backups.run');
    expect(backup).toMatchObject({ file_name: expect.stringMatching(/^rxrelay-\d{8}T\d{6}Z\.db$/), verified: true, schema_version: expect.any(Number) });
    expect(backup.size_bytes).toBeGreaterThan(0);

    const list: BackupsOverview = await call('backups.list');
    expect(list).toMatchObject({
      backups: [backup],
      directory: join(dataDir, 'backups'),
      interval_hours: 6,
      keep: 14,
      // The harness turns the schedule off; backups.run works regardless.
      next_at: null,
      running: false,
      last_failure: null,
    });

    // The app kept serving: a CreateOrder right after goes through.
    const more = await h.post('/Order/CreateOrder', createOrderBody());
    expect(more.status).toBe(200);
    await h.core.orders.transition({ id: firstOrder, to: 'picked_up' }, 'courier');
    await h.settle();
    expect(snapshotDatabase(h.db)).not.toEqual(atBackup);
  });

  it('answers a failed backup with why, shows it in backups.list, and keeps the good one', async () => {
    const blocker = join(dataDir, 'backups', backup.file_name.replace(/\.db$/, '-1.db.tmp'));
    mkdirSync(blocker);
    try {
      const reply = await h.core.appApi.call('backups.run', {}, { actor: 'admin' });
      expect(reply).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringMatching(/^the database could not be copied/) } });
      const list = await call('backups.list');
      expect(list.last_failure).toMatchObject({ message: expect.stringMatching(/^The backup failed: /) });
      expect(list.backups).toEqual([backup]);
    } finally {
      rmSync(blocker, { recursive: true, force: true });
    }
  });

  it('refuses to restore while RxRelay runs on the data folder', () => {
    // The composition roots take this lock at start (the harness runs the core without them).
    const running = acquireDataDirLock(dataDir, { kind: 'headless' });
    try {
      const result = restore(['--data-dir', dataDir, '--from', backup.file_name]);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/RxRelay \(headless, process \d+.*\) is using the data folder .* Stop it first/);
    } finally {
      running.release();
    }
    // Nothing was touched.
    expect(readdirSync(dataDir).filter((name) => name.startsWith('pre-restore-'))).toEqual([]);
  });

  it('refuses what is not a usable backup', () => {
    expect(restore(['--data-dir', dataDir, '--from', join(dataDir, 'nope.db')])).toMatchObject({ code: 1, err: expect.stringMatching(/There is no backup at/) });
    expect(restore(['--data-dir', dataDir, '--from', join(dataDir, 'rxrelay.db')])).toMatchObject({ code: 1, err: expect.stringMatching(/the database itself/) });
    expect(restore(['--data-dir', dataDir])).toMatchObject({ code: 2, err: expect.stringMatching(/--from is required/) });
  });

  it('puts the backup back after the app stopped: the data is as at the backup, the replaced database kept aside', async () => {
    await h.core.stop();
    h.db.close();
    stopped = true;

    const result = restore(['--data-dir', dataDir, '--from', join(dataDir, 'backups', backup.file_name)]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/integrity ok, schema version \d+, 1 orders/);
    expect(result.out).toMatch(/Moved the previous database \(rxrelay\.db.*\) to .*pre-restore-\d{8}T\d{6}Z; nothing was deleted/);
    expect(result.out).toMatch(/Restored .*rxrelay\.db/);

    let restored: SqliteDatabase | undefined;
    let previous: SqliteDatabase | undefined;
    try {
      restored = openDatabase({ file: join(dataDir, 'rxrelay.db'), key: h.dbKey });
      expect(snapshotDatabase(restored)).toEqual(atBackup);
      const aside = readdirSync(dataDir).filter((name) => name.startsWith('pre-restore-'));
      expect(aside).toHaveLength(1);
      previous = openDatabase({ file: join(dataDir, aside[0]!, 'rxrelay.db'), key: h.dbKey });
      expect((previous.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n).toBe(2);
    } finally {
      restored?.close();
      previous?.close();
    }
    // No lock and no half-made copy left behind.
    expect(existsSync(join(dataDir, 'rxrelay.lock'))).toBe(false);
    expect(readdirSync(dataDir).filter((name) => name.includes('.restoring'))).toEqual([]);
    // Still encrypted: the backup was made by the app's encrypted connection.
    expect(databaseFileState(join(dataDir, 'rxrelay.db'))).toBe('encrypted');
  });

  it('refuses a backup the key does not open', () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runRestoreCommand(['--data-dir', dataDir, '--from', join(dataDir, 'backups', backup.file_name)], { RXRELAY_DB_KEY: 'ab'.repeat(32) }, {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/cannot be opened as an RxRelay database \(this key does not open the database/);
  });

  it('refuses a backup written by a newer RxRelay', () => {
    const newer = openDatabase({ file: join(dataDir, 'newer.db') });
    newer.pragma('user_version = 999');
    newer.close();
    expect(restore(['--data-dir', dataDir, '--from', join(dataDir, 'newer.db')])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/written by a newer RxRelay \(schema version 999; this build understands up to \d+\)/),
    });
  });
});
