// A local stand-in for United Pharmacy's partner API (../shared/seeds/united-pharmacy-api.txt),
// served on loopback under `/pharmacy/{tenant}/api/v1` as United's own local sandbox is. It keeps
// everything in memory and enforces the same rules and shapes as the client (united-api.ts), so
// a request it accepts is one United would: credentials and rotating tokens, patients, the
// pharmacy network and its catalogs, orders that move along by themselves, signed webhooks with
// United's retry policy, and a rate limit.
//
// Order of checks on an API request: rate limit (per credential, or per address before one is
// known) → Bearer token (401) → JSON body (415/413/400) → schema and rules (422) → existence (404).
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { Agent, request as httpRequest } from 'undici';
import type { z } from 'zod';
import { systemClock, type Clock } from '../../clock';
import { silentLogger, type Logger } from '../../logger';
import {
  ACCESS_TOKEN_LIFETIME_S,
  createCredentialRequest,
  MAX_CREDENTIALS_PER_TENANT,
  MEDICATIONS_PER_PAGE,
  orderInputSchema,
  orderProblems,
  PATIENT_EMAIL_SEARCH_MAX,
  patientInputSchema,
  patientProblems,
  PATIENTS_DEFAULT_PER_PAGE,
  PATIENTS_MAX_PER_PAGE,
  REFRESH_TOKEN_LIFETIME_S,
  refreshRequest,
  renameCredentialRequest,
  signWebhookBody,
  tokenRequest,
  UNITED_SANDBOX_TENANT,
  unitedApiPrefix,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_RETRIES,
  WEBHOOK_RETRY_DELAY_MS,
  WEBHOOK_SIGNATURE_HEADER,
  webhookEventFor,
  type UnitedCreatedCredential,
  type UnitedCredential,
  type UnitedOrder,
  type UnitedOrderStatus,
  type UnitedPagination,
  type UnitedPatient,
  type UnitedPatientInput,
  type UnitedTokenResponse,
  type UnitedWebhookPayload,
} from '../../partners/united/united-api';
import { secretMatcher } from '../../security/secret-matcher';
import { buildUnitedNetwork } from './united-catalog';
import { appendBounded } from '../bounded-log';

export const UNITED_SIMULATOR_BODY_LIMIT_BYTES = 256 * 1024;
export const DEFAULT_ORDER_STEP_MS = 30_000;
/** United publishes no numbers; Laravel's default API throttle is 60 a minute, a partner plan likely more. */
export const DEFAULT_UNITED_RATE_LIMIT = { requests: 120, perMs: 60_000 } as const;
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** What a `rateLimitStorm` 429 asks the client to wait. */
export const STORM_RETRY_AFTER_S = 1;

const NEXT_STATUS: Partial<Record<UnitedOrderStatus, UnitedOrderStatus>> = {
  pending: 'confirmed',
  confirmed: 'processing',
  processing: 'shipped',
  shipped: 'delivered',
};
const CANCELLABLE: ReadonlySet<UnitedOrderStatus> = new Set(['pending', 'confirmed', 'processing']);
const FINAL: ReadonlySet<UnitedOrderStatus> = new Set(['delivered', 'cancelled', 'failed', 'refunded']);
const ORDER_FIELDS = Object.keys(orderInputSchema.shape);
const PATIENT_FIELDS = [...Object.keys(patientInputSchema.shape), 'address.line1', 'address.city', 'address.state', 'address.zip'];

export interface UnitedSimulatorOptions {
  /** 0 (the default) picks a free port; sandbox mode passes UNITED_SANDBOX_PORT. */
  port?: number;
  /** Default `sandbox`. */
  tenant?: string;
  clock?: Clock;
  logger?: Logger;
  /** Generated when absent; the caller shows it (as United's local sandbox prints it). */
  setupToken?: string;
  /** How often an order moves one status on; 0 = only when `advanceOrder` is called. */
  stepMs?: number;
  /** Per credential (per client address before one is presented), in a fixed window. */
  rateLimit?: { requests: number; perMs: number };
  webhookRetryDelayMs?: number;
  webhookTimeoutMs?: number;
}

export interface SimulatorRequest {
  method: string;
  /** Without the query string (it may hold an email address). */
  path: string;
  status: number;
}

export interface WebhookDelivery {
  url: string;
  event: string;
  /** 1 for the first try, up to 1 + WEBHOOK_RETRIES. */
  attempt: number;
  /** Null when no answer came (refused, timed out). */
  status: number | null;
  body: string;
  signature: string;
}

export interface UnitedSimulator {
  /** e.g. http://127.0.0.1:8082 */
  url: string;
  /** `url` + `/pharmacy/{tenant}/api/v1`: what a client is configured with. */
  baseUrl: string;
  setupToken: string;
  /** The tenant's webhook signing key, also handed out with every created credential. */
  webhookSecret: string;
  /** Moves an order one status on; undefined when it is unknown or has no next status. */
  advanceOrder(uuid: string): UnitedOrder | undefined;
  /** Fails an order that is not final yet; undefined otherwise. */
  failOrder(uuid: string): UnitedOrder | undefined;
  /** Cancels an order that has not shipped; undefined otherwise. */
  cancelOrder(uuid: string): UnitedOrder | undefined;
  findOrderByReference(orderId: string): UnitedOrder | undefined;
  patients(): UnitedPatient[];
  orders(): UnitedOrder[];
  requests(): SimulatorRequest[];
  webhookDeliveries(): WebhookDelivery[];
  /** The next `count` API requests answer 429 with Retry-After. */
  rateLimitStorm(count: number): void;
  /** Every access token issued so far now counts as expired (refresh tokens stay good). */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

interface CredentialRecord {
  credential: UnitedCredential;
  secretMatches: (presented: string) => boolean;
}

interface AccessTokenRecord {
  clientId: string;
  expiresAtMs: number;
  forcedExpired: boolean;
}

interface RefreshTokenRecord {
  clientId: string;
  expiresAtMs: number;
  used: boolean;
}

interface OrderRecord {
  order: UnitedOrder;
  webhookUrls: string[];
  timer: NodeJS.Timeout | undefined;
}

type FieldErrors = Record<string, string[]>;

export async function startUnitedSimulator(options: UnitedSimulatorOptions = {}): Promise<UnitedSimulator> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const tenant = options.tenant ?? UNITED_SANDBOX_TENANT;
  const prefix = unitedApiPrefix(tenant);
  const stepMs = options.stepMs ?? DEFAULT_ORDER_STEP_MS;
  const rateLimit = options.rateLimit ?? DEFAULT_UNITED_RATE_LIMIT;
  const webhookRetryDelayMs = options.webhookRetryDelayMs ?? WEBHOOK_RETRY_DELAY_MS;
  const webhookTimeoutMs = options.webhookTimeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const setupToken = options.setupToken ?? `setup_${randomBytes(24).toString('base64url')}`;
  const setupTokenMatches = secretMatcher(setupToken);
  const webhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;
  const tokenSigningKey = randomBytes(32);

  const network = buildUnitedNetwork();
  const credentials = new Map<string, CredentialRecord>();
  const accessTokens = new Map<string, AccessTokenRecord>();
  const refreshTokens = new Map<string, RefreshTokenRecord>();
  const patientsById = new Map<string, UnitedPatient>();
  const ordersById = new Map<string, OrderRecord>();
  const callers = new WeakMap<FastifyRequest, CredentialRecord>();
  const rateWindows = new Map<string, { startMs: number; count: number }>();
  const requestLog: SimulatorRequest[] = [];
  const deliveries: WebhookDelivery[] = [];
  const retryTimers = new Set<NodeJS.Timeout>();
  const webhookAgent = new Agent({ connect: { timeout: webhookTimeoutMs }, headersTimeout: webhookTimeoutMs, bodyTimeout: webhookTimeoutMs });
  let stormRemaining = 0;
  let closed = false;

  const nowMs = () => clock.now().getTime();
  const nowIso = () => clock.now().toISOString();
  const today = () => nowIso().slice(0, 10);

  // ---- tokens ---------------------------------------------------------------------------

  /** A JWT in form, as United's guide promises ("a JWT access token"); the map is the truth, so revocation is immediate. */
  function accessTokenFor(clientId: string, issuedAtMs: number): string {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const issuedAt = Math.floor(issuedAtMs / 1000);
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({
      iss: 'united-pharmacy-simulator',
      aud: tenant,
      sub: clientId,
      iat: issuedAt,
      exp: issuedAt + ACCESS_TOKEN_LIFETIME_S,
      jti: randomUUID(),
    })}`;
    return `${unsigned}.${createHmac('sha256', tokenSigningKey).update(unsigned).digest('base64url')}`;
  }

  function issueTokens(clientId: string): UnitedTokenResponse {
    const issuedAtMs = nowMs();
    const accessToken = accessTokenFor(clientId, issuedAtMs);
    const refreshToken = `rt_${randomBytes(40).toString('base64url')}`;
    accessTokens.set(accessToken, { clientId, expiresAtMs: issuedAtMs + ACCESS_TOKEN_LIFETIME_S * 1000, forcedExpired: false });
    refreshTokens.set(refreshToken, { clientId, expiresAtMs: issuedAtMs + REFRESH_TOKEN_LIFETIME_S * 1000, used: false });
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_LIFETIME_S,
      refresh_token: refreshToken,
      refresh_expires_in: REFRESH_TOKEN_LIFETIME_S,
    };
  }

  function activeCredential(clientId: string): CredentialRecord | undefined {
    const record = credentials.get(clientId);
    return record && record.credential.revoked_at === null ? record : undefined;
  }

  function callerOf(authorization: string | undefined): CredentialRecord | undefined {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    const record = token === undefined ? undefined : accessTokens.get(token);
    if (!record || record.forcedExpired || nowMs() >= record.expiresAtMs) return undefined;
    return activeCredential(record.clientId);
  }

  /** Seconds to wait when this request is over the limit; undefined when it may go ahead. */
  function rateLimited(key: string): number | undefined {
    if (stormRemaining > 0) {
      stormRemaining -= 1;
      return STORM_RETRY_AFTER_S;
    }
    const now = nowMs();
    let window = rateWindows.get(key);
    if (!window || now >= window.startMs + rateLimit.perMs) {
      window = { startMs: now, count: 0 };
      rateWindows.set(key, window);
    }
    if (window.count >= rateLimit.requests) return Math.max(1, Math.ceil((window.startMs + rateLimit.perMs - now) / 1000));
    window.count += 1;
    return undefined;
  }

  // ---- orders and webhooks --------------------------------------------------------------

  function scheduleNextStep(record: OrderRecord): void {
    clearTimeout(record.timer);
    record.timer = undefined;
    if (closed || stepMs <= 0 || NEXT_STATUS[record.order.status] === undefined) return;
    record.timer = setTimeout(() => advanceOrder(record.order.uuid), stepMs);
    record.timer.unref();
  }

  function changeStatus(record: OrderRecord, status: UnitedOrderStatus): UnitedOrder {
    const order = record.order;
    order.status = status;
    order.updated_at = nowIso();
    if (status === 'shipped') order.shipping = { carrier: 'USPS', tracking: uspsTrackingNumber(), shipping_status: 'In Transit' };
    if (status === 'delivered' && order.shipping) order.shipping = { ...order.shipping, shipping_status: 'Delivered' };
    logger.info('sandbox.united.order_status', { order: order.uuid, status });
    announce(record);
    scheduleNextStep(record);
    return structuredClone(order);
  }

  function advanceOrder(uuid: string): UnitedOrder | undefined {
    const record = ordersById.get(uuid);
    const next = record && NEXT_STATUS[record.order.status];
    return record && next ? changeStatus(record, next) : undefined;
  }

  function announce(record: OrderRecord): void {
    const { order } = record;
    const payload: UnitedWebhookPayload = {
      event: webhookEventFor(order.status),
      order: { uuid: order.uuid, order_id: order.order_id, customer_id: order.customer_id, status: order.status },
      ...(order.shipping ? { shipping: { ...order.shipping } } : {}),
      // The guide's example writes "+00:00", not "Z", and whole seconds.
      timestamp: nowIso().replace(/\.\d+Z$/, '+00:00'),
    };
    const body = JSON.stringify(payload);
    const signature = signWebhookBody(webhookSecret, body);
    for (const url of record.webhookUrls) void deliverWebhook(url, payload.event, body, signature, 1);
  }

  async function deliverWebhook(url: string, event: string, body: string, signature: string, attempt: number): Promise<void> {
    if (closed) return;
    let status: number | null = null;
    try {
      const response = await httpRequest(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [WEBHOOK_EVENT_HEADER]: event, [WEBHOOK_SIGNATURE_HEADER]: signature, 'user-agent': 'UnitedPharmacy-Webhooks/1.0' },
        body,
        dispatcher: webhookAgent,
      });
      status = response.statusCode;
      await response.body.dump();
    } catch {
      // A receiver that is down, slow or refuses is the receiver's problem: note it and retry.
    }
    if (closed) return;
    appendBounded(deliveries, { url, event, attempt, status, body, signature });
    if (status !== null && status >= 200 && status < 300) return;
    logger.warn('sandbox.united.webhook_failed', { event, attempt, status });
    if (attempt > WEBHOOK_RETRIES) return;
    const timer = setTimeout(() => {
      retryTimers.delete(timer);
      void deliverWebhook(url, event, body, signature, attempt + 1);
    }, webhookRetryDelayMs);
    timer.unref();
    retryTimers.add(timer);
  }

  // ---- the HTTP side --------------------------------------------------------------------

  const app = Fastify({
    logger: false,
    bodyLimit: UNITED_SIMULATOR_BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
  });
  // JSON only (fastify would otherwise also take text/plain).
  app.removeContentTypeParser(['text/plain']);

  app.addHook('onResponse', async (request, reply) => {
    appendBounded(requestLog, { method: request.method, path: pathOf(request), status: reply.statusCode });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send({ message: 'Send the body as JSON (Content-Type: application/json).' });
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ message: 'The body is too large.' });
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(400).send({ message: 'The body is not valid JSON.' });
    logger.error('sandbox.united.internal_error', { path: pathOf(request), error: error.name });
    return reply.code(500).send({ message: 'Server Error' });
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send({ message: `No such endpoint: ${request.method} ${pathOf(request)}.` }));

  const publicRoutes = new Set([`GET ${prefix}/ping`, `POST ${prefix}/auth/credentials`, `POST ${prefix}/auth/token`, `POST ${prefix}/auth/refresh`]);

  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        const caller = callerOf(request.headers.authorization);
        const retryAfterS = rateLimited(caller ? `client:${caller.credential.client_id}` : `address:${request.ip}`);
        if (retryAfterS !== undefined) return reply.code(429).header('retry-after', String(retryAfterS)).send({ message: 'Too Many Requests' });
        if (caller) {
          callers.set(request, caller);
          caller.credential.last_used_at = nowIso();
          return;
        }
        // POST auth/credentials takes a setup token in the body instead: its handler decides.
        if (!publicRoutes.has(`${request.method} ${request.routeOptions.url ?? ''}`)) return reply.code(401).send({ message: 'Unauthenticated.' });
      });

      api.get('/ping', async () => ({ status: 'ok' }));

      // ---- auth ----

      api.post('/auth/credentials', async (request, reply) => {
        const parsed = createCredentialRequest.safeParse(request.body ?? {});
        if (!parsed.success) return invalid(reply, zodErrors(parsed.error));
        const bySetupToken = parsed.data.setup_token !== undefined && setupTokenMatches(parsed.data.setup_token);
        if (!callers.has(request) && !bySetupToken) {
          return reply.code(401).send({ message: parsed.data.setup_token === undefined ? 'Unauthenticated.' : 'The setup token is invalid.' });
        }
        const active = [...credentials.values()].filter((c) => c.credential.revoked_at === null).length;
        if (active >= MAX_CREDENTIALS_PER_TENANT) {
          return invalid(reply, { credentials: [`A tenant may have at most ${MAX_CREDENTIALS_PER_TENANT} active credentials; revoke one first.`] });
        }
        const clientSecret = randomBytes(30).toString('base64url');
        const credential: UnitedCredential = {
          client_id: randomUUID(),
          name: parsed.data.name ?? `API credential ${credentials.size + 1}`,
          created_at: nowIso(),
          revoked_at: null,
          last_used_at: null,
        };
        credentials.set(credential.client_id, { credential, secretMatches: secretMatcher(clientSecret) });
        logger.info('sandbox.united.credential_created', { client_id: credential.client_id });
        const created: UnitedCreatedCredential = { ...credential, client_secret: clientSecret, webhook_secret: webhookSecret };
        return reply.code(201).send({ data: created });
      });

      api.get<{ Querystring: Record<string, unknown> }>('/auth/credentials', async (request) => {
        const includeRevoked = ['true', '1'].includes(String(request.query.include_revoked ?? '').toLowerCase());
        const listed = [...credentials.values()].map((c) => c.credential).filter((c) => includeRevoked || c.revoked_at === null);
        return { data: structuredClone(listed) };
      });

      api.patch<{ Params: { clientId: string } }>('/auth/credentials/:clientId', async (request, reply) => {
        const record = credentials.get(request.params.clientId);
        if (!record) return reply.code(404).send({ message: 'Credential not found.' });
        const parsed = renameCredentialRequest.safeParse(request.body ?? {});
        if (!parsed.success) return invalid(reply, zodErrors(parsed.error));
        record.credential.name = parsed.data.name;
        return { data: structuredClone(record.credential) };
      });

      api.delete<{ Params: { clientId: string } }>('/auth/credentials/:clientId', async (request, reply) => {
        const record = credentials.get(request.params.clientId);
        if (!record) return reply.code(404).send({ message: 'Credential not found.' });
        // Its tokens stop working at once: every token check asks whether its credential is active.
        record.credential.revoked_at ??= nowIso();
        logger.info('sandbox.united.credential_revoked', { client_id: record.credential.client_id });
        return { data: structuredClone(record.credential) };
      });

      api.post('/auth/token', async (request, reply) => {
        const parsed = tokenRequest.safeParse(request.body ?? {});
        if (!parsed.success) return invalid(reply, zodErrors(parsed.error));
        const record = activeCredential(parsed.data.client_id);
        if (!record || !record.secretMatches(parsed.data.client_secret)) return reply.code(401).send({ message: 'Invalid client credentials.' });
        record.credential.last_used_at = nowIso();
        return { data: issueTokens(record.credential.client_id) };
      });

      api.post('/auth/refresh', async (request, reply) => {
        const parsed = refreshRequest.safeParse(request.body ?? {});
        if (!parsed.success) return invalid(reply, zodErrors(parsed.error));
        const record = refreshTokens.get(parsed.data.refresh_token);
        if (!record || record.used || nowMs() >= record.expiresAtMs || !activeCredential(record.clientId)) {
          return reply.code(401).send({ message: 'The refresh token is invalid.' });
        }
        // Rotating refresh tokens (seed): this one is spent, whatever happens to the answer.
        record.used = true;
        return { data: issueTokens(record.clientId) };
      });

      // ---- patients ----

      api.get<{ Querystring: Record<string, unknown> }>('/patients', async (request, reply) => {
        const errors: FieldErrors = {};
        const page = wholeNumberParam(request.query, 'page', 1, Number.MAX_SAFE_INTEGER, errors);
        const perPage = wholeNumberParam(request.query, 'per_page', PATIENTS_DEFAULT_PER_PAGE, PATIENTS_MAX_PER_PAGE, errors);
        const email = stringParam(request.query, 'email', errors);
        if (email !== undefined && email.length > PATIENT_EMAIL_SEARCH_MAX) {
          addError(errors, 'email', `The email may not be greater than ${PATIENT_EMAIL_SEARCH_MAX} characters.`);
        }
        if (Object.keys(errors).length > 0) return invalid(reply, errors);
        const needle = email?.toLowerCase();
        const matching = [...patientsById.values()].filter((p) => !needle || p.email.toLowerCase().includes(needle));
        return paginate(matching, page, perPage);
      });

      api.post('/patients', async (request, reply) => {
        const checked = checkPatient(request.body);
        if (!checked.ok) return invalid(reply, checked.errors);
        const at = nowIso();
        const patient: UnitedPatient = { ...normalisePatient(checked.input), uuid: randomUUID(), created_at: at, updated_at: at };
        patientsById.set(patient.uuid, patient);
        return reply.code(201).send({ data: structuredClone(patient) });
      });

      api.get<{ Params: { uuid: string } }>('/patients/:uuid', async (request, reply) => {
        const patient = patientsById.get(request.params.uuid);
        return patient ? { data: structuredClone(patient) } : patientNotFound(reply);
      });

      api.put<{ Params: { uuid: string } }>('/patients/:uuid', async (request, reply) => {
        const existing = patientsById.get(request.params.uuid);
        if (!existing) return patientNotFound(reply);
        const checked = checkPatient(request.body);
        if (!checked.ok) return invalid(reply, checked.errors);
        const patient: UnitedPatient = { ...normalisePatient(checked.input), uuid: existing.uuid, created_at: existing.created_at, updated_at: nowIso() };
        patientsById.set(patient.uuid, patient);
        return { data: structuredClone(patient) };
      });

      api.delete<{ Params: { uuid: string } }>('/patients/:uuid', async (request, reply) => {
        if (!patientsById.delete(request.params.uuid)) return patientNotFound(reply);
        return reply.code(204).send();
      });

      api.post<{ Params: { uuid: string } }>('/patients/:uuid/sync', async (request, reply) => {
        if (!patientsById.has(request.params.uuid)) return patientNotFound(reply);
        return { data: { uuid: request.params.uuid, synced_at: nowIso() } };
      });

      // ---- pharmacies ----

      api.get('/pharmacies', async () => ({ data: network.map((c) => ({ ...c.pharmacy })) }));

      api.get<{ Params: { pharmacyId: string }; Querystring: Record<string, unknown> }>('/pharmacies/:pharmacyId/medications', async (request, reply) => {
        const catalog = network.find((c) => c.pharmacy.id === request.params.pharmacyId);
        if (!catalog) return reply.code(404).send({ message: 'Pharmacy not found.' });
        const errors: FieldErrors = {};
        const page = wholeNumberParam(request.query, 'page', 1, Number.MAX_SAFE_INTEGER, errors);
        if (Object.keys(errors).length > 0) return invalid(reply, errors);
        return paginate(catalog.medications, page, MEDICATIONS_PER_PAGE);
      });

      // ---- orders ----

      api.post('/orders', async (request, reply) => {
        const parsed = orderInputSchema.safeParse(request.body ?? {});
        if (!parsed.success) return invalid(reply, zodErrors(parsed.error));
        const input = parsed.data;
        const errors = problemsByField(orderProblems(input), ORDER_FIELDS);
        if (Object.keys(errors).length === 0) {
          if (!patientsById.has(input.patient_id)) addError(errors, 'patient_id', 'The selected patient_id is invalid.');
          const catalog = network.find((c) => c.pharmacy.id === input.pharmacy_id);
          if (!catalog) addError(errors, 'pharmacy_id', 'The selected pharmacy_id is invalid.');
          else if (catalog.pharmacy.status !== 'active') addError(errors, 'pharmacy_id', 'The selected pharmacy is not accepting orders.');
          else if (!catalog.byId.has(input.medication_id)) addError(errors, 'medication_id', "The selected medication_id is not in this pharmacy's catalog.");
        }
        if (Object.keys(errors).length > 0) return invalid(reply, errors);
        const at = nowIso();
        const record: OrderRecord = {
          order: {
            uuid: randomUUID(),
            order_id: input.order_id ?? null,
            customer_id: input.customer_id ?? null,
            status: 'pending',
            patient_id: input.patient_id,
            pharmacy_id: input.pharmacy_id,
            medication_id: input.medication_id,
            dispense_quantity: input.dispense_quantity,
            days_supply: input.days_supply ?? null,
            shipping: null,
            created_at: at,
            updated_at: at,
          },
          webhookUrls: [...(input.webhook_urls ?? [])],
          timer: undefined,
        };
        ordersById.set(record.order.uuid, record);
        logger.info('sandbox.united.order_created', { order: record.order.uuid, webhooks: record.webhookUrls.length });
        announce(record);
        scheduleNextStep(record);
        return reply.code(201).send({ data: structuredClone(record.order) });
      });

      api.get<{ Querystring: Record<string, unknown> }>('/orders', async (request, reply) => {
        const errors: FieldErrors = {};
        const page = wholeNumberParam(request.query, 'page', 1, Number.MAX_SAFE_INTEGER, errors);
        const perPage = wholeNumberParam(request.query, 'per_page', PATIENTS_DEFAULT_PER_PAGE, PATIENTS_MAX_PER_PAGE, errors);
        const reference = stringParam(request.query, 'order_id', errors);
        if (Object.keys(errors).length > 0) return invalid(reply, errors);
        const matching = [...ordersById.values()].map((r) => r.order).filter((o) => reference === undefined || o.order_id === reference);
        return paginate(matching, page, perPage);
      });

      api.get<{ Params: { uuid: string } }>('/orders/:uuid', async (request, reply) => {
        const record = ordersById.get(request.params.uuid);
        return record ? { data: structuredClone(record.order) } : reply.code(404).send({ message: 'Order not found.' });
      });
    },
    { prefix },
  );

  function checkPatient(body: unknown): { ok: true; input: UnitedPatientInput } | { ok: false; errors: FieldErrors } {
    const parsed = patientInputSchema.safeParse(body ?? {});
    if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error) };
    const errors = problemsByField(patientProblems(parsed.data, today()), PATIENT_FIELDS);
    return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, input: parsed.data };
  }

  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;
  logger.info('sandbox.united.simulator_started', { url, tenant });

  const orderRecord = (uuid: string) => ordersById.get(uuid);
  return {
    url,
    baseUrl: url + prefix,
    setupToken,
    webhookSecret,
    advanceOrder,
    failOrder(uuid) {
      const record = orderRecord(uuid);
      return record && !FINAL.has(record.order.status) ? changeStatus(record, 'failed') : undefined;
    },
    cancelOrder(uuid) {
      const record = orderRecord(uuid);
      return record && CANCELLABLE.has(record.order.status) ? changeStatus(record, 'cancelled') : undefined;
    },
    findOrderByReference(orderId) {
      const found = [...ordersById.values()].find((r) => r.order.order_id === orderId);
      return found && structuredClone(found.order);
    },
    patients: () => structuredClone([...patientsById.values()]),
    orders: () => structuredClone([...ordersById.values()].map((r) => r.order)),
    requests: () => requestLog.map((entry) => ({ ...entry })),
    webhookDeliveries: () => deliveries.map((delivery) => ({ ...delivery })),
    rateLimitStorm(count) {
      stormRemaining = Math.max(0, Math.floor(count));
    },
    expireAccessTokens() {
      for (const record of accessTokens.values()) record.forcedExpired = true;
    },
    async close() {
      closed = true;
      for (const record of ordersById.values()) clearTimeout(record.timer);
      for (const timer of retryTimers) clearTimeout(timer);
      retryTimers.clear();
      await app.close();
      await webhookAgent.destroy();
    },
  };
}

// ---- helpers ------------------------------------------------------------------------------

/** The path alone: query strings (an email search) are never logged or echoed. */
const pathOf = (request: FastifyRequest) => request.url.split('?')[0] ?? '';

/** USPS tracking numbers for domestic parcels: 22 digits starting 9400 (the guide's example has this form). */
function uspsTrackingNumber(): string {
  let digits = '9400';
  while (digits.length < 22) digits += String(randomInt(10));
  return digits;
}

function addError(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

/** Laravel's answer to a request that breaks the rules: 422 and the problems by field. */
function invalid(reply: FastifyReply, errors: FieldErrors): FastifyReply {
  return reply.code(422).send({ message: 'The given data was invalid.', errors });
}

function patientNotFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).send({ message: 'Patient not found.' });
}

function zodErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) addError(errors, issue.path.map(String).join('.') || 'body', issue.message);
  return errors;
}

/**
 * The shared rules' problems ("first_name: United accepts ...", "patient_id is required.") filed
 * under the field each names, as Laravel files its validation errors.
 */
function problemsByField(problems: readonly string[], fields: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const problem of problems) {
    const labelled = /^([a-z_]+(?:\.[a-z0-9_]+)*): (.*)$/s.exec(problem);
    if (labelled?.[1] && labelled[2] !== undefined) {
      addError(errors, labelled[1], labelled[2]);
      continue;
    }
    const field = fields.find((f) => problem.startsWith(f)) ?? fields.find((f) => problem.includes(f)) ?? 'body';
    addError(errors, field, problem);
  }
  return errors;
}

function stringParam(query: Record<string, unknown>, name: string, errors: FieldErrors): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    addError(errors, name, `The ${name} must be a string.`);
    return undefined;
  }
  return value;
}

function wholeNumberParam(query: Record<string, unknown>, name: string, fallback: number, max: number, errors: FieldErrors): number {
  const value = stringParam(query, name, errors);
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    addError(errors, name, `The ${name} must be a whole number of at least 1.`);
    return fallback;
  }
  if (Number(value) > max) {
    addError(errors, name, `The ${name} may not be greater than ${max}.`);
    return fallback;
  }
  return Number(value);
}

function paginate<T>(items: readonly T[], page: number, perPage: number): { data: T[]; pagination: UnitedPagination } {
  const start = (page - 1) * perPage;
  return {
    data: structuredClone(items.slice(start, start + perPage)),
    pagination: { page, per_page: perPage, total: items.length, total_pages: Math.max(1, Math.ceil(items.length / perPage)) },
  };
}

/** Optional fields United stores as null when absent, so every read has the same shape. */
function normalisePatient(input: UnitedPatientInput): UnitedPatientInput {
  return {
    ...input,
    phone_home: input.phone_home ?? null,
    phone_work: input.phone_work ?? null,
    phone_cell: input.phone_cell ?? null,
    address: { ...input.address, line2: input.address.line2 ?? null },
  };
}
