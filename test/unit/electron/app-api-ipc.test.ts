// The IPC handler checks who is calling before the core sees the call: only our window, only
// its top frame, only from our renderer's URL. Electron cannot run here, so its ipcMain is
// replaced by a stand-in.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppApiHandlers } from '../../../src-main/core/app-api/app-api';

const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => handlers.set(channel, handler),
    removeHandler: (channel: string) => handlers.delete(channel),
  },
}));

const { registerAppApiIpc } = await import('../../../src-main/electron/app-api-ipc');
const { AppEventBus } = await import('../../../src-main/core/app-events');
const { AppApi } = await import('../../../src-main/core/app-api/app-api');
const { silentLogger } = await import('../../../src-main/core/logger');
const { rendererLocation } = await import('../../../src-main/electron/main-window');
const { APP_API_METHODS } = await import('../../../src-shared/app-api-methods');

const window = { webContents: { id: 7, send: vi.fn() } };
const location = rendererLocation('/app/out/main', undefined);
const devLocation = rendererLocation('/app/out/main', 'http://localhost:5173/');

const unused = (): never => {
  throw new Error('unused');
};

function setUp(where = location) {
  handlers.clear();
  const calls: unknown[] = [];
  // Every method of the contract (new ones included) is there; only orders.list answers.
  const all = Object.fromEntries(APP_API_METHODS.map((method) => [method, unused])) as unknown as AppApiHandlers;
  const appApi = new AppApi(
    {
      ...all,
      'orders.list': (input) => {
        calls.push(input);
        return { orders: [], total: 0 };
      },
    },
    silentLogger,
  );
  const events = new AppEventBus();
  registerAppApiIpc({ appApi, events, window: () => window as never, location: where, context: { actor: 'me' }, logger: silentLogger });
  const call = (event: unknown, method: string, input: unknown) => handlers.get('rxrelay:call')!(event, method, input);
  return { calls, events, call };
}

/** Our window's top frame, showing our page (the built renderer, on the app's own scheme). */
const trusted = { sender: { id: 7 }, senderFrame: { url: 'rxrelay://app/index.html', parent: null } };

describe('app API over IPC', () => {
  beforeEach(() => window.webContents.send.mockClear());

  it('answers our own renderer, with the input validated by the contract', async () => {
    const { call, calls } = setUp();
    expect(await call(trusted, 'orders.list', { q: 'doe' })).toEqual({ ok: true, value: { orders: [], total: 0 } });
    expect(calls).toEqual([{ q: 'doe', limit: 100, offset: 0 }]);
    expect(await call(trusted, 'orders.list', { limit: -1 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await call(trusted, 'shell.exec', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });

  it.each([
    ['another window', { sender: { id: 8 }, senderFrame: { url: 'rxrelay://app/index.html', parent: null } }],
    ['a foreign page in our window', { sender: { id: 7 }, senderFrame: { url: 'https://attacker.example/', parent: null } }],
    ['a local file in our window', { sender: { id: 7 }, senderFrame: { url: 'file:///app/out/renderer/index.html', parent: null } }],
    ['another host on our scheme', { sender: { id: 7 }, senderFrame: { url: 'rxrelay://evil/index.html', parent: null } }],
    ['our scheme with credentials', { sender: { id: 7 }, senderFrame: { url: 'rxrelay://user:pw@app/index.html', parent: null } }],
    ['a frame inside our page', { sender: { id: 7 }, senderFrame: { url: 'rxrelay://app/index.html', parent: { url: 'rxrelay://app/index.html' } } }],
    ['a frame that may be a subframe (no parent given)', { sender: { id: 7 }, senderFrame: { url: 'rxrelay://app/index.html' } }],
    ['a frame without a URL', { sender: { id: 7 }, senderFrame: null }],
    ['the dev server while the built app runs', { sender: { id: 7 }, senderFrame: { url: 'http://localhost:5173/', parent: null } }],
  ])('refuses %s', async (_name, event) => {
    const { call, calls } = setUp();
    expect(await call(event, 'orders.list', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(calls).toEqual([]);
  });

  it('with a dev server, answers its origin only', async () => {
    const { call, calls } = setUp(devLocation);
    const frame = (url: string) => ({ sender: { id: 7 }, senderFrame: { url, parent: null } });
    expect(await call(frame('http://localhost:5173/#/orders'), 'orders.list', {})).toMatchObject({ ok: true });
    for (const url of ['http://localhost:5174/', 'http://127.0.0.1:5173/', 'rxrelay://app/index.html', 'https://localhost:5173/']) {
      expect(await call(frame(url), 'orders.list', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    expect(calls).toHaveLength(1);
  });

  it('refuses every caller once the window is gone', async () => {
    handlers.clear();
    const appApi = new AppApi(Object.fromEntries(APP_API_METHODS.map((method) => [method, unused])) as unknown as AppApiHandlers, silentLogger);
    registerAppApiIpc({ appApi, events: new AppEventBus(), window: () => undefined, location, context: { actor: 'me' }, logger: silentLogger });
    expect(await handlers.get('rxrelay:call')!(trusted, 'orders.list', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('forwards live changes to the window', () => {
    const { events } = setUp();
    events.publish({ type: 'order.changed', order_id: 'RXR-1', status: 'acknowledged' });
    expect(window.webContents.send).toHaveBeenCalledWith('rxrelay:event', { type: 'order.changed', order_id: 'RXR-1', status: 'acknowledged' });
  });
});
