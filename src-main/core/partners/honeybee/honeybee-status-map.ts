// Honeybee Health's order statuses and what each means for RxRelay's order and for BestRx: the
// one table for this partner. The statuses are published (vendor-facts.md §1.10, title case,
// read case-insensitively by normalizeHoneybeeStatus). On Hold moves nothing: Honeybee waits for
// the pharmacy, and the order shows why (ORDER_EXCEPTION) until Honeybee moves on. It ranks with
// Filling because an order leaves a hold back to Filling (or to Canceled).
import type { PartnerStatusMeaning } from '../partner-connector';
import type { HoneybeeOrderStatus } from './honeybee-api';

export const HONEYBEE_STATUS_MEANINGS: Record<HoneybeeOrderStatus, PartnerStatusMeaning> = {
  Processing: { status: 'acknowledged', final: false, failed: false, rank: 0, describe: 'Honeybee Health accepted the order and queued it.' },
  Filling: { status: 'acknowledged', final: false, failed: false, rank: 1, describe: 'Honeybee Health is filling the order.' },
  'On Hold': { status: null, final: false, failed: false, rank: 1, describe: 'Honeybee Health put the order on hold' },
  Shipped: { status: 'in_transit', final: false, failed: false, rank: 2, describe: 'Honeybee Health shipped the order.' },
  Delivered: { status: 'delivered', final: true, failed: false, rank: 3, describe: 'Honeybee Health delivered the order.' },
  Canceled: { status: null, final: true, failed: true, rank: 4, describe: 'Honeybee Health cancelled the order.' },
};
