// Stored rows → the shapes the app API promises (src-shared/app-api-contract.ts).
import {
  PARTNER_DISPLAY_NAMES,
  type OrderDetail,
  type OrderEventView,
  type OrderSummary,
  type DispatchState,
  type PartnerDispatchView,
  type PartnerAttention,
  type PartnerName,
  type PostalAddressView,
  type StatusPushView,
} from '../../../src-shared/app-api-contract';
import type { CodeTables } from '../domain/code-tables';
import { centsToDollars } from '../domain/money';
import { allowedTransitions } from '../domain/order-lifecycle';
import { recipientDisplayName, type OrderContent, type PartialPostalAddress } from '../domain/order-content';
import type { OrderEventRow, OrderStateRow, OrderSummaryRow } from '../storage/orders-repository';
import type { PartnerDispatchRow } from '../storage/partners-repository';

export function toOrderSummary(row: OrderSummaryRow): OrderSummary {
  return {
    id: row.id,
    tracking_id: row.tracking_id,
    bestrx_order_id: row.bestrx_order_id,
    bestrx_unique_order_id: row.bestrx_unique_order_id,
    status: row.status,
    recipient_name: recipientDisplayName(row),
    address: {
      address_line_1: row.address_line_1,
      address_line_2: row.address_line_2,
      city: row.city,
      state: row.state,
      zip_code: row.zip_code,
    },
    total_amount: centsToDollars(row.total_amount_cents),
    amount_to_collect: centsToDollars(row.amount_to_collect_cents),
    flags: {
      refrigeration_needed: row.refrigeration_needed === 1,
      signature_required: row.signature_required === 1,
      photo_id_required: row.photo_id_required === 1,
    },
    requested_delivery_date: row.requested_delivery_date,
    return_requested: row.return_requested_at !== null,
    run_id: row.run_id,
    partner: partnerOfSummary(row.partner_dispatch),
    origin: row.origin,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function partnerOfSummary(value: string | null): OrderSummary['partner'] {
  if (!value) return null;
  const [partner, state] = value.split(':') as [PartnerName, DispatchState];
  return { partner, state };
}

function partialAddressView(address: PartialPostalAddress | null): PostalAddressView | null {
  if (!address) return null;
  return {
    address_line_1: address.address_line_1 ?? '',
    address_line_2: address.address_line_2,
    city: address.city ?? '',
    state: address.state ?? '',
    zip_code: address.zip_code ?? '',
  };
}

const nullableDollars = (cents: number | null) => (cents === null ? null : centsToDollars(cents));

export function toOrderEventView(row: OrderEventRow): OrderEventView {
  return {
    event_id: row.event_id,
    type: row.type,
    from_status: row.from_status,
    to_status: row.to_status,
    actor: row.actor,
    device_id: row.device_id,
    captured_at: row.captured_at,
    recorded_at: row.recorded_at,
    notes: row.notes,
    proof: row.proof_json === null ? null : (JSON.parse(row.proof_json) as unknown),
  };
}

export function toOrderDetail(
  state: OrderStateRow,
  content: OrderContent,
  events: OrderEventRow[],
  pushes: StatusPushView[],
  codeTables: CodeTables,
  runId: string | null,
  partner: PartnerDispatchView | null,
): OrderDetail {
  const r = content.recipient;
  const status = codeTables.status[state.status];
  return {
    id: state.id,
    tracking_id: state.tracking_id,
    bestrx_order_id: content.bestrx_order_id,
    bestrx_unique_order_id: content.bestrx_unique_order_id,
    bestrx_pharmacy_id: content.bestrx_pharmacy_id,
    status: state.status,
    status_code: status.code,
    status_description: status.description,
    recipient_name: recipientDisplayName(r),
    address: r.address,
    total_amount: centsToDollars(content.total_amount_cents),
    amount_to_collect: centsToDollars(content.amount_to_collect_cents),
    prescription_amount: centsToDollars(content.prescription_amount_cents),
    otc_amount: centsToDollars(content.otc_amount_cents),
    tax_amount: centsToDollars(content.tax_amount_cents),
    declared_amount: centsToDollars(content.declared_amount_cents),
    flags: {
      refrigeration_needed: content.refrigeration_needed,
      signature_required: content.signature_required,
      photo_id_required: content.photo_id_required,
    },
    pickup_date: content.pickup_date,
    requested_delivery_date: content.requested_delivery_date,
    service_level: content.service_level,
    delivery_notes: content.delivery_notes,
    package: { height: content.height, width: content.width, length: content.length, weight: content.weight },
    store: { ...content.store, address: partialAddressView(content.store.address) },
    recipient: { ...r },
    customers: content.customers.map((c) => ({ ...c, address: partialAddressView(c.address) })),
    prescriptions: content.prescriptions.map((p) => ({
      customer_unique_id: p.customer_unique_id,
      rx_number: p.rx_number,
      fill_date: p.fill_date,
      amount_due: nullableDollars(p.amount_due_cents),
      partial_fill_seqno: p.partial_fill_seqno,
    })),
    otc_items: content.otc_items.map((o) => ({
      customer_unique_id: o.customer_unique_id,
      upc: o.upc,
      item_description: o.item_description,
      quantity: o.quantity,
      amount_due: nullableDollars(o.amount_due_cents),
    })),
    consents: content.consents.map((c) => ({ ...c })),
    return_requested: state.return_requested_at !== null,
    run_id: runId,
    origin: state.origin,
    created_at: state.created_at,
    updated_at: state.updated_at,
    events: events.map(toOrderEventView),
    // An order with a partner moves only as the partner reports: staff have nothing to do to it.
    allowed_transitions:
      partner && (partner.state === 'dispatching' || partner.state === 'open')
        ? []
        : allowedTransitions({ status: state.status, returnRequested: state.return_requested_at !== null }),
    pushes,
    partner,
  };
}

export function toPartnerDispatchView(row: PartnerDispatchRow): PartnerDispatchView {
  return {
    id: row.id,
    partner: row.partner,
    partner_name: PARTNER_DISPLAY_NAMES[row.partner],
    state: row.state,
    step: row.state === 'dispatching' ? row.step : null,
    refs: JSON.parse(row.refs_json) as Record<string, string>,
    partner_status: row.partner_status,
    carrier: row.carrier,
    tracking: row.tracking,
    tracking_url: row.tracking_url,
    attention: row.attention_json && (row.state === 'open' || row.state === 'dispatching') ? (JSON.parse(row.attention_json) as PartnerAttention) : null,
    attempts: row.attempts,
    next_attempt_at: row.state === 'dispatching' || row.state === 'open' ? row.next_attempt_at : null,
    last_error: row.last_error,
    created_at: row.created_at,
    created_by: row.created_by,
    updated_at: row.updated_at,
  };
}
