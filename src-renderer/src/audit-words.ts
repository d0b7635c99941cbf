// The audit log's rows in words: what was done ("Opened an order"), and the little it records
// about it (which fields were sent, never their values: the core keeps patient data out of it).
import { PARTNER_DISPLAY_NAMES, PARTNER_NAMES, type AuditEntryView, type PartnerName } from '../../src-shared/app-api-contract';

const ACTIONS: Record<string, string> = {
  'auth.signed_in': 'Signed in',
  'auth.signed_out': 'Signed out',
  'auth.unlocked': 'Unlocked the screen',
  'auth.failed': 'Sign-in failed (wrong username or PIN/password)',
  'auth.locked_out': 'Locked out after too many wrong attempts',
  'staff.created': 'Created a staff account',
  'staff.updated': 'Changed a staff account',
  'staff.idle_lock_set': 'Set the idle lock',
  // The same changes as the app API call that asked for them (the core records both).
  'staff.create': 'Asked to create a staff account',
  'staff.update': 'Asked to change a staff account',
  'staff.setIdleLock': 'Asked to set the idle lock',
  'audit.list': 'Read the audit log',
  'audit.export': 'Exported the audit log',
  'orders.list': 'Searched the orders',
  'orders.get': 'Opened an order',
  'orders.transition': 'Changed an order’s status',
  'orders.dispatch': 'Sent an order to a partner',
  'documents.render': 'Viewed or downloaded a label or packing slip',
  'documents.print': 'Printed a label or packing slip',
  'documents.runSheet': 'Downloaded a run sheet',
  'runs.create': 'Made a courier run',
  'runs.list': 'Looked at the courier runs',
  'runs.advance': 'Moved a courier run on',
  'outbox.retry': 'Sent a status update to BestRx again',
  'outbox.skip': 'Skipped a status update to BestRx',
  'settings.bestrxConnection': 'Looked at the BestRx credentials',
  'settings.regenerateBestrxCredentials': 'Made a new BestRx password',
  'settings.update': 'Changed the settings',
  'settings.updateCodeTables': 'Changed the code tables',
  'partners.configure': 'Changed a partner connection',
  'partners.rotateCredentials': 'Rotated a partner’s credentials',
  'partners.syncNow': 'Synced a partner now',
  'partners.patientPrescriptions': 'Looked up a patient’s prescriptions at a partner',
  'partners.incomingPrescriptions': 'Looked at incoming prescriptions',
  'partners.matchPrescription': 'Matched an incoming prescription to an order',
  'partners.dismissPrescription': 'Set an incoming prescription aside',
  'partners.changeShippingAddress': 'Changed a shipping address at a partner',
  'partners.reorder': 'Reordered at a partner',
  'backups.run': 'Made a backup',
  'diagnostics.export': 'Exported a support bundle',
};

/** "Opened an order"; an order's own event ("order.label_printed") as "Order: label printed"; else the method. */
export function auditActionWords(action: string): string {
  const known = ACTIONS[action];
  if (known) return known;
  const event = /^order\.(.+)$/.exec(action)?.[1];
  if (event) return `Order: ${event.replaceAll('_', ' ')}`;
  return action;
}

export const CATEGORY_NAMES: Record<AuditEntryView['category'], string> = {
  read: 'Read',
  change: 'Change',
  export: 'Export',
  print: 'Print',
  access: 'Sign-in',
};

const isPartnerName = (name: string): name is PartnerName => (PARTNER_NAMES as readonly string[]).includes(name);

/** `staff:<id>` is an account (named when known), a partner by its name; anything else (an order id) as it is. */
export function auditSubjectWords(subject: string | null, staffNames: ReadonlyMap<string, string>): string {
  if (!subject) return '—';
  if (isPartnerName(subject)) return PARTNER_DISPLAY_NAMES[subject];
  const staffId = /^staff:(.+)$/.exec(subject)?.[1];
  if (staffId === undefined) return subject;
  const name = staffNames.get(staffId);
  return name ? `Staff: ${name}` : `Staff account ${staffId.slice(0, 8)}`;
}

/** The subject is an order (or another record) the log can be filtered by; staff accounts are filtered by user. */
export function isRecordSubject(subject: string | null): subject is string {
  return subject !== null && !subject.startsWith('staff:');
}

function value(v: unknown): string {
  if (Array.isArray(v)) return v.map(value).join(', ');
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The details in one line ("desk: headless-ui · fields: id, limit"); an empty list says nothing. */
export function auditDetailsWords(details: Record<string, unknown> | null): string {
  if (!details) return '';
  return Object.entries(details)
    .filter(([, v]) => !(Array.isArray(v) && v.length === 0))
    .map(([key, v]) => `${key.replaceAll('_', ' ')}: ${value(v)}`)
    .join(' · ');
}
