// Entry of `out/main/status-push-sender.js`: the HTTP side of status pushes on a worker thread.
// Talking HTTP to BestRx (connections, request and response parsing, timeouts) is the costly
// part of a push; on the main thread it competed with the BestRx endpoint for the event loop.
// Deciding what to send, and recording what happened, stays on the main thread with the rest of
// the database writes (one connection, one write lock, shared commits).
import { parentPort, workerData } from 'node:worker_threads';
import { createBestRxStatusClient } from './bestrx-status-client';
import type { SenderRequest, SenderReply, SenderThreadData } from './threaded-status-client';

const port = parentPort;
if (!port) throw new Error('status-push-sender-thread runs only as a worker thread');
const client = createBestRxStatusClient((workerData as SenderThreadData).transport);

port.on('message', (request: SenderRequest) => {
  if (request.type === 'close') {
    void client.close().finally(() => port.close());
    return;
  }
  void client.send(request.payloadJson).then((outcome) => port.postMessage({ id: request.id, outcome } satisfies SenderReply));
});
