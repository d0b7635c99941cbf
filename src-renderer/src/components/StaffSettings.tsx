// Settings → Staff (administrators; issue 9). Before any account exists: why to create the first
// administrator, and the form. Then: every account (role, PIN or password, disabled, locked out),
// adding one, changing its name and role, a new PIN or password, disabling, lifting a lock-out,
// and how soon an idle screen locks.
import { useCallback, useEffect, useState, type FormEvent, type JSX } from 'react';
import { STAFF_ROLES, type AppApiError, type StaffRoleName, type StaffUserView } from '../../../src-shared/app-api-contract';
import type { AppApiClient } from '../api/app-api-client';
import { newSecretProblems, ROLE_NAMES, secretHint, staffProblems } from '../desk';
import type { AppStore } from '../store/app-store';

type SecretKind = 'pin' | 'password';

/** Problems to show: a refused call, or what the form found before sending. */
type Problems = AppApiError | string[] | undefined;

function ProblemList({ problems, intro }: { problems: Problems; intro: string }): JSX.Element | null {
  if (!problems) return null;
  const lines = Array.isArray(problems) ? problems : staffProblems(problems);
  if (lines.length === 0) return null;
  return (
    <div className="error" role="alert">
      <p>{intro}</p>
      <ul>
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </div>
  );
}

/** A new PIN or password, typed twice. `id`: unique per form, for the radio group's name. */
function SecretFields(props: {
  id: string;
  kind: SecretKind;
  secret: string;
  again: string;
  onKind: (kind: SecretKind) => void;
  onSecret: (secret: string) => void;
  onAgain: (again: string) => void;
}): JSX.Element {
  const { id, kind, secret, again } = props;
  const what = kind === 'pin' ? 'PIN' : 'Password';
  return (
    <>
      <fieldset className="secret-kind">
        <legend>Signs in with</legend>
        <label className="choice">
          <input type="radio" name={`${id}-kind`} checked={kind === 'pin'} onChange={() => props.onKind('pin')} />
          A PIN (quick at the counter)
        </label>
        <label className="choice">
          <input type="radio" name={`${id}-kind`} checked={kind === 'password'} onChange={() => props.onKind('password')} />
          A password
        </label>
      </fieldset>
      <label>
        {what}
        <input
          type="password"
          autoComplete="new-password"
          inputMode={kind === 'pin' ? 'numeric' : undefined}
          value={secret}
          onChange={(e) => props.onSecret(e.target.value)}
          aria-describedby={`${id}-hint`}
        />
      </label>
      <span className="hint" id={`${id}-hint`}>
        {secretHint(kind)}
      </span>
      <label>
        {what} again
        <input type="password" autoComplete="new-password" inputMode={kind === 'pin' ? 'numeric' : undefined} value={again} onChange={(e) => props.onAgain(e.target.value)} />
      </label>
    </>
  );
}

export function StaffSettings({ api, store }: { api: AppApiClient; store: AppStore }): JSX.Element {
  const auth = store((s) => s.auth);
  if (!auth) return <p aria-busy="true">Loading…</p>;
  return auth.accounts_exist ? <StaffAccounts api={api} store={store} /> : <FirstAdministrator api={api} store={store} />;
}

function FirstAdministrator({ api, store }: { api: AppApiClient; store: AppStore }): JSX.Element {
  const [name, setName] = useState('');
  const [username, setUsername] = useState('');
  const [kind, setKind] = useState<SecretKind>('pin');
  const [secret, setSecret] = useState('');
  const [again, setAgain] = useState('');
  const [problems, setProblems] = useState<Problems>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = [...(name.trim() ? [] : ['Name: enter the administrator’s name.']), ...(username.trim() ? [] : ['Username: enter one.']), ...newSecretProblems(kind, secret, again)];
    if (found.length > 0) return setProblems(found);
    setBusy(true);
    setProblems(undefined);
    const reply = await api.call('staff.create', { username: username.trim(), display_name: name.trim(), role: 'admin', secret_kind: kind, secret });
    if (!reply.ok) {
      setBusy(false);
      return setProblems(reply.error);
    }
    // From now on everyone signs in, starting with this administrator.
    const status = await api.call('auth.status', {});
    if (status.ok) {
      store.getState().deskChanged(status.value, `The administrator account ${reply.value.username} was created. Sign in with it to go on.`, reply.value.username);
    } else {
      setBusy(false);
      void store.getState().checkDesk();
    }
  };

  return (
    <div className="first-admin">
      <div className="notice">
        <p>
          <strong>No staff accounts yet: anyone at this desk can use RxRelay, without signing in.</strong>
        </p>
        <p>
          The audit log cannot tell who opened or changed an order (it records this computer’s user for everyone), and the screen never locks. Create the
          first administrator now: from then on everyone signs in with their own account, every read and change is recorded under their name, and an idle
          screen locks itself. The administrator then adds the counter staff and couriers here.
        </p>
      </div>
      <form className="staff-form" aria-label="Create the first administrator" onSubmit={(e) => void submit(e)}>
        <h4>Create the first administrator</h4>
        <label>
          Name
          <input autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Username
          <input autoComplete="off" autoCapitalize="none" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} aria-describedby="first-admin-username-hint" />
        </label>
        <span className="hint" id="first-admin-username-hint">
          2 to 40 letters, digits, dots, dashes or underscores; what they type to sign in.
        </span>
        <SecretFields id="first-admin" kind={kind} secret={secret} again={again} onKind={setKind} onSecret={setSecret} onAgain={setAgain} />
        <ProblemList problems={problems} intro="The administrator was not created:" />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create administrator'}
        </button>
      </form>
    </div>
  );
}

/** "until 14:05" (local time), or with the date when not today. */
function lockedOutWords(until: string): string {
  const at = new Date(until);
  const today = at.toDateString() === new Date().toDateString();
  return `Locked out until ${today ? at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : at.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}`;
}

type Editing = { user: StaffUserView; part: 'details' | 'secret' } | undefined;

function StaffAccounts({ api, store }: { api: AppApiClient; store: AppStore }): JSX.Element {
  const auth = store((s) => s.auth);
  const [users, setUsers] = useState<StaffUserView[] | undefined>();
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState<Editing>();
  const [message, setMessage] = useState<string | undefined>();
  const [problem, setProblem] = useState<AppApiError | undefined>();

  useEffect(() => {
    let current = true;
    void api.call('staff.list', {}).then((reply) => {
      if (!current) return;
      if (reply.ok) setUsers(reply.value.users);
      else setProblem(reply.error);
    });
    return () => {
      current = false;
    };
  }, [api, version]);

  const changed = useCallback((done: string) => {
    setProblem(undefined);
    setMessage(done);
    setEditing(undefined);
    setVersion((v) => v + 1);
  }, []);

  const update = async (user: StaffUserView, patch: { disabled?: boolean; unlock?: true }, done: string) => {
    setMessage(undefined);
    const reply = await api.call('staff.update', { id: user.id, ...patch });
    if (!reply.ok) return setProblem(reply.error);
    changed(done);
  };

  const disable = (user: StaffUserView) => {
    if (!window.confirm(`Disable ${user.display_name}? They are signed out at once and cannot sign in until the account is enabled again.`)) return;
    void update(user, { disabled: true }, `${user.display_name} is disabled and signed out.`);
  };

  return (
    <div className="staff">
      {message && (
        <p role="status" className="outcome">
          {message}
        </p>
      )}
      <ProblemList problems={problem} intro="That did not work:" />
      {users ? (
        <table className="staff-table">
          <caption className="visually-hidden">Staff accounts</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Username</th>
              <th scope="col">Role</th>
              <th scope="col">Signs in with</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id} className={user.disabled ? 'disabled' : undefined}>
                <th scope="row">
                  {user.display_name}
                  {user.username === auth?.user?.username && <span className="you"> (you)</span>}
                </th>
                <td>
                  <code>{user.username}</code>
                </td>
                <td>{ROLE_NAMES[user.role]}</td>
                <td>{user.secret_kind === 'pin' ? 'PIN' : 'Password'}</td>
                <td>
                  {user.disabled ? (
                    <span className="badge idle">Disabled</span>
                  ) : user.locked_out_until ? (
                    <span className="badge bad">{lockedOutWords(user.locked_out_until)}</span>
                  ) : (
                    <span className="badge ok">Active</span>
                  )}
                </td>
                <td className="row-actions">
                  <button type="button" onClick={() => setEditing({ user, part: 'details' })}>
                    Change
                  </button>
                  <button type="button" onClick={() => setEditing({ user, part: 'secret' })}>
                    New {user.secret_kind === 'pin' ? 'PIN' : 'password'}
                  </button>
                  {user.locked_out_until && !user.disabled && (
                    <button type="button" onClick={() => void update(user, { unlock: true }, `${user.display_name} can sign in again.`)}>
                      Unlock
                    </button>
                  )}
                  {user.disabled ? (
                    <button type="button" onClick={() => void update(user, { disabled: false }, `${user.display_name} can sign in again.`)}>
                      Enable
                    </button>
                  ) : (
                    <button type="button" onClick={() => disable(user)}>
                      Disable
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        !problem && <p aria-busy="true">Loading…</p>
      )}
      {editing?.part === 'details' && <AccountDetailsForm key={editing.user.id} api={api} user={editing.user} onDone={changed} onCancel={() => setEditing(undefined)} />}
      {editing?.part === 'secret' && <NewSecretForm key={editing.user.id} api={api} user={editing.user} onDone={changed} onCancel={() => setEditing(undefined)} />}
      <AddAccountForm api={api} onDone={changed} />
      <IdleLockForm api={api} store={store} />
    </div>
  );
}

function AccountDetailsForm(props: { api: AppApiClient; user: StaffUserView; onDone: (done: string) => void; onCancel: () => void }): JSX.Element {
  const { api, user } = props;
  const [name, setName] = useState(user.display_name);
  const [role, setRole] = useState<StaffRoleName>(user.role);
  const [problems, setProblems] = useState<Problems>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return setProblems(['Name: enter one.']);
    const reply = await api.call('staff.update', {
      id: user.id,
      ...(name.trim() !== user.display_name ? { display_name: name.trim() } : {}),
      ...(role !== user.role ? { role } : {}),
    });
    if (!reply.ok) return setProblems(reply.error);
    props.onDone(`${reply.value.display_name} (${reply.value.username}) saved: ${ROLE_NAMES[reply.value.role]}.${role !== user.role ? ' They were signed out to take on the new role.' : ''}`);
  };

  return (
    <form className="staff-form" aria-label={`Change ${user.display_name}`} onSubmit={(e) => void submit(e)}>
      <h4>Change {user.display_name}</h4>
      <label>
        Name
        <input autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as StaffRoleName)}>
          {STAFF_ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_NAMES[r]}
            </option>
          ))}
        </select>
      </label>
      <ProblemList problems={problems} intro="Not saved:" />
      <div className="form-buttons">
        <button type="submit" className="primary">
          Save
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function NewSecretForm(props: { api: AppApiClient; user: StaffUserView; onDone: (done: string) => void; onCancel: () => void }): JSX.Element {
  const { api, user } = props;
  const [kind, setKind] = useState<SecretKind>(user.secret_kind);
  const [secret, setSecret] = useState('');
  const [again, setAgain] = useState('');
  const [problems, setProblems] = useState<Problems>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = newSecretProblems(kind, secret, again);
    if (found.length > 0) return setProblems(found);
    const reply = await api.call('staff.update', { id: user.id, secret_kind: kind, secret });
    if (!reply.ok) return setProblems(reply.error);
    props.onDone(`${user.display_name} has a new ${kind === 'pin' ? 'PIN' : 'password'}; any lock-out is lifted. Tell them in person.`);
  };

  return (
    <form className="staff-form" aria-label={`New PIN or password for ${user.display_name}`} onSubmit={(e) => void submit(e)}>
      <h4>New PIN or password for {user.display_name}</h4>
      <SecretFields id={`reset-${user.id}`} kind={kind} secret={secret} again={again} onKind={setKind} onSecret={setSecret} onAgain={setAgain} />
      <ProblemList problems={problems} intro="Not saved:" />
      <div className="form-buttons">
        <button type="submit" className="primary">
          Save
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function AddAccountForm({ api, onDone }: { api: AppApiClient; onDone: (done: string) => void }): JSX.Element {
  const [name, setName] = useState('');
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<StaffRoleName>('counter');
  const [kind, setKind] = useState<SecretKind>('pin');
  const [secret, setSecret] = useState('');
  const [again, setAgain] = useState('');
  const [problems, setProblems] = useState<Problems>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = [...(name.trim() ? [] : ['Name: enter one.']), ...(username.trim() ? [] : ['Username: enter one.']), ...newSecretProblems(kind, secret, again)];
    if (found.length > 0) return setProblems(found);
    setBusy(true);
    const reply = await api.call('staff.create', { username: username.trim(), display_name: name.trim(), role, secret_kind: kind, secret });
    setBusy(false);
    if (!reply.ok) return setProblems(reply.error);
    setProblems(undefined);
    setName('');
    setUsername('');
    setSecret('');
    setAgain('');
    onDone(`Added ${reply.value.display_name} (${reply.value.username}), ${ROLE_NAMES[reply.value.role]}. They sign in with the ${kind === 'pin' ? 'PIN' : 'password'} you chose.`);
  };

  return (
    <form className="staff-form" aria-label="Add a staff account" onSubmit={(e) => void submit(e)}>
      <h4>Add a staff account</h4>
      <label>
        Name
        <input autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Username
        <input autoComplete="off" autoCapitalize="none" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as StaffRoleName)} aria-describedby="add-account-role-hint">
          {STAFF_ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_NAMES[r]}
            </option>
          ))}
        </select>
      </label>
      <span className="hint" id="add-account-role-hint">
        Counter staff: the board, printing, courier runs, partners. Courier: orders, delivery, runs. Administrator: all of it, with settings, staff and the
        audit log.
      </span>
      <SecretFields id="add-account" kind={kind} secret={secret} again={again} onKind={setKind} onSecret={setSecret} onAgain={setAgain} />
      <ProblemList problems={problems} intro="The account was not added:" />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add account'}
      </button>
    </form>
  );
}

function IdleLockForm({ api, store }: { api: AppApiClient; store: AppStore }): JSX.Element {
  const current = store((s) => s.auth?.idle_lock_minutes ?? 15);
  const [minutes, setMinutes] = useState(String(current));
  const [message, setMessage] = useState<string | undefined>();
  const [problems, setProblems] = useState<Problems>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = Number(minutes);
    if (!Number.isInteger(value) || value < 1 || value > 15) return setProblems(['Idle lock: a whole number of minutes from 1 to 15.']);
    const reply = await api.call('staff.setIdleLock', { minutes: value });
    if (!reply.ok) return setProblems(reply.error);
    setProblems(undefined);
    store.getState().deskChanged(reply.value);
    setMessage(`Saved: an idle screen locks after ${reply.value.idle_lock_minutes} minute${reply.value.idle_lock_minutes === 1 ? '' : 's'}.`);
  };

  return (
    <form className="staff-form idle-lock" aria-label="Idle lock" onSubmit={(e) => void submit(e)}>
      <h4>Idle lock</h4>
      <label className="inline">
        Lock the screen after
        <input type="number" min={1} max={15} step={1} value={minutes} onChange={(e) => setMinutes(e.target.value)} />
        minutes without use
      </label>
      <p className="hint">1 to 15 minutes. The person signed in unlocks with their PIN or password; nothing about patients shows meanwhile.</p>
      {message && (
        <p role="status" className="outcome">
          {message}
        </p>
      )}
      <ProblemList problems={problems} intro="Not saved:" />
      <button type="submit" className="primary">
        Save
      </button>
    </form>
  );
}
