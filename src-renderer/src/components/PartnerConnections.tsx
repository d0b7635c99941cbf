// Sync status, partners: each fulfilment partner's connection in plain words — sandbox or live
// (and CaryRx's environment), connected or not, when RxRelay last heard from it, what failed,
// whether calls are paused after repeated failures, and the orders it holds — with "Sync now"
// to try again at once.
import { useEffect, useId, type JSX } from 'react';
import type { PartnerStatusView } from '../../../src-shared/app-api-contract';
import { circuitWords, clock, connectionWords, environmentWords } from '../partner-words';
import type { AppStore } from '../store/app-store';

export function PartnerConnections({ store }: { store: AppStore }): JSX.Element {
  const { list, error, syncing, message } = store((s) => s.partners);
  const headingId = useId();

  useEffect(() => {
    void store.getState().loadPartners();
  }, [store]);

  return (
    <section className="partner-connections" aria-labelledby={headingId}>
      <h2 id={headingId}>Partner connections</h2>
      {message && <p role="status">{message}</p>}
      {error && <p role="alert">{error.message}</p>}
      {!list && !error && <p aria-busy="true">Loading…</p>}
      {list && list.length === 0 && <p className="empty">No fulfilment partner is set up. Connect one in Settings, under Partners.</p>}
      <div className="partner-cards">
        {list?.map((partner) => (
          <PartnerCard key={partner.partner} partner={partner} syncing={syncing === partner.partner} onSync={() => void store.getState().syncPartner(partner.partner)} />
        ))}
      </div>
    </section>
  );
}

function PartnerCard({ partner: p, syncing, onSync }: { partner: PartnerStatusView; syncing: boolean; onSync: () => void }): JSX.Element {
  const connection = connectionWords(p);
  return (
    <article className="partner-card" aria-label={p.name}>
      <header>
        <h3>{p.name}</h3>
        <span className={`badge ${p.mode}`}>{p.mode === 'sandbox' ? 'SANDBOX' : 'Live'}</span>
        <span className={`badge ${p.connected ? 'ok' : p.last_error ? 'bad' : 'idle'}`}>{connection}</span>
      </header>
      <dl className="facts">
        {p.environment && (
          <>
            <dt>Environment</dt>
            <dd>{environmentWords(p.environment)}</dd>
          </>
        )}
        <dt>Last sync</dt>
        <dd>{p.last_sync ? clock(p.last_sync) : 'never'}</dd>
        <dt>Last error</dt>
        <dd>{p.last_error ?? 'none'}</dd>
        <dt>Calls</dt>
        <dd className={p.circuit === 'closed' ? undefined : 'warning'}>{circuitWords(p)}</dd>
        <dt>Open orders</dt>
        <dd>{p.open_orders}</dd>
        <dt>Failed hand-overs</dt>
        <dd className={p.failed_dispatches > 0 ? 'warning' : undefined}>
          {p.failed_dispatches}
          {p.failed_dispatches > 0 ? ' — staff must take these orders back' : ''}
        </dd>
        <dt>{p.mode === 'sandbox' ? 'Simulator' : 'Calls go to'}</dt>
        <dd>
          <code>{p.base_url}</code>
        </dd>
        <dt>Updates</dt>
        <dd>{p.webhook_url ? <>webhooks at <code>{p.webhook_url}</code>, and polling</> : 'polling (no webhook address set)'}</dd>
      </dl>
      <div className="row-actions">
        <button type="button" disabled={syncing} aria-busy={syncing} onClick={onSync}>
          {syncing ? 'Syncing…' : 'Sync now'}
        </button>
      </div>
    </article>
  );
}
