// RxRelay's HTTP client for Honeybee Health's Partners API (../shared/seeds/honeybee-partners-api.txt,
// vendor-facts.md §1): one method per endpoint RxRelay uses, every order checked against the rules
// in honeybee-api.ts before it is sent, every answer parsed against the shapes there, and every
// failure a PartnerRequestError whose kind tells the sync engine what to do next.
//
// Tokens (§1.3): OAuth 2.0 client credentials, no refresh token. A token is kept until a minute
// before its `expires_in` (the pattern an integrator uses), renewed single-flight however many
// calls need one at once, and renewed once more when the resource server refuses it early.
//
// Support (§1.4): every answer carries an `X-Request-Id`; a failed call logs it, because it is
// what Honeybee's support asks for. Never the token, the secret or a patient's data.
//
// Conditional GETs (§1.4): an order or a list read before is asked for with `If-None-Match`; a
// 304 means the copy RxRelay holds is still right, and costs Honeybee nothing to answer.
import { Agent } from 'undici';
import { z } from 'zod';
import type { Clock } from '../../clock';
import type { Logger } from '../../logger';
import { PartnerRequestError } from '../partner-connector';
import { PartnerHttp, zodProblems, type PartnerAnswer } from '../partner-http';
import {
  createOrderProblems,
  createOrderRequestSchema,
  describeHoneybeeErrors,
  HONEYBEE_PATHS,
  orderSchema,
  ordersListSchema,
  patientSchema,
  prescriptionsListSchema,
  REQUEST_ID_HEADER,
  tokenResponseSchema,
  type HoneybeeAddress,
  type HoneybeeCreateOrderRequest,
  type HoneybeeMedicationRequest,
  type HoneybeeOrder,
  type HoneybeePatient,
  type HoneybeeSimulateRequest,
} from './honeybee-api';

export const HONEYBEE_DEFAULT_TIMEOUT_MS = 15_000;
/** Renew a token this long before Honeybee says it expires: a call never starts with a token about to lapse. */
const TOKEN_RENEW_MARGIN_MS = 60_000;
/** Conditional GETs remembered (orders and lists); the oldest is forgotten first. */
const ETAG_CACHE_SIZE = 500;
const UNAUTHORIZED_MESSAGE = "Honeybee refused RxRelay's client credentials — check the client id and secret in Settings → Partners";

export interface HoneybeeClientOptions {
  /** The resource server, in front of `/v1/...` (https://partners.honeybeehealth.com). */
  baseUrl: string;
  /** The token server's full URL (https://auth.honeybeehealth.com/oauth/token). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** §1.3: the credentials go in HTTP Basic auth or in the form body; Basic by default. */
  credentialsIn?: 'basic' | 'body';
  clock: Clock;
  logger: Logger;
  timeoutMs?: number;
}

/** What came back from creating an order: the order, or Honeybee's 409 (a conflicting recent request). */
export type HoneybeeCreateOutcome = { kind: 'created'; order: HoneybeeOrder } | { kind: 'conflict' };

interface Exchange {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
  /** What the request does, for messages ("create the order"). */
  purpose: string;
  /** Remember the answer's ETag and send If-None-Match next time. */
  conditional?: boolean;
}

/** A HTTP 400 or 422 with codes: the sentences for staff (honeybee-api.ts). Any other failure: PartnerHttp's reading. */
const anyBody = z.object({ message: z.string() });

export class HoneybeeClient {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  private readonly agent: Agent;
  private readonly http: PartnerHttp;
  private token: { value: string; renewAtMs: number } | undefined;
  private tokenRequest: Promise<string> | undefined;
  private readonly etags = new Map<string, { etag: string; text: string }>();

  constructor(private readonly options: HoneybeeClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.tokenUrl = options.tokenUrl;
    const timeout = options.timeoutMs ?? HONEYBEE_DEFAULT_TIMEOUT_MS;
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 16, connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout });
    this.http = new PartnerHttp({
      partnerName: 'Honeybee Health',
      logPrefix: 'honeybee',
      agent: this.agent,
      clock: options.clock,
      logger: options.logger,
      errorBody: anyBody,
      unauthorizedMessage: UNAUTHORIZED_MESSAGE,
      unauthorizedStatuses: [401, 403],
    });
  }

  get clientId(): string {
    return this.options.clientId;
  }

  // ---- tokens -------------------------------------------------------------------------------

  /** A valid access token: the one held, or a new one (one request however many callers wait). */
  async accessToken(): Promise<string> {
    const nowMs = this.options.clock.now().getTime();
    if (this.token && nowMs < this.token.renewAtMs) return this.token.value;
    this.tokenRequest ??= this.requestToken().finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private async requestToken(): Promise<string> {
    const { clientId, clientSecret } = this.options;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
      accept: 'application/json',
    };
    if (this.options.credentialsIn === 'body') {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else {
      // RFC 6749 §2.3.1: each part form-encoded before joining.
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
    }
    const purpose = 'issue an access token';
    const answer = await this.http.send(this.tokenUrl, { method: 'POST', headers, body: form.toString() }, { path: HONEYBEE_PATHS.token, purpose });
    if (answer.status >= 400) this.logFailure(HONEYBEE_PATHS.token, purpose, answer);
    // The token server says 400 invalid_client for some bad credentials (RFC 6749 §5.2).
    if (answer.status === 400 && /invalid_client|unauthorized_client/.test(answer.text)) {
      throw new PartnerRequestError('unauthorized', UNAUTHORIZED_MESSAGE, { httpStatus: 400 });
    }
    const token = this.http.interpret(answer, tokenResponseSchema, purpose);
    const nowMs = this.options.clock.now().getTime();
    const lifetimeMs = token.expires_in * 1000;
    this.token = { value: token.access_token, renewAtMs: nowMs + Math.max(lifetimeMs / 2, lifetimeMs - TOKEN_RENEW_MARGIN_MS) };
    return token.access_token;
  }

  // ---- patients -----------------------------------------------------------------------------

  async getPatient(patientId: string): Promise<HoneybeePatient> {
    const answer = await this.call({ method: 'GET', path: HONEYBEE_PATHS.patient(patientId), purpose: "read the patient's record" });
    return this.read(answer, patientSchema, "read the patient's record");
  }

  async patientPrescriptions(patientId: string): Promise<HoneybeeMedicationRequest[]> {
    const answer = await this.call({ method: 'GET', path: HONEYBEE_PATHS.patientRx(patientId), purpose: "list the patient's prescriptions" });
    return this.read(answer, prescriptionsListSchema, "list the patient's prescriptions");
  }

  // ---- orders -------------------------------------------------------------------------------

  /**
   * POST /v1/orders. There is no idempotency key (§1.12): a 409 is returned as 'conflict' for
   * the caller to look the order up (GET /v1/orders), never re-posted here.
   */
  async createOrder(request: HoneybeeCreateOrderRequest, today?: string): Promise<HoneybeeCreateOutcome> {
    const parsed = createOrderRequestSchema.safeParse(request);
    if (!parsed.success) throw new PartnerRequestError('invalid_request', 'The Honeybee order is not complete', { details: zodProblems(parsed.error) });
    const problems = createOrderProblems(parsed.data, today);
    if (problems.length > 0) throw new PartnerRequestError('invalid_request', 'The Honeybee order is not complete', { details: problems });
    const purpose = 'create the order';
    const answer = await this.call({ method: 'POST', path: HONEYBEE_PATHS.orders, body: parsed.data, purpose });
    if (answer.status === 409) return { kind: 'conflict' };
    return { kind: 'created', order: this.read(answer, orderSchema, purpose) };
  }

  /** The patient's orders, newest first (ASSUMPTION on the filter: honeybee-api.ts). */
  async ordersOfPatient(patientId: string): Promise<HoneybeeOrder[]> {
    const purpose = "list the patient's orders";
    const answer = await this.call({ method: 'GET', path: HONEYBEE_PATHS.ordersOfPatient(patientId), purpose });
    return this.read(answer, ordersListSchema, purpose).orders;
  }

  /** The partner's recent orders; 'unchanged' when nothing changed since the last look (ETag). */
  async recentOrders(): Promise<HoneybeeOrder[] | 'unchanged'> {
    const purpose = 'list recent orders';
    const answer = await this.call({ method: 'GET', path: HONEYBEE_PATHS.orders, purpose, conditional: true });
    if (answer.status === 304) return 'unchanged';
    return this.read(answer, ordersListSchema, purpose).orders;
  }

  /** One order; a 304 answers from the copy read before. */
  async getOrder(orderNumber: string): Promise<HoneybeeOrder> {
    const purpose = 'read the order';
    const path = HONEYBEE_PATHS.order(orderNumber);
    const answer = await this.call({ method: 'GET', path, purpose, conditional: true });
    const cached = this.etags.get(path);
    return this.read(answer.status === 304 && cached ? { ...answer, status: 200, text: cached.text } : answer, orderSchema, purpose);
  }

  async reorder(orderNumber: string): Promise<HoneybeeOrder> {
    const purpose = 'reorder the order';
    const answer = await this.call({ method: 'POST', path: HONEYBEE_PATHS.reorders(orderNumber), body: {}, purpose });
    return this.read(answer, orderSchema, purpose);
  }

  async changeShippingAddress(orderNumber: string, address: HoneybeeAddress): Promise<HoneybeeOrder> {
    const purpose = "change the order's shipping address";
    const answer = await this.call({ method: 'PUT', path: HONEYBEE_PATHS.shippingAddress(orderNumber), body: address, purpose });
    return this.read(answer, orderSchema, purpose);
  }

  /** Sandbox only (§1.13): ask Honeybee to fire an event at the webhook URL. */
  async simulate(request: HoneybeeSimulateRequest): Promise<void> {
    const purpose = 'simulate an event';
    const answer = await this.call({ method: 'POST', path: HONEYBEE_PATHS.simulate, body: request, purpose });
    this.read(answer, undefined, purpose);
  }

  /** Proves the credentials and the resource server: a token, then a read that needs it. */
  async ping(): Promise<void> {
    await this.ordersOfPatient('rxrelay-connection-check');
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  // ---- one exchange -------------------------------------------------------------------------

  /** With a token (renewed once if the resource server refuses it), `Accept: application/json` always. */
  private async call(exchange: Exchange): Promise<PartnerAnswer> {
    const token = await this.accessToken();
    let answer = await this.once(exchange, token);
    if (answer.status === 401) {
      // Honeybee dropped the token before its time: one new token, then the same request once more.
      // Only the call that finds the refused token still current asks for one: the others wait for it.
      if (this.token?.value === token) this.token = undefined;
      answer = await this.once(exchange, await this.accessToken());
    }
    if (answer.status >= 400) this.logFailure(exchange.path, exchange.purpose, answer);
    return answer;
  }

  private async once(exchange: Exchange, token: string): Promise<PartnerAnswer> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${token}` };
    if (exchange.body !== undefined) headers['content-type'] = 'application/json';
    const cached = exchange.conditional ? this.etags.get(exchange.path) : undefined;
    if (cached) headers['if-none-match'] = cached.etag;
    const body = exchange.body === undefined ? undefined : JSON.stringify(exchange.body);
    const answer = await this.http.send(`${this.baseUrl}${exchange.path}`, { method: exchange.method, headers, body }, { path: exchange.path, purpose: exchange.purpose });
    const etag = headerValue(answer, 'etag');
    if (exchange.conditional && answer.status === 200 && etag) this.remember(exchange.path, etag, answer.text);
    return answer;
  }

  /** An answer as the shape wanted; 400 and 422 with Honeybee's codes in words for the counter. */
  private read(answer: PartnerAnswer, schema: undefined, purpose: string): undefined;
  private read<T extends z.ZodType>(answer: PartnerAnswer, schema: T, purpose: string): z.infer<T>;
  private read<T extends z.ZodType>(answer: PartnerAnswer, schema: T | undefined, purpose: string): z.infer<T> | undefined {
    if (answer.status === 400 || answer.status === 422 || answer.status === 409) {
      let json: unknown;
      try {
        json = JSON.parse(answer.text);
      } catch {
        json = undefined;
      }
      const sentences = describeHoneybeeErrors(json);
      throw new PartnerRequestError('rejected', `Honeybee Health refused to ${purpose}`, { httpStatus: answer.status, details: sentences });
    }
    return schema ? this.http.interpret(answer, schema, purpose) : this.http.interpret(answer, undefined, purpose);
  }

  private logFailure(path: string, purpose: string, answer: PartnerAnswer): void {
    // The request id is what Honeybee's support needs to find the call; the path holds ids only, never PHI.
    this.options.logger.warn('honeybee.request_failed', {
      purpose,
      path: path.replace(/\?.*$/, ''),
      status: answer.status,
      request_id: headerValue(answer, REQUEST_ID_HEADER) ?? null,
    });
  }

  private remember(path: string, etag: string, text: string): void {
    this.etags.delete(path);
    this.etags.set(path, { etag, text });
    if (this.etags.size > ETAG_CACHE_SIZE) this.etags.delete(this.etags.keys().next().value as string);
  }
}

function headerValue(answer: PartnerAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
