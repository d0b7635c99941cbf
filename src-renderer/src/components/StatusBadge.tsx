import type { JSX } from 'react';
import { STATUS_LABELS, type OrderStatus } from '../../../src-shared/order-status';

export function StatusBadge({ status }: { status: OrderStatus }): JSX.Element {
  return <span className={`status status-${status}`} data-testid="status-badge">{STATUS_LABELS[status]}</span>;
}
