// A StatusPushTransport whose requests are made on a worker thread (status-push-sender-thread.ts)
// so the main thread, which serves the BestRx endpoint, only hands over the payload and takes
// back the outcome. If the thread dies, requests it held are answered "try again" and a new
// thread takes over: the outbox's own retry handles the rest.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger';
import type { PushOutcome, StatusPushTransport, createBestRxStatusClient } from './bestrx-status-client';

export interface SenderThreadData {
  transport: Parameters<typeof createBestRxStatusClient>[0];
}

export type SenderRequest = { type: 'send'; id: number; payloadJson: string } | { type: 'close' };
export interface SenderReply {
  id: number;
  outcome: PushOutcome;
}

export function createThreadedStatusClient(options: { script: string; data: SenderThreadData; logger: Logger }): StatusPushTransport {
  const waiting = new Map<number, (outcome: PushOutcome) => void>();
  let nextId = 1;
  let closing = false;
  let worker = start();

  function start(): Worker {
    const thread = new Worker(options.script, { workerData: options.data });
    thread.on('message', (reply: SenderReply) => {
      waiting.get(reply.id)?.(reply.outcome);
      waiting.delete(reply.id);
    });
    thread.on('error', (error) => options.logger.error('outbox.sender_thread_failed', { error: error.name }));
    thread.on('exit', (code) => {
      const lost = [...waiting.values()];
      waiting.clear();
      for (const resolve of lost) resolve({ kind: 'retry', httpStatus: null, error: 'The delivery thread stopped before BestRx answered' });
      if (!closing) {
        options.logger.error('outbox.sender_thread_exited', { code, requests_lost: lost.length });
        worker = start();
      }
    });
    thread.unref();
    return thread;
  }

  return {
    url: options.data.transport.url,
    send(payloadJson) {
      return new Promise<PushOutcome>((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        worker.postMessage({ type: 'send', id, payloadJson } satisfies SenderRequest);
      });
    },
    close() {
      closing = true;
      return new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.postMessage({ type: 'close' } satisfies SenderRequest);
      });
    },
  };
}
