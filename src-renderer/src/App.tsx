import { useCallback, useEffect, type JSX } from 'react';
import { useBarcodeScanner } from './barcode-scanner';
import { ConnectionPanel } from './components/ConnectionPanel';
import { OrderDetailPanel } from './components/OrderDetailPanel';
import { OrderList } from './components/OrderList';
import type { AppStore } from './store/app-store';

export function App({ store }: { store: AppStore }): JSX.Element {
  const info = store((s) => s.info);
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
        <ConnectionPanel store={store} />
      </header>
      <main className="workspace">
        <OrderList store={store} />
        <OrderDetailPanel store={store} />
      </main>
    </div>
  );
}
