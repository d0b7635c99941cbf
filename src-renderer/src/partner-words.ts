// A partner hand-over and a partner connection, said the way the person at the counter needs
// them: where the order is, what went wrong, and whether RxRelay is still trying.
import { PARTNER_DISPLAY_NAMES, PARTNER_NAMES, type PartnerDispatchView, type PartnerName, type PartnerStatusView } from '../../src-shared/app-api-contract';

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

/** "partner_status" words for people: "shipped", "out_for_delivery" → "out for delivery". */
const spaced = (status: string) => status.replaceAll('_', ' ');

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
