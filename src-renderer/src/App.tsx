import { useCallback, useEffect, type JSX } from 'react';
import type { AppApiClient } from './api/app-api-client';
import { useBarcodeScanner } from './barcode-scanner';
import { CourierRuns } from './components/CourierRuns';
import { IncomingPrescriptions } from './components/IncomingPrescriptions';
import { SettingsView } from './components/SettingsView';
import { ConnectionPanel } from './components/ConnectionPanel';
import { OrderDetailPanel } from './components/OrderDetailPanel';
import { OrderList } from './components/OrderList';
import { SyncStatus } from './components/SyncStatus';
import type { AppStore, View } from './store/app-store';

export function App({ store, api }: { store: AppStore; api: AppApiClient }): JSX.Element {
  const info = store((s) => s.info);
  const view = store((s) => s.view);
  // The nav badge: Honeybee's prescriptions no one has matched to an order yet.
  const waiting = store((s) => s.incoming.list?.filter((p) => p.state === 'waiting').length ?? 0);
  const setView = (next: View) => store.getState().showView(next);
  useEffect(() => store.getState().start(), [store]);
  useBarcodeScanner(useCallback((code: string) => void store.getState().openScanned(code), [store]));

  return (
    <div className="app">
      {info?.sandbox && (
        <div className="sandbox-banner" role="status">
          SANDBOX — connections go to local simulators; nothing reaches BestRx or a partner.
        </div>
      )}
      <header className="app-header">
        <h1>RxRelay</h1>
        <span className="app-version">{info ? `v${info.version} · ${info.mode}` : ''}</span>
        <nav aria-label="Views" className="views">
          <button type="button" aria-pressed={view === 'board'} onClick={() => setView('board')}>
            Board
          </button>
          <button type="button" aria-pressed={view === 'incoming'} onClick={() => setView('incoming')}>
            Incoming prescriptions
            {waiting > 0 && (
              <span className="count-badge">
                {waiting}
                <span className="visually-hidden"> waiting</span>
              </span>
            )}
          </button>
          <button type="button" aria-pressed={view === 'runs'} onClick={() => setView('runs')}>
            Courier runs
          </button>
          <button type="button" aria-pressed={view === 'sync'} onClick={() => setView('sync')}>
            Sync status
          </button>
          <button type="button" aria-pressed={view === 'settings'} onClick={() => setView('settings')}>
            Settings
          </button>
        </nav>
        <ConnectionPanel store={store} />
      </header>
      {view === 'board' ? (
        <main className="workspace">
          <OrderList store={store} />
          <OrderDetailPanel store={store} />
        </main>
      ) : (
        <main className="workspace single">
          {view === 'incoming' ? (
            <IncomingPrescriptions store={store} />
          ) : view === 'runs' ? (
            <CourierRuns api={api} />
          ) : view === 'sync' ? (
            <SyncStatus store={store} />
          ) : (
            <SettingsView api={api} store={store} />
          )}
        </main>
      )}
    </div>
  );
}
