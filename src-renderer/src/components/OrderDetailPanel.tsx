import { useEffect, useRef, useState, type JSX } from 'react';
import type { OrderDetail, OrderEventView } from '../../../src-shared/app-api-contract';
import { PARTNER_DISPLAY_NAMES } from '../../../src-shared/app-api-contract';
import { STATUS_LABELS, type TransitionTarget } from '../../../src-shared/order-status';
import { mayDispatch } from '../desk';
import { actorName, originFlag } from '../partner-words';
import type { AppStore } from '../store/app-store';
import { DeliveryCapture } from './DeliveryCapture';
import { OrderDocuments } from './OrderDocuments';
import { OrderConsents, OrderItems, OrderParticulars, OrderPushes } from './OrderParts';
import { PartnerDispatch } from './PartnerDispatch';
import { PartnerProgress } from './PartnerProgress';
import { StatusBadge } from './StatusBadge';

const money = (amount: number) => `$${amount.toFixed(2)}`;
const NEEDS_REASON: readonly string[] = ['attempted', 'unable_to_deliver'];

const EVENT_LABELS: Record<OrderEventView['type'], string> = {
  created: 'Created',
  status_changed: 'Status changed',
  amended: 'Updated by BestRx',
  return_requested: 'Cancelled after pickup: return requested',
  label_printed: 'Printed',
  partner_dispatched: 'Sent to partner',
  partner_update: 'Partner update',
};

function eventLabel(event: OrderEventView): string {
  return event.type === 'status_changed' && event.to_status ? STATUS_LABELS[event.to_status] : EVENT_LABELS[event.type];
}

export function OrderDetailPanel({ store }: { store: AppStore }): JSX.Element {
  const { selectedId, detail, actionError, busy, focusDetail } = store();
  const dispatchAllowed = store((s) => mayDispatch(s.auth));
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Opened from another view or by a reorder: the button pressed is gone, so the order takes the focus.
  useEffect(() => {
    if (!focusDetail || !detail || detail.id !== selectedId) return;
    headingRef.current?.focus();
    store.setState({ focusDetail: false });
  }, [store, focusDetail, detail, selectedId]);
  if (!selectedId) return <section className="order-detail empty">Select an order to see its details.</section>;
  if (!detail) {
    return (
      <section className="order-detail" aria-busy="true">
        {actionError ? <p role="alert">{actionError.message}</p> : 'Loading…'}
      </section>
    );
  }
  const origin = originFlag(detail.origin);
  const maker = detail.origin === 'bestrx' ? undefined : PARTNER_DISPLAY_NAMES[detail.origin];
  return (
    <section className="order-detail" aria-label={`Order ${detail.id}`}>
      <header>
        <h2 ref={headingRef} tabIndex={-1}>
          {detail.recipient_name}
        </h2>
        <span className="header-flags">
          {origin && <span className="flag origin">{origin}</span>}
          <StatusBadge status={detail.status} />
        </span>
      </header>
      {maker && (
        <p className="origin-note">
          {maker} made this order itself from an e-prescription it received. BestRx did not send it: BestRx is told nothing about it, and {maker} fills and
          ships it.
        </p>
      )}
      {detail.return_requested && (
        <p className="notice" role="status">
          BestRx cancelled this order after pickup: bring the package back to the pharmacy.
        </p>
      )}
      <dl className="facts">
        <dt>Provider order</dt>
        <dd>{detail.id}</dd>
        <dt>Tracking</dt>
        <dd>{detail.tracking_id}</dd>
        {maker ? (
          <>
            <dt>Made by</dt>
            <dd>{maker} (no BestRx order)</dd>
          </>
        ) : (
          <>
            <dt>BestRx order</dt>
            <dd>
              {detail.bestrx_order_id} / {detail.bestrx_unique_order_id}
            </dd>
          </>
        )}
        <dt>Deliver to</dt>
        <dd>
          {detail.recipient.address.address_line_1}
          {detail.recipient.address.address_line_2 ? `, ${detail.recipient.address.address_line_2}` : ''}, {detail.recipient.address.city},{' '}
          {detail.recipient.address.state} {detail.recipient.address.zip_code}
        </dd>
        <dt>Phone</dt>
        <dd>{detail.recipient.mobile_phone ?? detail.recipient.home_phone ?? '—'}</dd>
        <dt>Collect</dt>
        <dd>{money(detail.amount_to_collect)}</dd>
        <dt>Requirements</dt>
        <dd>
          {[
            detail.flags.signature_required && 'signature',
            detail.flags.photo_id_required && 'photo ID',
            detail.flags.refrigeration_needed && 'refrigerate',
            detail.consents.length > 0 && `${detail.consents.length} consent(s)`,
          ]
            .filter(Boolean)
            .join(', ') || 'none'}
        </dd>
        {detail.delivery_notes && (
          <>
            <dt>Notes</dt>
            <dd>{detail.delivery_notes}</dd>
          </>
        )}
      </dl>
      <PartnerProgress detail={detail} store={store} />
      <TransitionActions detail={detail} store={store} busy={busy} />
      {/* Keyed: another order starts with an empty form. */}
      {dispatchAllowed && <PartnerDispatch key={detail.id} detail={detail} store={store} />}
      {actionError && (
        <div className="error" role="alert">
          {actionError.details && actionError.details.length > 1 ? (
            <ul>
              {actionError.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          ) : (
            <p>{actionError.message}</p>
          )}
        </div>
      )}
      <OrderItems detail={detail} />
      <OrderConsents detail={detail} />
      <OrderDocuments store={store} orderId={detail.id} />
      <OrderPushes detail={detail} />
      <OrderParticulars detail={detail} />
      <h3>Timeline</h3>
      <ol className="timeline" aria-label="Timeline">
        {detail.events.map((event) => (
          <li key={event.event_id}>
            <time dateTime={event.captured_at}>{new Date(event.captured_at).toLocaleString()}</time>{' '}
            <strong>{eventLabel(event)}</strong>{' '}
            by {actorName(event.actor)}
            <span className="device"> on device {event.device_id.slice(0, 8)}</span>
            {event.notes ? ` — ${event.notes}` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}

function TransitionActions({ detail, store, busy }: { detail: OrderDetail; store: AppStore; busy: boolean }): JSX.Element | null {
  const [pending, setPending] = useState<TransitionTarget | undefined>();
  const [notes, setNotes] = useState('');
  const [capturing, setCapturing] = useState(false);
  if (detail.allowed_transitions.length === 0) return null;
  // "Delivered" is recorded with its proof, captured at the door.
  if (capturing) return <DeliveryCapture detail={detail} store={store} onClose={() => setCapturing(false)} />;

  const run = async (to: TransitionTarget, withNotes?: string) => {
    const ok = await store.getState().transition(to, withNotes);
    if (ok) {
      setPending(undefined);
      setNotes('');
    }
  };

  return (
    <div className="actions" role="group" aria-label="Status actions">
      {detail.allowed_transitions.map((to) => (
        <button
          key={to}
          type="button"
          disabled={busy}
          onClick={() =>
            to === 'delivered' ? setCapturing(true) : NEEDS_REASON.includes(to) ? setPending(to as TransitionTarget) : void run(to as TransitionTarget)
          }
        >
          {STATUS_LABELS[to]}
        </button>
      ))}
      {pending && (
        <form
          className="reason-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(pending, notes.trim());
          }}
        >
          <label>
            Reason ({STATUS_LABELS[pending].toLowerCase()})
            <input autoFocus value={notes} onChange={(e) => setNotes(e.target.value)} required maxLength={1000} />
          </label>
          <button type="submit" disabled={busy || !notes.trim()}>
            Save
          </button>
          <button type="button" onClick={() => setPending(undefined)}>
            Cancel
          </button>
        </form>
      )}
    </div>
  );
}
