// The IPC handler checks who is calling before the core sees the call: only our window, only
// from our renderer's URL. Electron cannot run here, so its ipcMain is replaced by a stand-in.
import { beforeEach, describe, expect, it, vi } from 'vitest';

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

const window = { webContents: { id: 7, send: vi.fn() } };
const location = rendererLocation('/app/out/main', undefined);

const unused = (): never => {
  throw new Error('unused');
};

function setUp() {
  handlers.clear();
  const calls: unknown[] = [];
  const appApi = new AppApi(
    {
      'app.info': () => ({ version: '1', mode: 'electron', sandbox: true, device_id: 'd', bestrx_endpoint_url: 'x', status_target: 'sandbox' }),
      'settings.bestrxConnection': () => ({ endpoint_url: 'x', username: 'u', password: 'p', source: 'generated' }),
      'orders.list': (input) => {
        calls.push(input);
        return { orders: [], total: 0 };
      },
      'orders.get': () => {
        throw new Error('unused');
      },
      'orders.transition': () => {
        throw new Error('unused');
      },
      'outbox.list': () => {
        throw new Error('unused');
      },
      'outbox.retry': () => {
        throw new Error('unused');
      },
      'outbox.skip': () => {
        throw new Error('unused');
      },
      'documents.render': unused,
      'documents.print': unused,
      'documents.runSheet': unused,
      'printers.list': unused,
      'runs.create': unused,
      'runs.list': unused,
      'runs.advance': unused,
      'sandbox.bestrxReceived': unused,
      'sandbox.bestrxFault': unused,
      'settings.get': unused,
      'settings.regenerateBestrxCredentials': unused,
      'settings.codeTables': unused,
      'settings.update': unused,
      'settings.updateCodeTables': unused,
      'orders.dispatch': unused,
      'partners.status': unused,
      'partners.syncNow': unused,
      'partners.pharmacies': unused,
      'partners.medications': unused,
      'partners.configure': unused,
      'partners.rotateCredentials': unused,
      'sandbox.partnerOrder': unused,
      'partners.patientPrescriptions': unused,
      'partners.incomingPrescriptions': unused,
      'partners.matchPrescription': unused,
      'partners.dismissPrescription': unused,
      'partners.changeShippingAddress': unused,
      'partners.reorder': unused,
      'sandbox.partnerPrescription': unused,
    },
    silentLogger,
  );
  const events = new AppEventBus();
  registerAppApiIpc({ appApi, events, window: () => window as never, location, context: { actor: 'me' }, logger: silentLogger });
  const call = (event: unknown, method: string, input: unknown) => handlers.get('rxrelay:call')!(event, method, input);
  return { calls, events, call };
}

const trusted = { sender: { id: 7 }, senderFrame: { url: 'file:///app/out/renderer/index.html' } };

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
    ['another window', { sender: { id: 8 }, senderFrame: { url: 'file:///app/out/renderer/index.html' } }],
    ['a foreign page in our window', { sender: { id: 7 }, senderFrame: { url: 'https://attacker.example/' } }],
    ['another local file', { sender: { id: 7 }, senderFrame: { url: 'file:///tmp/evil.html' } }],
    ['a look-alike path', { sender: { id: 7 }, senderFrame: { url: 'file:///tmp/out/renderer/index.html' } }],
    ['a frame without a URL', { sender: { id: 7 }, senderFrame: null }],
  ])('refuses %s', async (_name, event) => {
    const { call, calls } = setUp();
    expect(await call(event, 'orders.list', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(calls).toEqual([]);
  });

  it('forwards live changes to the window', () => {
    const { events } = setUp();
    events.publish({ type: 'order.changed', order_id: 'RXR-1', status: 'acknowledged' });
    expect(window.webContents.send).toHaveBeenCalledWith('rxrelay:event', { type: 'order.changed', order_id: 'RXR-1', status: 'acknowledged' });
  });
});
