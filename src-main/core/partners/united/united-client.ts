// RxRelay's HTTP client for United Pharmacy's partner API (../shared/seeds/united-pharmacy-api.txt):
// one method per endpoint, every request checked against United's published rules before it is
// sent, every answer parsed against the shapes in united-api.ts, and every failure reported as a
// PartnerRequestError whose kind tells the sync engine what to do next.
//
// Tokens. An access token lasts 30 days and a refresh token 60, and each refresh spends the
// refresh token it used (rotating refresh tokens). So:
// - a missing or nearly expired access token is fetched with the client credentials, which
//   spends nothing;
// - a 401 means United dropped the token early: it is renewed once, single-flight, however many
//   requests were refused together (a second refresh would present an already spent token);
// - the new refresh token is saved before the new access token is used, so a crash never leaves
//   RxRelay holding only a spent refresh token;
// - a refused refresh (spent, expired, revoked) falls back to the client credentials: if United
//   rotated the token but its answer was lost, the account is still reachable.
import { setTimeout as delay } from 'node:timers/promises';
import { Agent } from 'undici';
import type { z } from 'zod';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import { PartnerRequestError } from '../partner-connector';
import {
  createdCredentialSchema,
  credentialSchema,
  dataEnvelope,
  errorBodySchema,
  medicationSchema,
  orderInputSchema,
  orderProblems,
  orderSchema,
  pageEnvelope,
  PATIENT_EMAIL_SEARCH_MAX,
  patientInputSchema,
  patientProblems,
  patientSchema,
  PATIENTS_MAX_PER_PAGE,
  pharmacySchema,
  renameCredentialRequest,
  tokenResponseSchema,
  type UnitedCreatedCredential,
  type UnitedCredential,
  type UnitedMedication,
  type UnitedOrder,
  type UnitedOrderInput,
  type UnitedPagination,
  type UnitedPatient,
  type UnitedPatientInput,
  type UnitedPharmacy,
  type UnitedTokenResponse,
} from './united-api';
import { PartnerHttp, zodProblems, type PartnerAnswer } from '../partner-http';


export const UNITED_DEFAULT_TIMEOUT_MS = 15_000;
export const UNITED_DEFAULT_RATE_LIMIT_RETRIES = 3;
/** Medication prices are "real-time" (seed), so the catalog is kept only briefly. */
export const UNITED_DEFAULT_CATALOG_MAX_AGE_MS = 5 * 60_000;
/** An access token this close to its end is replaced before use rather than sent to be refused. */
export const ACCESS_TOKEN_SAFETY_MARGIN_MS = 5 * 60_000;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
/**
 * A Retry-After longer than this is not waited out inside a request (a dispatch, a staff click):
 * the caller gets `rate_limited` with the wait and schedules the retry itself.
 */
const LONGEST_INLINE_WAIT_MS = 60_000;
/** Orders sharing one of our references: more than a page would be a bug, more than this absurd. */
const MAX_REFERENCE_PAGES = 10;

const UNAUTHORIZED_MESSAGE = "United Pharmacy refused RxRelay's credentials (revoked?) — reconnect in Settings";
const NOT_CONNECTED_MESSAGE = 'RxRelay is not connected to United Pharmacy — connect in Settings';

export interface UnitedAuthState {
  client_id: string;
  client_secret: string;
  access_token?: string;
  /** ISO 8601. */
  access_expires_at?: string;
  refresh_token?: string;
  refresh_expires_at?: string;
  webhook_secret?: string;
}

/** Persisted by the caller (the encrypted secret store); `save(undefined)` forgets the connection. */
export interface UnitedAuthStore {
  load(): UnitedAuthState | undefined;
  save(state: UnitedAuthState | undefined): void;
}

export interface UnitedClientOptions {
  /** Tenant-scoped, e.g. http://127.0.0.1:8082/pharmacy/sandbox/api/v1 */
  baseUrl: string;
  auth: UnitedAuthStore;
  clock: Clock;
  logger: Logger;
  /** Connect, headers and body timeouts each; default 15 s. */
  timeoutMs?: number;
  /** How many times a 429 is waited out before giving up; default 3. */
  rateLimitRetries?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  catalogMaxAgeMs?: number;
}

export interface UnitedPatientQuery {
  page?: number;
  per_page?: number;
  email?: string;
}

export interface UnitedMedicationPage {
  data: UnitedMedication[];
  pagination: UnitedPagination;
  /** When United was asked (ISO 8601): the prices are as of then. */
  fetchedAt: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Exchange {
  method: Method;
  /** Relative to the base URL, ids already encoded. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** What the request does, in words for an error message ("create the order"). */
  purpose: string;
}

const credentialListSchema = dataEnvelope(credentialSchema.array());
const createdCredentialAnswer = dataEnvelope(createdCredentialSchema);
const credentialAnswer = dataEnvelope(credentialSchema);
const tokenAnswer = dataEnvelope(tokenResponseSchema);
const patientAnswer = dataEnvelope(patientSchema);
const patientPage = pageEnvelope(patientSchema);
const pharmacyList = dataEnvelope(pharmacySchema.array());
const medicationPage = pageEnvelope(medicationSchema);
const orderAnswer = dataEnvelope(orderSchema);
const orderPage = pageEnvelope(orderSchema);

export class UnitedClient {
  private readonly root: string;
  private readonly agent: Agent;
  private readonly http: PartnerHttp;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly store: UnitedAuthStore;
  private readonly rateLimitRetries: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly catalogMaxAgeMs: number;
  private readonly catalog = new Map<string, { page: UnitedMedicationPage; fetchedAtMs: number }>();
  /** `null` until first read from the store. */
  private state: UnitedAuthState | undefined | null = null;
  /** The one token renewal in flight, which every refused or token-less request waits for. */
  private renewal: Promise<string> | undefined;

  constructor(options: UnitedClientOptions) {
    this.root = options.baseUrl.replace(/\/+$/, '');
    const timeout = options.timeoutMs ?? UNITED_DEFAULT_TIMEOUT_MS;
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 16, connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout });
    this.http = new PartnerHttp({
      partnerName: 'United Pharmacy',
      logPrefix: 'united',
      agent: this.agent,
      clock: options.clock,
      logger: options.logger,
      errorBody: errorBodySchema,
      unauthorizedMessage: UNAUTHORIZED_MESSAGE,
      // A 401 is first answered by renewing the token (call); one that reaches here means the credential is gone.
      unauthorizedStatuses: [401],
    });
    this.clock = options.clock;
    this.logger = options.logger;
    this.store = options.auth;
    this.rateLimitRetries = options.rateLimitRetries ?? UNITED_DEFAULT_RATE_LIMIT_RETRIES;
    this.sleep = options.sleep ?? ((ms) => delay(ms));
    this.random = options.random ?? Math.random;
    this.catalogMaxAgeMs = options.catalogMaxAgeMs ?? UNITED_DEFAULT_CATALOG_MAX_AGE_MS;
  }

  get baseUrl(): string {
    return this.root;
  }

  hasCredentials(): boolean {
    const state = this.authState();
    return Boolean(state?.client_id && state.client_secret);
  }

  webhookSecret(): string | undefined {
    return this.authState()?.webhook_secret;
  }

  // ---- credentials --------------------------------------------------------------------------

  /**
   * Creates RxRelay's credentials with the setup token United handed out. They are saved before
   * anything else: United shows the secret only once, and a credential whose secret is lost
   * still counts against the tenant's 20.
   */
  async setup(setupToken: string, name?: string): Promise<UnitedCreatedCredential> {
    if (!setupToken.trim()) throw new PartnerRequestError('invalid_request', 'Enter the setup token United Pharmacy gave you.');
    const answer = await this.exchange({
      method: 'POST',
      path: 'auth/credentials',
      body: { setup_token: setupToken.trim(), ...(name === undefined ? {} : { name }) },
      purpose: 'create API credentials',
    });
    if (answer.status === 401) throw new PartnerRequestError('unauthorized', 'United Pharmacy refused the setup token — check it and try again', { httpStatus: 401 });
    const created = this.http.interpret(answer, createdCredentialAnswer, 'create API credentials').data;
    this.saveState({ client_id: created.client_id, client_secret: created.client_secret, ...webhookSecretOf(created.webhook_secret) });
    this.logger.info('united.credentials_created', { client_id: created.client_id });
    await this.tokenFromClientCredentials();
    return created;
  }

  /** Stores credentials made elsewhere once a token proves them; until then the old connection stays. */
  async useCredentials(input: { client_id: string; client_secret: string; webhook_secret?: string }): Promise<void> {
    if (!input.client_id.trim() || !input.client_secret.trim()) throw new PartnerRequestError('invalid_request', 'Enter both the client ID and the client secret.');
    const previous = this.authState();
    this.saveState({ client_id: input.client_id.trim(), client_secret: input.client_secret.trim(), ...webhookSecretOf(input.webhook_secret ?? previous?.webhook_secret) });
    try {
      await this.tokenFromClientCredentials();
    } catch (error) {
      this.saveState(previous);
      throw error;
    }
    this.logger.info('united.credentials_stored', { client_id: input.client_id.trim() });
  }

  async listCredentials(options: { includeRevoked?: boolean } = {}): Promise<UnitedCredential[]> {
    const answer = await this.call(
      { method: 'GET', path: 'auth/credentials', query: { include_revoked: options.includeRevoked ? 'true' : undefined }, purpose: 'list API credentials' },
      credentialListSchema,
    );
    return answer.data;
  }

  async renameCredential(clientId: string, name: string): Promise<UnitedCredential> {
    const parsed = renameCredentialRequest.safeParse({ name });
    if (!parsed.success) throw new PartnerRequestError('invalid_request', 'A credential name needs 1 to 100 characters.');
    const answer = await this.call(
      { method: 'PATCH', path: `auth/credentials/${idSegment(clientId, 'client ID')}`, body: parsed.data, purpose: 'rename the API credential' },
      credentialAnswer,
    );
    return answer.data;
  }

  /** Revoking RxRelay's own credential disconnects it: its tokens stop working at once. */
  async revokeCredential(clientId: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `auth/credentials/${idSegment(clientId, 'client ID')}`, purpose: 'revoke the API credential' });
    if (this.authState()?.client_id === clientId) {
      this.saveState(undefined);
      this.logger.warn('united.own_credential_revoked', { client_id: clientId });
    }
  }

  /**
   * New credentials first, proven and saved, the old ones revoked last: United's own advice
   * ("create new credentials before revoking old ones to ensure zero downtime").
   */
  async rotateCredentials(name?: string): Promise<{ oldClientId: string; newClientId: string }> {
    const old = this.requireState();
    const created = (
      await this.call(
        { method: 'POST', path: 'auth/credentials', body: name === undefined ? {} : { name }, purpose: 'create new API credentials' },
        createdCredentialAnswer,
      )
    ).data;
    this.saveState({ client_id: created.client_id, client_secret: created.client_secret, ...webhookSecretOf(created.webhook_secret ?? old.webhook_secret) });
    await this.tokenFromClientCredentials();
    try {
      await this.call({ method: 'DELETE', path: `auth/credentials/${encodeURIComponent(old.client_id)}`, purpose: 'revoke the old API credentials' });
    } catch (error) {
      if (!(error instanceof PartnerRequestError)) throw error;
      throw new PartnerRequestError(
        error.kind,
        `RxRelay now uses its new United Pharmacy credentials, but the old ones (${old.client_id}) could not be revoked: ${error.message}`,
        error.options,
      );
    }
    this.logger.info('united.credentials_rotated', { old_client_id: old.client_id, new_client_id: created.client_id });
    return { oldClientId: old.client_id, newClientId: created.client_id };
  }

  /** Proves the connection end to end, credentials included, with the cheapest authenticated call. */
  async ping(): Promise<void> {
    await this.listPharmacies();
  }

  // ---- patients -----------------------------------------------------------------------------

  async listPatients(query: UnitedPatientQuery = {}): Promise<{ data: UnitedPatient[]; pagination: UnitedPagination }> {
    const problems: string[] = [];
    if (query.page !== undefined && !(Number.isInteger(query.page) && query.page >= 1)) problems.push('page must be a whole number of at least 1.');
    if (query.per_page !== undefined && !(Number.isInteger(query.per_page) && query.per_page >= 1 && query.per_page <= PATIENTS_MAX_PER_PAGE)) {
      problems.push(`per_page must be a whole number from 1 to ${PATIENTS_MAX_PER_PAGE}.`);
    }
    if (query.email !== undefined && query.email.length > PATIENT_EMAIL_SEARCH_MAX) problems.push(`email: United searches at most ${PATIENT_EMAIL_SEARCH_MAX} characters.`);
    refuseIfAny(problems, 'The patient search');
    return this.call({ method: 'GET', path: 'patients', query: { page: query.page, per_page: query.per_page, email: query.email }, purpose: 'list patients' }, patientPage);
  }

  async getPatient(uuid: string): Promise<UnitedPatient> {
    return (await this.call({ method: 'GET', path: `patients/${idSegment(uuid, 'patient id')}`, purpose: 'read the patient' }, patientAnswer)).data;
  }

  async createPatient(input: UnitedPatientInput): Promise<UnitedPatient> {
    const patient = this.checkedPatient(input);
    return (await this.call({ method: 'POST', path: 'patients', body: patient, purpose: 'register the patient' }, patientAnswer)).data;
  }

  async updatePatient(uuid: string, input: UnitedPatientInput): Promise<UnitedPatient> {
    const path = `patients/${idSegment(uuid, 'patient id')}`;
    const patient = this.checkedPatient(input);
    return (await this.call({ method: 'PUT', path, body: patient, purpose: 'update the patient' }, patientAnswer)).data;
  }

  async deletePatient(uuid: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `patients/${idSegment(uuid, 'patient id')}`, purpose: 'delete the patient' });
  }

  async syncPatient(uuid: string): Promise<void> {
    await this.call({ method: 'POST', path: `patients/${idSegment(uuid, 'patient id')}/sync`, purpose: 'sync the patient with Impetus' });
  }

  // ---- pharmacies ---------------------------------------------------------------------------

  async listPharmacies(): Promise<UnitedPharmacy[]> {
    return (await this.call({ method: 'GET', path: 'pharmacies', purpose: 'list pharmacies' }, pharmacyList)).data;
  }

  async medications(pharmacyId: string, page: number): Promise<UnitedMedicationPage> {
    const path = `pharmacies/${idSegment(pharmacyId, 'pharmacy id')}/medications`;
    if (!Number.isInteger(page) || page < 1) throw new PartnerRequestError('invalid_request', 'The catalog page must be a whole number of at least 1.');
    const key = `${pharmacyId}\n${page}`;
    const nowMs = this.clock.now().getTime();
    const cached = this.catalog.get(key);
    if (cached && nowMs - cached.fetchedAtMs < this.catalogMaxAgeMs) return structuredClone(cached.page);
    const answer = await this.call({ method: 'GET', path, query: { page }, purpose: "read the pharmacy's medications" }, medicationPage);
    const fetchedAtMs = this.clock.now().getTime();
    const result: UnitedMedicationPage = { data: answer.data, pagination: answer.pagination, fetchedAt: new Date(fetchedAtMs).toISOString() };
    this.catalog.set(key, { page: structuredClone(result), fetchedAtMs });
    return result;
  }

  // ---- orders -------------------------------------------------------------------------------

  async createOrder(input: UnitedOrderInput): Promise<UnitedOrder> {
    const parsed = orderInputSchema.safeParse(input);
    if (!parsed.success) throw new PartnerRequestError('invalid_request', 'The order is incomplete.', { details: zodProblems(parsed.error) });
    refuseIfAny(orderProblems(parsed.data), 'The order');
    return (await this.call({ method: 'POST', path: 'orders', body: parsed.data, purpose: 'create the order' }, orderAnswer)).data;
  }

  async getOrder(uuid: string): Promise<UnitedOrder> {
    return (await this.call({ method: 'GET', path: `orders/${idSegment(uuid, 'order id')}`, purpose: 'read the order' }, orderAnswer)).data;
  }

  /** Orders carrying our reference (`order_id`): how a hand-over whose answer was lost finds its order. */
  async findOrdersByReference(orderId: string): Promise<UnitedOrder[]> {
    if (!orderId.trim()) throw new PartnerRequestError('invalid_request', 'An order reference is needed to look an order up.');
    const found: UnitedOrder[] = [];
    for (let page = 1; page <= MAX_REFERENCE_PAGES; page++) {
      const answer = await this.call(
        { method: 'GET', path: 'orders', query: { order_id: orderId, page, per_page: PATIENTS_MAX_PER_PAGE }, purpose: 'look the order up' },
        orderPage,
      );
      found.push(...answer.data);
      if (page >= answer.pagination.total_pages || answer.data.length === 0) break;
    }
    return found;
  }

  async close(): Promise<void> {
    this.catalog.clear();
    await this.agent.close();
  }

  // ---- internals: authenticated calls -------------------------------------------------------

  private checkedPatient(input: UnitedPatientInput): UnitedPatientInput {
    const parsed = patientInputSchema.safeParse(input);
    if (!parsed.success) throw new PartnerRequestError('invalid_request', 'The patient record is incomplete.', { details: zodProblems(parsed.error) });
    refuseIfAny(patientProblems(parsed.data, this.clock.now().toISOString().slice(0, 10)), 'The patient record');
    return parsed.data;
  }

  private call(exchange: Exchange): Promise<undefined>;
  private call<T extends z.ZodType>(exchange: Exchange, schema: T): Promise<z.infer<T>>;
  private async call<T extends z.ZodType>(exchange: Exchange, schema?: T): Promise<z.infer<T> | undefined> {
    let token = await this.accessToken();
    let answer = await this.exchange(exchange, token);
    if (answer.status === 401) {
      token = await this.replaceRefusedToken(token);
      answer = await this.exchange(exchange, token);
      // A token fresh from United refused at once: the credential itself is gone.
      if (answer.status === 401) throw new PartnerRequestError('unauthorized', UNAUTHORIZED_MESSAGE, { httpStatus: 401 });
    }
    if (!schema) {
      this.http.interpret(answer, undefined, exchange.purpose);
      return undefined;
    }
    return this.http.interpret(answer, schema, exchange.purpose);
  }

  private async accessToken(): Promise<string> {
    const state = this.requireState();
    const expiresAtMs = state.access_expires_at ? Date.parse(state.access_expires_at) : Number.NaN;
    if (state.access_token && expiresAtMs - ACCESS_TOKEN_SAFETY_MARGIN_MS > this.clock.now().getTime()) return state.access_token;
    return this.renewOnce(() => this.tokenFromClientCredentials());
  }

  /** After a 401 for `refused`: the token another request already got, else one renewal for all. */
  private replaceRefusedToken(refused: string): Promise<string> {
    const current = this.requireState().access_token;
    if (current && current !== refused) return Promise.resolve(current);
    return this.renewOnce(() => this.renewRefusedToken());
  }

  private renewOnce(renew: () => Promise<string>): Promise<string> {
    this.renewal ??= renew().finally(() => {
      this.renewal = undefined;
    });
    return this.renewal;
  }

  private async renewRefusedToken(): Promise<string> {
    const state = this.requireState();
    const refreshExpiresAtMs = state.refresh_expires_at ? Date.parse(state.refresh_expires_at) : Number.POSITIVE_INFINITY;
    if (state.refresh_token && refreshExpiresAtMs > this.clock.now().getTime()) {
      const answer = await this.exchange({ method: 'POST', path: 'auth/refresh', body: { refresh_token: state.refresh_token }, purpose: 'refresh the access token' });
      if (answer.status !== 401) {
        const tokens = this.http.interpret(answer, tokenAnswer, 'refresh the access token').data;
        this.logger.info('united.token_refreshed', { client_id: state.client_id });
        return this.keepTokens(state.client_id, tokens);
      }
      this.logger.warn('united.refresh_refused', { client_id: state.client_id });
    }
    return this.tokenFromClientCredentials();
  }

  private async tokenFromClientCredentials(): Promise<string> {
    const state = this.requireState();
    const answer = await this.exchange({
      method: 'POST',
      path: 'auth/token',
      body: { client_id: state.client_id, client_secret: state.client_secret },
      purpose: 'get an access token',
    });
    if (answer.status === 401) {
      this.logger.warn('united.credentials_refused', { client_id: state.client_id });
      throw new PartnerRequestError('unauthorized', UNAUTHORIZED_MESSAGE, { httpStatus: 401 });
    }
    const tokens = this.http.interpret(answer, tokenAnswer, 'get an access token').data;
    return this.keepTokens(state.client_id, tokens);
  }

  /** Saves a token pair (before anyone uses it) and returns the access token. */
  private keepTokens(clientId: string, tokens: UnitedTokenResponse): string {
    const current = this.authState();
    // Credentials replaced meanwhile (rotation, reconnect): these tokens belong to the old ones.
    if (!current || current.client_id !== clientId) return tokens.access_token;
    const nowMs = this.clock.now().getTime();
    this.saveState({
      ...current,
      access_token: tokens.access_token,
      access_expires_at: new Date(nowMs + tokens.expires_in * 1000).toISOString(),
      refresh_token: tokens.refresh_token,
      refresh_expires_at: new Date(nowMs + tokens.refresh_expires_in * 1000).toISOString(),
    });
    return tokens.access_token;
  }

  private authState(): UnitedAuthState | undefined {
    if (this.state === null) this.state = this.store.load();
    return this.state;
  }

  private requireState(): UnitedAuthState {
    const state = this.authState();
    if (!state?.client_id || !state.client_secret) throw new PartnerRequestError('unauthorized', NOT_CONNECTED_MESSAGE);
    return state;
  }

  private saveState(state: UnitedAuthState | undefined): void {
    this.store.save(state);
    this.state = state;
  }

  // ---- internals: the wire ------------------------------------------------------------------

  /**
   * One request, with 429s waited out (exponential backoff, full jitter, never shorter than
   * United's Retry-After). Any other answer is returned as it came; a failure to get one throws
   * `unavailable`.
   */
  private async exchange(exchange: Exchange, bearer?: string): Promise<PartnerAnswer> {
    const url = this.urlOf(exchange);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'RxRelay' };
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    const body = exchange.body === undefined ? undefined : JSON.stringify(exchange.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    for (let retry = 0; ; retry++) {
      const answer = await this.send(url, exchange, headers, body);
      if (answer.status !== 429) return answer;
      const bound = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** retry);
      const waitMs = Math.max(answer.retryAfterMs ?? 0, Math.floor(this.random() * bound));
      if (retry >= this.rateLimitRetries || (answer.retryAfterMs ?? 0) > LONGEST_INLINE_WAIT_MS) {
        this.logger.warn('united.rate_limited', { path: exchange.path, retries: retry });
        throw new PartnerRequestError('rate_limited', `United Pharmacy is limiting RxRelay's requests; it could not ${exchange.purpose} for now`, {
          httpStatus: 429,
          retryAfterMs: answer.retryAfterMs ?? waitMs,
        });
      }
      this.logger.info('united.rate_limit_wait', { path: exchange.path, retry: retry + 1, wait_ms: waitMs });
      await this.sleep(waitMs);
    }
  }

  private send(url: string, exchange: Exchange, headers: Record<string, string>, body: string | undefined): Promise<PartnerAnswer> {
    return this.http.send(url, { method: exchange.method, headers, body }, exchange);
  }

  private urlOf(exchange: Exchange): string {
    const url = new URL(`${this.root}/${exchange.path}`);
    for (const [name, value] of Object.entries(exchange.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

}

function webhookSecretOf(secret: string | undefined): { webhook_secret?: string } {
  return secret ? { webhook_secret: secret } : {};
}

function refuseIfAny(problems: string[], what: string): void {
  if (problems.length === 0) return;
  throw new PartnerRequestError('invalid_request', `${what} breaks United Pharmacy's rules; nothing was sent`, { details: problems });
}

function idSegment(id: string, label: string): string {
  if (!id.trim()) throw new PartnerRequestError('invalid_request', `The ${label} is missing.`);
  return encodeURIComponent(id);
}



