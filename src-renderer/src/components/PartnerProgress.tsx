// The partner's progress on an order that was handed over: where it is in words, the partner's
// own status, carrier and tracking, what went wrong and when RxRelay tries again, and the
// partner's ids (to quote when calling the partner). In sandbox mode, buttons make the partner's
// simulator move the order on, fail it or cancel it.
import { useEffect, useId, useState, type JSX } from 'react';
import type { OrderDetail, PartnerDispatchView } from '../../../src-shared/app-api-contract';
import { clock, dispatchAdvice, dispatchHeadline } from '../partner-words';
import type { AppStore } from '../store/app-store';

/** While the partner works on the order, look again this often (live events usually come first). */
const REFRESH_MS = 4000;

const REF_NAMES: Record<string, string> = {
  patient: 'Patient',
  patient_id: 'Patient',
  order: 'Order',
  order_id: 'Order',
  order_uuid: 'Order',
  location: 'Delivery location',
  prescriptions: 'Prescriptions',
};
const refName = (key: string) => REF_NAMES[key] ?? key.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());
/** A partner may keep several ids under one name ("a,b"): shown apart. */
const refValue = (value: string) => value.split(',').join(', ');

/** Tracking that is a web address (CaryRx's shipment tracking page) rather than a carrier's number. */
function trackingUrl(tracking: string): string | undefined {
  try {
    const url = new URL(tracking);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function PartnerProgress({ detail, store }: { detail: OrderDetail; store: AppStore }): JSX.Element | null {
  const state = detail.partner?.state;
  const inFlight = state === 'dispatching' || state === 'open';
  useEffect(() => {
    if (!inFlight) return;
    const timer = window.setInterval(() => void store.getState().reloadSelected(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [store, inFlight]);

  const headingId = useId();
  const p = detail.partner;
  if (!p) return null;
  const advice = dispatchAdvice(p);
  const refs = Object.entries(p.refs);
  const trackingLink = p.tracking ? trackingUrl(p.tracking) : undefined;
  return (
    <section className={`partner-progress state-${p.state}`} aria-labelledby={headingId}>
      <h3 id={headingId}>Partner</h3>
      <p className="partner-headline" role="status">
        {dispatchHeadline(p)}
      </p>
      {p.state === 'dispatching' && <progress aria-label={`Sending to ${p.partner_name}`} />}
      {advice && <p className={p.state === 'failed' ? 'error' : 'notice'}>{advice}</p>}
      <dl className="facts">
        <dt>Partner status</dt>
        <dd>{p.partner_status ? p.partner_status.replaceAll('_', ' ') : '—'}</dd>
        <dt>Carrier</dt>
        <dd>{p.carrier ?? '—'}</dd>
        <dt>{trackingLink ? 'Tracking' : 'Tracking number'}</dt>
        <dd>
          {trackingLink ? (
            // A new tab in headless mode; the Electron window opens no new windows, so the address is shown in full to copy.
            <a className="tracking-link" href={trackingLink} target="_blank" rel="noreferrer noopener">
              {p.tracking}
            </a>
          ) : p.tracking ? (
            <code>{p.tracking}</code>
          ) : (
            '—'
          )}
        </dd>
        {p.attempts > 0 && (p.attempts > 1 || p.last_error) && (
          <>
            <dt>Tries</dt>
            <dd>{p.attempts}</dd>
          </>
        )}
        {/* A failed hand-over's error is its headline already; one being retried is in the advice. */}
        {p.last_error && !advice && p.state !== 'failed' && (
          <>
            <dt>Last error</dt>
            <dd>
              {p.last_error}
              {p.next_attempt_at ? ` — next try at ${clock(p.next_attempt_at)}` : ''}
            </dd>
          </>
        )}
        <dt>Partner’s ids</dt>
        <dd>
          {refs.length === 0 ? (
            'none yet'
          ) : (
            <ul className="refs">
              {refs.map(([key, value]) => (
                <li key={key}>
                  {refName(key)} <code>{refValue(value)}</code>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Sent</dt>
        <dd>
          {clock(p.created_at)} by {p.created_by}
        </dd>
      </dl>
      <SandboxControls store={store} dispatch={p} />
    </section>
  );
}

function SandboxControls({ store, dispatch }: { store: AppStore; dispatch: PartnerDispatchView }): JSX.Element | null {
  const sandbox = store((s) => s.info?.sandbox ?? false);
  const [working, setWorking] = useState(false);
  const [said, setSaid] = useState<string | undefined>();
  if (!sandbox || dispatch.state !== 'open') return null;
  const act = async (action: 'advance' | 'fail' | 'cancel') => {
    setWorking(true);
    const reply = await store.getState().sandboxPartnerOrder(dispatch.partner, action);
    setWorking(false);
    setSaid(reply.ok ? `The simulator now says: ${reply.value.partner_status.replaceAll('_', ' ')}.` : reply.error.message);
  };
  return (
    <div className="sandbox-controls" role="group" aria-label="Sandbox: partner simulator">
      <span className="badge sandbox">SANDBOX</span>
      <span>Make the {dispatch.partner_name} simulator:</span>
      <button type="button" disabled={working} onClick={() => void act('advance')}>
        Advance
      </button>
      <button type="button" disabled={working} onClick={() => void act('fail')}>
        Fail
      </button>
      <button type="button" disabled={working} onClick={() => void act('cancel')}>
        Cancel
      </button>
      {said && <span role="status">{said}</span>}
    </div>
  );
}
