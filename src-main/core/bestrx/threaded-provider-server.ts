// BestRx's listener on its own thread (bestrx-listener-thread.ts), so that HTTP, JSON parsing,
// validation and building the answer do not queue behind SQLite on the main event loop.
//
// Why: profiled under CreateOrder load, the main thread was the bottleneck, split about evenly
// between the HTTP side and the database side (insert, commit, encryption). The database must
// stay where it is (one writer, group commit, every write in one queue); the HTTP side is
// self-contained. On its own thread it runs beside the database work instead of between it:
// measured with 32 clients, ~1,440 -> ~1,810 CreateOrders/s on 2 cores.
//
// The thread calls the rest of RxRelay through ProviderBackend, one message per call; this side
// runs each call on the local backend and answers. Nothing is acknowledged that is not durable:
// the thread answers BestRx only once the main thread's reply says the order's commit is done.
// If the thread dies, it is started again on the same port; requests in flight lose their
// connection and BestRx retries them (idempotent: a retry never creates a second order).
import { Worker } from 'node:worker_threads';
import type { AppSettings } from '../../../src-shared/app-api-contract';
import type { CodeTables } from '../domain/code-tables';
import { writeFormattedLine, type Logger, type LogLevel } from '../logger';
import type { ProviderBackend } from './provider-backend';
import type { BasicCredentials, BestRxListener, DEFAULT_TIMEOUTS } from './provider-server';

/** What the listener reads per request, sent again whenever it changes. */
export interface ListenerConfiguration {
  credentials: BasicCredentials;
  codeTables: CodeTables;
  settings: AppSettings;
}

export interface ListenerThreadData {
  host: string;
  port: number;
  configuration: ListenerConfiguration;
  /** A secret: the key the links handed to BestRx are signed with. */
  urlSigningKeyHex: string;
  timeouts?: typeof DEFAULT_TIMEOUTS | undefined;
  /** Whether POST /webhooks/<partner> is served (the backend has a webhook handler). */
  partnerWebhooks: boolean;
}

export type BackendMethod = keyof ProviderBackend;

export interface SerializedError {
  name: string;
  message: string;
  code?: string | undefined;
}

export type FromListenerThread =
  | { type: 'listening'; url: string; port: number }
  | { type: 'listen_failed'; error: SerializedError }
  | { type: 'call'; id: number; method: BackendMethod; args: unknown[] }
  /** Formatted and redacted on the thread (formatLogLine): the main thread only writes it. */
  | { type: 'log'; level: LogLevel; line: string };

export type ToListenerThread =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: SerializedError }
  | { type: 'configuration'; configuration: ListenerConfiguration }
  | { type: 'close' };

/**
 * Messages to the other thread, sent together once per turn of the event loop (each side
 * receives arrays). Under load one turn makes dozens: a CreateOrder each, a reply each, a log
 * line each. One postMessage apiece cost both threads a wake-up and an event per message, and
 * the main thread's group commit started on the first few orders of a burst while the rest were
 * still arriving one by one.
 */
export function batchedSender<T>(send: (messages: T[]) => void): (message: T) => void {
  let unsent: T[] = [];
  const sendUnsent = () => {
    const messages = unsent;
    unsent = [];
    send(messages);
  };
  return (message) => {
    if (unsent.length === 0) setImmediate(sendUnsent);
    unsent.push(message);
  };
}

/**
 * How a call's arguments cross between the threads: as they are (structured clone), except an
 * order's content, which crosses as JSON text. It is a tree of some sixty small fields, and
 * structured clone rebuilds such a tree field by field: ~25 µs on the main thread per CreateOrder
 * (measured), where JSON.parse of the same order takes ~10 µs. The main thread is where every
 * CreateOrder queues for the group commit, so each microsecond there is one every order waits for.
 * Both threads use these two functions, so the encoding cannot drift apart.
 */
const ARGUMENT_CODECS: Partial<Record<BackendMethod, { encode(args: unknown[]): unknown[]; decode(args: unknown[]): unknown[] }>> = {
  receiveCreateOrder: {
    encode: ([content, ...rest]) => [JSON.stringify(content), ...rest],
    decode: ([contentJson, ...rest]) => [JSON.parse(contentJson as string), ...rest],
  },
};

/** The listener's side: a call's arguments as they are posted. */
export function encodeCallArguments(method: BackendMethod, args: unknown[]): unknown[] {
  return ARGUMENT_CODECS[method]?.encode(args) ?? args;
}

/** The main thread's side: a posted call's arguments as the backend takes them. */
export function decodeCallArguments(method: BackendMethod, args: unknown[]): unknown[] {
  return ARGUMENT_CODECS[method]?.decode(args) ?? args;
}

export function serializeError(error: unknown): SerializedError {
  const err = error instanceof Error ? error : new Error(String(error));
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
}

export function deserializeError(error: SerializedError): Error {
  return Object.assign(new Error(error.message), { name: error.name, ...(error.code ? { code: error.code } : {}) });
}

/** After the thread died: how long before it is started again (a thread that dies at once must not spin). */
const RESTART_DELAY_MS = 1_000;

export interface ThreadedListenerOptions {
  /** The built bestrx-listener.js. */
  script: string;
  host: string;
  port: number;
  configuration: () => ListenerConfiguration;
  urlSigningKey: Buffer;
  backend: ProviderBackend;
  logger: Logger;
  timeouts?: typeof DEFAULT_TIMEOUTS | undefined;
  /** Each thread started, the first and any restarted one (tests stop one to see it restarted). */
  onThreadStarted?: (thread: Worker) => void;
}

interface RunningThread {
  worker: Worker;
  send: (message: ToListenerThread) => void;
  url: string;
  port: number;
}

export async function startThreadedBestRxProviderServer(options: ThreadedListenerOptions): Promise<BestRxListener> {
  const { backend, logger } = options;
  let closing = false;
  let restartTimer: NodeJS.Timeout | undefined;

  /** Starts a thread; resolves once it listens, rejects if it cannot (the port taken, ...). */
  function start(port: number): Promise<RunningThread> {
    const data: ListenerThreadData = {
      host: options.host,
      port,
      configuration: options.configuration(),
      urlSigningKeyHex: options.urlSigningKey.toString('hex'),
      timeouts: options.timeouts,
      partnerWebhooks: backend.partnerWebhook !== undefined,
    };
    const worker = new Worker(options.script, { workerData: data });
    const send = batchedSender<ToListenerThread>((messages) => worker.postMessage(messages));
    options.onThreadStarted?.(worker);
    return new Promise((resolve, reject) => {
      let listening = false;
      const receive = (message: FromListenerThread) => {
        switch (message.type) {
          case 'listening':
            listening = true;
            resolve({ worker, send, url: message.url, port: message.port });
            return;
          case 'listen_failed':
            reject(deserializeError(message.error));
            void worker.terminate();
            return;
          case 'call':
            void answer(send, message);
            return;
          case 'log':
            writeFormattedLine(logger, message.line, message.level);
            return;
        }
      };
      worker.on('message', (messages: FromListenerThread[]) => messages.forEach(receive));
      worker.on('error', (error) => logger.error('bestrx.listener_thread_failed', { error: error.name }));
      worker.on('exit', (code) => {
        if (!listening) {
          reject(new Error(`BestRx's listener thread stopped before it listened (exit code ${code})`));
          return;
        }
        if (closing || worker !== current?.worker) return;
        logger.error('bestrx.listener_thread_exited', { code });
        scheduleRestart();
      });
    });
  }

  async function answer(send: (message: ToListenerThread) => void, call: Extract<FromListenerThread, { type: 'call' }>): Promise<void> {
    let reply: ToListenerThread;
    try {
      const method = backend[call.method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
      if (!method) throw new Error(`the listener asked for ${call.method}, which this backend does not have`);
      reply = { type: 'reply', id: call.id, ok: true, value: await method.apply(backend, decodeCallArguments(call.method, call.args)) };
    } catch (error) {
      reply = { type: 'reply', id: call.id, ok: false, error: serializeError(error) };
    }
    // A thread that died meanwhile gets nothing: BestRx lost that connection and retries.
    send(reply);
  }

  function scheduleRestart(): void {
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (closing || !current) return;
      start(current.port).then(
        (started) => {
          if (closing) {
            void started.worker.terminate();
            return;
          }
          current = started;
          logger.info('bestrx.listener_thread_restarted', { port: started.port });
        },
        (error: Error) => {
          logger.error('bestrx.listener_thread_restart_failed', { error: error.name, code: (error as { code?: string }).code });
          scheduleRestart();
        },
      );
    }, RESTART_DELAY_MS);
  }

  let current: RunningThread | undefined = await start(options.port);
  const { url, port } = current;
  return {
    url,
    port,
    configurationChanged() {
      current?.send({ type: 'configuration', configuration: options.configuration() });
    },
    async close() {
      closing = true;
      if (restartTimer) clearTimeout(restartTimer);
      const running = current;
      current = undefined;
      if (!running) return;
      const exited = new Promise<void>((resolve) => running.worker.once('exit', () => resolve()));
      running.send({ type: 'close' });
      await exited;
    },
  };
}
