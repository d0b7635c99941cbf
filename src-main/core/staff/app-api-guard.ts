// The app API's guard: staff sign-in and roles before a call, its audit row after (issue 9).
// Inputs are summarised by their field names and the record they are about, never copied: a
// search term or an address typed by staff stays out of the log's details.
import type { AppApiMethod } from '../../../src-shared/app-api-contract';
import type { AppApiGuard } from '../app-api/app-api';
import type { AuditLog } from '../audit/audit-log';
import { METHOD_POLICIES } from './permissions';
import type { StaffService } from './staff-service';

/** A desk the caller did not name (a script with the API token). */
const DEFAULT_DESK = 'local';

export function staffGuard(staff: StaffService, audit: AuditLog): AppApiGuard {
  return {
    authorize: (method, context) => ({ ...context, ...staff.authorize(method, context.desk ?? DEFAULT_DESK, context.actor) }),
    async record(method, input, context) {
      const category = METHOD_POLICIES[method].audit;
      if (!category) return;
      const fields = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
      // The board refreshing its list is not a look-up of a patient; a search is.
      if (method === 'orders.list' && !fields.q) return;
      await audit.append({ actor: context.actor, action: method, category, subject: subjectOf(method, fields), details: { fields: Object.keys(fields).sort() } });
    },
  };
}

function subjectOf(method: AppApiMethod, input: Record<string, unknown>): string | null {
  for (const key of ['id', 'order_id', 'prescription_id', 'push_id', 'run_id', 'partner'] as const) {
    const value = input[key];
    if (typeof value === 'string' || typeof value === 'number') return method.startsWith('staff.') ? `staff:${String(value)}` : String(value);
  }
  return null;
}
