// United Pharmacy's order statuses (seed, "Order Statuses") and what each means for RxRelay's
// order and for BestRx: the one table for this partner. United's pharmacy fills and ships the
// order, so "shipped" is the package leaving (BestRx hears Picked Up, then In Transit with the
// carrier and tracking number) and "delivered" is the carrier's delivery. United's cancelled,
// failed and refunded all mean the same to the pharmacy: United will not deliver it, and staff
// take the order back (deliver in-house, or send it to another partner).
import type { PartnerStatusMeaning } from '../partner-connector';
import type { UnitedOrderStatus } from './united-api';

export const UNITED_STATUS_MEANINGS: Record<UnitedOrderStatus, PartnerStatusMeaning> = {
  pending: { status: 'acknowledged', final: false, failed: false, rank: 0, describe: 'United Pharmacy received the order.' },
  confirmed: { status: 'acknowledged', final: false, failed: false, rank: 1, describe: "United Pharmacy's pharmacy confirmed the order." },
  processing: { status: 'acknowledged', final: false, failed: false, rank: 2, describe: 'United Pharmacy is preparing the order.' },
  shipped: { status: 'in_transit', final: false, failed: false, rank: 3, describe: 'United Pharmacy shipped the order.' },
  delivered: { status: 'delivered', final: true, failed: false, rank: 4, describe: 'United Pharmacy delivered the order.' },
  cancelled: { status: null, final: true, failed: true, rank: 5, describe: 'United Pharmacy cancelled the order.' },
  failed: { status: null, final: true, failed: true, rank: 5, describe: 'United Pharmacy could not fill the order.' },
  refunded: { status: null, final: true, failed: true, rank: 5, describe: 'United Pharmacy refunded the order.' },
};
