import { describe, expect, it } from 'vitest';
import { closedDesk, closesDesk, deskScreen, mayDispatch, mayShow, newSecretProblems, staffProblems, staffProblemWords, type View } from '../../../src-renderer/src/desk';
import type { AuthStatus } from '../../../src-shared/app-api-contract';

const open: AuthStatus = { accounts_exist: false, user: null, locked: false, idle_lock_minutes: 15 };
const signedOut: AuthStatus = { accounts_exist: true, user: null, locked: false, idle_lock_minutes: 10 };
const as = (role: 'counter' | 'courier' | 'admin', locked = false): AuthStatus => ({
  accounts_exist: true,
  user: { username: role, display_name: `The ${role}`, role, secret_kind: 'pin' },
  locked,
  idle_lock_minutes: 10,
});

describe('which screen the desk shows', () => {
  it('is the app before any account exists, then sign-in, the app, or the lock screen', () => {
    expect(deskScreen(undefined)).toBe('checking');
    expect(deskScreen(open)).toBe('open');
    expect(deskScreen(signedOut)).toBe('sign-in');
    expect(deskScreen(as('counter'))).toBe('open');
    expect(deskScreen(as('counter', true))).toBe('locked');
  });

  it('closes on `locked` and `unauthorized` from any call but signing in and unlocking', () => {
    const locked = { code: 'locked', message: 'The screen locked after 10 minutes without use.' } as const;
    const unauthorized = { code: 'unauthorized', message: 'Sign in with your staff account first.' } as const;
    expect(closesDesk('orders.list', locked)).toBe(true);
    expect(closesDesk('staff.list', unauthorized)).toBe(true);
    expect(closesDesk('orders.get', { code: 'forbidden', message: 'Couriers cannot do this.' })).toBe(false);
    expect(closesDesk('orders.get', { code: 'not_found', message: 'No such order.' })).toBe(false);
    // A wrong PIN on the lock screen is that screen's to show, not a reason to sign out.
    expect(closesDesk('auth.unlock', unauthorized)).toBe(false);
    expect(closesDesk('auth.login', locked)).toBe(false);
  });

  it('goes to the lock screen for the same person, or to sign-in, before the core confirms it', () => {
    expect(closedDesk(as('counter'), { code: 'locked', message: '' })).toEqual(as('counter', true));
    expect(closedDesk(as('counter'), { code: 'unauthorized', message: '' })).toEqual(signedOut);
    // Accounts were created at another desk while this one was open.
    expect(closedDesk(open, { code: 'unauthorized', message: '' })).toEqual({ ...signedOut, idle_lock_minutes: 15 });
    expect(closedDesk(undefined, { code: 'locked', message: '' })).toEqual({ ...signedOut, idle_lock_minutes: 15 });
  });
});

describe('the views each role may open', () => {
  const views: View[] = ['board', 'incoming', 'runs', 'sync', 'settings', 'audit'];
  const allowed = (auth: AuthStatus | undefined) => views.filter((view) => mayShow(view, auth));

  it('follows the core: counter the desk work, courier orders and runs, admin everything', () => {
    expect(allowed(as('counter'))).toEqual(['board', 'incoming', 'runs', 'sync']);
    expect(allowed(as('courier'))).toEqual(['board', 'runs']);
    expect(allowed(as('admin'))).toEqual(views);
  });

  it('lets counter staff and administrators send orders to partners, not couriers', () => {
    expect([open, as('counter'), as('courier'), as('admin'), signedOut].map(mayDispatch)).toEqual([true, true, false, true, false]);
  });

  it('is every view before any account exists, and none when signed out', () => {
    expect(allowed(open)).toEqual(views);
    expect(allowed(signedOut)).toEqual([]);
  });
});

describe('staff form problems in the form’s words', () => {
  it('names the field as the form does', () => {
    expect(staffProblemWords('secret: a PIN is 6 to 12 digits.')).toBe('PIN or password: a PIN is 6 to 12 digits.');
    expect(staffProblemWords('username: "maria" is taken.')).toBe('Username: "maria" is taken.');
    expect(staffProblemWords('role: the first account must be an administrator (admin), who then adds everyone else.')).toBe(
      'Role: the first account must be an administrator (admin), who then adds everyone else.',
    );
    expect(staffProblemWords('RxRelay needs at least one active administrator: make someone else an administrator first.')).toBe(
      'RxRelay needs at least one active administrator: make someone else an administrator first.',
    );
  });

  it('lists the details of a refused call, or its message', () => {
    expect(staffProblems({ code: 'invalid_input', message: 'x', details: ['secret: that PIN is too easy to guess (repeated or consecutive digits).'] })).toEqual([
      'PIN or password: that PIN is too easy to guess (repeated or consecutive digits).',
    ]);
    expect(staffProblems({ code: 'locked', message: 'Too many wrong attempts: the account is locked for 15 minutes (an administrator can unlock it).' })).toEqual([
      'Too many wrong attempts: the account is locked for 15 minutes (an administrator can unlock it).',
    ]);
  });

  it('checks a new PIN or password typed twice before sending it', () => {
    expect(newSecretProblems('pin', '', '')).toEqual(['Enter the new PIN.']);
    expect(newSecretProblems('pin', '12a456', '12a456')).toEqual(['PIN: 6 to 12 digits, and nothing else.']);
    expect(newSecretProblems('pin', '482913', '482931')).toEqual(['The two PINs differ: type the same PIN twice.']);
    expect(newSecretProblems('pin', '482913', '482913')).toEqual([]);
    expect(newSecretProblems('password', 'short', 'short')).toEqual(['Password: at least 10 characters.']);
    expect(newSecretProblems('password', 'long enough now', 'long enough now')).toEqual([]);
  });
});
