// The preload exposes exactly one narrow API to the renderer: call an app API method by name
// (only names in the shared contract) and listen for live changes. The renderer never sees
// ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { AppApiReply, AppEvent } from '../src-shared/app-api-contract';
import { IPC_CHANNELS, isAppApiMethod } from '../src-shared/app-api-methods';

const rxrelay = {
  call(method: string, input: unknown): Promise<AppApiReply<unknown>> {
    if (!isAppApiMethod(method)) {
      return Promise.resolve({ ok: false, error: { code: 'unknown_method', message: `There is no app API method "${method}".` } });
    }
    return ipcRenderer.invoke(IPC_CHANNELS.call, method, input) as Promise<AppApiReply<unknown>>;
  },
  onEvent(listener: (event: AppEvent) => void): () => void {
    const forward = (_event: IpcRendererEvent, appEvent: AppEvent) => listener(appEvent);
    ipcRenderer.on(IPC_CHANNELS.event, forward);
    return () => ipcRenderer.removeListener(IPC_CHANNELS.event, forward);
  },
};

export type RxRelayPreloadApi = typeof rxrelay;

contextBridge.exposeInMainWorld('rxrelay', rxrelay);
