import { useEffect, useRef, useState, type JSX } from 'react';
import type { OrderSummary } from '../../../src-shared/app-api-contract';
import { ORDER_LIST_FILTERS, PARTNER_DISPLAY_NAMES, type OrderListFilterName } from '../../../src-shared/app-api-contract';
import { ORDER_STATUSES, STATUS_LABELS, type OrderStatus } from '../../../src-shared/order-status';
import { originFlag } from '../partner-words';
import type { AppStore } from '../store/app-store';
import { StatusBadge } from './StatusBadge';

const money = (amount: number) => `$${amount.toFixed(2)}`;

const FILTER_NAMES: Record<OrderListFilterName, string> = {
  today: 'Today',
  needs_attention: 'Needs attention',
  refrigerated: 'Refrigerated',
  collect: 'Collect on delivery',
  ready_for_run: 'Not on a run yet',
};

export function OrderList({ store }: { store: AppStore }): JSX.Element {
  const { orders, total, loading, listError, statusFilter, quickFilters, query, selectedId, scanMessage } = store();
  const { setStatusFilter, setQuery, select, toggleQuickFilter } = store.getState();

  return (
    <section className="order-list" aria-label="Orders">
      <div className="filters">
        <label>
          Search
          <input
            type="search"
            value={query}
            placeholder="Name, address, order, tracking, Rx #"
            onChange={(e) => setQuery(e.target.value)}
          />
        </label>
        <label>
          Status
          <select value={statusFilter ?? ''} onChange={(e) => setStatusFilter((e.target.value || undefined) as OrderStatus | undefined)}>
            <option value="">All</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="quick-filters" role="group" aria-label="Quick filters">
        {ORDER_LIST_FILTERS.map((filter) => (
          <button key={filter} type="button" aria-pressed={quickFilters.includes(filter)} onClick={() => toggleQuickFilter(filter)}>
            {FILTER_NAMES[filter]}
          </button>
        ))}
      </div>
      {scanMessage && (
        <p className="scan-message" role="status">
          {scanMessage}
        </p>
      )}
      <p className="list-count" aria-live="polite">
        {loading && orders.length === 0 ? 'Loading…' : `${total} order${total === 1 ? '' : 's'}`}
      </p>
      {listError && (
        <p className="error" role="alert">
          {listError}
        </p>
      )}
      {!loading && !listError && orders.length === 0 && (
        <p className="empty">
          {query.trim() || statusFilter || quickFilters.length > 0
            ? 'No orders match this search or filter.'
            : 'No orders yet. Orders appear here as soon as BestRx sends them.'}
        </p>
      )}
      <VirtualOrderRows store={store} orders={orders} total={total} selectedId={selectedId} onSelect={(id) => void select(id)} />
    </section>
  );
}

/** Every row is this tall (CSS keeps it so), which is what lets the list draw only what is on screen. */
const ROW_HEIGHT = 76;
const OVERSCAN = 8;

/**
 * The board's rows, windowed: only the rows in view (and a few either side) are in the page,
 * over a spacer as tall as all of them, so 10,000 orders scroll like 10. Rows not loaded yet
 * are asked for as they come into view.
 */
function VirtualOrderRows(props: {
  store: AppStore;
  orders: Array<OrderSummary | undefined>;
  total: number;
  selectedId: string | undefined;
  onSelect: (id: string) => void;
}): JSX.Element {
  const { store, orders, total, selectedId, onSelect } = props;
  const viewport = useRef<HTMLDivElement>(null);
  const [range, setRange] = useState({ start: 0, end: 30 });

  useEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const measure = () => {
      const start = Math.max(0, Math.floor(element.scrollTop / ROW_HEIGHT) - OVERSCAN);
      const end = Math.min(total, Math.ceil((element.scrollTop + element.clientHeight) / ROW_HEIGHT) + OVERSCAN);
      setRange((current) => (current.start === start && current.end === end ? current : { start, end }));
    };
    measure();
    element.addEventListener('scroll', measure, { passive: true });
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => {
      element.removeEventListener('scroll', measure);
      observer.disconnect();
    };
  }, [total]);

  useEffect(() => store.getState().loadRange(range.start, range.end), [store, range, total]);

  const rows: JSX.Element[] = [];
  for (let index = range.start; index < Math.min(range.end, total); index++) {
    const order = orders[index];
    rows.push(
      <li key={order?.id ?? `row-${index}`} aria-setsize={total} aria-posinset={index + 1} style={{ transform: `translateY(${index * ROW_HEIGHT}px)` }}>
        {order ? (
          <OrderRow order={order} selected={order.id === selectedId} onSelect={onSelect} />
        ) : (
          <div className="order-row placeholder" aria-busy="true">
            Loading…
          </div>
        )}
      </li>,
    );
  }
  return (
    <div className="orders-viewport" ref={viewport}>
      <ul className="orders" style={{ height: total * ROW_HEIGHT }}>
        {rows}
      </ul>
    </div>
  );
}

function OrderRow({ order, selected, onSelect }: { order: OrderSummary; selected: boolean; onSelect: (id: string) => void }): JSX.Element {
  const origin = originFlag(order.origin);
  // An order the partner made itself is with that partner: its flag says so, unless the partner gave up.
  const partnerFlag = order.partner && (order.partner.partner !== order.origin || order.partner.state === 'failed');
  return (
    <button type="button" className={`order-row${selected ? ' selected' : ''}`} aria-current={selected} onClick={() => onSelect(order.id)}>
      <span className="order-row-main">
        <strong>{order.recipient_name}</strong>
        <span>
          {order.address.address_line_1}, {order.address.city} {order.address.zip_code}
        </span>
      </span>
      <span className="order-row-meta">
        <StatusBadge status={order.status} />
        <span className="order-id">{order.id}</span>
        <span className="flags">
          {order.amount_to_collect > 0 && <span className="flag">Collect {money(order.amount_to_collect)}</span>}
          {order.flags.refrigeration_needed && <span className="flag">Fridge</span>}
          {order.return_requested && <span className="flag warning">Return</span>}
          {origin && <span className="flag origin">{origin}</span>}
          {order.partner && partnerFlag && (
            <span className={order.partner.state === 'failed' ? 'flag warning' : 'flag'}>
              {PARTNER_DISPLAY_NAMES[order.partner.partner]}
              {order.partner.state === 'failed' ? ': gave up' : ''}
            </span>
          )}
        </span>
      </span>
    </button>
  );
}
