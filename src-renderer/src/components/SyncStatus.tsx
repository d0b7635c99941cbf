// Sync status: every status push to BestRx that is waiting, failed or given up, in plain
// words, with what staff can do about it (send again now, or skip it so the order's later
// statuses can go); then each fulfilment partner's connection.
import { useEffect, type JSX } from 'react';
import type { StatusPushState } from '../../../src-shared/app-api-contract';
import { plainWords } from '../push-explanations';
import type { AppStore } from '../store/app-store';
import { PartnerConnections } from './PartnerConnections';

const STATE_NAMES: Record<StatusPushState, string> = {
  pending: 'Waiting to send',
  dead: 'Given up',
  delivered: 'Sent',
  skipped: 'Skipped',
};

export function SyncStatus({ store }: { store: AppStore }): JSX.Element {
  const { state, overview, error: problem, working } = store((s) => s.outbox);
  const { showOutbox, actOnPush: act } = store.getState();

  useEffect(() => {
    void store.getState().loadOutbox();
  }, [store]);

  const counts = overview?.counts;
  return (
    <section className="sync-status" aria-label="Sync status">
      <h2>Status updates to BestRx</h2>
      <p>
        {overview?.target_url ? (
          <>
            Sent to <code>{overview.target_url}</code>
          </>
        ) : overview ? (
          'No UpdateOrderStatus address is set (RXRELAY_STATUS_URL): updates wait here until one is.'
        ) : (
          'Loading…'
        )}
      </p>
      <div className="state-tabs" role="group" aria-label="Show">
        {(['dead', 'pending', 'delivered', 'skipped'] as const).map((s) => (
          <button key={s} type="button" aria-pressed={state === s} onClick={() => void showOutbox(s)}>
            {STATE_NAMES[s]} {counts ? `(${counts[s]})` : ''}
          </button>
        ))}
        <button type="button" aria-pressed={state === undefined} onClick={() => void showOutbox(undefined)}>
          All
        </button>
      </div>
      {problem && <p role="alert">{problem.message}</p>}
      {overview && overview.pushes.length === 0 && <p className="empty">{state === 'dead' ? 'Nothing has been given up. All is well.' : 'Nothing here.'}</p>}
      {overview && overview.pushes.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Status to send</th>
              <th scope="col">State</th>
              <th scope="col">Tries</th>
              <th scope="col">Next try</th>
              <th scope="col">What happened</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {overview.pushes.map((push) => (
              <tr key={push.id}>
                <td>{push.order_id}</td>
                <td>{push.status_description}</td>
                <td>{STATE_NAMES[push.state]}</td>
                <td>{push.attempts}</td>
                <td>{push.state === 'pending' && push.next_attempt_at ? new Date(push.next_attempt_at).toLocaleString() : '—'}</td>
                <td>
                  {plainWords(push)}
                  {push.last_error && (
                    <details>
                      <summary>Details</summary>
                      {push.last_http_status ? `HTTP ${push.last_http_status}: ` : ''}
                      {push.last_error}
                    </details>
                  )}
                </td>
                <td className="row-actions">
                  {(push.state === 'dead' || push.state === 'pending') && (
                    <>
                      <button type="button" disabled={working === push.id} onClick={() => void act('outbox.retry', push.id)}>
                        Send again now
                      </button>
                      <button type="button" disabled={working === push.id} onClick={() => void act('outbox.skip', push.id)}>
                        Skip
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <PartnerConnections store={store} />
    </section>
  );
}
