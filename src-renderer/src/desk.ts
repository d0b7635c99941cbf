// Who is at this desk, said the way the renderer needs it: which screen to show (the app, the
// sign-in, the lock), which views the signed-in role may open, and which replies mean the desk
// closed under us (idle lock in the core, signed out from elsewhere). The core decides all of it
// (staff accounts, issue 9); these only read its answers.
import type { AppApiError, AppApiMethod, AuthStatus, StaffRoleName } from '../../src-shared/app-api-contract';

/** The app's views (the navigation in the header). */
export type View = 'board' | 'incoming' | 'runs' | 'sync' | 'settings' | 'audit';

/**
 * checking: the first auth.status has not answered yet (nothing is shown);
 * open: the app (no accounts yet, or someone signed in and unlocked);
 * sign-in: accounts exist and nobody is signed in; locked: the person signed in must unlock.
 */
export type DeskScreen = 'checking' | 'open' | 'sign-in' | 'locked';

export function deskScreen(auth: AuthStatus | undefined): DeskScreen {
  if (!auth) return 'checking';
  if (!auth.accounts_exist) return 'open';
  if (!auth.user) return 'sign-in';
  return auth.locked ? 'locked' : 'open';
}

/**
 * A reply that means this desk can no longer see anything: it locked (idle in the core, or by
 * hand) or nobody is signed in (signed out elsewhere, account disabled). Signing in and unlocking
 * answer with the same codes for a wrong PIN: those are the sign-in screen's own to show.
 */
export function closesDesk(method: AppApiMethod, error: AppApiError): boolean {
  return !method.startsWith('auth.') && (error.code === 'locked' || error.code === 'unauthorized');
}

/** What the desk looks like once the core refused a call with `error` (before auth.status confirms it). */
export function closedDesk(auth: AuthStatus | undefined, error: AppApiError): AuthStatus {
  const idle = auth?.idle_lock_minutes ?? 15;
  if (error.code === 'locked' && auth?.user) return { ...auth, accounts_exist: true, locked: true };
  return { accounts_exist: true, user: null, locked: false, idle_lock_minutes: idle };
}

export const ROLE_NAMES: Record<StaffRoleName, string> = {
  counter: 'Counter staff',
  courier: 'Courier',
  admin: 'Administrator',
};

const ALL: readonly StaffRoleName[] = ['counter', 'courier', 'admin'];
const DESK: readonly StaffRoleName[] = ['counter', 'admin'];
const ADMIN: readonly StaffRoleName[] = ['admin'];

/** Who may open each view: the roles the core allows its calls to (counter: the board, print,
 * dispatch, partners' day-to-day; courier: orders, delivery, runs; admin: everything). */
const VIEW_ROLES: Record<View, readonly StaffRoleName[]> = {
  board: ALL,
  incoming: DESK,
  runs: ALL,
  sync: DESK,
  settings: ADMIN,
  audit: ADMIN,
};

/** Until the first account exists the app is open: every view, as before accounts existed. */
export function mayShow(view: View, auth: AuthStatus | undefined): boolean {
  if (!auth?.accounts_exist) return true;
  return auth.user !== null && VIEW_ROLES[view].includes(auth.user.role);
}

/** Sending an order to a partner: counter staff and administrators (couriers deliver in-house). */
export function mayDispatch(auth: AuthStatus | undefined): boolean {
  return !auth?.accounts_exist || (auth.user !== null && DESK.includes(auth.user.role));
}

const FIELD_NAMES: Record<string, string> = {
  username: 'Username',
  display_name: 'Name',
  role: 'Role',
  secret: 'PIN or password',
  secret_kind: 'PIN or password',
  minutes: 'Idle lock',
  id: 'Account',
};

/** A problem the core named by field ("secret: a PIN is 6 to 12 digits.") in the form's words. */
export function staffProblemWords(problem: string): string {
  const match = /^([a-z_]+): (.*)$/s.exec(problem);
  if (!match) return problem;
  const field = FIELD_NAMES[match[1] ?? ''];
  const rest = match[2] ?? '';
  return field ? `${field}: ${rest.charAt(0).toLowerCase()}${rest.slice(1)}` : problem;
}

/** Every problem of a refused call, in the form's words: the details if any, else the message. */
export function staffProblems(error: AppApiError): string[] {
  return error.details && error.details.length > 0 ? error.details.map(staffProblemWords) : [error.message];
}

/** What the person types, checked before it goes to the core (which checks it again). */
export function secretHint(kind: 'pin' | 'password'): string {
  return kind === 'pin' ? '6 to 12 digits, not repeated or in a row (not 111111 or 123456).' : 'At least 10 characters.';
}

/**
 * A new PIN or password as typed twice, checked before it is sent: empty, the two differ, or not
 * the right shape. The core checks it again and also refuses one too easy to guess.
 */
export function newSecretProblems(kind: 'pin' | 'password', secret: string, again: string): string[] {
  const what = kind === 'pin' ? 'PIN' : 'password';
  if (!secret) return [`Enter the new ${what}.`];
  if (kind === 'pin' && !/^\d{6,12}$/.test(secret)) return ['PIN: 6 to 12 digits, and nothing else.'];
  if (kind === 'password' && secret.length < 10) return ['Password: at least 10 characters.'];
  if (secret !== again) return [`The two ${what}s differ: type the same ${what} twice.`];
  return [];
}
