import { useCallback, useEffect, useState, type JSX } from 'react';
import type { AppApiClient } from './api/app-api-client';
import { useBarcodeScanner } from './barcode-scanner';
import { CourierRuns } from './components/CourierRuns';
import { SettingsView } from './components/SettingsView';
import { ConnectionPanel } from './components/ConnectionPanel';
import { OrderDetailPanel } from './components/OrderDetailPanel';
import { OrderList } from './components/OrderList';
import { SyncStatus } from './components/SyncStatus';
import type { AppStore } from './store/app-store';

type View = 'board' | 'runs' | 'sync' | 'settings';

export function App({ store, api }: { store: AppStore; api: AppApiClient }): JSX.Element {
  const info = store((s) => s.info);
  const [view, setView] = useState<View>('board');
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
          {view === 'runs' ? <CourierRuns api={api} /> : view === 'sync' ? <SyncStatus store={store} /> : <SettingsView api={api} store={store} />}
        </main>
      )}
    </div>
  );
}
