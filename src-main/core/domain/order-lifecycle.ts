// The order lifecycle as a state machine, and what "delivered" requires.
//
//   created → acknowledged → picked_up → in_transit → out_for_delivery → delivered
//   attempted → out_for_delivery (another try) | returned
//   unable_to_deliver → returned
//   cancelled only before pickup; after pickup a cancel brings the package back: returned.
//
// Skips along the forward path are allowed where a real delivery skips them: an in-house
// courier goes from picked up straight to out for delivery, and a carrier's shipment goes from
// in transit straight to delivered.
import type { OrderStatus } from '../../../src-shared/order-status';

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  created: ['acknowledged', 'picked_up', 'cancelled'],
  acknowledged: ['picked_up', 'cancelled'],
  picked_up: ['in_transit', 'out_for_delivery', 'returned'],
  in_transit: ['out_for_delivery', 'delivered', 'attempted', 'unable_to_deliver', 'returned'],
  out_for_delivery: ['delivered', 'attempted', 'unable_to_deliver', 'returned'],
  attempted: ['out_for_delivery', 'returned'],
  unable_to_deliver: ['returned'],
  delivered: [],
  returned: [],
  cancelled: [],
};

/** Once BestRx cancels an order that has left the pharmacy, the only way forward is back. */
const AFTER_RETURN_REQUESTED: readonly OrderStatus[] = ['returned'];

export interface LifecycleState {
  status: OrderStatus;
  returnRequested: boolean;
}

export function allowedTransitions(state: LifecycleState): OrderStatus[] {
  const next = NEXT[state.status];
  return state.returnRequested ? next.filter((s) => AFTER_RETURN_REQUESTED.includes(s)) : [...next];
}

/** Why `from → to` is refused, in words a counter clerk understands; undefined when allowed. */
export function transitionRefusal(state: LifecycleState, to: OrderStatus): string | undefined {
  if (allowedTransitions(state).includes(to)) return undefined;
  const from = state.status;
  if (from === to) return `The order is already ${describe(from)}.`;
  if (NEXT[from].length === 0) return `The order is ${describe(from)}; nothing more can happen to it.`;
  if (to === 'cancelled') return 'The package has left the pharmacy; it can no longer be cancelled, only returned.';
  if (state.returnRequested) return 'BestRx cancelled this order after pickup: the package must come back (returned).';
  const options = allowedTransitions(state).map(describe).join(', ');
  return `An order that is ${describe(from)} cannot become ${describe(to)}; it can become: ${options}.`;
}

function describe(status: OrderStatus): string {
  return status.replaceAll('_', ' ');
}

/** Facts about the order that decide what proof a delivery needs. */
export interface DeliveryRequirements {
  signatureRequired: boolean;
  photoIdRequired: boolean;
  amountToCollectCents: number;
  /** The consents BestRx sent, as `consent_type` values (raw, as sent) with their options. */
  consents: ReadonlyArray<{ consentType: unknown; options: readonly string[] }>;
}

/** Proof captured at the door, after names and codes were resolved. */
export interface DeliveryProof {
  signaturePng?: Buffer | undefined;
  signer?:
    | {
        relation: string;
        firstName: string;
        lastName: string;
        jurisdiction?: string | undefined;
        idType?: string | undefined;
        idNumber?: string | undefined;
      }
    | undefined;
  consents?: readonly ConsentAnswer[] | undefined;
  collected?: { amountCents: number; method: string } | undefined;
}

/**
 * Every reason the proof is not enough to mark the order delivered (empty when it is).
 * Consent answers are matched to the order's consents by `consent_type`, in order, so two
 * consents of the same type each need their own answer.
 */
export function missingDeliveryProof(requirements: DeliveryRequirements, proof: DeliveryProof): string[] {
  const problems: string[] = [];
  if (requirements.signatureRequired && !proof.signaturePng) {
    problems.push('A signature is required for this order.');
  }
  if ((requirements.signatureRequired || requirements.photoIdRequired) && !proof.signer) {
    problems.push("The signer's relation and name are required.");
  }
  if (requirements.photoIdRequired) {
    const signer = proof.signer;
    const missing = [
      !signer?.idType && 'ID type',
      !signer?.jurisdiction && 'issuing jurisdiction',
      !signer?.idNumber && 'ID number',
    ].filter(Boolean);
    if (missing.length > 0) problems.push(`A photo ID check is required: ${missing.join(', ')} missing.`);
  }
  problems.push(...matchConsentAnswers(requirements.consents, proof.consents ?? []).problems);
  if (requirements.amountToCollectCents > 0 && !proof.collected) {
    const dollars = (requirements.amountToCollectCents / 100).toFixed(2);
    problems.push(`$${dollars} must be collected: record the amount and payment method.`);
  }
  return problems;
}

export interface ConsentAnswer {
  consentType: unknown;
  response: string;
}

/**
 * Pairs each consent the order carries with its answer. Answers are matched by `consent_type`,
 * in order, so two consents of the same type each need their own answer; an answer must be one
 * of the consent's options when BestRx gave any.
 */
export function matchConsentAnswers(
  asked: DeliveryRequirements['consents'],
  answered: readonly ConsentAnswer[],
): { matched: Array<{ consentIndex: number; answer: ConsentAnswer }>; problems: string[] } {
  const problems: string[] = [];
  const matched: Array<{ consentIndex: number; answer: ConsentAnswer }> = [];
  const remaining = [...answered];
  asked.forEach((consent, index) => {
    const answerIndex = remaining.findIndex((a) => sameConsentType(a.consentType, consent.consentType));
    const answer = answerIndex < 0 ? undefined : remaining.splice(answerIndex, 1)[0];
    if (!answer) {
      problems.push(`Consent ${index + 1} (type ${String(consent.consentType)}) has no response.`);
      return;
    }
    const option = consent.options.find((o) => o.toLowerCase() === answer.response.toLowerCase());
    if (consent.options.length > 0 && option === undefined) {
      problems.push(`Consent ${index + 1}: "${answer.response}" is not one of its options (${consent.options.join(', ')}).`);
      return;
    }
    matched.push({ consentIndex: index, answer: { consentType: consent.consentType, response: option ?? answer.response } });
  });
  for (const extra of remaining) problems.push(`The order has no consent of type ${String(extra.consentType)} to answer.`);
  return { matched, problems };
}

/** BestRx sends consent_type as "0" in one place and 1 in another: compare by value, not type. */
export function sameConsentType(a: unknown, b: unknown): boolean {
  return String(a) === String(b);
}

/**
 * The shortest way forward from `from` to `to` along the allowed transitions: a partner that
 * reports "shipped" for an order RxRelay last saw acknowledged has picked it up, then put it in
 * transit, and BestRx hears both. Empty when the order is already there; undefined when `to`
 * cannot be reached (the order is past it, or on another branch).
 */
export function pathBetween(state: LifecycleState, to: OrderStatus): OrderStatus[] | undefined {
  if (state.status === to) return [];
  const cameFrom = new Map<OrderStatus, OrderStatus>();
  const queue: OrderStatus[] = [state.status];
  while (queue.length > 0) {
    const current = queue.shift() as OrderStatus;
    const next = current === state.status ? allowedTransitions(state) : allowedTransitions({ status: current, returnRequested: state.returnRequested });
    for (const candidate of next) {
      if (candidate === state.status || cameFrom.has(candidate)) continue;
      cameFrom.set(candidate, current);
      if (candidate === to) {
        const path: OrderStatus[] = [to];
        for (let at = current; at !== state.status; at = cameFrom.get(at) as OrderStatus) path.unshift(at);
        return path;
      }
      queue.push(candidate);
    }
  }
  return undefined;
}
