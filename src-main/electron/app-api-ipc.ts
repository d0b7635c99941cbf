// The app API over IPC. The preload forwards (method, input) on one channel; here the sender
// is checked (our window, its top frame, our renderer URL) before the core validates the input.
// This is the only ipcMain handler in the app (test/unit/electron/hardening.test.ts keeps it so).
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { AppApiReply } from '../../src-shared/app-api-contract';
import { IPC_CHANNELS } from '../../src-shared/app-api-methods';
import type { AppApi, AppApiContext } from '../core/app-api/app-api';
import type { AppEventBus } from '../core/app-events';
import type { Logger } from '../core/logger';
import type { RendererLocation } from './main-window';

export function registerAppApiIpc(options: {
  appApi: AppApi;
  events: AppEventBus;
  window: () => BrowserWindow | undefined;
  location: RendererLocation;
  context: AppApiContext;
  logger: Logger;
}): () => void {
  const isTrustedSender = (event: IpcMainInvokeEvent) => {
    const window = options.window();
    const frame = event.senderFrame;
    // The top frame only: a frame inside the page (none is expected) gets no app API.
    const isTopFrame = frame != null && frame.parent === null;
    return window !== undefined && event.sender.id === window.webContents.id && isTopFrame && options.location.isOwnUrl(frame.url);
  };
  ipcMain.handle(IPC_CHANNELS.call, async (event, method: unknown, input: unknown): Promise<AppApiReply<unknown>> => {
    if (!isTrustedSender(event)) {
      options.logger.warn('ipc.untrusted_sender', { method: typeof method === 'string' ? method : 'unknown' });
      return { ok: false, error: { code: 'unauthorized', message: 'This window may not call the app API.' } };
    }
    return options.appApi.call(method, input, options.context);
  });
  const unsubscribe = options.events.subscribe((event) => options.window()?.webContents.send(IPC_CHANNELS.event, event));
  return () => {
    ipcMain.removeHandler(IPC_CHANNELS.call);
    unsubscribe();
  };
}
