// The app API's method names and IPC channels, without the schemas: the preload needs only
// these, so it stays small and free of validation code (validation happens in main).
export const APP_API_METHODS = [
  'app.info',
  'settings.bestrxConnection',
  'orders.list',
  'orders.get',
  'orders.transition',
  'outbox.list',
  'outbox.retry',
  'outbox.skip',
  'documents.render',
  'documents.print',
  'documents.runSheet',
  'printers.list',
  'runs.create',
  'runs.list',
  'runs.advance',
  'sandbox.bestrxReceived',
  'sandbox.bestrxFault',
  'settings.get',
  'settings.regenerateBestrxCredentials',
  'settings.codeTables',
  'settings.update',
  'settings.updateCodeTables',
  'orders.dispatch',
  'partners.status',
  'partners.syncNow',
  'partners.pharmacies',
  'partners.medications',
  'partners.configure',
  'partners.rotateCredentials',
  'sandbox.partnerOrder',
  'partners.patientPrescriptions',
  'partners.incomingPrescriptions',
  'partners.matchPrescription',
  'partners.dismissPrescription',
  'partners.changeShippingAddress',
  'partners.reorder',
  'sandbox.partnerPrescription',
  'auth.status',
  'auth.login',
  'auth.unlock',
  'auth.logout',
  'auth.lock',
  'staff.list',
  'staff.create',
  'staff.update',
  'staff.setIdleLock',
  'audit.list',
  'audit.verify',
  'audit.export',
  'backups.list',
  'backups.run',
  'diagnostics.export',
] as const;

export type AppApiMethod = (typeof APP_API_METHODS)[number];

export function isAppApiMethod(name: unknown): name is AppApiMethod {
  return typeof name === 'string' && (APP_API_METHODS as readonly string[]).includes(name);
}

export const IPC_CHANNELS = {
  call: 'rxrelay:call',
  event: 'rxrelay:event',
} as const;
