// One RxRelay per data folder: the lock file, refused while held, taken over when stale.
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, dataDirLockHolder, DataDirLockedError, LOCK_FILE_NAME } from '../../../src-main/core/storage/data-dir-lock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxrelay-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lockFile = () => join(dir, LOCK_FILE_NAME);
const writeHolder = (holder: Record<string, unknown>) => writeFileSync(lockFile(), JSON.stringify(holder));

describe('the data folder lock', () => {
  it('is taken, refused to a second taker with who holds it, and released', () => {
    const lock = acquireDataDirLock(dir, { kind: 'headless' });
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid, kind: 'headless', host: hostname() });
    expect(dataDirLockHolder(dir)).toMatchObject({ pid: process.pid, kind: 'headless' });
    let refused: unknown;
    try {
      acquireDataDirLock(dir, { kind: 'restore' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toMatch(/RxRelay \(headless, process \d+, since .*\) is using the data folder .* Stop it first/);
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
    acquireDataDirLock(dir, { kind: 'restore' }).release();
  });

  it('takes over a lock whose process is gone', () => {
    writeHolder({ pid: 999_999, kind: 'electron', host: hostname(), started_at: new Date().toISOString(), token: 'old' });
    expect(dataDirLockHolder(dir, { isAlive: () => false })).toBeUndefined();
    const lock = acquireDataDirLock(dir, { kind: 'headless', isAlive: () => false });
    expect(lock.holder.kind).toBe('headless');
    lock.release();
  });

  it('takes over a lock taken before the machine started, even if its process id is in use again', () => {
    writeHolder({ pid: 1, kind: 'electron', host: hostname(), started_at: '2026-01-01T00:00:00.000Z', token: 'old' });
    const lock = acquireDataDirLock(dir, { kind: 'headless', isAlive: () => true, bootTime: () => new Date('2026-06-01T00:00:00Z') });
    lock.release();
  });

  it('holds a live process’s lock, and one held from another machine', () => {
    writeHolder({ pid: 4242, kind: 'electron', host: hostname(), started_at: new Date().toISOString(), token: 'x' });
    expect(() => acquireDataDirLock(dir, { kind: 'restore', isAlive: () => true })).toThrow(DataDirLockedError);
    writeHolder({ pid: 4242, kind: 'headless', host: 'pharmacy-server-2', started_at: new Date().toISOString(), token: 'x' });
    expect(() => acquireDataDirLock(dir, { kind: 'restore', isAlive: () => false })).toThrow(/on pharmacy-server-2/);
  });

  it('treats an unreadable lock file as held unless it predates the machine’s start', () => {
    writeFileSync(lockFile(), '{"pid":');
    expect(() => acquireDataDirLock(dir, { kind: 'headless' })).toThrow(DataDirLockedError);
    utimesSync(lockFile(), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
    acquireDataDirLock(dir, { kind: 'headless', bootTime: () => new Date('2026-06-01T00:00:00Z') }).release();
  });

  it('release leaves a lock that is no longer its own', () => {
    const lock = acquireDataDirLock(dir, { kind: 'headless' });
    writeHolder({ pid: 4242, kind: 'electron', host: hostname(), started_at: new Date().toISOString(), token: 'someone else' });
    lock.release();
    expect(existsSync(lockFile())).toBe(true);
  });
});
