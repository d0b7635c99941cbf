// The partner's progress on an order that was handed over: where it is in words, the partner's
// own status, carrier and tracking, what went wrong and when RxRelay tries again, and the
// partner's ids (to quote when calling the partner). When the partner holds the order for the
// pharmacy (Honeybee's On Hold), why and what to do, first, with a new shipping address to send
// when that is the fix; an order that has gone out can be reordered (Honeybee). In sandbox mode,
// buttons make the partner's simulator move the order on, fail it, cancel it or hold it.
import { useEffect, useId, useRef, useState, type JSX } from 'react';
import type { AppApiError, AppApiInput, AppApiReply, OrderDetail, PartnerDispatchView } from '../../../src-shared/app-api-contract';
import { actorName, canReorder, clock, dispatchAdvice, dispatchHeadline, fieldProblem } from '../partner-words';
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
  // The partner's tracking page when it gives one (Honeybee), else a tracking that is an address itself (CaryRx).
  const trackingLink = p.tracking_url ? trackingUrl(p.tracking_url) : p.tracking ? trackingUrl(p.tracking) : undefined;
  const trackingIsLink = trackingLink !== undefined && trackingLink === (p.tracking ? trackingUrl(p.tracking) : undefined);
  return (
    <section className={`partner-progress state-${p.state}${p.attention ? ' attention' : ''}`} aria-labelledby={headingId}>
      <h3 id={headingId}>Partner</h3>
      <p className="partner-headline" role="status">
        {dispatchHeadline(p)}
      </p>
      {p.attention && <Attention key={p.id} detail={detail} dispatch={p} store={store} />}
      {p.state === 'dispatching' && <progress aria-label={`Sending to ${p.partner_name}`} />}
      {advice && <p className={p.state === 'failed' ? 'error' : 'notice'}>{advice}</p>}
      <dl className="facts">
        <dt>Partner status</dt>
        <dd>{p.partner_status ? p.partner_status.replaceAll('_', ' ') : '—'}</dd>
        <dt>Carrier</dt>
        <dd>{p.carrier ?? '—'}</dd>
        <dt>{trackingIsLink ? 'Tracking' : 'Tracking number'}</dt>
        <dd>
          {trackingIsLink ? (
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
        {trackingLink && !trackingIsLink && (
          <>
            <dt>Tracking page</dt>
            <dd>
              <a className="tracking-link" href={trackingLink} target="_blank" rel="noreferrer noopener">
                {trackingLink}
              </a>
            </dd>
          </>
        )}
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
          {clock(p.created_at)} by {actorName(p.created_by)}
        </dd>
      </dl>
      {canReorder(p) && <Reorder key={p.id} store={store} dispatch={p} />}
      <SandboxControls store={store} dispatch={p} />
    </section>
  );
}

/** The partner holds the order for the pharmacy: why and what to do, and the address form when a new address is the fix. */
function Attention({ detail, dispatch, store }: { detail: OrderDetail; dispatch: PartnerDispatchView; store: AppStore }): JSX.Element | null {
  const ids = useId();
  const [changing, setChanging] = useState(false);
  const [returnFocus, setReturnFocus] = useState(false);
  const attention = dispatch.attention;
  if (!attention) return null;
  const held = /^on[ _]hold$/i.test(dispatch.partner_status ?? '');
  return (
    <div className="partner-attention" role="group" aria-labelledby={`${ids}-title`}>
      {/* Announced when it appears; the form below is not part of the announcement. */}
      <div role="alert">
        <p className="attention-title" id={`${ids}-title`}>
          {held ? `On hold at ${dispatch.partner_name}` : `${dispatch.partner_name} needs the pharmacy`}
        </p>
        <p className="attention-reason">{attention.reason}</p>
        <p className="attention-action">
          <strong>What to do:</strong> {attention.action.replace(/\.?$/, '.')}
        </p>
      </div>
      {attention.can_change_address &&
        (changing ? (
          <AddressForm
            detail={detail}
            store={store}
            partnerName={dispatch.partner_name}
            onClose={() => {
              setChanging(false);
              setReturnFocus(true);
            }}
          />
        ) : (
          <div className="actions">
            <button type="button" autoFocus={returnFocus} onClick={() => setChanging(true)}>
              Change shipping address
            </button>
          </div>
        ))}
    </div>
  );
}

const ADDRESS_LABELS: Record<string, string> = {
  address_line_1: 'Street address',
  address_line_2: 'Apartment, unit',
  city: 'City',
  state: 'State',
  zip_code: 'ZIP code',
};
type AddressField = 'address_line_1' | 'address_line_2' | 'city' | 'state' | 'zip_code';

/** A new shipping address for the order at the partner, starting from the order's delivery address. */
function AddressForm({ detail, store, partnerName, onClose }: { detail: OrderDetail; store: AppStore; partnerName: string; onClose: () => void }): JSX.Element {
  const ids = useId();
  const start = detail.recipient.address;
  const [address, setAddress] = useState<Record<AddressField, string>>({
    address_line_1: start.address_line_1,
    address_line_2: start.address_line_2 ?? '',
    city: start.city,
    state: start.state,
    zip_code: start.zip_code,
  });
  const [acceptSuggested, setAcceptSuggested] = useState(false);
  const [ignoreWarnings, setIgnoreWarnings] = useState(false);
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<AppApiError | undefined>();
  const problemRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problem) problemRef.current?.focus();
  }, [problem]);

  const problems = (problem?.details ?? []).map((line) => fieldProblem(line.replace(/^address\./, ''), ADDRESS_LABELS));
  const invalid = new Set(problems.map((p) => p.field).filter(Boolean));
  const field = (name: AddressField, props: { autoFocus?: boolean; maxLength: number; autoComplete: string; className?: string }) => (
    <label className={props.className}>
      {ADDRESS_LABELS[name]}
      {name === 'address_line_2' ? ' (optional)' : ''}
      <input
        value={address[name]}
        onChange={(e) => setAddress((a) => ({ ...a, [name]: e.target.value }))}
        autoFocus={props.autoFocus}
        maxLength={props.maxLength}
        autoComplete={props.autoComplete}
        aria-invalid={invalid.has(name) || undefined}
        aria-describedby={invalid.has(name) ? `${ids}-problem` : undefined}
      />
    </label>
  );

  const send = async () => {
    const input: Omit<AppApiInput<'partners.changeShippingAddress'>, 'id'> = {
      address: {
        address_line_1: address.address_line_1.trim(),
        ...(address.address_line_2.trim() ? { address_line_2: address.address_line_2.trim() } : {}),
        city: address.city.trim(),
        state: address.state.trim(),
        zip_code: address.zip_code.trim(),
      },
      accept_suggested: acceptSuggested,
      ignore_warnings: ignoreWarnings,
    };
    setSending(true);
    setProblem(undefined);
    const reply: AppApiReply<OrderDetail> = await store.getState().changeShippingAddress(input);
    setSending(false);
    if (reply.ok) onClose();
    else setProblem(reply.error);
  };

  return (
    <form
      className="address-form"
      aria-label="Change shipping address"
      aria-busy={sending}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <p className="hint">Sent to {partnerName} for this order only; the order’s address from BestRx stays as it was.</p>
      <div className="address-fields">
        {field('address_line_1', { autoFocus: true, maxLength: 200, autoComplete: 'off', className: 'wide' })}
        {field('address_line_2', { maxLength: 200, autoComplete: 'off', className: 'wide' })}
        {field('city', { maxLength: 100, autoComplete: 'off' })}
        {field('state', { maxLength: 2, autoComplete: 'off', className: 'state' })}
        {field('zip_code', { maxLength: 10, autoComplete: 'off', className: 'zip' })}
      </div>
      <label className="choice">
        <input type="checkbox" checked={acceptSuggested} onChange={(e) => setAcceptSuggested(e.target.checked)} />
        If {partnerName}’s address check corrects the address, take the corrected one
      </label>
      <label className="choice">
        <input type="checkbox" checked={ignoreWarnings} onChange={(e) => setIgnoreWarnings(e.target.checked)} />
        Ship to this address even if the address check warns about it
      </label>
      {problem && (
        <div className="error" role="alert" tabIndex={-1} ref={problemRef} id={`${ids}-problem`}>
          <p>Not changed{problems.length > 0 ? '. Fix this and send again:' : `: ${problem.message}`}</p>
          {problems.length > 0 && (
            <ul>
              {problems.map((p, i) => (
                <li key={`${i}-${p.text}`}>{p.text}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="capture-actions">
        <button type="submit" disabled={sending}>
          {sending ? `Sending to ${partnerName}…` : `Send the new address to ${partnerName}`}
        </button>
        <button type="button" onClick={onClose} disabled={sending}>
          Back
        </button>
      </div>
    </form>
  );
}

/** The partner ships the order again as a new order (Honeybee's reorder: a lost or damaged package). */
function Reorder({ store, dispatch }: { store: AppStore; dispatch: PartnerDispatchView }): JSX.Element {
  const [asking, setAsking] = useState(false);
  const [working, setWorking] = useState(false);
  const [problem, setProblem] = useState<AppApiError | undefined>();
  const reorder = async () => {
    setWorking(true);
    setProblem(undefined);
    const reply = await store.getState().reorder();
    setWorking(false);
    // On success the new order is open in this panel.
    if (!reply.ok) setProblem(reply.error);
  };
  return (
    <div className="reorder" role="group" aria-label="Reorder">
      {asking ? (
        <>
          <p>
            {dispatch.partner_name} ships the same prescriptions again, as a new order on the board (for a package lost or damaged on the way). Reorder?
          </p>
          <div className="actions">
            <button type="button" autoFocus disabled={working} onClick={() => void reorder()}>
              {working ? 'Reordering…' : `Yes, reorder from ${dispatch.partner_name}`}
            </button>
            <button type="button" className="secondary" disabled={working} onClick={() => setAsking(false)}>
              No
            </button>
          </div>
        </>
      ) : (
        <div className="actions">
          <button type="button" className="secondary" onClick={() => setAsking(true)}>
            Reorder…
          </button>
        </div>
      )}
      {problem && (
        <div className="error" role="alert">
          <p>Not reordered: {problem.message}</p>
          {problem.details && problem.details.length > 0 && (
            <ul>
              {problem.details.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

function SandboxControls({ store, dispatch }: { store: AppStore; dispatch: PartnerDispatchView }): JSX.Element | null {
  const sandbox = store((s) => s.info?.sandbox ?? false);
  const [working, setWorking] = useState(false);
  const [said, setSaid] = useState<string | undefined>();
  if (!sandbox || dispatch.state !== 'open') return null;
  // Honeybee's simulator holds an order (On Hold) rather than failing it.
  const actions = dispatch.partner === 'honeybee' ? (['advance', 'hold', 'cancel'] as const) : (['advance', 'fail', 'cancel'] as const);
  const act = async (action: (typeof actions)[number]) => {
    setWorking(true);
    const reply = await store.getState().sandboxPartnerOrder(dispatch.partner, action);
    setWorking(false);
    setSaid(reply.ok ? `The simulator now says: ${reply.value.partner_status.replaceAll('_', ' ')}.` : reply.error.message);
  };
  return (
    <div className="sandbox-controls" role="group" aria-label="Sandbox: partner simulator">
      <span className="badge sandbox">SANDBOX</span>
      <span>Make the {dispatch.partner_name} simulator:</span>
      {actions.map((action) => (
        <button key={action} type="button" disabled={working} onClick={() => void act(action)}>
          {action.charAt(0).toUpperCase() + action.slice(1)}
        </button>
      ))}
      {said && <span role="status">{said}</span>}
    </div>
  );
}
