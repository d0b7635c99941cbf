// The renderer's one way to reach the core: a typed client over the shared contract, with two
// transports behind it (Electron IPC through the preload, or HTTP in headless mode). Every reply
// passes one check on the way back: a call refused because the desk locked or nobody is signed in
// tells the listeners (the store shows the lock or sign-in screen), wherever in the app it was made.
import { closesDesk } from '../desk';
import type {
  AppApiError,
  AppApiInput,
  AppApiMethod,
  AppApiOutput,
  AppApiReply,
  AppEvent,
} from '../../../src-shared/app-api-contract';

export interface AppApiClient {
  call<M extends AppApiMethod>(method: M, input: AppApiInput<M>): Promise<AppApiReply<AppApiOutput<M>>>;
  /** Live changes; returns an unsubscribe function. */
  subscribe(listener: (event: AppEvent) => void): () => void;
  /** A call (any but auth.*) was refused with `locked` or `unauthorized`; returns an unsubscribe function. */
  onDeskClosed(listener: (error: AppApiError) => void): () => void;
}

interface Transport {
  call(method: string, input: unknown): Promise<AppApiReply<unknown>>;
  subscribe(listener: (event: AppEvent) => void): () => void;
}

function typed(transport: Transport): AppApiClient {
  const closedListeners = new Set<(error: AppApiError) => void>();
  return {
    async call(method, input) {
      const reply = await transport.call(method, input);
      if (!reply.ok && closesDesk(method, reply.error)) for (const listener of closedListeners) listener(reply.error);
      return reply as never;
    },
    subscribe: (listener) => transport.subscribe(listener),
    onDeskClosed(listener) {
      closedListeners.add(listener);
      return () => closedListeners.delete(listener);
    },
  };
}

function ipcTransport(bridge: NonNullable<Window['rxrelay']>): Transport {
  return { call: (method, input) => bridge.call(method, input), subscribe: (listener) => bridge.onEvent(listener) };
}

const networkFailure = (message: string): AppApiReply<never> => ({ ok: false, error: { code: 'internal', message } });

/** Headless mode: POST /api/<method> with the page's bearer token; events over a fetch-read SSE stream
 * (EventSource cannot send an Authorization header, and the token must not go in a URL). */
function httpTransport(token: string): Transport {
  const headers = { authorization: `Bearer ${token}` };
  return {
    async call(method, input) {
      try {
        const response = await fetch(`/api/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(input ?? {}),
        });
        return (await response.json()) as AppApiReply<unknown>;
      } catch {
        return networkFailure('RxRelay is not reachable. Is it still running?');
      }
    },
    subscribe(listener) {
      const controller = new AbortController();
      const run = async () => {
        while (!controller.signal.aborted) {
          try {
            const response = await fetch('/api/events', { headers, signal: controller.signal });
            const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
            let buffer = '';
            while (reader) {
              const { value, done } = await reader.read();
              if (done) break;
              buffer += value;
              let end: number;
              while ((end = buffer.indexOf('\n\n')) >= 0) {
                const frame = buffer.slice(0, end);
                buffer = buffer.slice(end + 2);
                const data = frame
                  .split('\n')
                  .filter((line) => line.startsWith('data: '))
                  .map((line) => line.slice(6))
                  .join('\n');
                if (data) listener(JSON.parse(data) as AppEvent);
              }
            }
          } catch {
            // Reconnect below unless we were unsubscribed.
          }
          if (!controller.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 2000));
        }
      };
      void run();
      return () => controller.abort();
    },
  };
}

export function createAppApiClient(): AppApiClient {
  if (window.rxrelay) return typed(ipcTransport(window.rxrelay));
  const token = document.querySelector<HTMLMetaElement>('meta[name="rxrelay-api-token"]')?.content ?? '';
  return typed(httpTransport(token));
}
