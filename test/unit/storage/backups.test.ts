// Online backups: a verified copy under its UTC name, retention that never loses the last good
// one, failures reported (not fatal), the schedule on an injected clock and timers, and, with an
// encrypted database (SQLite3 Multiple Ciphers), a backup that is encrypted with the same key.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src-main/core/clock';
import type { LogFields, Logger } from '../../../src-main/core/logger';
import {
  backupFileName,
  BackupFailedError,
  BackupService,
  listBackups,
  parseBackupFileName,
  type BackupServiceOptions,
  type BackupTimers,
} from '../../../src-main/core/storage/backups';
import { databaseFileState, openDatabase, type SqliteDatabase } from '../../../src-main/core/storage/database';
import { MIGRATIONS } from '../../../src-main/core/storage/migrations';
import { restoreDatabase } from '../../../src-main/core/storage/restore';
import { encryptInEarlierFormat, openInCurrentFormat } from '../../helpers/earlier-cipher';

class TestClock implements Clock {
  constructor(public current = new Date('2026-11-21T09:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

class TestTimers implements BackupTimers {
  pending: Array<{ callback: () => void; ms: number; cleared: boolean; unrefd: boolean }> = [];
  setTimeout(callback: () => void, ms: number) {
    const timer = { callback, ms, cleared: false, unrefd: false, unref: () => (timer.unrefd = true) };
    this.pending.push(timer);
    return timer;
  }
  clearTimeout(handle: unknown): void {
    (handle as { cleared: boolean }).cleared = true;
  }
  get armed() {
    return this.pending.filter((t) => !t.cleared);
  }
  /** Fires the one armed timer. */
  fire(): void {
    const armed = this.armed;
    expect(armed).toHaveLength(1);
    armed[0]!.cleared = true;
    armed[0]!.callback();
  }
}

function recordingLogger() {
  const lines: Array<{ level: string; event: string; fields: LogFields }> = [];
  const log = (level: string) => (event: string, fields: LogFields = {}) => lines.push({ level, event, fields });
  const logger: Logger = { info: log('info'), warn: log('warn'), error: log('error') };
  return { logger, lines };
}

let root: string;
let dir: string;
let db: SqliteDatabase;
let clock: TestClock;
let timers: TestTimers;
let log: ReturnType<typeof recordingLogger>;
const services: BackupService[] = [];

function service(options: Partial<BackupServiceOptions> = {}): BackupService {
  const s = new BackupService({ db, dir, clock, logger: log.logger, intervalHours: 6, keep: 14, timers, yieldToEventLoop: async () => {}, ...options });
  services.push(s);
  return s;
}

function addMeta(key: string, value: string, target: SqliteDatabase = db): void {
  target.prepare(`INSERT INTO meta (key, value) VALUES (?, ?)`).run(key, value);
}

/** Waits for a scheduled backup (started by a timer) to finish. */
async function settled(s: BackupService): Promise<void> {
  for (let i = 0; i < 50 && s.isRunning; i++) await new Promise((resolve) => setImmediate(resolve));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'rxrelay-backups-'));
  dir = join(root, 'backups');
  db = openDatabase({ file: join(root, 'rxrelay.db') });
  clock = new TestClock();
  timers = new TestTimers();
  log = recordingLogger();
});

afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  if (db.open) db.close();
  rmSync(root, { recursive: true, force: true });
});

describe('backup file names', () => {
  it('carry the UTC time, and a sequence within one second', () => {
    expect(backupFileName(new Date('2026-11-21T09:05:07.123Z'))).toBe('rxrelay-20261121T090507Z.db');
    expect(backupFileName(new Date('2026-11-21T09:05:07.123Z'), 2)).toBe('rxrelay-20261121T090507Z-2.db');
    expect(parseBackupFileName('rxrelay-20261121T090507Z-2.db')).toEqual({ at: new Date('2026-11-21T09:05:07Z'), sequence: 2 });
    expect(parseBackupFileName('rxrelay.db')).toBeUndefined();
    expect(parseBackupFileName('rxrelay-20261121T090507Z.db.tmp')).toBeUndefined();
  });
});

describe('a backup', () => {
  it('is a verified, complete copy under its final name, with nothing left behind', async () => {
    addMeta('marker', 'before the backup');
    const backup = await service().runNow();
    expect(backup).toMatchObject({ file_name: 'rxrelay-20261121T090000Z.db', verified: true, schema_version: MIGRATIONS.length, created_at: clock.now() });
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'rxrelay-20261121T090000Z.db']);
    const copy = new Database(backup.path, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare(`SELECT value FROM meta WHERE key = 'marker'`).get()).toEqual({ value: 'before the backup' });
    copy.close();
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'info', event: 'backups.created', fields: expect.objectContaining({ file: backup.file_name, removed: 0 }) }));
  });

  it('is online: it holds what is committed (WAL included) and the app writes on afterwards', async () => {
    db.pragma('wal_autocheckpoint = 0');
    addMeta('in the wal', 'yes');
    const backup = await service().runNow();
    addMeta('after', 'yes');
    const copy = new Database(backup.path, { readonly: true });
    expect(copy.prepare(`SELECT key FROM meta WHERE key IN ('in the wal', 'after')`).all()).toEqual([{ key: 'in the wal' }]);
    copy.close();
    // The check's ATTACH is gone again.
    expect((db.pragma('database_list') as Array<{ name: string }>).map((d) => d.name)).not.toContain('rxrelay_backup_check');
  });

  it('made twice in the same second gets a second name; a run in progress is joined', async () => {
    const s = service();
    const [a, b] = await Promise.all([s.runNow(), s.runNow()]);
    expect(a).toEqual(b);
    const c = await s.runNow();
    expect(c.file_name).toBe('rxrelay-20261121T090000Z-1.db');
    expect(s.list().map((x) => x.file_name)).toEqual(['rxrelay-20261121T090000Z-1.db', 'rxrelay-20261121T090000Z.db']);
  });

  it('keeps the newest `keep` backups and deletes older ones', async () => {
    const s = service({ keep: 3 });
    for (let i = 0; i < 5; i++) {
      await s.runNow();
      clock.advance(6 * 3_600_000);
    }
    expect(s.list().map((b) => b.file_name)).toEqual(['rxrelay-20261122T090000Z.db', 'rxrelay-20261122T030000Z.db', 'rxrelay-20261121T210000Z.db']);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as object).sort()).toEqual(s.list().map((b) => b.file_name).sort());
    expect(log.lines.filter((l) => l.event === 'backups.created').map((l) => l.fields.removed)).toEqual([0, 0, 0, 1, 1]);
  });

  it('counts only verified backups: files it did not check neither crowd good ones out nor get deleted', async () => {
    const s = service({ keep: 2 });
    const good = await s.runNow();
    // Two files someone put there, newer than the good one, and a clock that went back.
    clock.advance(3_600_000);
    writeFileSync(join(dir, backupFileName(new Date('2026-12-01T00:00:00Z'))), 'not a checked backup');
    writeFileSync(join(dir, backupFileName(new Date('2026-12-02T00:00:00Z'))), 'not a checked backup');
    const next = await s.runNow();
    const names = s.list().map((b) => b.file_name);
    expect(names).toContain(good.file_name);
    expect(names).toContain(next.file_name);
    expect(s.list().filter((b) => !b.verified).map((b) => b.file_name)).toEqual(['rxrelay-20261202T000000Z.db', 'rxrelay-20261201T000000Z.db']);
    clock.advance(3_600_000);
    await s.runNow();
    expect(s.list().filter((b) => b.verified)).toHaveLength(2);
    expect(s.list().map((b) => b.file_name)).not.toContain(good.file_name);
  });

  it('that fails is logged, kept for the app to show, deletes nothing, and does not throw past the caller', async () => {
    const outcomes: boolean[] = [];
    const s = service({ keep: 1, onChange: ({ ok }) => outcomes.push(ok) });
    const good = await s.runNow();
    clock.advance(60_000);
    // Where the next copy would go is taken by a folder: SQLite cannot write it.
    mkdirSync(join(dir, `${backupFileName(clock.now())}.tmp`));
    await expect(s.runNow()).rejects.toBeInstanceOf(BackupFailedError);
    expect(s.lastFailure).toEqual({ at: clock.now(), message: expect.stringMatching(/^The backup failed: the database could not be copied/) });
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', event: 'backups.failed' }));
    expect(s.list().map((b) => b.file_name)).toEqual([good.file_name]);
    expect(outcomes).toEqual([true, false]);
    rmSync(join(dir, `${backupFileName(clock.now())}.tmp`), { recursive: true });
    clock.advance(60_000);
    await s.runNow();
    expect(s.lastFailure).toBeUndefined();
  });

  it('is not marked verified once the file changed size after the check', async () => {
    const backup = await service().runNow();
    writeFileSync(backup.path, 'truncated');
    expect(listBackups(dir)[0]).toMatchObject({ file_name: backup.file_name, verified: false });
  });
});

describe('the schedule', () => {
  it('makes one soon after start when there is none, then every interval; timers are unref’d and cleared on stop', async () => {
    const s = service({ startDelayMs: 30_000 });
    s.start();
    expect(timers.armed).toMatchObject([{ ms: 30_000, unrefd: true }]);
    expect(s.nextAt).toEqual(new Date('2026-11-21T09:00:30Z'));
    clock.advance(30_000);
    timers.fire();
    await settled(s);
    expect(s.list()).toHaveLength(1);
    expect(timers.armed).toMatchObject([{ ms: 6 * 3_600_000 - 30_000 + 30_000 }]);
    clock.advance(6 * 3_600_000);
    timers.fire();
    await settled(s);
    expect(s.list()).toHaveLength(2);
    await s.stop();
    expect(timers.armed).toEqual([]);
    expect(s.nextAt).toBeUndefined();
  });

  it('waits for the interval when the newest backup is recent, and re-arms a timer that fires early', async () => {
    await service().runNow();
    clock.advance(2 * 3_600_000);
    const s = service();
    s.start();
    expect(timers.armed.at(-1)).toMatchObject({ ms: 4 * 3_600_000 });
    clock.advance(3_600_000);
    timers.fire();
    expect(s.isRunning).toBe(false);
    expect(timers.armed).toMatchObject([{ ms: 3 * 3_600_000 }]);
  });

  it('tries again sooner after a failure', async () => {
    const s = service({ retryDelayMs: 15 * 60_000, startDelayMs: 0 });
    s.start();
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(dir, `${backupFileName(clock.now())}.tmp`));
    timers.fire();
    await settled(s);
    expect(s.lastFailure).toBeDefined();
    expect(timers.armed).toMatchObject([{ ms: 15 * 60_000 }]);
  });

  it('is off with an interval of 0, while a backup on demand still works', async () => {
    const s = service({ intervalHours: 0 });
    s.start();
    expect(timers.armed).toEqual([]);
    expect(s.nextAt).toBeUndefined();
    await s.runNow();
    expect(timers.armed).toEqual([]);
  });

  it('removes copies left half-made by a crash', () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'rxrelay-20261121T080000Z.db.tmp'), 'half');
    service().start();
    expect(existsSync(join(dir, 'rxrelay-20261121T080000Z.db.tmp'))).toBe(false);
  });
});

describe('with an encrypted database (SQLite3 Multiple Ciphers, AEGIS-256)', () => {
  const KEY = randomBytes(32);
  const MARKER = 'PLAINTEXT-MARKER-Jane-Doe-500-Second-Ave';
  /** A raw connection with a key, as SQLite3 Multiple Ciphers' shell would open the file. */
  const withKey = (file: string, key: Buffer) => openInCurrentFormat(file, key);

  it('makes a backup that is not plaintext, opens with the key only, and restores', async () => {
    db.close();
    db = openDatabase({ file: join(root, 'encrypted.db'), key: KEY });
    addMeta('marker', MARKER);

    const backup = await service().runNow();
    expect(backup.verified).toBe(true);

    const bytes = readFileSync(backup.path);
    expect(bytes.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\0');
    expect(bytes.includes(Buffer.from(MARKER))).toBe(false);
    expect(bytes.includes(Buffer.from('CREATE TABLE'))).toBe(false);
    expect(databaseFileState(backup.path)).toBe('encrypted');

    // Without the key (plain SQLite), or with another key, it is not a database.
    const plain = new Database(backup.path, { readonly: true });
    expect(() => plain.prepare('SELECT * FROM meta').all()).toThrow(/not a database/);
    plain.close();
    const wrong = withKey(backup.path, randomBytes(32));
    expect(() => wrong.prepare('SELECT * FROM meta').all()).toThrow(/not a database/);
    wrong.close();

    const keyed = withKey(backup.path, KEY);
    expect(keyed.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(keyed.prepare(`SELECT value FROM meta WHERE key = 'marker'`).get()).toEqual({ value: MARKER });
    keyed.close();

    // The restore command puts it back, opening it with the key as the app does.
    addMeta('after the backup', 'x');
    db.close();
    const dataDir = join(root, 'restore-target');
    mkdirSync(dataDir);
    openDatabase({ file: join(dataDir, 'rxrelay.db'), key: KEY }).close();
    const report = restoreDatabase({ dataDir, from: backup.path, keys: { kind: 'fixed', key: KEY, description: 'the test' } });
    expect(report).toMatchObject({ backupSchemaVersion: MIGRATIONS.length, integrity: 'ok' });
    const restored = openDatabase({ file: join(dataDir, 'rxrelay.db'), key: KEY });
    expect(restored.prepare(`SELECT key FROM meta WHERE key IN ('marker', 'after the backup')`).all()).toEqual([{ key: 'marker' }]);
    restored.close();
    expect(readFileSync(join(dataDir, 'rxrelay.db')).includes(Buffer.from(MARKER))).toBe(false);
  });

  it('restores a backup made before AEGIS (SQLCipher 4 format), which arrives in today’s format', async () => {
    addMeta('marker', MARKER);
    const backup = await service().runNow();
    db.close();
    encryptInEarlierFormat(backup.path, KEY);
    const dataDir = join(root, 'restore-target');
    mkdirSync(dataDir);
    restoreDatabase({ dataDir, from: backup.path, keys: { kind: 'fixed', key: KEY, description: 'the test' } });
    const restored = withKey(join(dataDir, 'rxrelay.db'), KEY);
    expect(restored.prepare(`SELECT value FROM meta WHERE key = 'marker'`).get()).toEqual({ value: MARKER });
    restored.close();
    expect(readFileSync(join(dataDir, 'rxrelay.db')).includes(Buffer.from(MARKER))).toBe(false);
  });
});
