// WAL checkpoints on their own thread (the built out/…/checkpoint-thread.js, as the composition
// roots start it): the pages the app's connection commits reach the database file without that
// connection copying them, encrypted as before; and when the thread stops or cannot run, the
// writing connection checkpoints again as SQLite does by default.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBackgroundCheckpoints, WRITER_FALLBACK_CHECKPOINT_PAGES } from '../../src-main/core/storage/background-checkpoints';
import { openDatabase, threadDatabaseOf, type SqliteDatabase } from '../../src-main/core/storage/database';
import { buildMainProcessInto, ROOT } from '../helpers/main-build';
import { recordingLogger } from '../helpers/recording-logger';

const OUT = join('out', `checkpoint-thread-test-${process.pid}`);
const SCRIPT = join(ROOT, OUT, 'main', 'checkpoint-thread.js');
const KEY = randomBytes(32);
const MARKER = 'PLAINTEXT-MARKER';

let dir: string;
let db: SqliteDatabase;
let logger: ReturnType<typeof recordingLogger>['logger'];
let logged: ReturnType<typeof recordingLogger>['lines'];

beforeAll(() => void buildMainProcessInto(OUT), 120_000);

afterAll(() => rmSync(join(ROOT, OUT), { recursive: true, force: true }));

beforeEach(() => {
  ({ logger, lines: logged } = recordingLogger());
  dir = mkdtempSync(join(tmpdir(), 'rxrelay-checkpoints-'));
  db = openDatabase({ file: join(dir, 'rxrelay.db'), key: KEY });
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const databaseFileBytes = () => statSync(join(dir, 'rxrelay.db')).size;

/** About `pages` pages of new rows, committed in several transactions as the app commits them. */
function writeRows(pages: number, from = 0): void {
  const insert = db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?)`);
  for (let batch = 0; batch < pages / 50; batch++) {
    db.transaction(() => {
      for (let i = 0; i < 50; i++) insert.run(`k${from + batch * 50 + i}`, `${MARKER} ${'x'.repeat(3500)}`);
    })();
  }
}

/**
 * The WAL-index (the -shm file, never encrypted) as SQLite documents it
 * (https://sqlite.org/walformat.html, "The WAL-Index Header"): mxFrame, the last committed
 * frame, at byte 16 of the header; nBackfill, the frames already copied into the database
 * file, at byte 96. Both native-endian.
 */
function walIndexCounts(): { committedFrames: number; copiedFrames: number } {
  const header = readFileSync(join(dir, 'rxrelay.db-shm')).subarray(0, 136);
  const read = os.endianness() === 'LE' ? 'readUInt32LE' : 'readUInt32BE';
  return { committedFrames: header[read](16), copiedFrames: header[read](96) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('background checkpoints', () => {
  it('copy committed pages into the encrypted database file while the writer only appends to the WAL', async () => {
    const copies: number[] = [];
    const checkpoints = startBackgroundCheckpoints({
      db,
      database: threadDatabaseOf(db, undefined)!,
      script: SCRIPT,
      logger,
      intervalMs: 20,
      onCheckpoint: ({ copiedPages }) => copies.push(copiedPages),
    });
    try {
      // The writer's own checkpoint waits for far more pages than are written here, so only the
      // thread can move them into the database file.
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WRITER_FALLBACK_CHECKPOINT_PAGES);
      const before = databaseFileBytes();
      writeRows(2000);
      // (The thread reports a checkpoint just after the file has grown: wait for both.)
      await until(() => databaseFileBytes() > before + 1500 * 4096 && copies.length > 0, 'the thread has copied the new pages');
      expect(readFileSync(join(dir, 'rxrelay.db')).includes(Buffer.from(MARKER))).toBe(false);
    } finally {
      await checkpoints.stop();
    }
    // Stopped: the writer checkpoints again by itself, and every row is there.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM meta WHERE value LIKE '${MARKER}%'`).get()).toEqual({ n: 2000 });
    expect(logged.filter((line) => line.level !== 'info')).toEqual([]);
    db.close();
    const reopened = openDatabase({ file: join(dir, 'rxrelay.db'), key: KEY });
    expect(reopened.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(reopened.prepare(`SELECT COUNT(*) AS n FROM meta WHERE value LIKE '${MARKER}%'`).get()).toEqual({ n: 2000 });
    db = reopened;
  });

  it('lets the WAL be reused from its start under steady writes instead of growing to the fallback', async () => {
    const checkpoints = startBackgroundCheckpoints({ db, database: threadDatabaseOf(db, undefined)!, script: SCRIPT, logger, intervalMs: 20 });
    try {
      for (let round = 0; round < 8; round++) {
        writeRows(500, round * 500);
        // Waiting for the thread to have copied the whole round, rather than pausing a fixed
        // time, keeps a busy CI machine (a worker that boots or runs late) from failing the test.
        await until(() => {
          const { committedFrames, copiedFrames } = walIndexCounts();
          return committedFrames > 0 && copiedFrames === committedFrames;
        }, 'the thread has copied the whole round');
      }
      // 4,000 pages were written, under the writer's 10,000-page fallback: had the WAL not been
      // reused from its start, the file would hold them all.
      expect(statSync(join(dir, 'rxrelay.db-wal')).size).toBeLessThan(2000 * 4096);
    } finally {
      await checkpoints.stop();
    }
  });

  it('gives checkpoints back to the writer, and says so, when the thread cannot run', async () => {
    const checkpoints = startBackgroundCheckpoints({
      db,
      database: { file: join(dir, 'rxrelay.db'), keyHex: randomBytes(32).toString('hex') },
      script: SCRIPT,
      logger,
      intervalMs: 20,
    });
    await until(() => logged.some((line) => line.event === 'database.checkpoint_thread_exited'), 'the thread has exited');
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await checkpoints.stop();
    expect(JSON.stringify(logged)).not.toMatch(/[0-9a-f]{64}/);
  });
});
