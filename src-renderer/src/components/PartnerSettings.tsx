// Settings, partners: connect each fulfilment partner — the local simulator (sandbox) or the
// partner's API (live). United Pharmacy: its tenant's base URL and a setup token or client
// credentials, which RxRelay can rotate. CaryRx: the base URL CaryRx gave for an environment
// (development, UAT, production) and that environment's API key (CaryRx issues the keys: no
// rotation here). Honeybee Health: its API and token server (production by default), the client
// ID and secret from its Partner Dashboard, and the two webhook secrets set there (X-Honeybee-Secret
// and the event-signing secret). Secrets are typed into password fields, sent once, stored
// encrypted by the core and never shown again: the form only says whether they are stored.
import { useId, useState, type JSX } from 'react';
import { CARYRX_ENVIRONMENTS, type AppApiError, type AppApiInput, type PartnerStatusView } from '../../../src-shared/app-api-contract';
import type { AppApiClient } from '../api/app-api-client';
import { environmentWords, fieldProblem } from '../partner-words';
import type { AppStore } from '../store/app-store';

type CaryRxEnvironment = (typeof CARYRX_ENVIRONMENTS)[number];
const isCaryRxEnvironment = (value: string | null): value is CaryRxEnvironment => (CARYRX_ENVIRONMENTS as readonly (string | null)[]).includes(value);
const ENVIRONMENT_LABELS: Record<CaryRxEnvironment, string> = { development: 'Development', uat: 'UAT', production: 'Production' };

const FIELD_LABELS: Record<string, string> = {
  base_url: 'Base URL',
  setup_token: 'Setup token',
  client_id: 'Client ID',
  client_secret: 'Client secret',
  webhook_secret: 'Webhook secret',
  webhook_base_url: 'Webhook base URL',
  token_url: 'Token URL',
  signing_secret: 'Event-signing secret',
  environment: 'Environment',
  api_key: 'API key',
};
const plainLine = (line: string) => fieldProblem(line, FIELD_LABELS).text;

/** Honeybee's production addresses, used when the fields are left empty. */
const HONEYBEE_BASE_URL = 'https://partners.honeybeehealth.com';
const HONEYBEE_TOKEN_URL = 'https://auth.honeybeehealth.com/oauth/token';

/** The base part of the partner's webhook address (what was entered: the address minus /webhooks/<partner>). */
const webhookBase = (status: PartnerStatusView) => status.webhook_url?.replace(new RegExp(`/webhooks/${status.partner}/?$`), '') ?? '';

export function PartnerSettings({ api, store }: { api: AppApiClient; store: AppStore }): JSX.Element {
  const { list, error } = store((s) => s.partners);
  return (
    <>
      {error && !list && <p role="alert">Partners could not be loaded: {error.message}</p>}
      {!list && !error && <p aria-busy="true">Loading…</p>}
      {list && list.length === 0 && <p className="empty">No fulfilment partner is available in this version.</p>}
      {list?.map((status) => <PartnerForm key={status.partner} api={api} store={store} status={status} />)}
    </>
  );
}

function PartnerForm({ api, store, status }: { api: AppApiClient; store: AppStore; status: PartnerStatusView }): JSX.Element {
  const ids = useId();
  const [mode, setMode] = useState(status.mode);
  const [baseUrl, setBaseUrl] = useState(status.mode === 'live' ? status.base_url : '');
  const [auth, setAuth] = useState<'setup_token' | 'client'>('setup_token');
  const [setupToken, setSetupToken] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  // Honeybee: client credentials only (no setup token), a token server, and a second webhook secret.
  const honeybee = status.partner === 'honeybee';
  const [tokenUrl, setTokenUrl] = useState('');
  const [signingSecret, setSigningSecret] = useState('');
  // CaryRx: an API key per environment, issued by CaryRx.
  const byApiKey = status.partner === 'caryrx';
  const [environment, setEnvironment] = useState<CaryRxEnvironment | ''>(isCaryRxEnvironment(status.environment) ? status.environment : '');
  const [apiKey, setApiKey] = useState('');
  // In sandbox mode the core points the simulator's webhooks at this machine itself: not an address for live.
  const [webhookUrl, setWebhookUrl] = useState(() => (status.mode === 'live' ? webhookBase(status) : ''));
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  const [problem, setProblem] = useState<AppApiError | undefined>();

  // Rotation acts on the connection in use: not offered while another mode is being set up.
  const canRotate = !byApiKey && !honeybee && mode === status.mode && (status.credentials_stored || status.mode === 'sandbox');
  const secrets = byApiKey ? 'API key' : 'credentials';
  // The stored key is the one of the environment in use.
  const keyStored = status.credentials_stored && environment !== '' && environment === status.environment;
  const modeWords = (s: PartnerStatusView) =>
    s.mode === 'sandbox' ? 'sandbox (the local simulator)' : `live${s.environment ? ` (${environmentWords(s.environment)})` : ''}`;

  const save = async () => {
    const live = mode === 'live';
    const input: AppApiInput<'partners.configure'> = {
      partner: status.partner,
      mode,
      ...(live && baseUrl.trim() ? { base_url: baseUrl.trim() } : {}),
      ...(live && honeybee && tokenUrl.trim() ? { token_url: tokenUrl.trim() } : {}),
      ...(live && !byApiKey && !honeybee && auth === 'setup_token' && setupToken.trim() ? { setup_token: setupToken.trim() } : {}),
      ...(live && !byApiKey && (honeybee || auth === 'client') && clientId.trim() ? { client_id: clientId.trim() } : {}),
      ...(live && !byApiKey && (honeybee || auth === 'client') && clientSecret.trim() ? { client_secret: clientSecret.trim() } : {}),
      ...(live && !byApiKey && webhookSecret.trim() ? { webhook_secret: webhookSecret.trim() } : {}),
      ...(live && honeybee && signingSecret.trim() ? { signing_secret: signingSecret.trim() } : {}),
      ...(live && byApiKey && environment ? { environment } : {}),
      ...(live && byApiKey && apiKey.trim() ? { api_key: apiKey.trim() } : {}),
      // Emptied: stop asking the partner for webhooks (polling carries on).
      ...(live && webhookUrl.trim() ? { webhook_base_url: webhookUrl.trim() } : live && status.mode === 'live' && status.webhook_url ? { webhook_base_url: null } : {}),
    };
    setSaving(true);
    setMessage(undefined);
    setProblem(undefined);
    const reply = await api.call('partners.configure', input);
    setSaving(false);
    if (!reply.ok) return setProblem(reply.error);
    // Secrets go once: they are not kept in the page.
    setSetupToken('');
    setClientId('');
    setClientSecret('');
    setWebhookSecret('');
    setSigningSecret('');
    setApiKey('');
    const s = reply.value;
    setMessage(
      `Saved. ${s.name}: ${modeWords(s)}` +
        `${s.mode === 'live' ? (s.credentials_stored ? `, ${secrets} stored` : `, no ${secrets} stored yet`) : ''}` +
        `, ${s.connected ? 'connected' : s.last_error ? `not connected: ${s.last_error}` : 'not connected yet'}.`,
    );
    void store.getState().loadPartners();
  };

  const rotate = async () => {
    setMessage(undefined);
    setProblem(undefined);
    setSaving(true);
    const reply = await api.call('partners.rotateCredentials', { partner: status.partner });
    setSaving(false);
    if (!reply.ok) return setProblem(reply.error);
    const { old_client_id: old, new_client_id: next } = reply.value;
    setMessage(`New credentials in use: client ID ${next}${old ? `. The old ones (client ID ${old}) are revoked.` : '.'}`);
    void store.getState().loadPartners();
  };

  return (
    <form
      className="partner-settings"
      aria-labelledby={`${ids}-name`}
      aria-busy={saving}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h4 id={`${ids}-name`}>{status.name}</h4>
      <p className="hint">
        Now: {modeWords(status)}, {status.connected ? 'connected' : 'not connected'}
        {status.mode === 'live' || status.credentials_stored ? `; ${secrets} ${status.credentials_stored ? 'stored (never shown again)' : 'not stored'}` : ''}.
      </p>
      <fieldset className="mode-choice">
        <legend>Mode</legend>
        <label className="choice">
          <input type="radio" name={`${ids}-mode`} value="sandbox" checked={mode === 'sandbox'} onChange={() => setMode('sandbox')} />
          Sandbox — the local {status.name} simulator; nothing reaches {status.name}
        </label>
        <label className="choice">
          <input type="radio" name={`${ids}-mode`} value="live" checked={mode === 'live'} onChange={() => setMode('live')} />
          Live — {status.name}’s API with your {byApiKey ? 'API key' : 'credentials'}
        </label>
      </fieldset>
      {mode === 'live' && (
        <>
          <label>
            Base URL
            <input
              type="url"
              value={baseUrl}
              onChange={(e) => setBaseUrl(e.target.value)}
              placeholder={
                byApiKey ? `https://… (the address ${status.name} gave you)` : honeybee ? HONEYBEE_BASE_URL : 'https://api.example.com/pharmacy/{tenant}/api/v1'
              }
              autoComplete="off"
              spellCheck={false}
              maxLength={500}
              aria-describedby={honeybee ? `${ids}-urls-hint` : undefined}
            />
          </label>
          {honeybee && (
            <>
              <label>
                Token URL
                <input
                  type="url"
                  value={tokenUrl}
                  onChange={(e) => setTokenUrl(e.target.value)}
                  placeholder={HONEYBEE_TOKEN_URL}
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={500}
                  aria-describedby={`${ids}-urls-hint`}
                />
              </label>
              <p className="hint" id={`${ids}-urls-hint`}>
                Leave both empty for {status.name}’s production addresses (or to keep the ones saved before); fill them in for {status.name}’s staging.
              </p>
            </>
          )}
          {byApiKey ? (
            <fieldset className="credentials">
              <legend>Environment and API key</legend>
              <p className="hint" id={`${ids}-key-hint`}>
                {status.name} issues a separate API key for each environment, with its own base URL.{' '}
                {keyStored ? 'A key for this environment is stored (never shown again): leave the field empty to keep it.' : 'No key is stored for this environment yet.'}
              </p>
              <label>
                Environment
                <select value={environment} onChange={(e) => setEnvironment(e.target.value as CaryRxEnvironment | '')}>
                  <option value="">Choose…</option>
                  {CARYRX_ENVIRONMENTS.map((env) => (
                    <option key={env} value={env}>
                      {ENVIRONMENT_LABELS[env]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                API key
                <input
                  type="password"
                  value={apiKey}
                  onChange={(e) => setApiKey(e.target.value)}
                  autoComplete="new-password"
                  maxLength={500}
                  placeholder={keyStored ? 'stored — leave empty to keep it' : undefined}
                  aria-describedby={`${ids}-key-hint`}
                />
              </label>
            </fieldset>
          ) : honeybee ? (
            <fieldset className="credentials">
              <legend>Client credentials {status.credentials_stored ? '(stored; leave empty to keep them)' : ''}</legend>
              <p className="hint">
                The client ID and secret from {status.name}’s Partner Dashboard. RxRelay tries them before saving anything: wrong ones change nothing.
              </p>
              <label>
                Client ID
                <input value={clientId} onChange={(e) => setClientId(e.target.value)} autoComplete="off" spellCheck={false} maxLength={500} />
              </label>
              <label>
                Client secret
                <input
                  type="password"
                  value={clientSecret}
                  onChange={(e) => setClientSecret(e.target.value)}
                  autoComplete="new-password"
                  maxLength={2000}
                  placeholder={status.credentials_stored ? 'stored — leave empty to keep it' : undefined}
                />
              </label>
            </fieldset>
          ) : (
            <fieldset className="credentials">
              <legend>Credentials {status.credentials_stored ? '(stored; leave empty to keep them)' : ''}</legend>
              <label className="choice">
                <input type="radio" name={`${ids}-auth`} checked={auth === 'setup_token'} onChange={() => setAuth('setup_token')} />
                A setup token (RxRelay creates its own client ID and secret with it)
              </label>
              <label className="choice">
                <input type="radio" name={`${ids}-auth`} checked={auth === 'client'} onChange={() => setAuth('client')} />
                A client ID and secret I already have
              </label>
              {auth === 'setup_token' ? (
                <label>
                  Setup token
                  <input type="password" value={setupToken} onChange={(e) => setSetupToken(e.target.value)} autoComplete="new-password" maxLength={2000} />
                </label>
              ) : (
                <>
                  <label>
                    Client ID
                    <input value={clientId} onChange={(e) => setClientId(e.target.value)} autoComplete="off" spellCheck={false} maxLength={500} />
                  </label>
                  <label>
                    Client secret
                    <input type="password" value={clientSecret} onChange={(e) => setClientSecret(e.target.value)} autoComplete="new-password" maxLength={2000} />
                  </label>
                </>
              )}
            </fieldset>
          )}
          <fieldset className="webhooks">
            <legend>Webhooks (optional)</legend>
            <p className="hint">
              RxRelay polls {status.name} for every open order, so updates arrive without webhooks — only a little later. Webhooks need an address{' '}
              {status.name} can reach from the internet (e.g. a tunnel) that forwards to this RxRelay.
              {honeybee ? ` ${status.name} announces new e-prescriptions only by webhook: without one, Incoming prescriptions stays empty.` : ''}
            </p>
            <label>
              Webhook base URL
              <input
                type="url"
                value={webhookUrl}
                onChange={(e) => setWebhookUrl(e.target.value)}
                placeholder="https://rxrelay.example.com"
                autoComplete="off"
                spellCheck={false}
                maxLength={500}
                aria-describedby={`${ids}-webhook-hint`}
              />
            </label>
            <p className="hint" id={`${ids}-webhook-hint`}>
              {status.mode === 'live' && status.webhook_url ? (
                <>
                  Webhooks now go to <code>{status.webhook_url}</code>.
                </>
              ) : (
                `${status.name} will call <this address>/webhooks/${status.partner}.`
              )}
            </p>
            {!byApiKey && !honeybee && (
              <label>
                Webhook secret
                <input type="password" value={webhookSecret} onChange={(e) => setWebhookSecret(e.target.value)} autoComplete="new-password" maxLength={2000} />
              </label>
            )}
            {honeybee && (
              <>
                <p className="hint" id={`${ids}-secrets-hint`}>
                  Both are set in {status.name}’s dashboard (API &amp; Webhook Settings); enter either or both. RxRelay accepts a webhook only when what is set
                  here matches. Stored secrets are never shown: leave a field empty to keep it.
                </p>
                <label>
                  Webhook secret (X-Honeybee-Secret)
                  <input
                    type="password"
                    value={webhookSecret}
                    onChange={(e) => setWebhookSecret(e.target.value)}
                    autoComplete="new-password"
                    maxLength={2000}
                    aria-describedby={`${ids}-secrets-hint`}
                  />
                </label>
                <label>
                  Event-signing secret (X-Honeybee-Signature)
                  <input
                    type="password"
                    value={signingSecret}
                    onChange={(e) => setSigningSecret(e.target.value)}
                    autoComplete="new-password"
                    maxLength={2000}
                    aria-describedby={`${ids}-secrets-hint`}
                  />
                </label>
              </>
            )}
          </fieldset>
        </>
      )}
      {canRotate && (
        <p className="hint">
          Rotate credentials: RxRelay makes new API credentials, switches to them, then revokes the old ones — nothing stops meanwhile. {status.name}{' '}
          recommends it every 90 days.
        </p>
      )}
      {message && <p role="status">{message}</p>}
      {problem && (
        <div className="error" role="alert">
          <p>Not saved{problem.details && problem.details.length > 0 ? '. Fix this and save again:' : `: ${problem.message}`}</p>
          {problem.details && problem.details.length > 0 && (
            <ul>
              {problem.details.map((line) => (
                <li key={line}>{plainLine(line)}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="row-actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : `Save ${status.name}`}
        </button>
        {canRotate && (
          <button type="button" disabled={saving} onClick={() => void rotate()}>
            Rotate credentials
          </button>
        )}
      </div>
    </form>
  );
}
