// Entry of `out/main/bestrx-listener.js`: BestRx's listener (provider-server.ts) on a worker
// thread. It parses, checks and answers here; orders, documents and webhooks are calls to the
// main thread (threaded-provider-server.ts says why and how).
import { parentPort, workerData } from 'node:worker_threads';
import { createOfflineAddressValidator } from '../address/address-validator';
import { loadZipDirectory } from '../address/zip-directory';
import { createJsonLogger, type Logger } from '../logger';
import { UrlSigner } from '../security/url-signer';
import type { ProviderBackend } from './provider-backend';
import { startBestRxProviderServer, type BestRxListener } from './provider-server';
import {
  batchedSender,
  deserializeError,
  encodeCallArguments,
  serializeError,
  type BackendMethod,
  type FromListenerThread,
  type ListenerConfiguration,
  type ListenerThreadData,
  type ToListenerThread,
} from './threaded-provider-server';

const port = parentPort!;
const data = workerData as ListenerThreadData;
let configuration: ListenerConfiguration = data.configuration;
const post = batchedSender<FromListenerThread>((messages) => port.postMessage(messages));

const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let nextCallId = 1;
function call<T>(method: BackendMethod, ...args: unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const id = nextCallId++;
    waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
    post({ type: 'call', id, method, args: encodeCallArguments(method, args) });
  });
}

/** A Buffer crossed threads as a plain Uint8Array (structured clone): a Buffer again, without a copy. */
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const partnerWebhook: ProviderBackend['partnerWebhook'] = (partner, rawBody, headers, query) => call('partnerWebhook', partner, rawBody, headers, query);

const backend: ProviderBackend = {
  receiveCreateOrder: (content, rawBody, fingerprint) => call('receiveCreateOrder', content, rawBody, fingerprint),
  receiveCancelOrder: (request) => call('receiveCancelOrder', request),
  async renderDocuments(orderId, documents, trackingUrlBase) {
    const rendered = await call<Array<{ filename: string; mimeType: string; bytes: Uint8Array }> | undefined>('renderDocuments', orderId, documents, trackingUrlBase);
    return rendered?.map((document) => ({ ...document, bytes: asBuffer(document.bytes) }));
  },
  recordPrint: (orderId, print, actor) => call('recordPrint', orderId, print, actor),
  async signaturePng(eventId) {
    const png = await call<Uint8Array | undefined>('signaturePng', eventId);
    return png && asBuffer(png);
  },
  findByTrackingId: (trackingId) => call('findByTrackingId', trackingId),
  ...(data.partnerWebhooks ? { partnerWebhook } : {}),
};

/**
 * Log lines go to the main thread's log (one file), formatted and redacted here by the same
 * formatLogLine as the main thread's own: one line per CreateOrder, and formatting it was ~4% of
 * the main thread's time under load, time every order in the group commit waits for.
 */
const logger: Logger = createJsonLogger((line, level) => post({ type: 'log', level, line }));

let listener: BestRxListener | undefined;

function receive(message: ToListenerThread): void {
  switch (message.type) {
    case 'reply': {
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.ok) pending?.resolve(message.value);
      else pending?.reject(deserializeError(message.error));
      return;
    }
    case 'configuration':
      configuration = message.configuration;
      return;
    case 'close':
      // Closing the port lets this thread end; the main thread waits for that exit.
      void (listener?.close() ?? Promise.resolve()).finally(() => port.close());
      return;
  }
}
port.on('message', (messages: ToListenerThread[]) => messages.forEach(receive));

try {
  listener = await startBestRxProviderServer({
    host: data.host,
    port: data.port,
    credentials: () => configuration.credentials,
    codeTables: () => configuration.codeTables,
    settings: () => configuration.settings,
    backend,
    addressValidator: createOfflineAddressValidator(await loadZipDirectory()),
    urlSigner: new UrlSigner(Buffer.from(data.urlSigningKeyHex, 'hex')),
    logger,
    ...(data.timeouts ? { timeouts: data.timeouts } : {}),
  });
  post({ type: 'listening', url: listener.url, port: listener.port });
} catch (error) {
  post({ type: 'listen_failed', error: serializeError(error) });
}
