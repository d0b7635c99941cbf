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
  type AppApiOutput,
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
import { startHoneybeeSimulator, type HoneybeeSimulator } from '../sandbox/honeybee/honeybee-simulator';
import { HONEYBEE_PRODUCTION_BASE_URL, HONEYBEE_PRODUCTION_TOKEN_URL, orderStatusOf } from './honeybee/honeybee-api';
import type { RecipientContent } from '../domain/order-content';
import { HoneybeeClient } from './honeybee/honeybee-client';
import { HoneybeeConnector } from './honeybee/honeybee-connector';

/** A partner's settings (not secret). */
export interface PartnerSettings {
  mode: 'sandbox' | 'live';
  base_url?: string | undefined;
  webhook_base_url?: string | null | undefined;
  /** CaryRx: which environment's API key is in use. */
  environment?: CaryRxEnvironment | undefined;
  /** Honeybee: its token server (a separate host from the API). */
  token_url?: string | undefined;
}

/** Honeybee's secrets, kept together in the secret store. */
interface HoneybeeSecrets {
  client_id: string;
  client_secret: string;
  /** X-Honeybee-Secret, as set in Honeybee's dashboard. */
  static_secret?: string | undefined;
  /** The event-signing credentials' secret (X-Honeybee-Signature). */
  signing_secret?: string | undefined;
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
  /** The Honeybee simulator's port in sandbox mode (8084; another when that is taken). */
  honeybeeSandboxPort: number;
  /** RXRELAY_SANDBOX_STEP_MS: how often simulators move their orders on. */
  sandboxStepMs: number;
  /** This RxRelay's listener (webhooks from a local simulator reach it). */
  listenerUrl: () => string;
}

export class PartnerConnections {
  private unitedSimulator: UnitedSimulator | undefined;
  private caryrxSimulator: CaryRxSimulator | undefined;
  private honeybeeSimulator: HoneybeeSimulator | undefined;

  constructor(private readonly deps: PartnerConnectionsDependencies) {}

  /** Connects every partner per its settings. A partner that fails to connect is reported, not fatal. */
  async start(): Promise<void> {
    for (const [partner, connect] of [
      ['united', () => this.connectUnited(this.settingsOf('united'))],
      ['caryrx', () => this.connectCaryRx(this.settingsOf('caryrx'))],
      ['honeybee', () => this.connectHoneybee(this.settingsOf('honeybee'))],
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
    await this.honeybeeSimulator?.close();
  }

  /** The sandbox's Honeybee simulator, when it runs. */
  get honeybee(): HoneybeeSimulator | undefined {
    return this.honeybeeSimulator;
  }

  /** The sandbox's United simulator, when it runs. */
  get united(): UnitedSimulator | undefined {
    return this.unitedSimulator;
  }

  /** The sandbox's CaryRx simulator, when it runs. */
  get caryrx(): CaryRxSimulator | undefined {
    return this.caryrxSimulator;
  }

  status(): PartnerStatusView[] {
    return PARTNER_NAMES.map((partner) => this.statusOf(partner));
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
      base_url:
        connector instanceof UnitedConnector || connector instanceof CaryRxConnector || connector instanceof HoneybeeConnector
          ? connector.client.baseUrl
          : (settings.base_url ?? ''),
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
    if (input.partner === 'honeybee') return this.configureHoneybee(input);
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

  /** Sandbox: make the simulator move, fail, cancel or hold the partner's order for one of our orders. */
  sandboxOrder(input: AppApiParsedInput<'sandbox.partnerOrder'>, partnerOrderRef: string | undefined): { partner_status: string } {
    const name = PARTNER_DISPLAY_NAMES[input.partner];
    if (this.deps.engine.connector(input.partner)?.mode !== 'sandbox') {
      throw new PartnerNotConnectedError(input.partner, `${name} is not in sandbox mode: there is no simulator to steer.`);
    }
    if (!partnerOrderRef) throw new PartnerRequestError('not_found', `Order ${input.id} has no ${name} order yet.`);
    const steered = this.steerSimulator(input.partner, input.action, partnerOrderRef);
    if (steered === undefined) throw new PartnerRequestError('rejected', `The ${name} simulator could not ${input.action} that order (it may be finished already, or it cannot do that).`);
    return { partner_status: steered };
  }

  /** The simulator's new status for the order, or undefined when it could not. */
  private steerSimulator(partner: PartnerName, action: AppApiParsedInput<'sandbox.partnerOrder'>['action'], ref: string): string | undefined {
    if (partner === 'united' && this.unitedSimulator && action !== 'hold') {
      const sim = this.unitedSimulator;
      return { advance: () => sim.advanceOrder(ref), fail: () => sim.failOrder(ref), cancel: () => sim.cancelOrder(ref) }[action]()?.status;
    }
    if (partner === 'caryrx' && this.caryrxSimulator && action !== 'hold') {
      const sim = this.caryrxSimulator;
      return { advance: () => sim.advanceOrder(ref), fail: () => sim.failOrder(ref), cancel: () => sim.cancelOrder(ref) }[action]()?.order_status;
    }
    if (partner === 'honeybee' && this.honeybeeSimulator && action !== 'fail') {
      const sim = this.honeybeeSimulator;
      const order = { advance: () => sim.advanceOrder(ref), hold: () => sim.holdOrder(ref), cancel: () => sim.cancelOrder(ref) }[action]();
      return order ? orderStatusOf(order) : undefined;
    }
    return undefined;
  }

  /**
   * Sandbox: an e-prescription reaches the Honeybee simulator for this patient (or a made-up
   * one); `requested` announces it (RX_RECEIVED), `automatic` makes the order at once.
   */
  sandboxPrescription(input: AppApiParsedInput<'sandbox.partnerPrescription'>, recipient: RecipientContent | undefined): AppApiOutput<'sandbox.partnerPrescription'> {
    const sim = this.honeybeeSimulator;
    if (input.partner !== 'honeybee' || !sim || this.deps.engine.connector('honeybee')?.mode !== 'sandbox') {
      throw new PartnerNotConnectedError(input.partner, `${PARTNER_DISPLAY_NAMES[input.partner]} has no prescription simulator in this mode: only Honeybee Health in sandbox mode takes e-prescriptions.`);
    }
    const firstName = recipient?.first_name ?? recipient?.entity_name ?? 'Patient';
    const lastName = recipient?.last_name ?? 'Unknown';
    const received = sim.receiveErx({
      workflow: input.workflow,
      ...(recipient
        ? {
            patient: {
              first_name: firstName,
              last_name: lastName,
              dob: '1960-01-01',
              email: recipient.email,
              address: {
                first_name: firstName,
                last_name: lastName,
                street1: recipient.address.address_line_1,
                ...(recipient.address.address_line_2 ? { street2: recipient.address.address_line_2 } : {}),
                city: recipient.address.city,
                state: recipient.address.state,
                zip: recipient.address.zip_code,
              },
            },
          }
        : {}),
    });
    return { partner_patient_id: received.patient_id, prescription_ids: received.prescription_ids.map(String), partner_order_ref: received.order_number ?? null };
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

  /**
   * Honeybee live: client credentials (proven with a token and a read before anything is
   * saved), the API and token server addresses (production by default), and the webhook secrets
   * set in Honeybee's dashboard: X-Honeybee-Secret (`webhook_secret`) and/or the event-signing
   * secret (`signing_secret`). Without either, webhooks are refused and only polling follows orders.
   */
  private async configureHoneybee(input: AppApiParsedInput<'partners.configure'>): Promise<PartnerStatusView> {
    const previous = this.settingsOf('honeybee');
    const settings: PartnerSettings = {
      mode: input.mode,
      base_url: input.base_url ?? previous.base_url ?? HONEYBEE_PRODUCTION_BASE_URL,
      token_url: input.token_url ?? previous.token_url ?? HONEYBEE_PRODUCTION_TOKEN_URL,
      webhook_base_url: input.webhook_base_url === undefined ? previous.webhook_base_url : input.webhook_base_url,
    };
    if (input.mode === 'live') {
      const stored = this.honeybeeSecrets();
      const problems: string[] = [];
      problems.push(...plainHttpProblems(settings.base_url as string), ...plainHttpProblems(settings.token_url as string).map((p) => p.replace('base_url', 'token_url')));
      if ((input.client_id === undefined) !== (input.client_secret === undefined)) problems.push('client_id and client_secret go together.');
      if (!stored && !input.client_id) problems.push('client_id and client_secret are required the first time: Honeybee issues them in its Partner Dashboard.');
      if (problems.length > 0) throw new PartnerConfigurationError(problems);
      const secrets: HoneybeeSecrets = {
        client_id: input.client_id ?? (stored as HoneybeeSecrets).client_id,
        client_secret: input.client_secret ?? (stored as HoneybeeSecrets).client_secret,
        static_secret: input.webhook_secret ?? stored?.static_secret,
        signing_secret: input.signing_secret ?? stored?.signing_secret,
      };
      // Proven before anything is saved: wrong credentials change nothing.
      const candidate = this.honeybeeClient(settings, secrets);
      try {
        await candidate.ping();
      } finally {
        await candidate.close();
      }
      this.deps.secrets.set(authSecretName('honeybee'), JSON.stringify(secrets));
    }
    this.saveSettings('honeybee', settings);
    this.deps.logger.info('partners.configured', { partner: 'honeybee', mode: settings.mode });
    await this.connectHoneybee(settings);
    return this.statusOf('honeybee');
  }

  private async connectHoneybee(settings: PartnerSettings): Promise<void> {
    const { engine, logger } = this.deps;
    const secrets = this.honeybeeSecrets();
    const receiverUrl = () => this.webhookUrl('honeybee');
    if (settings.mode === 'live' && secrets) {
      await this.honeybeeSimulator?.close();
      this.honeybeeSimulator = undefined;
      const client = this.honeybeeClient(settings, secrets);
      await engine.setConnector(new HoneybeeConnector(client, 'live', { staticSecret: secrets.static_secret, signingSecret: secrets.signing_secret }, receiverUrl));
    } else {
      if (!this.deps.sandbox && settings.mode !== 'sandbox') return;
      this.honeybeeSimulator ??= await this.startWithFallbackPort('honeybee', this.deps.honeybeeSandboxPort, (port) =>
        startHoneybeeSimulator({ clock: this.deps.clock, logger: this.deps.logger, stepMs: this.deps.sandboxStepMs, port }),
      );
      const sim = this.honeybeeSimulator;
      const client = this.honeybeeClient({ mode: 'sandbox', base_url: sim.url, token_url: sim.tokenUrl }, { client_id: sim.clientId, client_secret: sim.clientSecret });
      await engine.setConnector(new HoneybeeConnector(client, 'sandbox', { staticSecret: sim.staticSecret, signingSecret: sim.signingSecret }, receiverUrl));
      // The dashboard's "API & Webhook Settings" has one URL; the simulator's is set here.
      sim.setWebhookUrl(this.webhookUrl('honeybee'));
    }
    await this.checkQuietly('honeybee');
    logger.info('partners.connected', { partner: 'honeybee', mode: engine.connector('honeybee')?.mode ?? null });
  }

  private honeybeeSecrets(): HoneybeeSecrets | undefined {
    const text = this.deps.secrets.get(authSecretName('honeybee'));
    return text ? (JSON.parse(text) as HoneybeeSecrets) : undefined;
  }

  private honeybeeClient(settings: PartnerSettings, secrets: Pick<HoneybeeSecrets, 'client_id' | 'client_secret'>): HoneybeeClient {
    return new HoneybeeClient({
      baseUrl: settings.base_url ?? HONEYBEE_PRODUCTION_BASE_URL,
      tokenUrl: settings.token_url ?? HONEYBEE_PRODUCTION_TOKEN_URL,
      clientId: secrets.client_id,
      clientSecret: secrets.client_secret,
      clock: this.deps.clock,
      logger: this.deps.logger,
    });
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
