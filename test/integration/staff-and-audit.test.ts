// Staff accounts and the audit log through the app API (issue 9): the app is open until the first
// account (an administrator) exists, then every call needs a signed-in, unlocked desk with the
// right role; PINs are kept as scrypt hashes; five wrong attempts lock the account; an idle desk
// locks; order events and the audit log name who did it; the audit chain detects a changed,
// a removed and a truncated row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppApiInput, AppApiMethod, AppApiOutput, AppApiReply } from '../../src-shared/app-api-contract';
import { createOrderBody } from '../helpers/fixtures';
import { FakeClock, startHarness, type Harness } from '../helpers/rxrelay-harness';

let h: Harness;
const clock = new FakeClock();
let unique = 95_000;
const ADMIN_PIN = '461938';
const COUNTER_PIN = '582047';
const COURIER_PASSWORD = 'correct horse battery';

function callAt<M extends AppApiMethod>(desk: string, method: M, input: AppApiInput<M>): Promise<AppApiReply<AppApiOutput<M>>> {
  return h.core.appApi.call(method, input, { actor: 'os-user', desk }) as Promise<AppApiReply<AppApiOutput<M>>>;
}

async function okAt<M extends AppApiMethod>(desk: string, method: M, input: AppApiInput<M>): Promise<AppApiOutput<M>> {
  const reply = await callAt(desk, method, input);
  if (!reply.ok) throw new Error(`${method}: ${reply.error.code} ${reply.error.message} ${JSON.stringify(reply.error.details ?? [])}`);
  return reply.value;
}

async function newOrder(): Promise<string> {
  const response = await h.post('/Order/CreateOrder', createOrderBody({ bestrx_unique_order_id: unique++, amount_to_collect: 0 }));
  return response.json.data.provider_order_id;
}

beforeAll(async () => {
  h = await startHarness({ clock, settings: { 'labels.inlineImages': false } });
});
afterAll(() => h.stop());

describe('before any staff account exists', () => {
  it('is open, as before accounts existed, and asks for an administrator first', async () => {
    expect(await okAt('front', 'auth.status', {})).toEqual({ accounts_exist: false, user: null, locked: false, idle_lock_minutes: 15 });
    await expect(okAt('front', 'orders.list', { limit: 5 })).resolves.toMatchObject({ total: expect.any(Number) });
    const counterFirst = await callAt('front', 'staff.create', { username: 'maria', display_name: 'Maria', role: 'counter', secret_kind: 'pin', secret: COUNTER_PIN });
    expect(!counterFirst.ok && counterFirst.error.details).toEqual(['role: the first account must be an administrator (admin), who then adds everyone else.']);
    const weak = await callAt('front', 'staff.create', { username: 'ana', display_name: 'Ana', role: 'admin', secret_kind: 'pin', secret: '123456' });
    expect(!weak.ok && weak.error.details).toEqual(['secret: that PIN is too easy to guess (repeated or consecutive digits).']);
    await okAt('front', 'staff.create', { username: 'ana', display_name: 'Ana Admin', role: 'admin', secret_kind: 'pin', secret: ADMIN_PIN });
  });

  it('keeps only a scrypt hash of the PIN', () => {
    const row = h.db.prepare(`SELECT secret_hash FROM staff_users WHERE username = 'ana'`).get() as { secret_hash: string };
    expect(row.secret_hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(row.secret_hash).not.toContain(ADMIN_PIN);
  });
});

describe('with staff accounts', () => {
  it('refuses every call but signing in until someone signs in at the desk', async () => {
    const reply = await callAt('front', 'orders.list', { limit: 5 });
    expect(reply).toEqual({ ok: false, error: { code: 'unauthorized', message: 'Sign in with your staff account first.' } });
    expect((await callAt('front', 'app.info', {})).ok).toBe(true);
    const wrong = await callAt('front', 'auth.login', { username: 'ana', secret: '000001' });
    expect(!wrong.ok && wrong.error).toEqual({ code: 'unauthorized', message: 'Wrong username or PIN/password.' });
    const nobody = await callAt('front', 'auth.login', { username: 'nobody', secret: '000001' });
    expect(!nobody.ok && nobody.error.message).toBe('Wrong username or PIN/password.');
    await expect(okAt('front', 'auth.login', { username: 'ana', secret: ADMIN_PIN })).resolves.toMatchObject({ user: { username: 'ana', role: 'admin' }, locked: false });
    await okAt('front', 'staff.create', { username: 'maria', display_name: 'Maria Counter', role: 'counter', secret_kind: 'pin', secret: COUNTER_PIN });
    await okAt('front', 'staff.create', { username: 'sam', display_name: 'Sam Courier', role: 'courier', secret_kind: 'password', secret: COURIER_PASSWORD });
  });

  it('lets each role do its work and nothing more, and records who did it on the order', async () => {
    await okAt('counter', 'auth.login', { username: 'maria', secret: COUNTER_PIN });
    await okAt('van', 'auth.login', { username: 'sam', secret: COURIER_PASSWORD });
    const id = await newOrder();
    await okAt('counter', 'orders.transition', { id, to: 'acknowledged' });
    const staffList = await callAt('counter', 'staff.list', {});
    expect(!staffList.ok && staffList.error.code).toBe('forbidden');
    const dispatch = await callAt('van', 'orders.dispatch', { id, partner: 'united', details: {} });
    expect(!dispatch.ok && dispatch.error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/^Couriers cannot do this \(orders\.dispatch\)/) });
    await okAt('van', 'orders.transition', { id, to: 'picked_up' });
    const order = await okAt('counter', 'orders.get', { id });
    expect(order.events.filter((e) => e.type === 'status_changed').map((e) => [e.to_status, e.actor])).toEqual([
      ['acknowledged', 'maria'],
      ['picked_up', 'sam'],
    ]);
  });

  it('locks an idle desk, and only its own user unlocks it with their PIN', async () => {
    clock.advance(16 * 60_000);
    const idle = await callAt('counter', 'orders.list', { limit: 5 });
    expect(!idle.ok && idle.error).toMatchObject({ code: 'locked', message: expect.stringMatching(/^The screen locked after 15 minutes without use: Maria Counter, enter your PIN/) });
    expect(await okAt('counter', 'auth.status', {})).toMatchObject({ user: { username: 'maria' }, locked: true });
    const wrong = await callAt('counter', 'auth.unlock', { secret: ADMIN_PIN });
    expect(!wrong.ok && wrong.error.code).toBe('unauthorized');
    await expect(okAt('counter', 'auth.unlock', { secret: COUNTER_PIN })).resolves.toMatchObject({ locked: false });
    await expect(okAt('counter', 'orders.list', { limit: 5 })).resolves.toBeDefined();
    await okAt('counter', 'auth.lock', {});
    expect(!(await callAt('counter', 'orders.list', { limit: 5 })).ok).toBe(true);
    await okAt('counter', 'auth.unlock', { secret: COUNTER_PIN });
  });

  it('lets an administrator lock sooner, never later than 15 minutes', async () => {
    await okAt('front', 'auth.login', { username: 'ana', secret: ADMIN_PIN });
    const later = await callAt('front', 'staff.setIdleLock', { minutes: 30 });
    expect(!later.ok && later.error.code).toBe('invalid_input');
    await expect(okAt('front', 'staff.setIdleLock', { minutes: 5 })).resolves.toMatchObject({ idle_lock_minutes: 5 });
    await okAt('counter', 'orders.list', { limit: 1 });
    clock.advance(6 * 60_000);
    expect((await callAt('counter', 'orders.list', { limit: 1 })).ok).toBe(false);
    await okAt('counter', 'auth.unlock', { secret: COUNTER_PIN });
    await okAt('front', 'auth.login', { username: 'ana', secret: ADMIN_PIN });
    await okAt('front', 'staff.setIdleLock', { minutes: 15 });
  });

  it('locks an account out after five wrong attempts; an administrator lifts it', async () => {
    for (let attempt = 1; attempt <= 4; attempt++) {
      const reply = await callAt('kiosk', 'auth.login', { username: 'sam', secret: `wrong password ${attempt}` });
      expect(!reply.ok && reply.error.code).toBe('unauthorized');
    }
    const fifth = await callAt('kiosk', 'auth.login', { username: 'sam', secret: 'wrong password 5' });
    expect(!fifth.ok && fifth.error).toMatchObject({ code: 'locked', message: expect.stringMatching(/^Too many wrong attempts/) });
    const right = await callAt('kiosk', 'auth.login', { username: 'sam', secret: COURIER_PASSWORD });
    expect(!right.ok && right.error.code).toBe('locked');
    const sam = (await okAt('front', 'staff.list', {})).users.find((u) => u.username === 'sam')!;
    expect(sam.locked_out_until).toEqual(expect.any(String));
    await okAt('front', 'staff.update', { id: sam.id, unlock: true });
    await expect(okAt('kiosk', 'auth.login', { username: 'sam', secret: COURIER_PASSWORD })).resolves.toMatchObject({ user: { username: 'sam' } });
  });

  it('keeps at least one active administrator, and signs a disabled account out everywhere', async () => {
    const users = (await okAt('front', 'staff.list', {})).users;
    const ana = users.find((u) => u.username === 'ana')!;
    const demote = await callAt('front', 'staff.update', { id: ana.id, role: 'counter' });
    expect(!demote.ok && demote.error.details).toEqual(['RxRelay needs at least one active administrator: make someone else an administrator first.']);
    const sam = users.find((u) => u.username === 'sam')!;
    await okAt('front', 'staff.update', { id: sam.id, disabled: true });
    expect((await callAt('kiosk', 'orders.list', { limit: 1 })).ok).toBe(false);
    const again = await callAt('kiosk', 'auth.login', { username: 'sam', secret: COURIER_PASSWORD });
    expect(!again.ok && again.error.message).toBe('This account is disabled: ask an administrator.');
  });
});

describe('the audit log', () => {
  it('records reads of a record, changes, prints and sign-ins with who and what, and nothing of the patient', async () => {
    const id = await newOrder();
    await okAt('counter', 'orders.get', { id });
    await okAt('counter', 'documents.print', { id, document: 'label' });
    const { entries } = await okAt('front', 'audit.list', { subject: id, limit: 50 });
    expect(entries.map((e) => [e.action, e.category, e.actor]).reverse()).toEqual([
      ['order.created', 'change', 'bestrx'],
      ['orders.get', 'read', 'maria'],
      ['order.label_printed', 'print', 'maria'],
      ['documents.print', 'print', 'maria'],
    ]);
    const all = await okAt('front', 'audit.list', { limit: 500 });
    expect(all.entries.some((e) => e.action === 'auth.locked_out' && e.actor === 'sam')).toBe(true);
    const text = JSON.stringify(all.entries);
    for (const phi of ['Jane', 'Doe', '500 Second Ave', COUNTER_PIN, ADMIN_PIN, COURIER_PASSWORD]) expect(text).not.toContain(phi);
  });

  it('verifies, exports as CSV, and cannot be changed through SQL', async () => {
    await expect(okAt('front', 'audit.verify', {})).resolves.toMatchObject({ ok: true, problems: [] });
    const csv = Buffer.from((await okAt('front', 'audit.export', {})).data_base64, 'base64').toString('utf8');
    expect(csv.split('\r\n')[0]).toBe('seq,at,actor,action,category,subject,details,prev_hash,hash');
    expect(csv).toContain(',audit.list,read,');
    expect(() => h.db.prepare(`UPDATE audit_log SET actor = 'someone else' WHERE seq = 1`).run()).toThrow(/append-only/);
    expect(() => h.db.prepare(`DELETE FROM audit_log WHERE seq = 1`).run()).toThrow(/append-only/);
  });

  it('detects a row changed, a row removed, and the newest rows removed behind its back', async () => {
    const total = (h.db.prepare(`SELECT COUNT(*) AS n FROM audit_log`).get() as { n: number }).n;
    // Someone with the key and a SQLite shell, going around RxRelay.
    h.db.exec(`DROP TRIGGER audit_log_is_append_only_update; DROP TRIGGER audit_log_is_append_only_delete;`);
    h.db.prepare(`UPDATE audit_log SET actor = 'nobody' WHERE seq = 3`).run();
    expect(await okAt('front', 'audit.verify', {})).toMatchObject({ ok: false, first_bad_seq: 3, problems: ['Row 3 was changed after it was written.'] });
    h.db.prepare(`UPDATE audit_log SET actor = (SELECT actor FROM audit_log WHERE seq = 2) WHERE seq = 3`).run();
    const original = h.db.prepare(`SELECT * FROM audit_log WHERE seq = 3`).get() as Record<string, unknown>;
    h.db.prepare(`DELETE FROM audit_log WHERE seq = 3`).run();
    expect((await okAt('front', 'audit.verify', {})).problems[0]).toBe('Rows 3–3 are missing.');
    h.db.prepare(`INSERT INTO audit_log (seq, at, actor, action, category, subject, details_json, prev_hash, hash) VALUES (@seq, @at, @actor, @action, @category, @subject, @details_json, @prev_hash, @hash)`).run(original);
    h.db.prepare(`DELETE FROM audit_log WHERE seq >= ?`).run(total - 1);
    const truncated = await okAt('front', 'audit.verify', {});
    expect(truncated.ok).toBe(false);
    expect(truncated.problems.at(-1)).toMatch(/the newest rows were removed or changed\.$/);
  });
});
