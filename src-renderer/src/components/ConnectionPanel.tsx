import { useState, type JSX } from 'react';
import type { AppStore } from '../store/app-store';

/** What to enter in BestRx: the endpoint URL and the Basic credentials it must send. */
export function ConnectionPanel({ store }: { store: AppStore }): JSX.Element | null {
  const connection = store((s) => s.connection);
  const [showPassword, setShowPassword] = useState(false);
  if (!connection) return null;
  return (
    <section className="connection" aria-label="BestRx connection">
      <span>
        BestRx endpoint <code>{connection.endpoint_url}</code>
      </span>
      <span>
        user <code>{connection.username}</code>
      </span>
      <span>
        password <code aria-label="password">{showPassword ? connection.password : '••••••••'}</code>
        <button type="button" className="link-button" onClick={() => setShowPassword((v) => !v)}>
          {showPassword ? 'Hide' : 'Show'}
        </button>
      </span>
    </section>
  );
}
