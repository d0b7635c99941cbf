// Which partners RxRelay talks to and how: live (the partner's API, with credentials from
// Settings) or sandbox (the local simulator, started here). Product spec, "Sandbox mode": every
// connection not configured live goes to its simulator when the app runs in sandbox mode.
//
// Secrets (client secret, tokens, webhook secret) live in the SecretStore: encrypted by the OS
// keychain in the Electron app, an owner-only file in headless mode. They are never logged and
// never returned by the app API; Settings only learns whether they are stored.
import {
  PARTNER_DISPLAY_NAMES,
  PARTNER_NAMES,
  type AppApiParsedInput,
  type PartnerName,
  type PartnerStatusView,
} from '../../../src-shared/app-api-contract';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { startUnitedSimulator, type UnitedSimulator } from '../sandbox/united/united-simulator';
import { SettingKeys, type SecretStore, type SettingsStore } from '../settings/settings-store';
import { PartnerRequestError } from './partner-connector';
import { PartnerNotConnectedError, type PartnerSyncEngine } from './partner-sync-engine';
import { UnitedClient, type UnitedAuthState, type UnitedAuthStore } from './united/united-client';
import { UnitedConnector } from './united/united-connector';
import type { CaryRxEnvironment } from './caryrx/caryrx-api';
import { CaryRxClient } from './caryrx/caryrx-client';
import { CaryRxConnector } from './caryrx/caryrx-connector';
import { startCaryRxSimulator, type CaryRxSimulator } from '../sandbox/caryrx/caryrx-simulator';

/** A partner's settings (not secret). */
export interface PartnerSettings {
  mode: 'sandbox' | 'live';
  base_url?: string | undefined;
  webhook_base_url?: string | null | undefined;
  /** CaryRx: which environment's API key is in use. */
  environment?: CaryRxEnvironment | undefined;
}

/** Live polling: often enough that a shipped order shows within minutes, gently enough for a partner's rate limit. */
export const LIVE_POLL_INTERVAL_MS = 60_000;

export class PartnerConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
    this.name = 'PartnerConfigurationError';
  }
}

export interface PartnerConnectionsDependencies {
  engine: PartnerSyncEngine;
  settings: SettingsStore;
  secrets: SecretStore;
  clock: Clock;
  logger: Logger;
  /** The app runs in sandbox mode: partners not configured live use their simulators. */
  sandbox: boolean;
  /** The United simulator's port in sandbox mode (the seed's 8082; another when that is taken). */
  unitedSandboxPort: number;
  /** The CaryRx simulator's port in sandbox mode (8083; another when that is taken). */
  caryrxSandboxPort: number;
  /** RXRELAY_SANDBOX_STEP_MS: how often simulators move their orders on. */
  sandboxStepMs: number;
  /** This RxRelay's listener (webhooks from a local simulator reach it). */
  listenerUrl: () => string;
}

export class PartnerConnections {
  private unitedSimulator: UnitedSimulator | undefined;
  private caryrxSimulator: CaryRxSimulator | undefined;

  constructor(private readonly deps: PartnerConnectionsDependencies) {}

  /** Connects every partner per its settings. A partner that fails to connect is reported, not fatal. */
  async start(): Promise<void> {
    for (const [partner, connect] of [
      ['united', () => this.connectUnited(this.settingsOf('united'))],
      ['caryrx', () => this.connectCaryRx(this.settingsOf('caryrx'))],
    ] as const) {
      try {
        await connect();
      } catch (error) {
        this.deps.logger.warn('partners.connect_failed', { partner, error: (error as Error).message });
      }
    }
  }

  async stop(): Promise<void> {
    await this.deps.engine.stop();
    await this.unitedSimulator?.close();
    await this.caryrxSimulator?.close();
  }

  /** The sandbox's United simulator, when it runs. */
  get united(): UnitedSimulator | undefined {
    return this.unitedSimulator;
  }

  /** The sandbox's CaryRx simulator, when it runs. */
  get caryrx(): CaryRxSimulator | undefined {
    return this.caryrxSimulator;
  }

  /** The partners RxRelay can connect to (Honeybee: issue 8). */
  status(): PartnerStatusView[] {
    return PARTNER_NAMES.filter((partner) => partner !== 'honeybee').map((partner) => this.statusOf(partner));
  }

  statusOf(partner: PartnerName): PartnerStatusView {
    const settings = this.settingsOf(partner);
    const connector = this.deps.engine.connector(partner);
    const health = this.deps.engine.health(partner);
    const mode = connector?.mode ?? (settings.mode === 'live' || !this.deps.sandbox ? 'live' : 'sandbox');
    return {
      partner,
      name: PARTNER_DISPLAY_NAMES[partner],
      mode,
      connected: health?.connected ?? false,
      last_sync: health?.last_sync ?? null,
      last_error: health ? health.last_error : `Not connected: add ${PARTNER_DISPLAY_NAMES[partner]}'s credentials in Settings → Partners.`,
      circuit: health?.circuit ?? 'closed',
      next_try_at: health?.next_try_at ?? null,
      open_orders: health?.open_orders ?? 0,
      failed_dispatches: health?.failed_dispatches ?? 0,
      base_url: connector instanceof UnitedConnector || connector instanceof CaryRxConnector ? connector.client.baseUrl : (settings.base_url ?? ''),
      credentials_stored:
        partner === 'caryrx'
          ? Boolean(settings.environment && this.deps.secrets.get(caryrxKeyName(settings.environment)))
          : Boolean(this.deps.secrets.get(authSecretName(partner))),
      webhook_url: this.webhookUrl(partner) ?? null,
      environment: partner === 'caryrx' ? (connector?.mode === 'sandbox' ? 'sandbox' : (settings.environment ?? null)) : null,
      dispatch_fields: connector ? [...connector.dispatchFields] : [],
    };
  }

  /** Where a partner can reach this RxRelay's webhooks: the setting, or in sandbox the local listener. */
  webhookUrl(partner: PartnerName): string | undefined {
    const settings = this.settingsOf(partner);
    const base = settings.webhook_base_url ?? (this.deps.engine.connector(partner)?.mode === 'sandbox' ? this.deps.listenerUrl() : undefined);
    return base ? `${base.replace(/\/+$/, '')}/webhooks/${partner}` : undefined;
  }

  pollIntervalMs(partner: PartnerName): number {
    // In the sandbox, often enough to see each simulated step; live, once a minute.
    return this.deps.engine.connector(partner)?.mode === 'sandbox' ? Math.max(250, Math.min(this.deps.sandboxStepMs / 2, 30_000)) : LIVE_POLL_INTERVAL_MS;
  }

  async configure(input: AppApiParsedInput<'partners.configure'>): Promise<PartnerStatusView> {
    if (input.partner === 'caryrx') return this.configureCaryRx(input);
    if (input.partner !== 'united') throw new PartnerNotConnectedError(input.partner, `RxRelay cannot connect to ${PARTNER_DISPLAY_NAMES[input.partner]} yet.`);
    const previous = this.settingsOf('united');
    const settings: PartnerSettings = {
      mode: input.mode,
      base_url: input.base_url ?? previous.base_url,
      webhook_base_url: input.webhook_base_url === undefined ? previous.webhook_base_url : input.webhook_base_url,
    };
    if (input.mode === 'live') {
      const problems: string[] = [];
      if (!settings.base_url) problems.push("base_url is required: United's tenant-scoped address, https://…/pharmacy/{tenant}/api/v1.");
      else problems.push(...plainHttpProblems(settings.base_url));
      const hasSecret = input.client_id !== undefined || input.client_secret !== undefined;
      if (hasSecret && (!input.client_id || !input.client_secret)) problems.push('client_id and client_secret go together.');
      const staged = this.deps.secrets.get(stagedSecretName('united'));
      if (!input.setup_token && !hasSecret && !this.storedAuth('united') && !staged) problems.push('setup_token (or client_id and client_secret) is required the first time.');
      if (problems.length > 0) throw new PartnerConfigurationError(problems);
      // Proven before anything is saved: a wrong token or secret changes nothing.
      const candidate = this.unitedClient(settings.base_url as string, this.secretAuthStore('united', true));
      try {
        if (input.setup_token) await candidate.setup(input.setup_token, 'RxRelay');
        else if (input.client_id && input.client_secret) {
          await candidate.useCredentials({ client_id: input.client_id, client_secret: input.client_secret, ...(input.webhook_secret ? { webhook_secret: input.webhook_secret } : {}) });
        } else await candidate.ping();
      } catch (error) {
        await candidate.close();
        // A credential United created but could not yet give a token for is kept (staged): its
        // secret is shown only once, and the next attempt proves it instead of making another.
        // One United refused outright is dropped.
        if (!(error instanceof PartnerRequestError && error.transient)) this.deps.secrets.set(stagedSecretName('united'), '');
        throw error;
      }
      await candidate.close();
      const proven = this.deps.secrets.get(stagedSecretName('united'));
      if (proven) {
        const state = JSON.parse(proven) as UnitedAuthState;
        this.deps.secrets.set(authSecretName('united'), JSON.stringify(input.webhook_secret ? { ...state, webhook_secret: input.webhook_secret } : state));
        this.deps.secrets.set(stagedSecretName('united'), '');
      } else if (input.webhook_secret) {
        const state = this.storedAuth('united');
        if (state) this.deps.secrets.set(authSecretName('united'), JSON.stringify({ ...state, webhook_secret: input.webhook_secret }));
      }
    }
    this.saveSettings('united', settings);
    this.deps.logger.info('partners.configured', { partner: 'united', mode: settings.mode });
    await this.connectUnited(settings);
    return this.statusOf('united');
  }

  async rotateCredentials(partner: PartnerName): Promise<{ partner: PartnerName; old_client_id: string | null; new_client_id: string }> {
    const connector = this.deps.engine.connector(partner);
    if (!(connector instanceof UnitedConnector)) throw new PartnerNotConnectedError(partner);
    const { oldClientId, newClientId } = await connector.client.rotateCredentials('RxRelay');
    this.deps.logger.info('partners.credentials_rotated', { partner });
    return { partner, old_client_id: oldClientId, new_client_id: newClientId };
  }

  /**
   * CaryRx live: the environment's base URL (CaryRx hands these out; none is published) and its
   * API key, proven with a call before anything is kept.
   */
  private async configureCaryRx(input: AppApiParsedInput<'partners.configure'>): Promise<PartnerStatusView> {
    const previous = this.settingsOf('caryrx');
    const settings: PartnerSettings = {
      mode: input.mode,
      base_url: input.base_url ?? previous.base_url,
      environment: input.environment ?? previous.environment,
      webhook_base_url: input.webhook_base_url === undefined ? previous.webhook_base_url : input.webhook_base_url,
    };
    if (input.mode === 'live') {
      const problems: string[] = [];
      if (!settings.base_url) problems.push("base_url is required: the address CaryRx gave you for this environment.");
      else problems.push(...plainHttpProblems(settings.base_url));
      if (!settings.environment) problems.push('environment is required: development, uat or production (CaryRx issues a key for each).');
      const key = input.api_key ?? (settings.environment ? this.deps.secrets.get(caryrxKeyName(settings.environment)) : undefined);
      if (!key) problems.push("api_key is required: the key CaryRx issued for this environment.");
      if (problems.length > 0) throw new PartnerConfigurationError(problems);
      const candidate = this.caryrxClient(settings.base_url as string, key as string);
      try {
        await candidate.ping();
      } finally {
        await candidate.close();
      }
      if (input.api_key) this.deps.secrets.set(caryrxKeyName(settings.environment as CaryRxEnvironment), input.api_key);
    }
    this.saveSettings('caryrx', settings);
    this.deps.logger.info('partners.configured', { partner: 'caryrx', mode: settings.mode, environment: settings.environment ?? null });
    await this.connectCaryRx(settings);
    return this.statusOf('caryrx');
  }

  /** Sandbox: make the simulator move, fail or cancel the partner's order for one of our orders. */
  sandboxOrder(input: AppApiParsedInput<'sandbox.partnerOrder'>, partnerOrderRef: string | undefined): { partner_status: string } {
    const simulator = input.partner === 'united' ? this.unitedSimulator : input.partner === 'caryrx' ? this.caryrxSimulator : undefined;
    if (!simulator || this.deps.engine.connector(input.partner)?.mode !== 'sandbox') {
      throw new PartnerNotConnectedError(input.partner, `${PARTNER_DISPLAY_NAMES[input.partner]} is not in sandbox mode: there is no simulator to steer.`);
    }
    if (!partnerOrderRef) throw new PartnerRequestError('not_found', `Order ${input.id} has no ${PARTNER_DISPLAY_NAMES[input.partner]} order yet.`);
    const steer = (action: (id: string) => { status?: string; order_status?: string } | undefined) => action(partnerOrderRef);
    const order = steer({ advance: simulator.advanceOrder, fail: simulator.failOrder, cancel: simulator.cancelOrder }[input.action].bind(simulator));
    if (!order) throw new PartnerRequestError('rejected', `The simulator could not ${input.action} that order (it may be finished already).`);
    return { partner_status: order.status ?? order.order_status ?? '' };
  }

  private async connectCaryRx(settings: PartnerSettings): Promise<void> {
    const { engine, logger } = this.deps;
    const liveKey = settings.environment ? this.deps.secrets.get(caryrxKeyName(settings.environment)) : undefined;
    let connector: CaryRxConnector;
    if (settings.mode === 'live' && settings.base_url && liveKey) {
      await this.caryrxSimulator?.close();
      this.caryrxSimulator = undefined;
      connector = new CaryRxConnector(this.caryrxClient(settings.base_url, liveKey), 'live', this.callbackToken('caryrx'));
    } else {
      if (!this.deps.sandbox && settings.mode !== 'sandbox') return;
      this.caryrxSimulator ??= await this.startWithFallbackPort('caryrx', this.deps.caryrxSandboxPort, (port) =>
        startCaryRxSimulator({ clock: this.deps.clock, logger: this.deps.logger, stepMs: this.deps.sandboxStepMs, port }),
      );
      connector = new CaryRxConnector(this.caryrxClient(this.caryrxSimulator.url, this.caryrxSimulator.apiKey), 'sandbox', this.callbackToken('caryrx'));
    }
    await engine.setConnector(connector);
    await this.checkQuietly('caryrx');
    // "Register event webhooks" is CaryRx's first step; without a reachable URL, polling alone follows the orders.
    const callbackUrl = this.webhookUrl('caryrx');
    if (callbackUrl) {
      try {
        await engine.callThrough('caryrx', () => connector.registerCallbacks(callbackUrl));
      } catch (error) {
        logger.warn('partners.callback_registration_failed', { partner: 'caryrx', error: (error as Error).message });
      }
    }
    logger.info('partners.connected', { partner: 'caryrx', mode: connector.mode, base_url: connector.client.baseUrl });
  }

  /** The secret RxRelay puts in a callback URL it registers (CaryRx signs nothing), made once and kept. */
  private callbackToken(partner: PartnerName): string {
    const name = `partners.${partner}.callback_token`;
    let token = this.deps.secrets.get(name);
    if (!token) {
      token = randomBytes(24).toString('base64url');
      this.deps.secrets.set(name, token);
    }
    return token;
  }

  private caryrxClient(baseUrl: string, apiKey: string): CaryRxClient {
    return new CaryRxClient({ baseUrl, apiKey, clock: this.deps.clock, logger: this.deps.logger });
  }

  private async connectUnited(settings: PartnerSettings): Promise<void> {
    const { engine, logger } = this.deps;
    if (settings.mode === 'live' && settings.base_url && this.storedAuth('united')) {
      await this.unitedSimulator?.close();
      this.unitedSimulator = undefined;
      await engine.setConnector(new UnitedConnector(this.unitedClient(settings.base_url, this.secretAuthStore('united', false)), 'live'));
      await this.checkQuietly('united');
      return;
    }
    if (!this.deps.sandbox && settings.mode !== 'sandbox') return;
    this.unitedSimulator ??= await this.startUnitedSimulator();
    // The simulator's accounts live as long as it does: its credentials need no safekeeping.
    let state: UnitedAuthState | undefined;
    const client = this.unitedClient(this.unitedSimulator.baseUrl, { load: () => state, save: (next) => void (state = next) });
    await client.setup(this.unitedSimulator.setupToken, 'RxRelay sandbox');
    await engine.setConnector(new UnitedConnector(client, 'sandbox'));
    await this.checkQuietly('united');
    logger.info('partners.sandbox_connected', { partner: 'united', base_url: this.unitedSimulator.baseUrl });
  }

  /** Learns at once whether the connection works, for Sync status; a failure is recorded there, not thrown. */
  private async checkQuietly(partner: PartnerName): Promise<void> {
    try {
      await this.deps.engine.checkConnection(partner);
    } catch {
      // Shown in partners.status as the last error.
    }
  }

  private startUnitedSimulator(): Promise<UnitedSimulator> {
    return this.startWithFallbackPort('united', this.deps.unitedSandboxPort, (port) =>
      startUnitedSimulator({ clock: this.deps.clock, logger: this.deps.logger, stepMs: this.deps.sandboxStepMs, port }),
    );
  }

  private async startWithFallbackPort<T>(partner: PartnerName, port: number, start: (port: number) => Promise<T>): Promise<T> {
    try {
      return await start(port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error;
      // Something else holds the usual port: the sandbox still works on another (its URL is shown in Sync status).
      this.deps.logger.warn('partners.sandbox_port_taken', { partner, port });
      return start(0);
    }
  }

  private unitedClient(baseUrl: string, auth: UnitedAuthStore): UnitedClient {
    return new UnitedClient({ baseUrl, auth, clock: this.deps.clock, logger: this.deps.logger });
  }

  /**
   * Auth state in the secret store. While new credentials are being proven (`staged`), they are
   * written aside, so a failed attempt leaves the working ones untouched.
   */
  private secretAuthStore(partner: PartnerName, staged: boolean): UnitedAuthStore {
    const name = staged ? stagedSecretName(partner) : authSecretName(partner);
    return {
      load: () => {
        const text = this.deps.secrets.get(name) || (staged ? this.deps.secrets.get(authSecretName(partner)) : undefined);
        return text ? (JSON.parse(text) as UnitedAuthState) : undefined;
      },
      save: (state) => this.deps.secrets.set(name, state ? JSON.stringify(state) : ''),
    };
  }

  private storedAuth(partner: PartnerName): UnitedAuthState | undefined {
    const text = this.deps.secrets.get(authSecretName(partner));
    return text ? (JSON.parse(text) as UnitedAuthState) : undefined;
  }

  private settingsOf(partner: PartnerName): PartnerSettings {
    const all = (this.deps.settings.get(SettingKeys.partners) ?? {}) as Partial<Record<PartnerName, PartnerSettings>>;
    return all[partner] ?? { mode: this.deps.sandbox ? 'sandbox' : 'live' };
  }

  private saveSettings(partner: PartnerName, settings: PartnerSettings): void {
    const all = (this.deps.settings.get(SettingKeys.partners) ?? {}) as Partial<Record<PartnerName, PartnerSettings>>;
    this.deps.settings.set(SettingKeys.partners, { ...all, [partner]: settings });
  }
}

/** Live credentials and patient data travel only over HTTPS; plain HTTP only to this machine (a local test server). */
function plainHttpProblems(baseUrl: string): string[] {
  const url = new URL(baseUrl);
  if (url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return [];
  return ['base_url must use https: credentials and patient data never travel in the clear.'];
}

function caryrxKeyName(environment: CaryRxEnvironment): string {
  return `partners.caryrx.apikey.${environment}`;
}

function authSecretName(partner: PartnerName): string {
  return `partners.${partner}.auth`;
}

function stagedSecretName(partner: PartnerName): string {
  return `partners.${partner}.auth.staged`;
}
