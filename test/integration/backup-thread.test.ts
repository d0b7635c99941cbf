// The backup's copy and check on a worker thread (the built out/…/backup-thread.js, as the
// composition roots use it): the app's connection does none of the reading, and the backup is
// the same verified, encrypted copy.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/core/logger';
import { BackupFailedError, BackupService, threadCopier } from '../../src-main/core/storage/backups';
import { databaseFileState, databaseKeyOf, openDatabase, type SqliteDatabase } from '../../src-main/core/storage/database';
import { buildMainProcessInto, ROOT } from '../helpers/main-build';

const OUT = join('out', `backup-thread-test-${process.pid}`);
const SCRIPT = join(ROOT, OUT, 'main', 'backup-thread.js');

let dir: string;
let db: SqliteDatabase;
const KEY = randomBytes(32);

beforeAll(() => {
  buildMainProcessInto(OUT);
  dir = mkdtempSync(join(tmpdir(), 'rxrelay-backup-thread-'));
  db = openDatabase({ file: join(dir, 'rxrelay.db'), key: KEY });
  const insert = db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`k${i}`, 'PLAINTEXT-MARKER ' + 'x'.repeat(500));
  })();
}, 120_000);

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(ROOT, OUT), { recursive: true, force: true });
});

describe('backups on the backup thread', () => {
  it('makes the verified, encrypted copy without the app’s connection reading the database', async () => {
    const statements: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      statements.push(sql);
      return prepare(sql);
    }) as typeof db.prepare;
    try {
      const service = new BackupService({
        db,
        dir: join(dir, 'backups'),
        clock: { now: () => new Date('2026-11-21T09:00:00Z') },
        logger: silentLogger,
        intervalHours: 6,
        keep: 14,
        copier: threadCopier({ script: SCRIPT, database: { file: db.name, keyHex: databaseKeyOf(db)?.toString('hex') } }),
      });
      const backup = await service.runNow();
      expect(backup).toMatchObject({ file_name: 'rxrelay-20261121T090000Z.db', verified: true });
      expect(statements.filter((sql) => /VACUUM|ATTACH/i.test(sql))).toEqual([]);
      expect(databaseFileState(backup.path)).toBe('encrypted');
      expect(readFileSync(backup.path).includes(Buffer.from('PLAINTEXT-MARKER'))).toBe(false);
      const copy = openDatabase({ file: backup.path, key: KEY });
      expect((copy.prepare(`SELECT COUNT(*) AS n FROM meta WHERE value LIKE 'PLAINTEXT-MARKER%'`).get() as { n: number }).n).toBe(2000);
      copy.close();
    } finally {
      db.prepare = prepare;
    }
  });

  it('reports a thread that cannot open the database as a failed backup', async () => {
    const service = new BackupService({
      db,
      dir: join(dir, 'backups-2'),
      clock: { now: () => new Date('2026-11-21T10:00:00Z') },
      logger: silentLogger,
      intervalHours: 6,
      keep: 14,
      copier: threadCopier({ script: SCRIPT, database: { file: db.name, keyHex: randomBytes(32).toString('hex') } }),
    });
    await expect(service.runNow()).rejects.toThrow(BackupFailedError);
    expect(service.list()).toEqual([]);
    expect(service.lastFailure?.message).toMatch(/^The backup failed: .*not a database/);
  });
});

describe('stopping the app during a backup', () => {
  it('ends the thread, deletes the half-made copy, and reports no failure', async () => {
    const service = new BackupService({
      db,
      dir: join(dir, 'backups-3'),
      clock: { now: () => new Date('2026-11-21T11:00:00Z') },
      logger: silentLogger,
      intervalHours: 6,
      keep: 14,
      copier: threadCopier({ script: SCRIPT, database: { file: db.name, keyHex: databaseKeyOf(db)?.toString('hex') } }),
    });
    const run = service.runNow();
    await service.stop();
    await expect(run).rejects.toThrow(/RxRelay stopped while the backup was being made/);
    expect(readdirSync(join(dir, 'backups-3')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(service.lastFailure).toBeUndefined();
    // The app's connection is unaffected.
    expect(db.prepare('SELECT COUNT(*) AS n FROM meta').get()).toEqual({ n: 2000 });
  });
});
