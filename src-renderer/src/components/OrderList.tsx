import type { JSX } from 'react';
import { ORDER_LIST_FILTERS, type OrderListFilterName } from '../../../src-shared/app-api-contract';
import { ORDER_STATUSES, STATUS_LABELS, type OrderStatus } from '../../../src-shared/order-status';
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
      <ul className="orders">
        {orders.map((order) => (
          <li key={order.id}>
            <button
              type="button"
              className={`order-row${order.id === selectedId ? ' selected' : ''}`}
              aria-current={order.id === selectedId}
              onClick={() => void select(order.id)}
            >
              <span className="order-row-main">
                <strong>{order.recipient_name}</strong>
                <span>
                  {order.address.address_line_1}, {order.address.city} {order.address.zip_code}
                </span>
              </span>
              <span className="order-row-meta">
                <StatusBadge status={order.status} />
                <span className="order-id">{order.id}</span>
                {order.amount_to_collect > 0 && <span className="flag">Collect {money(order.amount_to_collect)}</span>}
                {order.flags.refrigeration_needed && <span className="flag">Fridge</span>}
                {order.return_requested && <span className="flag warning">Return</span>}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
