// A StatusPushTransport whose requests are made on a worker thread (status-push-sender-thread.ts)
// so the main thread, which serves the BestRx endpoint, only hands over the payload and takes
// back the outcome. If the thread dies, requests it held are answered "try again" and a new
// thread takes over: the outbox's own retry handles the rest.
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger';
import type { ThreadDatabase } from '../storage/database';
import type { PushOutcome, StatusPushTransport, createBestRxStatusClient } from './bestrx-status-client';

export interface SenderThreadData {
  transport: Parameters<typeof createBestRxStatusClient>[0];
  /**
   * The database file, opened read-only by the thread so it reads each payload (tens of KB with
   * a signature) itself: the main thread hands over an id instead of reading and copying it.
   */
  database?: ThreadDatabase | undefined;
}

export type SenderRequest =
  | { type: 'send'; id: number; payloadJson: string }
  | { type: 'sendStored'; id: number; pushId: number }
  | { type: 'close' };
export interface SenderReply {
  id: number;
  /** Undefined: the push was no longer pending, nothing was sent. */
  outcome: PushOutcome | undefined;
}

export function createThreadedStatusClient(options: { script: string; data: SenderThreadData; logger: Logger }): StatusPushTransport {
  const waiting = new Map<number, (outcome: PushOutcome | undefined) => void>();
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

  function request<T extends PushOutcome | undefined>(message: (id: number) => SenderRequest): Promise<T> {
    return new Promise<T>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve as (outcome: PushOutcome | undefined) => void);
      worker.postMessage(message(id));
    });
  }

  return {
    url: options.data.transport.url,
    send: (payloadJson) => request<PushOutcome>((id) => ({ type: 'send', id, payloadJson })),
    ...(options.data.database ? { sendStored: (pushId: number) => request<PushOutcome | undefined>((id) => ({ type: 'sendStored', id, pushId })) } : {}),
    close() {
      closing = true;
      return new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.postMessage({ type: 'close' } satisfies SenderRequest);
      });
    },
  };
}
