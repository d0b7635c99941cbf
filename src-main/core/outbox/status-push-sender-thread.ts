// Entry of `out/main/status-push-sender.js`: the HTTP side of status pushes on a worker thread.
// Talking HTTP to BestRx (connections, request and response parsing, timeouts) is the costly
// part of a push; on the main thread it competed with the BestRx endpoint for the event loop.
// Deciding what to send, and recording what happened, stays on the main thread with the rest of
// the database writes (one connection, one write lock, shared commits).
//
// With the database file given, the thread reads each payload itself over its own read-only
// connection (WAL: readers never block the writer), so the main thread hands over an id, not a
// signature image. An encrypted database's key comes with the file (workerData, never logged).
import { parentPort, workerData } from 'node:worker_threads';
import { openThreadConnection } from '../storage/database';
import { statusPushPayload } from '../storage/status-pushes-repository';
import { createBestRxStatusClient, type PushOutcome } from './bestrx-status-client';
import type { SenderRequest, SenderReply, SenderThreadData } from './threaded-status-client';

const port = parentPort;
if (!port) throw new Error('status-push-sender-thread runs only as a worker thread');
const data = workerData as SenderThreadData;
const client = createBestRxStatusClient(data.transport);
const db = data.database ? openThreadConnection(data.database, { readonly: true }) : undefined;

async function handle(request: Exclude<SenderRequest, { type: 'close' }>): Promise<PushOutcome | undefined> {
  if (request.type === 'send') return client.send(request.payloadJson);
  if (!db) throw new Error('sendStored needs the database');
  const payload = statusPushPayload(db, request.pushId);
  return payload === undefined ? undefined : client.send(payload);
}

port.on('message', (request: SenderRequest) => {
  if (request.type === 'close') {
    void client.close().finally(() => {
      db?.close();
      port.close();
    });
    return;
  }
  handle(request).then(
    (outcome) => port.postMessage({ id: request.id, outcome } satisfies SenderReply),
    (error: unknown) =>
      port.postMessage({ id: request.id, outcome: { kind: 'retry', httpStatus: null, error: `Sending failed: ${(error as Error).message}` } } satisfies SenderReply),
  );
});
