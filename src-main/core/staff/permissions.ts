// Who may call each app API method, and what the audit log records of it. One table, typed over
// every method: a new method does not compile until someone decides both.
//
// Roles (product spec, "Who uses it"): counter staff run the board, print, dispatch and hand
// orders to partners; couriers see orders and capture delivery; administrators do all of that
// and connect BestRx and partners, manage staff and read the audit log.
import type { AppApiMethod } from '../../../src-shared/app-api-contract';
import type { AuditCategory } from '../storage/audit-repository';
import type { StaffRole } from '../storage/staff-repository';

export interface MethodPolicy {
  /** Roles allowed; 'anyone' needs no sign-in at all (signing in itself, what the app is). */
  roles: readonly StaffRole[] | 'anyone';
  /** What the audit log records of a successful call; null: nothing (no patient data, no change). */
  audit: AuditCategory | null;
}

const ALL: readonly StaffRole[] = ['counter', 'courier', 'admin'];
const DESK: readonly StaffRole[] = ['counter', 'admin'];
const ADMIN: readonly StaffRole[] = ['admin'];

export const METHOD_POLICIES: Record<AppApiMethod, MethodPolicy> = {
  'app.info': { roles: 'anyone', audit: null },
  'auth.status': { roles: 'anyone', audit: null },
  'auth.login': { roles: 'anyone', audit: null },
  'auth.unlock': { roles: 'anyone', audit: null },
  'auth.logout': { roles: 'anyone', audit: null },
  'auth.lock': { roles: 'anyone', audit: null },
  'staff.list': { roles: ADMIN, audit: null },
  // The service records what changed (staff.created, staff.updated, staff.idle_lock_set): once is enough.
  'staff.create': { roles: ADMIN, audit: null },
  'staff.update': { roles: ADMIN, audit: null },
  'staff.setIdleLock': { roles: ADMIN, audit: null },
  'audit.list': { roles: ADMIN, audit: 'read' },
  'audit.verify': { roles: ADMIN, audit: null },
  'audit.export': { roles: ADMIN, audit: 'export' },
  'settings.bestrxConnection': { roles: ADMIN, audit: 'read' },
  'orders.list': { roles: ALL, audit: 'read' },
  'orders.get': { roles: ALL, audit: 'read' },
  'orders.transition': { roles: ALL, audit: 'change' },
  'outbox.list': { roles: DESK, audit: null },
  'outbox.retry': { roles: DESK, audit: 'change' },
  'outbox.skip': { roles: DESK, audit: 'change' },
  'documents.render': { roles: ALL, audit: 'export' },
  'documents.print': { roles: ALL, audit: 'print' },
  'documents.runSheet': { roles: ALL, audit: 'export' },
  'printers.list': { roles: ALL, audit: null },
  'runs.create': { roles: DESK, audit: 'change' },
  'runs.list': { roles: ALL, audit: 'read' },
  'runs.advance': { roles: ALL, audit: 'change' },
  'sandbox.bestrxReceived': { roles: DESK, audit: 'read' },
  'sandbox.bestrxFault': { roles: DESK, audit: 'change' },
  'settings.get': { roles: ALL, audit: null },
  'settings.regenerateBestrxCredentials': { roles: ADMIN, audit: 'change' },
  'settings.codeTables': { roles: ALL, audit: null },
  'settings.update': { roles: ADMIN, audit: 'change' },
  'settings.updateCodeTables': { roles: ADMIN, audit: 'change' },
  'orders.dispatch': { roles: DESK, audit: 'change' },
  'partners.status': { roles: DESK, audit: null },
  'partners.syncNow': { roles: DESK, audit: 'change' },
  'partners.pharmacies': { roles: DESK, audit: null },
  'partners.medications': { roles: DESK, audit: null },
  'partners.configure': { roles: ADMIN, audit: 'change' },
  'partners.rotateCredentials': { roles: ADMIN, audit: 'change' },
  'sandbox.partnerOrder': { roles: DESK, audit: 'change' },
  'partners.patientPrescriptions': { roles: DESK, audit: 'read' },
  'partners.incomingPrescriptions': { roles: DESK, audit: 'read' },
  'partners.matchPrescription': { roles: DESK, audit: 'change' },
  'partners.dismissPrescription': { roles: DESK, audit: 'change' },
  'partners.changeShippingAddress': { roles: DESK, audit: 'change' },
  'partners.reorder': { roles: DESK, audit: 'change' },
  'sandbox.partnerPrescription': { roles: DESK, audit: 'change' },
  'backups.list': { roles: ADMIN, audit: null },
  // A backup is a full copy of the patient data (it stays in the data folder).
  'backups.run': { roles: ADMIN, audit: 'export' },
  'diagnostics.export': { roles: ADMIN, audit: 'export' },
};
