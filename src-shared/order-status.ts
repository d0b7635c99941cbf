// The order lifecycle's vocabulary, shared by the core, the preload and the renderer.
// The rules that decide whether a transition may happen live in the core
// (src-main/core/domain/order-lifecycle.ts); this module only names the states.

export const ORDER_STATUSES = [
  'created',
  'acknowledged',
  'picked_up',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'attempted',
  'unable_to_deliver',
  'returned',
  'cancelled',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Every status an order can be moved to (an order is only ever *created* by BestRx). */
export const TRANSITION_TARGETS = ORDER_STATUSES.filter((s): s is Exclude<OrderStatus, 'created'> => s !== 'created');

export type TransitionTarget = Exclude<OrderStatus, 'created'>;

export const STATUS_LABELS: Record<OrderStatus, string> = {
  created: 'Created',
  acknowledged: 'Acknowledged',
  picked_up: 'Picked up',
  in_transit: 'In transit',
  out_for_delivery: 'Out for delivery',
  delivered: 'Delivered',
  attempted: 'Delivery attempted',
  unable_to_deliver: 'Unable to deliver',
  returned: 'Returned to pharmacy',
  cancelled: 'Cancelled',
};

/** Statuses before the courier has the package: BestRx may still amend or cancel outright. */
export const PRE_PICKUP_STATUSES: readonly OrderStatus[] = ['created', 'acknowledged'];

/** Statuses after which nothing more happens to the order. */
export const FINAL_STATUSES: readonly OrderStatus[] = ['delivered', 'returned', 'cancelled'];
