// Builds BestRx's UpdateOrderStatus request (its shape is defined once, in
// update-order-status-schema.ts, which the BestRx simulator also checks every push against).
// Built once, when the order event is written, and stored with the push: what goes out is what
// was recorded at the door.
import type { OrderStatus } from '../../../src-shared/order-status';
import { resolveCodedName, type CodeTables, type CodedValue } from '../domain/code-tables';
import type { UpdateOrderStatusPayload } from './update-order-status-schema';

export type { UpdateOrderStatusPayload };

/** The proof an order event stores (see OrderService's storedProof). */
export interface StoredProof {
  signature_png_base64: string | null;
  signer: {
    relation: string;
    first_name: string;
    last_name: string;
    jurisdiction: string | null;
    id_type: string | null;
    id_no: string | null;
  } | null;
  consents: Array<{ consent_type: string | number | boolean | null; response: string }>;
  collected: { amount_cents: number; method: string } | null;
}

export interface StatusPushSource {
  order: {
    id: string;
    tracking_id: string;
    bestrx_pharmacy_id: string;
    bestrx_order_id: number;
    bestrx_unique_order_id: number;
  };
  event: {
    event_id: string;
    to_status: OrderStatus;
    captured_at: string;
    notes: string | null;
    proof: StoredProof | null;
  };
}

export function buildUpdateOrderStatusPayload(
  source: StatusPushSource,
  context: { codeTables: CodeTables; signatureUrl: (eventId: string) => string },
): UpdateOrderStatusPayload {
  const { order, event } = source;
  const tables = context.codeTables;
  const status = tables.status[event.to_status];
  const proof = event.proof;
  const signer = proof?.signer;
  const code = (table: Record<string, CodedValue>, name: string | null) => {
    if (!name) return '';
    const resolved = resolveCodedName(table, name);
    return resolved ? (table[resolved]?.code ?? '') : '';
  };
  return {
    bestrx_pharmacy_id: order.bestrx_pharmacy_id,
    bestrx_order_id: order.bestrx_order_id,
    bestrx_unique_order_id: order.bestrx_unique_order_id,
    provider_order_id: order.id,
    tracking_id: order.tracking_id,
    order_status: {
      date: event.captured_at,
      status_code: status.code,
      status_Code_description: status.description,
      status_notes: statusNotes(event.notes, proof),
    },
    signature: proof?.signature_png_base64 ?? '',
    signature_url: proof?.signature_png_base64 ? context.signatureUrl(event.event_id) : '',
    signer_info: signer
      ? {
          relation: code(tables.relation, signer.relation),
          first_name: signer.first_name,
          last_name: signer.last_name,
          jurisdiction: signer.jurisdiction ?? '',
          id_type: code(tables.idType, signer.id_type),
          id_no: signer.id_no ?? '',
        }
      : null,
    consent_info: (proof?.consents ?? []).map((c) => ({ consent_type: c.consent_type, consent_response: c.response })),
  };
}

/** What staff wrote, and on delivery what was collected (BestRx has no field for it). */
function statusNotes(notes: string | null, proof: StoredProof | null): string {
  const parts = [notes ?? ''];
  if (proof?.collected) parts.push(`Collected $${(proof.collected.amount_cents / 100).toFixed(2)} (${proof.collected.method})`);
  return parts.filter(Boolean).join('. ');
}
