// Entry of `out/main/backup-thread.js`: one backup's copy and check (backups.ts, steps 1–2) on a
// worker thread, so that reading the whole database does not stop the event loop that answers
// BestRx. Its own read-only connection, opened with the app's key (WAL: it reads a snapshot and
// never blocks the app's writes); temporary files in memory, because SQLite3 Multiple Ciphers
// does not encrypt them. One job per thread: it answers once and ends.
import { parentPort, workerData } from 'node:worker_threads';
import { BackupFailedError, copyAndCheck, type BackupThreadData, type BackupThreadReply } from './backups';
import { openThreadConnection, type SqliteDatabase } from './database';

const port = parentPort;
if (!port) throw new Error('backup-thread runs only as a worker thread');
const data = workerData as BackupThreadData;

function run(): BackupThreadReply {
  let db: SqliteDatabase | undefined;
  try {
    db = openThreadConnection(data.database, { readonly: true });
    db.pragma('busy_timeout = 5000');
    return { ok: true, ...copyAndCheck(db, data.destination) };
  } catch (error) {
    return { ok: false, message: error instanceof BackupFailedError ? error.message : `the database could not be copied (${(error as Error).message})` };
  } finally {
    db?.close();
  }
}

port.postMessage(run());
