// Settings: what to enter in BestRx (endpoint and credentials, with a new password on demand),
// staff accounts and the idle lock, where status updates go, the fulfilment partners'
// connections, the label options, and BestRx's code tables.
import { useEffect, useState, type JSX } from 'react';
import type { AppApiError, AppSettings, BestRxConnection, OutboxOverview } from '../../../src-shared/app-api-contract';
import type { AppApiClient } from '../api/app-api-client';
import type { AppStore } from '../store/app-store';
import { CodeTablesEditor, type CodeTableView } from './CodeTablesEditor';
import { PartnerSettings } from './PartnerSettings';
import { StaffSettings } from './StaffSettings';
import { BackupsAndDiagnostics } from './BackupsAndDiagnostics';


export function SettingsView({ api, store }: { api: AppApiClient; store: AppStore }): JSX.Element {
  const info = store((s) => s.info);
  const [connection, setConnection] = useState<BestRxConnection | undefined>();
  const [settings, setSettings] = useState<AppSettings | undefined>();
  const [outbox, setOutbox] = useState<OutboxOverview | undefined>();
  const [tables, setTables] = useState<CodeTableView | undefined>();
  const [showPassword, setShowPassword] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  const [problem, setProblem] = useState<AppApiError | undefined>();

  useEffect(() => {
    void Promise.all([
      api.call('settings.bestrxConnection', {}),
      api.call('settings.get', {}),
      api.call('outbox.list', { limit: 1 }),
      api.call('settings.codeTables', {}),
    ]).then(([c, s, o, t]) => {
      if (c.ok) setConnection(c.value);
      if (s.ok) setSettings(s.value);
      if (o.ok) setOutbox(o.value);
      if (t.ok) setTables(t.value);
      const failed = [c, s, o, t].find((reply) => !reply.ok);
      if (failed && !failed.ok) setProblem(failed.error);
    });
    void store.getState().loadPartners();
  }, [api, store]);

  const update = async (patch: Partial<AppSettings>) => {
    const reply = await api.call('settings.update', patch);
    if (!reply.ok) return setProblem(reply.error);
    setSettings(reply.value);
    setMessage('Saved. New orders from BestRx use it at once.');
  };

  const regenerate = async () => {
    if (!window.confirm('Make a new BestRx password? The old one stops working at once, until it is changed in BestRx too.')) return;
    const reply = await api.call('settings.regenerateBestrxCredentials', {});
    if (!reply.ok) return setProblem(reply.error);
    setConnection(reply.value);
    setShowPassword(true);
    setMessage('New password made. Enter it in BestRx’s delivery-provider settings now.');
  };

  return (
    <section className="settings" aria-label="Settings">
      <h2>Settings</h2>
      {message && <p role="status">{message}</p>}
      {problem && <p role="alert">{problem.message}</p>}

      <section aria-labelledby="settings-bestrx">
        <h3 id="settings-bestrx">BestRx endpoint (enter these in BestRx)</h3>
        {connection ? (
          <dl className="facts">
            <dt>Base URL</dt>
            <dd>
              <code>{connection.endpoint_url}</code>
            </dd>
            <dt>User</dt>
            <dd>
              <code>{connection.username}</code>
            </dd>
            <dt>Password</dt>
            <dd>
              <code aria-label="BestRx password">{showPassword ? connection.password : '••••••••'}</code>{' '}
              <button type="button" className="link-button" onClick={() => setShowPassword((v) => !v)}>
                {showPassword ? 'Hide' : 'Show'}
              </button>
            </dd>
          </dl>
        ) : (
          <p aria-busy="true">Loading…</p>
        )}
        {connection?.source === 'generated' ? (
          <button type="button" onClick={() => void regenerate()}>
            Make a new password
          </button>
        ) : (
          connection && <p className="hint">Set by RXRELAY_BESTRX_USER and RXRELAY_BESTRX_PASSWORD; change them there.</p>
        )}
      </section>

      <section aria-labelledby="settings-staff">
        <h3 id="settings-staff">Staff</h3>
        <StaffSettings api={api} store={store} />
      </section>

      <section aria-labelledby="settings-status">
        <h3 id="settings-status">Status updates to BestRx</h3>
        <p>
          {outbox?.target_url
            ? `${info?.status_target === 'sandbox' ? 'Sandbox: the BestRx simulator at' : 'Live: BestRx at'} ${outbox.target_url}`
            : 'Not set: updates wait in the outbox until RXRELAY_STATUS_URL is set.'}
        </p>
      </section>

      <section aria-labelledby="settings-partners">
        <h3 id="settings-partners">Partners</h3>
        <p className="hint">Fulfilment partners an order can be sent to instead of the in-house courier.</p>
        <PartnerSettings api={api} store={store} />
      </section>

      <section aria-labelledby="settings-labels">
        <h3 id="settings-labels">Labels</h3>
        {settings && (
          <div className="label-settings">
            <label className="choice">
              <input type="checkbox" checked={settings.inline_label_images} onChange={(e) => void update({ inline_label_images: e.target.checked })} />
              Send the label and packing slip images with every CreateOrder answer
            </label>
            <label>
              Image format for BestRx
              <select value={settings.label_image_format} onChange={(e) => void update({ label_image_format: e.target.value as AppSettings['label_image_format'] })}>
                <option value="png">PNG (sharpest, smallest)</option>
                <option value="gif">GIF</option>
                <option value="jpeg">JPEG</option>
              </select>
            </label>
          </div>
        )}
      </section>

      <section aria-labelledby="settings-id-scan">
        <h3 id="settings-id-scan">ID check at the door</h3>
        {settings && (
          <label className="choice">
            <input type="checkbox" checked={settings.id_scan_by_camera} onChange={(e) => void update({ id_scan_by_camera: e.target.checked })} />
            Let the app use the camera to scan an ID (off: the camera stays blocked; USB scanners work either way)
          </label>
        )}
      </section>

      <section aria-labelledby="settings-backups">
        <h3 id="settings-backups">Backups and diagnostics</h3>
        <BackupsAndDiagnostics api={api} />
      </section>

      <section aria-labelledby="settings-codes">
        <h3 id="settings-codes">Code tables</h3>
        {tables && <CodeTablesEditor api={api} tables={tables} onSaved={setTables} />}
      </section>
    </section>
  );
}
