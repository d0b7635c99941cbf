// The desk's own screens (staff accounts, issue 9): signing in, and the lock screen the same
// person unlocks with their PIN or password. Shown instead of the app, never over it: nothing
// about a patient is on the page while they are. And the header's chip: who is signed in, Lock,
// Sign out (or, before any account exists, that anyone here can use RxRelay).
import { useState, type FormEvent, type JSX } from 'react';
import type { AppApiError } from '../../../src-shared/app-api-contract';
import { deskScreen, ROLE_NAMES, staffProblems } from '../desk';
import type { AppStore } from '../store/app-store';

export function SignIn({ store }: { store: AppStore }): JSX.Element {
  const screen = deskScreen(store((s) => s.auth));
  return (
    <main className="desk-gate">
      {screen === 'locked' ? <LockForm store={store} /> : screen === 'sign-in' ? <SignInForm store={store} /> : <Checking store={store} />}
    </main>
  );
}

function Checking({ store }: { store: AppStore }): JSX.Element {
  const problem = store((s) => s.deskProblem);
  return (
    <section className="desk-card" aria-labelledby="desk-checking">
      <h1 id="desk-checking">RxRelay</h1>
      {problem ? (
        <>
          <p role="alert" className="error">
            {problem.message}
          </p>
          <button type="button" className="primary" onClick={() => void store.getState().checkDesk()}>
            Try again
          </button>
        </>
      ) : (
        <p aria-busy="true">Checking who is signed in…</p>
      )}
    </section>
  );
}

function Problem({ error }: { error: AppApiError | string | undefined }): JSX.Element | null {
  if (!error) return null;
  const lines = typeof error === 'string' ? [error] : staffProblems(error);
  return (
    <div className="error" role="alert">
      {lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
    </div>
  );
}

function SignInForm({ store }: { store: AppStore }): JSX.Element {
  const notice = store((s) => s.deskNotice);
  const [username, setUsername] = useState(() => store.getState().lastUsername);
  const [secret, setSecret] = useState('');
  const [problem, setProblem] = useState<AppApiError | string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!username.trim() || !secret) return setProblem('Enter your username and your PIN or password.');
    setBusy(true);
    setProblem(undefined);
    const reply = await store.getState().signIn(username, secret);
    // On success this screen is gone; on failure the secret is typed again.
    if (!reply.ok) {
      setBusy(false);
      setSecret('');
      setProblem(reply.error);
    }
  };

  return (
    <section className="desk-card" aria-labelledby="sign-in-title">
      <h1>RxRelay</h1>
      <h2 id="sign-in-title">Sign in</h2>
      <p className="hint">With your own staff account: everything done from this screen is recorded under your name.</p>
      {notice && (
        <p role="status" className="desk-notice">
          {notice}
        </p>
      )}
      <form className="desk-form" aria-label="Sign in" onSubmit={(e) => void submit(e)}>
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            autoFocus={!username}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          PIN or password
          <input name="secret" type="password" autoComplete="current-password" autoFocus={!!username} value={secret} onChange={(e) => setSecret(e.target.value)} />
        </label>
        <Problem error={problem} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}

function LockForm({ store }: { store: AppStore }): JSX.Element {
  const user = store((s) => s.auth?.user);
  const [secret, setSecret] = useState('');
  const [problem, setProblem] = useState<AppApiError | string | undefined>();
  const [busy, setBusy] = useState(false);
  const name = user?.display_name ?? '';
  const secretWord = user?.secret_kind === 'password' ? 'password' : user?.secret_kind === 'pin' ? 'PIN' : 'PIN or password';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!secret) return setProblem(`Enter your ${secretWord}.`);
    setBusy(true);
    setProblem(undefined);
    const reply = await store.getState().unlock(secret);
    if (!reply.ok) {
      setBusy(false);
      setSecret('');
      setProblem(reply.error);
    }
  };

  return (
    <section className="desk-card locked" aria-labelledby="lock-title">
      <h1>RxRelay</h1>
      <h2 id="lock-title">Locked — {name}</h2>
      <p>
        {name}, enter your {secretWord} to go on. Nothing about patients is shown while the screen is locked.
      </p>
      <form className="desk-form" aria-label="Unlock" onSubmit={(e) => void submit(e)}>
        {/* For password managers: whose secret this is. */}
        <input type="hidden" name="username" autoComplete="username" value={user?.username ?? ''} />
        <label>
          PIN or password
          <input name="secret" type="password" autoComplete="current-password" autoFocus value={secret} onChange={(e) => setSecret(e.target.value)} />
        </label>
        <Problem error={problem} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </form>
      <button type="button" className="link-button" onClick={() => void store.getState().signOut()}>
        Sign in as someone else
      </button>
    </section>
  );
}

/** The header's chip: who is signed in here, with Lock and Sign out. */
export function DeskUser({ store }: { store: AppStore }): JSX.Element | null {
  const auth = store((s) => s.auth);
  if (!auth) return null;
  if (!auth.accounts_exist) {
    return (
      <section className="desk-user open-desk" aria-label="Who is signed in">
        <span>No staff accounts yet: anyone here can use RxRelay.</span>
        <button type="button" className="link-button" onClick={() => store.getState().showView('settings')}>
          Set up sign-in
        </button>
      </section>
    );
  }
  if (!auth.user) return null;
  return (
    <section className="desk-user" aria-label="Who is signed in">
      <span>
        <strong>{auth.user.display_name}</strong> <span className="desk-role">{ROLE_NAMES[auth.user.role]}</span>
      </span>
      <button type="button" onClick={() => void store.getState().lockDesk()}>
        Lock
      </button>
      <button type="button" onClick={() => void store.getState().signOut()}>
        Sign out
      </button>
    </section>
  );
}
