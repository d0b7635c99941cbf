// WAL checkpoints on a worker thread, off the event loop that answers BestRx.
//
// In WAL mode every commit appends pages to the -wal file, and a checkpoint later copies them
// into the database file. SQLite's default runs that checkpoint inside a COMMIT on the writing
// connection once the WAL passes 1,000 pages, i.e. on the main thread, in the middle of a
// CreateOrder. With encryption at rest the copy is no longer cheap: each page is decrypted from
// the WAL and encrypted again for the database file. Profiled under CreateOrder load (with the
// SQLCipher format used then; AEGIS-256, used now, costs far less) it was 12% of the process's
// CPU, all of it on the main thread.
//
// So a thread with its own connection checkpoints instead, every CHECKPOINT_INTERVAL_MS, in
// PASSIVE mode: it copies what no reader still needs and never waits for, nor blocks, the app's
// reads and writes (WAL allows one checkpointer beside one writer). Durability is untouched: a
// commit is durable once its WAL frames are synced (synchronous=FULL), whoever checkpoints later.
//
// The writer keeps a safety net: its own automatic checkpoint, raised from 1,000 to
// WRITER_FALLBACK_CHECKPOINT_PAGES. If the thread ever falls behind, the WAL stops growing there
// as before; if the thread dies, the writer goes back to SQLite's default and says so in the log.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger';
import type { SqliteDatabase, ThreadDatabase } from './database';

/**
 * How often the thread checkpoints. Small checkpoints often beat large ones seldom: each ends
 * with an fsync of the database file, and a big one stalled the writer's own fsyncs (measured
 * during a status-push drain beside 500 CreateOrders/s: CreateOrder's p99 ~19 ms at 100 ms,
 * ~29 ms at 1 s). An idle one costs a lock check.
 */
export const CHECKPOINT_INTERVAL_MS = 100;
/** The writer's own automatic checkpoint while the thread does the work (SQLite's default is 1,000 pages). */
export const WRITER_FALLBACK_CHECKPOINT_PAGES = 10_000;
/** SQLite's default, back in force whenever no thread checkpoints. */
const SQLITE_DEFAULT_CHECKPOINT_PAGES = 1_000;
/** After a burst the -wal file is cut back to this size when it is next reused (SQLite keeps it at its largest otherwise). */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface CheckpointThreadData {
  database: ThreadDatabase;
  intervalMs: number;
}

/** From the thread: each checkpoint that copied pages (for the log and tests), or why it could not run. */
export type CheckpointThreadMessage =
  | { type: 'checkpointed'; walPages: number; copiedPages: number }
  | { type: 'failed'; message: string };
export type CheckpointThreadRequest = { type: 'close' };

export interface BackgroundCheckpoints {
  /** Ends the thread (after its current checkpoint) and gives checkpoints back to the writer. */
  stop(): Promise<void>;
}

export function startBackgroundCheckpoints(options: {
  db: SqliteDatabase;
  database: ThreadDatabase;
  /** The built checkpoint-thread.js. */
  script: string;
  logger: Logger;
  intervalMs?: number;
  /** Each checkpoint that copied pages (tests). */
  onCheckpoint?: (result: { walPages: number; copiedPages: number }) => void;
}): BackgroundCheckpoints {
  const { db, logger } = options;
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  db.pragma(`wal_autocheckpoint = ${WRITER_FALLBACK_CHECKPOINT_PAGES}`);
  let stopping = false;
  const thread = new Worker(options.script, {
    workerData: { database: options.database, intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS } satisfies CheckpointThreadData,
  });
  thread.on('message', (message: CheckpointThreadMessage) => {
    if (message.type === 'checkpointed') options.onCheckpoint?.(message);
    else logger.warn('database.checkpoint_failed', { error: message.message });
  });
  thread.on('error', (error) => logger.error('database.checkpoint_thread_failed', { error: error.message }));
  const exited = new Promise<void>((resolve) =>
    thread.once('exit', (code) => {
      if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_CHECKPOINT_PAGES}`);
      if (!stopping) logger.error('database.checkpoint_thread_exited', { code, checkpoints: 'back on the writing connection' });
      resolve();
    }),
  );
  // A thread left running must not keep the process alive; stop() is what ends it properly.
  thread.unref();
  return {
    async stop() {
      if (!stopping) {
        stopping = true;
        thread.postMessage({ type: 'close' } satisfies CheckpointThreadRequest);
      }
      await exited;
    },
  };
}
