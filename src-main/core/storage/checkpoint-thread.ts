// Entry of `out/main/checkpoint-thread.js`: the WAL checkpoints of background-checkpoints.ts on
// a worker thread, with a connection of its own (read-write: a checkpoint writes the database
// file). PASSIVE never waits: what a reader still needs, or what was committed after the
// checkpoint began, is simply copied next time.
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointThreadData, CheckpointThreadMessage, CheckpointThreadRequest } from './background-checkpoints';
import { openThreadConnection, verifyDatabaseKey } from './database';

const port = parentPort;
if (!port) throw new Error('checkpoint-thread runs only as a worker thread');
const data = workerData as CheckpointThreadData;
const db = openThreadConnection(data.database, { readonly: false });
// A key that does not open the file fails here, and the thread ends: the writer checkpoints.
verifyDatabaseKey(db, data.database.file);
// Its only job is checkpoints; never one of its own on close (the app's writer does the last).
db.pragma('wal_autocheckpoint = 0');

let last = { log: 0, checkpointed: 0 };
let failuresInARow = 0;
/** A checkpoint that keeps failing is no use here: the thread ends and the writer takes over. */
const MAX_FAILURES_IN_A_ROW = 20;
let timer: NodeJS.Timeout | undefined;

/** Copies what it can; true when the WAL still holds pages the database file lacks. */
function checkpoint(): boolean {
  let message: CheckpointThreadMessage | undefined;
  let behind = false;
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    // The counts are the WAL's as a whole until it is reused: tell only what changed.
    if (result && result.checkpointed > 0 && (result.log !== last.log || result.checkpointed !== last.checkpointed)) {
      message = { type: 'checkpointed', walPages: result.log, copiedPages: result.checkpointed };
    }
    if (result) {
      last = result;
      behind = result.checkpointed < result.log;
    }
    failuresInARow = 0;
  } catch (error) {
    // SQLITE_BUSY (another checkpoint, e.g. the writer's fallback, is running) or I/O: the
    // pages stay in the WAL, where they are just as durable, until the next try.
    if (++failuresInARow >= MAX_FAILURES_IN_A_ROW) throw error;
    message = { type: 'failed', message: (error as Error).message };
  }
  if (message) port?.postMessage(message);
  return behind;
}

/**
 * SQLite reuses the WAL from its start only when a write begins with every page already
 * copied. Under steady writes each checkpoint ends with a few commits it did not see, so it is
 * repeated at once while it is behind: each pass has less to copy than the one before, until
 * one ends between two commits. (Otherwise the WAL would grow until the writer's fallback
 * copied the remainder itself, on the main thread.)
 */
const CATCH_UP_PASSES = 50;

function run(): void {
  // Back to back: the writer commits in between (it never waits for a PASSIVE checkpoint).
  for (let passes = 1; checkpoint() && passes < CATCH_UP_PASSES; passes++);
  timer = setTimeout(run, data.intervalMs);
}

timer = setTimeout(run, data.intervalMs);
port.on('message', (request: CheckpointThreadRequest) => {
  // Between two runs (one event loop): clearing the next run's timer is enough to stop.
  if (request.type !== 'close') return;
  clearTimeout(timer);
  db.close();
  port.close();
});
