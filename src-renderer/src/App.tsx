import { useCallback, useEffect, type JSX } from 'react';
import type { AppApiClient } from './api/app-api-client';
import { useBarcodeScanner } from './barcode-scanner';
import { AuditLog } from './components/AuditLog';
import { CourierRuns } from './components/CourierRuns';
import { IncomingPrescriptions } from './components/IncomingPrescriptions';
import { SettingsView } from './components/SettingsView';
import { ConnectionPanel } from './components/ConnectionPanel';
import { OrderDetailPanel } from './components/OrderDetailPanel';
import { OrderList } from './components/OrderList';
import { DeskUser, SignIn } from './components/SignIn';
import { SyncStatus } from './components/SyncStatus';
import { deskScreen, mayShow } from './desk';
import type { AppStore, View } from './store/app-store';
import { useIdleLock } from './use-idle-lock';

export function App({ store, api }: { store: AppStore; api: AppApiClient }): JSX.Element {
  const info = store((s) => s.info);
  const auth = store((s) => s.auth);
  const screen = deskScreen(auth);
  const chosen = store((s) => s.view);
  // A view this person may not open (the store keeps to the allowed ones; this is the last word).
  const view = mayShow(chosen, auth) ? chosen : 'board';
  // The nav badge: Honeybee's prescriptions no one has matched to an order yet.
  const waiting = store((s) => s.incoming.list?.filter((p) => p.state === 'waiting').length ?? 0);
  const setView = (next: View) => store.getState().showView(next);
  const may = (next: View) => mayShow(next, auth);
  useEffect(() => store.getState().start(), [store]);
  useBarcodeScanner(useCallback((code: string) => void store.getState().openScanned(code), [store]));
  // Someone is signed in: the screen locks itself after their idle minutes (the core does too).
  useIdleLock(
    screen === 'open' && auth?.user ? auth.idle_lock_minutes : undefined,
    useCallback(() => void store.getState().lockDesk(), [store]),
    useCallback(() => store.getState().stillHere(), [store]),
  );

  const banner = info?.sandbox && (
    <div className="sandbox-banner" role="status">
      SANDBOX — connections go to local simulators; nothing reaches BestRx or a partner.
    </div>
  );
  // Signed out, locked, or not known yet: the board and everything else are not rendered at all.
  if (screen !== 'open') {
    return (
      <div className="app">
        {banner}
        <SignIn store={store} />
      </div>
    );
  }

  return (
    <div className="app">
      {banner}
      <header className="app-header">
        <h1>RxRelay</h1>
        <span className="app-version">{info ? `v${info.version} · ${info.mode}` : ''}</span>
        <nav aria-label="Views" className="views">
          <button type="button" aria-pressed={view === 'board'} onClick={() => setView('board')}>
            Board
          </button>
          {may('incoming') && (
            <button type="button" aria-pressed={view === 'incoming'} onClick={() => setView('incoming')}>
              Incoming prescriptions
              {waiting > 0 && (
                <span className="count-badge">
                  {waiting}
                  <span className="visually-hidden"> waiting</span>
                </span>
              )}
            </button>
          )}
          {may('runs') && (
            <button type="button" aria-pressed={view === 'runs'} onClick={() => setView('runs')}>
              Courier runs
            </button>
          )}
          {may('sync') && (
            <button type="button" aria-pressed={view === 'sync'} onClick={() => setView('sync')}>
              Sync status
            </button>
          )}
          {may('settings') && (
            <button type="button" aria-pressed={view === 'settings'} onClick={() => setView('settings')}>
              Settings
            </button>
          )}
          {may('audit') && (
            <button type="button" aria-pressed={view === 'audit'} onClick={() => setView('audit')}>
              Audit log
            </button>
          )}
        </nav>
        <ConnectionPanel store={store} />
        <DeskUser store={store} />
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
          ) : view === 'audit' ? (
            <AuditLog api={api} />
          ) : (
            <SettingsView api={api} store={store} />
          )}
        </main>
      )}
    </div>
  );
}
