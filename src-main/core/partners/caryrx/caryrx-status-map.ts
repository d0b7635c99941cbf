// CaryRx's order statuses and what each means for RxRelay's order and for BestRx: the one table
// for this partner. CaryRx publishes no status list (vendor-facts §4.6: only "pending" and
// "ready_to_fill" are seen); the names below are ASSUMPTIONS defined once in caryrx-api.ts.
// Same-day orders go out with CaryRx's courier (out_for_delivery); mail orders ship (shipped).
import type { PartnerStatusMeaning } from '../partner-connector';
import type { CaryRxOrderStatus } from './caryrx-api';

export const CARYRX_STATUS_MEANINGS: Record<CaryRxOrderStatus, PartnerStatusMeaning> = {
  pending: { status: 'acknowledged', final: false, failed: false, rank: 0, describe: 'CaryRx received the order.' },
  ready_to_fill: { status: 'acknowledged', final: false, failed: false, rank: 1, describe: 'CaryRx is ready to fill the order.' },
  filling: { status: 'acknowledged', final: false, failed: false, rank: 2, describe: 'CaryRx is filling the order.' },
  filled: { status: 'acknowledged', final: false, failed: false, rank: 3, describe: 'CaryRx filled the order.' },
  shipped: { status: 'in_transit', final: false, failed: false, rank: 4, describe: 'CaryRx shipped the order.' },
  out_for_delivery: { status: 'out_for_delivery', final: false, failed: false, rank: 5, describe: "CaryRx's courier is out with the order." },
  delivered: { status: 'delivered', final: true, failed: false, rank: 6, describe: 'CaryRx delivered the order.' },
  cancelled: { status: null, final: true, failed: true, rank: 7, describe: 'CaryRx cancelled the order.' },
  failed: { status: null, final: true, failed: true, rank: 7, describe: 'CaryRx could not fill the order.' },
};
