import { useCallback, useEffect, useState, type JSX } from 'react';
import { useBarcodeScanner } from './barcode-scanner';
import { ConnectionPanel } from './components/ConnectionPanel';
import { OrderDetailPanel } from './components/OrderDetailPanel';
import { OrderList } from './components/OrderList';
import { SyncStatus } from './components/SyncStatus';
import type { AppStore } from './store/app-store';

type View = 'board' | 'sync';

export function App({ store }: { store: AppStore }): JSX.Element {
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
          <button type="button" aria-pressed={view === 'sync'} onClick={() => setView('sync')}>
            Sync status
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
          <SyncStatus store={store} />
        </main>
      )}
    </div>
  );
}
