// A partner hand-over and a partner connection, said the way the person at the counter needs
// them: where the order is, what went wrong, and whether RxRelay is still trying.
import {
  PARTNER_DISPLAY_NAMES,
  PARTNER_NAMES,
  type IncomingPrescriptionView,
  type OrderSummary,
  type PartnerDispatchView,
  type PartnerName,
  type PartnerStatusView,
} from '../../src-shared/app-api-contract';

const isPartnerName = (name: string): name is PartnerName => (PARTNER_NAMES as readonly string[]).includes(name);

/** A timeline actor: partners by their name ("United Pharmacy"), anyone else as recorded. */
export function actorName(actor: string): string {
  return isPartnerName(actor) ? PARTNER_DISPLAY_NAMES[actor] : actor;
}

/** A time of day ("10:42"), or the date too when it is not today. */
export function clock(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  const sameDay = at.toDateString() === now.toDateString();
  return sameDay ? at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : at.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** "partner_status" words for people: "shipped", "out_for_delivery" → "out for delivery", Honeybee's "On Hold" → "on hold". */
const spaced = (status: string) => status.replaceAll('_', ' ').toLowerCase();

/** One line: where the order is with the partner. */
export function dispatchHeadline(p: PartnerDispatchView): string {
  const name = p.partner_name;
  switch (p.state) {
    case 'dispatching':
      return `Sending to ${name}${p.step ? ` (step: ${p.step})` : ''}`;
    case 'open':
      return `With ${name}${p.partner_status ? ` — ${spaced(p.partner_status)}` : ''}`;
    case 'finished':
      return `${name} is done with it${p.partner_status ? ` — ${spaced(p.partner_status)}` : ''}`;
    case 'failed': {
      // "United Pharmacy could not fill the order." → "United Pharmacy gave up: could not fill the order."
      const reason = p.last_error?.startsWith(`${name} `) ? p.last_error.slice(name.length + 1) : p.last_error;
      return `${name} gave up: ${reason ?? (p.partner_status ? spaced(p.partner_status) : 'no reason given')}`;
    }
  }
}

/** What staff should do now, if anything. */
export function dispatchAdvice(p: PartnerDispatchView, now: Date = new Date()): string | undefined {
  if (p.state === 'failed') return 'Take the order back: deliver it in-house, or send it to a partner again.';
  if (p.last_error && p.next_attempt_at) return `The last try failed: ${p.last_error}. RxRelay tries again at ${clock(p.next_attempt_at, now)}.`;
  if (p.last_error && p.state !== 'finished') return `The last try failed: ${p.last_error}. RxRelay keeps trying.`;
  return undefined;
}

/** The circuit breaker, in words. */
export function circuitWords(status: Pick<PartnerStatusView, 'circuit' | 'next_try_at'>, now: Date = new Date()): string {
  if (status.circuit === 'open') return `Paused after repeated failures${status.next_try_at ? ` until ${clock(status.next_try_at, now)}` : ''}`;
  if (status.circuit === 'half_open') return 'Trying again with one call before resuming';
  return 'Calls go through';
}

const ENVIRONMENT_WORDS: Record<string, string> = {
  development: 'Development',
  uat: 'UAT (user acceptance testing)',
  production: 'Production',
  sandbox: 'Sandbox (the local simulator)',
};

/** A partner's environment (CaryRx: the one its API key belongs to), in words. */
export function environmentWords(environment: string): string {
  return ENVIRONMENT_WORDS[environment] ?? environment;
}

/** The connection in one phrase: connected, failing, or not tried yet. */
export function connectionWords(status: Pick<PartnerStatusView, 'connected' | 'last_sync' | 'last_error'>): string {
  if (status.connected) return 'Connected';
  if (!status.last_sync && !status.last_error) return 'Not connected yet';
  return 'Not connected';
}

/**
 * A problem line from the core with its field names said the way the form labels them:
 * "patient_dob is required" → "Date of birth is required"; a validation message that repeats
 * its field ("details.patient_dob: patient_dob: use YYYY-MM-DD") names it once. `field` is the
 * first field the line names, to mark that input.
 */
export function fieldProblem<F extends string>(line: string, labels: Record<F, string>): { field: F | undefined; text: string } {
  const names = Object.keys(labels).join('|');
  const repeated = new RegExp(`^(?:\\w+\\.)*(${names}): (?=\\1\\b)`);
  let field: F | undefined;
  const text = line.replace(repeated, '').replace(new RegExp(`\\b(?:details\\.)?(${names})\\b`, 'g'), (_match, name: F, offset: number) => {
    field ??= name;
    const label = labels[name];
    return offset === 0 ? label : label.charAt(0).toLowerCase() + label.slice(1);
  });
  return { field, text: text.charAt(0).toUpperCase() + text.slice(1) };
}

// ---- Honeybee Health: incoming prescriptions, holds, reorders, its own orders ----------------

type Suggestion = IncomingPrescriptionView['suggestions'][number];

const SUGGESTION_REASONS: Record<Suggestion['reason'], string> = {
  partner_patient: 'same patient as before',
  email: 'matched by email',
  name: 'matched by name',
};

/** Why an order is suggested for a prescription: "matched by email". */
export function suggestionReasonWords(reason: Suggestion['reason']): string {
  return SUGGESTION_REASONS[reason];
}

/** The one-click match: "Match to Marcus Okafor (order P-1, matched by email)". */
export function suggestionLabel(s: Pick<Suggestion, 'recipient_name' | 'order_id' | 'reason'>): string {
  return `Match to ${s.recipient_name} (order ${s.order_id}, ${suggestionReasonWords(s.reason)})`;
}

/** The partner's patient by name, or undefined when the partner's record is not known (yet). */
export function prescriptionPatientName(p: Pick<IncomingPrescriptionView, 'patient'>): string | undefined {
  const name = [p.patient?.first_name, p.patient?.last_name].filter(Boolean).join(' ');
  return name || undefined;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A date of birth (YYYY-MM-DD) to compare with the patient: "January 1, 1960 (age 66)". */
export function dobWords(dob: string, now: Date = new Date()): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dob);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [];
  if (!year || !month || !day || month > 12 || day > 31) return dob;
  const birthdayPassed = now.getMonth() + 1 > month || (now.getMonth() + 1 === month && now.getDate() >= day);
  const age = now.getFullYear() - year - (birthdayPassed ? 0 : 1);
  return `${MONTHS[month - 1]} ${day}, ${year}${age >= 0 ? ` (age ${age})` : ''}`;
}

/** How many more fills the prescription allows: the first fill plus its refills, less those requested. */
export function fillsLeft(p: Pick<IncomingPrescriptionView, 'refills_left' | 'fills_requested'>): number {
  return Math.max(0, 1 + (p.refills_left ?? 0) - p.fills_requested);
}

/** Where an incoming prescription stands, in words. */
export function prescriptionStateWords(p: Pick<IncomingPrescriptionView, 'state' | 'matched_order_id' | 'fills_requested'>): string {
  switch (p.state) {
    case 'waiting':
      return 'Waiting for a match';
    case 'matched':
      return `Matched to order ${p.matched_order_id ?? '—'}: not sent yet`;
    case 'filled':
      return `Fill requested${p.fills_requested > 1 ? ` ${p.fills_requested} times` : ''}${p.matched_order_id ? ` (order ${p.matched_order_id})` : ''}`;
    case 'dismissed':
      return 'Set aside';
  }
}

/** A Honeybee order that has gone out (Shipped or Delivered) can be shipped again: a reorder. */
export function canReorder(p: Pick<PartnerDispatchView, 'partner' | 'partner_status'>): boolean {
  return p.partner === 'honeybee' && /^(shipped|delivered)$/i.test(p.partner_status?.trim() ?? '');
}

const SHORT_NAMES: Record<PartnerName, string> = { honeybee: 'Honeybee', united: 'United Pharmacy', caryrx: 'CaryRx' };

/** The flag of an order a partner made by itself ("From Honeybee"); none for BestRx's. */
export function originFlag(origin: OrderSummary['origin']): string | undefined {
  return origin === 'bestrx' ? undefined : `From ${SHORT_NAMES[origin]}`;
}

const ADDRESS_PARTS: Record<string, string> = {
  first_name: 'first name',
  last_name: 'last name',
  street1: 'street',
  street2: 'second line',
  city: 'city',
  state: 'state',
  zip: 'ZIP code',
  phone: 'phone',
};

const ITEM_PARTS: Record<string, string> = { quantity: 'packs', package_size: 'units per pack', prescription_id: 'prescription' };

/**
 * Honeybee's own field paths in a problem line, said as the dispatch form names them:
 * "patient.dob: …" → "patient_dob: …", "shipping.method_id" → "shipping_method", a fill item
 * ("items.0.quantity", or the app's "details.fill_items[0].quantity: quantity: …") → "fill_items
 * (Amoxicillin), packs: …", an address part → "Delivery address, ZIP code: …". `itemName` names the
 * n-th prescription being filled.
 */
export function honeybeeProblemLine(line: string, itemName: (index: number) => string | undefined = () => undefined): string {
  const item = (index: string, field: string) => {
    const name = itemName(Number(index)) ?? `prescription ${Number(index) + 1}`;
    return `fill_items (${name}), ${ITEM_PARTS[field] ?? field}`;
  };
  return line
    .replace(/^(?:details\.)?fill_items(?:\.(\d+)|\[(\d+)\])\.(quantity|package_size|prescription_id): (?:\3: )?/, (_m, dotted: string, bracketed: string, field: string) => `${item(dotted ?? bracketed, field)}: `)
    .replace(/^items(?:\.(\d+)|\[(\d+)\])\.(quantity|package_size|prescription_id)\b/, (_m, dotted: string, bracketed: string, field: string) => item(dotted ?? bracketed, field))
    .replace(/^patient\.(dob|email|gender)\b/, 'patient_$1')
    .replace(/^shipping\.method_id\b/, 'shipping_method')
    .replace(/^address\.(\w+)\b/, (_m, part: string) => `Delivery address, ${ADDRESS_PARTS[part] ?? part.replaceAll('_', ' ')}`);
}
