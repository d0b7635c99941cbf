// Staff accounts and who is at each desk (issue 9; HIPAA §164.312(a): unique user
// identification, automatic logoff). A desk is one screen: the Electron window, or the headless
// UI. Whoever signed in there is the actor of everything done from it (order events, the audit
// log); after `idle_lock_minutes` without a call the desk locks and the same person unlocks it
// with their PIN or password, or someone else signs in.
//
// Until the first account exists the app is open, as it was before accounts existed: the
// pharmacy creates an administrator in Settings → Staff (the first account must be one), and
// from then on every method but signing in needs a signed-in, unlocked desk with the right role.
//
// Repeated failures lock the account (MAX_FAILURES within the lockout, then LOCKOUT_MS): a PIN
// of six digits cannot be guessed at the counter or through the API. Every sign-in, failure,
// lock-out and account change goes to the audit log.
import { randomUUID } from 'node:crypto';
import type { AppApiParsedInput, AuthStatus, StaffUserView } from '../../../src-shared/app-api-contract';
import type { AppApiMethod } from '../../../src-shared/app-api-methods';
import type { AuditLog } from '../audit/audit-log';
import type { Clock } from '../clock';
import { hashSecret, secretProblems, verifySecret } from '../security/passwords';
import type { SqliteDatabase } from '../storage/database';
import {
  clearSignInFailures,
  countActiveAdmins,
  countStaffUsers,
  findStaffUserByName,
  getStaffUser,
  insertStaffUser,
  listStaffUsers,
  recordSignInFailure,
  resetFailureCount,
  updateStaffUser,
  type StaffRole,
  type StaffUserRow,
} from '../storage/staff-repository';
import type { WriteQueue } from '../storage/write-queue';
import { METHOD_POLICIES } from './permissions';

export const MAX_FAILURES = 5;
export const LOCKOUT_MS = 15 * 60_000;
/** HIPAA's automatic logoff; the ceiling. Admins may set it lower, not higher. */
export const MAX_IDLE_LOCK_MINUTES = 15;
const ROLE_WORDS: Record<StaffRole, string> = { counter: 'Counter staff', courier: 'Couriers', admin: 'Administrators' };

export type StaffAuthFailure = 'unauthorized' | 'locked' | 'forbidden';

export class StaffAuthError extends Error {
  constructor(
    readonly code: StaffAuthFailure,
    message: string,
  ) {
    super(message);
    this.name = 'StaffAuthError';
  }
}

export class StaffInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
    this.name = 'StaffInputError';
  }
}

interface DeskSession {
  userId: string;
  lastSeenMs: number;
  locked: boolean;
}

export interface StaffServiceDependencies {
  db: SqliteDatabase;
  writes: WriteQueue;
  clock: Clock;
  audit: AuditLog;
  /** The idle lock chosen by an admin (minutes, ≤ 15), or undefined for 15. */
  idleLockMinutes: { get(): number | undefined; set(minutes: number): void };
}

export class StaffService {
  private readonly desks = new Map<string, DeskSession>();
  private anyAccount = false;

  constructor(private readonly deps: StaffServiceDependencies) {}

  /** Accounts are never deleted (only disabled): once one exists, that stays true without asking the database on every call. */
  accountsExist(): boolean {
    this.anyAccount ||= countStaffUsers(this.deps.db) > 0;
    return this.anyAccount;
  }

  idleLockMinutes(): number {
    return Math.min(MAX_IDLE_LOCK_MINUTES, this.deps.idleLockMinutes.get() ?? MAX_IDLE_LOCK_MINUTES);
  }

  status(desk: string): AuthStatus {
    const session = this.desks.get(desk);
    const user = session ? getStaffUser(this.deps.db, session.userId) : undefined;
    const live = user && !user.disabled_at ? user : undefined;
    return {
      accounts_exist: this.accountsExist(),
      user: live ? { username: live.username, display_name: live.display_name, role: live.role, secret_kind: live.secret_kind } : null,
      locked: live ? session!.locked || this.idleExpired(session!) : false,
      idle_lock_minutes: this.idleLockMinutes(),
    };
  }

  /**
   * Checks the desk may call `method`; the context it acts in (the signed-in user as actor).
   * Throws StaffAuthError in plain words otherwise. A call counts as activity.
   */
  authorize(method: AppApiMethod, desk: string, fallbackActor: string): { actor: string } {
    const policy = METHOD_POLICIES[method];
    if (policy.roles === 'anyone' || !this.accountsExist()) return { actor: this.status(desk).user?.username ?? fallbackActor };
    const session = this.desks.get(desk);
    const user = session ? getStaffUser(this.deps.db, session.userId) : undefined;
    if (!session || !user || user.disabled_at) throw new StaffAuthError('unauthorized', 'Sign in with your staff account first.');
    if (session.locked || this.idleExpired(session)) {
      session.locked = true;
      throw new StaffAuthError('locked', `The screen locked after ${this.idleLockMinutes()} minutes without use: ${user.display_name}, enter your ${user.secret_kind === 'pin' ? 'PIN' : 'password'} to go on.`);
    }
    if (!policy.roles.includes(user.role)) {
      throw new StaffAuthError('forbidden', `${ROLE_WORDS[user.role]} cannot do this (${method}): ask ${policy.roles.includes('counter') ? 'a counter colleague or an administrator' : 'an administrator'}.`);
    }
    session.lastSeenMs = this.deps.clock.now().getTime();
    return { actor: user.username };
  }

  async signIn(desk: string, username: string, secret: string): Promise<AuthStatus> {
    const user = findStaffUserByName(this.deps.db, username.trim());
    await this.checkSecret(user, secret, username.trim());
    this.desks.set(desk, { userId: (user as StaffUserRow).id, lastSeenMs: this.deps.clock.now().getTime(), locked: false });
    await this.deps.audit.append({ actor: (user as StaffUserRow).username, action: 'auth.signed_in', category: 'access', subject: `staff:${(user as StaffUserRow).id}`, details: { desk } });
    return this.status(desk);
  }

  /** The person the desk locked on comes back. */
  async unlock(desk: string, secret: string): Promise<AuthStatus> {
    const session = this.desks.get(desk);
    const user = session ? getStaffUser(this.deps.db, session.userId) : undefined;
    if (!session || !user) throw new StaffAuthError('unauthorized', 'Nobody is signed in at this desk: sign in.');
    await this.checkSecret(user, secret, user.username);
    session.locked = false;
    session.lastSeenMs = this.deps.clock.now().getTime();
    await this.deps.audit.append({ actor: user.username, action: 'auth.unlocked', category: 'access', subject: `staff:${user.id}`, details: { desk } });
    return this.status(desk);
  }

  async signOut(desk: string): Promise<AuthStatus> {
    const session = this.desks.get(desk);
    const user = session ? getStaffUser(this.deps.db, session.userId) : undefined;
    this.desks.delete(desk);
    if (user) await this.deps.audit.append({ actor: user.username, action: 'auth.signed_out', category: 'access', subject: `staff:${user.id}`, details: { desk } });
    return this.status(desk);
  }

  lock(desk: string): AuthStatus {
    const session = this.desks.get(desk);
    if (session) session.locked = true;
    return this.status(desk);
  }

  list(): { users: StaffUserView[] } {
    return { users: listStaffUsers(this.deps.db).map((row) => this.view(row)) };
  }

  async create(input: AppApiParsedInput<'staff.create'>, actor: string): Promise<StaffUserView> {
    const problems = secretProblems(input.secret_kind, input.secret);
    if (!this.accountsExist() && input.role !== 'admin') problems.push('role: the first account must be an administrator (admin), who then adds everyone else.');
    if (findStaffUserByName(this.deps.db, input.username)) problems.push(`username: "${input.username}" is taken.`);
    if (problems.length > 0) throw new StaffInputError(problems);
    const hash = await hashSecret(input.secret);
    const id = randomUUID();
    await this.deps.writes.run(() => {
      if (findStaffUserByName(this.deps.db, input.username)) throw new StaffInputError([`username: "${input.username}" is taken.`]);
      const now = this.now();
      insertStaffUser(this.deps.db, { id, username: input.username, display_name: input.display_name, role: input.role, secret_kind: input.secret_kind, secret_hash: hash, created_at: now, created_by: actor });
      this.deps.audit.appendWithin({ actor, action: 'staff.created', category: 'change', subject: `staff:${id}`, details: { username: input.username, role: input.role } });
    });
    return this.view(getStaffUser(this.deps.db, id) as StaffUserRow);
  }

  async update(input: AppApiParsedInput<'staff.update'>, actor: string): Promise<StaffUserView> {
    const { db } = this.deps;
    const user = getStaffUser(db, input.id);
    if (!user) throw new StaffInputError([`id: there is no staff account ${input.id}.`]);
    const problems: string[] = [];
    const kind = input.secret_kind ?? user.secret_kind;
    if (input.secret !== undefined) problems.push(...secretProblems(kind, input.secret));
    else if (input.secret_kind !== undefined && input.secret_kind !== user.secret_kind) problems.push('secret: give the new PIN or password when changing its kind.');
    const losesAdmin = user.role === 'admin' && !user.disabled_at && ((input.role !== undefined && input.role !== 'admin') || input.disabled === true);
    if (losesAdmin && countActiveAdmins(db) <= 1) problems.push('RxRelay needs at least one active administrator: make someone else an administrator first.');
    if (problems.length > 0) throw new StaffInputError(problems);
    const hash = input.secret !== undefined ? await hashSecret(input.secret) : undefined;
    await this.deps.writes.run(() => {
      const now = this.now();
      updateStaffUser(db, {
        id: user.id,
        ...(input.display_name !== undefined ? { display_name: input.display_name } : {}),
        ...(input.role !== undefined ? { role: input.role } : {}),
        ...(hash ? { secret: { kind, hash } } : {}),
        ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
        now,
      });
      if (input.unlock || hash) clearSignInFailures(db, user.id, now);
      const changed = Object.keys(input).filter((key) => key !== 'id' && key !== 'secret');
      this.deps.audit.appendWithin({ actor, action: 'staff.updated', category: 'change', subject: `staff:${user.id}`, details: { changed, secret_changed: hash !== undefined } });
    });
    if (input.disabled === true || input.role !== undefined) {
      // A disabled or re-roled account is signed out of every desk at once.
      for (const [desk, session] of this.desks) if (session.userId === user.id) this.desks.delete(desk);
    }
    return this.view(getStaffUser(db, user.id) as StaffUserRow);
  }

  async setIdleLock(minutes: number, actor: string, desk: string): Promise<AuthStatus> {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_IDLE_LOCK_MINUTES) {
      throw new StaffInputError([`minutes: a whole number from 1 to ${MAX_IDLE_LOCK_MINUTES}.`]);
    }
    this.deps.idleLockMinutes.set(minutes);
    await this.deps.audit.append({ actor, action: 'staff.idle_lock_set', category: 'change', details: { minutes } });
    return this.status(desk);
  }

  private async checkSecret(user: StaffUserRow | undefined, secret: string, presentedName: string): Promise<void> {
    const nowMs = this.deps.clock.now().getTime();
    if (!user || user.disabled_at) {
      // The same work as a real check, so timing does not tell which usernames exist.
      await verifySecret(secret, DUMMY_HASH);
      await this.deps.audit.append({ actor: 'unknown', action: 'auth.failed', category: 'access', details: { username: presentedName.slice(0, 40), reason: user ? 'disabled' : 'no such account' } });
      throw new StaffAuthError('unauthorized', user ? 'This account is disabled: ask an administrator.' : 'Wrong username or PIN/password.');
    }
    if (user.locked_until && Date.parse(user.locked_until) > nowMs) {
      throw new StaffAuthError('locked', `This account is locked after ${MAX_FAILURES} wrong attempts until ${user.locked_until.slice(11, 16)} UTC; an administrator can unlock it now.`);
    }
    if (await verifySecret(secret, user.secret_hash)) {
      if (user.failed_attempts > 0 || user.locked_until) await this.deps.writes.run(() => clearSignInFailures(this.deps.db, user.id, this.now()));
      return;
    }
    const lockNow = user.failed_attempts + 1 >= MAX_FAILURES;
    const lockedUntil = lockNow ? new Date(nowMs + LOCKOUT_MS).toISOString() : null;
    await this.deps.writes.run(() => {
      recordSignInFailure(this.deps.db, { id: user.id, lockedUntil, now: this.now() });
      // After a lock-out the count starts again, so the next lock needs MAX_FAILURES more.
      if (lockNow) resetFailureCount(this.deps.db, user.id);
      this.deps.audit.appendWithin({ actor: user.username, action: lockNow ? 'auth.locked_out' : 'auth.failed', category: 'access', subject: `staff:${user.id}`, details: { attempt: user.failed_attempts + 1 } });
    });
    throw new StaffAuthError(lockNow ? 'locked' : 'unauthorized', lockNow ? `Too many wrong attempts: the account is locked for ${LOCKOUT_MS / 60_000} minutes (an administrator can unlock it).` : 'Wrong username or PIN/password.');
  }

  private idleExpired(session: DeskSession): boolean {
    return this.deps.clock.now().getTime() - session.lastSeenMs > this.idleLockMinutes() * 60_000;
  }

  private view(row: StaffUserRow): StaffUserView {
    const nowMs = this.deps.clock.now().getTime();
    return {
      id: row.id,
      username: row.username,
      display_name: row.display_name,
      role: row.role,
      secret_kind: row.secret_kind,
      disabled: row.disabled_at !== null,
      locked_out_until: row.locked_until && Date.parse(row.locked_until) > nowMs ? row.locked_until : null,
      created_at: row.created_at,
      created_by: row.created_by,
    };
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** A hash of nothing anyone can type, checked when the username does not exist. */
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
