// A local fake of BestRx's side of status pushes: POST /Order/UpdateOrderStatus (path matched
// case-insensitively), as the seed document describes it. It checks Basic credentials (constant
// time) and the payload against the one schema of what BestRx accepts, records every push it
// accepted, counts every attempt (so tests can see retries), and plays faults on demand.
//
// Order of checks on a push: credentials (401) → JSON body (415/400/413) → payload schema (400,
// naming each bad field) → the fault, if one is due → record and answer the seed's success.
// The schema comes before faults so a malformed payload is never hidden behind a simulated
// outage, and never uses up a fault meant for a well-formed push.
//
// Control routes (/__simulator/...) let a test in another process inject faults and read what
// arrived. They need no BestRx credentials, so they exist only when asked for
// (`controlRoutes: true`) and answer only loopback clients that name this listener in Host and
// send no browser Origin (a web page cannot reach them through DNS rebinding).
import { appendFileSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { systemClock, type Clock } from '../../clock';
import { DEFAULT_CODE_TABLES } from '../../domain/code-tables';
import { silentLogger, type Logger } from '../../logger';
import { secretMatcher } from '../../security/secret-matcher';
import { FaultInjector, InvalidFaultError, parseFaultRule, type Fault, type FaultKind } from './fault-injector';
import {
  checkUpdateOrderStatus,
  type PayloadProblem,
  type UpdateOrderStatusMessage,
  type UpdateOrderStatusPayload,
} from '../../bestrx/update-order-status-schema';

export const UPDATE_ORDER_STATUS_PATH = '/Order/UpdateOrderStatus';
/** Signature PNGs travel inside the payload as base64; BestRx publishes no limit, so be generous. */
export const SIMULATOR_BODY_LIMIT_BYTES = 1024 * 1024;

const ERROR_MESSAGE_TYPE = DEFAULT_CODE_TABLES.messageType.error;
const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** The request headers worth keeping with a push. Never Authorization: it is a secret. */
const RECORDED_HEADERS = ['content-type', 'user-agent', 'idempotency-key', 'x-request-id', 'x-correlation-id'] as const;

export interface SimulatorCredentials {
  username: string;
  password: string;
}

export interface BestRxSimulatorOptions {
  /** Loopback only: the simulator is a test and demo fixture, never a network service. */
  host?: '127.0.0.1';
  /** 0 (the default) picks a free port. */
  port?: number;
  /** What RxRelay must send as Basic credentials (RXRELAY_STATUS_USER / RXRELAY_STATUS_PASSWORD). */
  credentials: SimulatorCredentials;
  /** Stamps `receivedAt`; tests may pass a fake. */
  clock?: Clock;
  logger?: Logger;
  /** Serve /__simulator/... (faults, received, attempts, reset) for out-of-process tests. */
  controlRoutes?: boolean;
  /** Also append every accepted push to this file as one JSON line, as soon as it is accepted. */
  recordFile?: string;
  /** The seed writes `"status_updated": "true"`; `boolean` answers `true`, as a .NET service may. */
  statusUpdatedAs?: 'string' | 'boolean';
}

export type RecordedHeaderName = (typeof RECORDED_HEADERS)[number];

/** A push BestRx accepted (answered as a success). */
export interface ReceivedPush {
  receivedAt: string;
  payload: UpdateOrderStatusPayload;
  /** How many times this push — (provider_order_id, status_code, order_status.date) — had arrived, this one included. */
  attempt: number;
  headers: Partial<Record<RecordedHeaderName, string>>;
}

/** Every push request, whatever became of it. */
export interface PushAttempt {
  receivedAt: string;
  /** Null when the request was refused before its body was read, or the body did not say. */
  providerOrderId: string | null;
  statusCode: string | null;
  statusDate: string | null;
  /** The nth time this push arrived; null when it cannot be told which push it was. */
  attempt: number | null;
  /** `delivered`: BestRx applied it (it is in `received()`), even if the answer was then lost. */
  outcome: 'delivered' | 'unauthorized' | 'bad-request' | 'invalid-payload' | 'fault';
  /** The fault played on it, if any (a `slow` or `error-message` push is still delivered). */
  fault: FaultKind | null;
  /** Null when the connection was dropped without an answer. */
  httpStatus: number | null;
}

export interface BestRxSimulator {
  /** e.g. http://127.0.0.1:53121 */
  url: string;
  /** The full UpdateOrderStatus URL to configure as RXRELAY_STATUS_URL. */
  statusUrl: string;
  port: number;
  /** Accepted pushes, oldest first (copies). */
  received(): ReceivedPush[];
  /** Every push request, oldest first (copies). */
  attempts(): PushAttempt[];
  /** Forgets received pushes and attempts (faults stay). */
  clear(): void;
  /** Forgets received pushes, attempts and faults. */
  reset(): void;
  faults: FaultInjector;
  close(): Promise<void>;
}

interface PushKey {
  providerOrderId: string | null;
  statusCode: string | null;
  statusDate: string | null;
}

const stringOrNull = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : null);

/** The ids of a push, read loosely so a push the schema refuses still counts as an attempt of that push. */
function pushKeyOf(body: unknown): PushKey {
  const record = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const status = record.order_status !== null && typeof record.order_status === 'object' ? (record.order_status as Record<string, unknown>) : {};
  return { providerOrderId: stringOrNull(record.provider_order_id), statusCode: stringOrNull(status.status_code), statusDate: stringOrNull(status.date) };
}

export async function createBestRxSimulator(options: BestRxSimulatorOptions): Promise<BestRxSimulator> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  const credentialsMatch = secretMatcher(`${options.credentials.username}:${options.credentials.password}`);
  // A record file that cannot be written should fail here, not as a 500 on the first push.
  if (options.recordFile) appendFileSync(options.recordFile, '');
  const faults = new FaultInjector();
  const closing = new AbortController();
  let received: ReceivedPush[] = [];
  let attempts: PushAttempt[] = [];
  let arrivalsByPush = new Map<string, number>();
  let allowedControlHosts = new Set<string>();

  const app = Fastify({
    logger: false,
    bodyLimit: SIMULATOR_BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
  });
  // JSON only, as BestRx's service (fastify would otherwise also take text/plain).
  app.removeContentTypeParser(['text/plain']);

  const bestRxAnswer = (updated: boolean, messages: UpdateOrderStatusMessage[] = []) => ({
    data: {},
    status_updated: options.statusUpdatedAs === 'boolean' ? updated : String(updated),
    messages,
  });
  const errorMessage = (code: string, message: string): UpdateOrderStatusMessage => ({ message_code: code, message, message_type: ERROR_MESSAGE_TYPE });
  const refuse = (reply: FastifyReply, status: number, messages: UpdateOrderStatusMessage[]) =>
    reply.code(status).type('application/json; charset=utf-8').send(bestRxAnswer(false, messages));

  const now = () => clock.now().toISOString();
  const noteAttempt = (attempt: PushAttempt) => attempts.push(attempt);

  function recordPush(request: FastifyRequest, payload: UpdateOrderStatusPayload, attempt: number, receivedAt: string): void {
    const headers: ReceivedPush['headers'] = {};
    for (const name of RECORDED_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const push: ReceivedPush = { receivedAt, payload, attempt, headers };
    received.push(push);
    if (options.recordFile) appendFileSync(options.recordFile, JSON.stringify(push) + '\n');
    logger.info('sandbox.bestrx.status_received', {
      provider_order_id: payload.provider_order_id,
      status_code: payload.order_status.status_code,
      attempt,
    });
  }

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    const key = { providerOrderId: null, statusCode: null, statusDate: null, attempt: null };
    const isPush = pathOf(request).toLowerCase().replace(/\/+$/, '') === UPDATE_ORDER_STATUS_PATH.toLowerCase();
    if (isPush) noteAttempt({ receivedAt: now(), ...key, outcome: 'bad-request', fault: null, httpStatus: status >= 500 ? 500 : status });
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return refuse(reply, 415, [errorMessage('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json.')]);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return refuse(reply, 413, [errorMessage('BODY_TOO_LARGE', 'The body is too large.')]);
    if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return refuse(reply, 400, [errorMessage('INVALID_JSON', 'The body is empty; send the status as JSON.')]);
    if (status >= 400 && status < 500) return refuse(reply, status, [errorMessage('INVALID_JSON', 'The body is not valid JSON.')]);
    logger.error('sandbox.bestrx.internal_error', { path: pathOf(request), error: error.name });
    return refuse(reply, 500, [errorMessage('INTERNAL_ERROR', 'The BestRx simulator failed.')]);
  });

  app.setNotFoundHandler((request, reply) => refuse(reply, 404, [errorMessage('NOT_FOUND', `No such endpoint: ${request.method} ${pathOf(request)}.`)]));

  app.post(UPDATE_ORDER_STATUS_PATH, {
    // Credentials are checked before the body is read, as a real service's auth filter does.
    onRequest: async (request, reply) => {
      if (credentialsMatch(basicCredentialsIn(request.headers.authorization))) return;
      noteAttempt({ receivedAt: now(), providerOrderId: null, statusCode: null, statusDate: null, attempt: null, outcome: 'unauthorized', fault: null, httpStatus: 401 });
      reply.header('www-authenticate', 'Basic realm="BestRx", charset="UTF-8"');
      return refuse(reply, 401, [errorMessage('UNAUTHORIZED', 'Missing or wrong credentials (HTTP Basic).')]);
    },
    handler: async (request, reply) => {
      const receivedAt = now();
      const key = pushKeyOf(request.body);
      const pushId = JSON.stringify([key.providerOrderId, key.statusCode, key.statusDate]);
      const identifiable = key.providerOrderId !== null && key.statusCode !== null && key.statusDate !== null;
      const attempt = (arrivalsByPush.get(pushId) ?? 0) + 1;
      arrivalsByPush.set(pushId, attempt);
      const noteOutcome = (outcome: PushAttempt['outcome'], fault: Fault | undefined, httpStatus: number | null) =>
        noteAttempt({ receivedAt, ...key, attempt: identifiable ? attempt : null, outcome, fault: fault?.kind ?? null, httpStatus });

      const check = checkUpdateOrderStatus(request.body);
      if (!check.ok) {
        noteOutcome('invalid-payload', undefined, 400);
        logger.warn('sandbox.bestrx.status_refused', { provider_order_id: key.providerOrderId, problems: check.problems.length });
        return refuse(reply, 400, problemMessages(check.problems));
      }
      const payload = check.payload;
      const fault = faults.take(payload.provider_order_id);
      if (fault) logger.info('sandbox.bestrx.fault_played', { kind: fault.kind, provider_order_id: payload.provider_order_id });

      switch (fault?.kind) {
        case undefined:
        case 'slow':
        case 'error-message': {
          if (fault?.kind === 'slow') {
            try {
              await sleep(fault.delayMs, undefined, { signal: closing.signal });
            } catch {
              noteOutcome('fault', fault, null);
              return dropConnection(request, reply); // the simulator is closing
            }
          }
          recordPush(request, payload, attempt, receivedAt);
          noteOutcome('delivered', fault, 200);
          const messages = fault?.kind === 'error-message' ? [errorMessage('SIMULATED_ERROR', 'BestRx reported an error while updating the status (simulated).')] : [];
          return reply.code(200).type('application/json; charset=utf-8').send(bestRxAnswer(true, messages));
        }
        case 'drop':
          if (fault.afterRecording) recordPush(request, payload, attempt, receivedAt);
          noteOutcome(fault.afterRecording ? 'delivered' : 'fault', fault, null);
          return dropConnection(request, reply);
        case 'not-updated':
          noteOutcome('fault', fault, 200);
          return refuse(reply, 200, [errorMessage('STATUS_NOT_UPDATED', 'The status of this order could not be updated (simulated).')]);
        case 'http-500':
          noteOutcome('fault', fault, 500);
          return refuse(reply, 500, [errorMessage('INTERNAL_ERROR', 'An unexpected error occurred (simulated).')]);
        case 'http-503':
          noteOutcome('fault', fault, 503);
          if (fault.retryAfterSeconds !== undefined) reply.header('retry-after', String(fault.retryAfterSeconds));
          // A gateway in front of BestRx answers in HTML, not in BestRx's JSON.
          return reply.code(503).type('text/html; charset=utf-8').send('<html><body><h1>Service Unavailable</h1></body></html>');
        case 'http-429':
          noteOutcome('fault', fault, 429);
          reply.header('retry-after', String(fault.retryAfterSeconds));
          return refuse(reply, 429, [errorMessage('TOO_MANY_REQUESTS', `Too many requests; retry after ${fault.retryAfterSeconds} s (simulated).`)]);
        case 'http-400':
          noteOutcome('fault', fault, 400);
          return refuse(reply, 400, [errorMessage('REQUEST_REFUSED', 'BestRx refused this status update (simulated permanent refusal).')]);
      }
    },
  });

  if (options.controlRoutes) {
    await app.register(async (control) => {
      control.addHook('onRequest', async (request, reply) => {
        const fromLoopback = LOOPBACK_ADDRESSES.has(request.socket.remoteAddress ?? '');
        const namesThisListener = allowedControlHosts.has((request.headers.host ?? '').toLowerCase());
        if (!fromLoopback || !namesThisListener || request.headers.origin !== undefined) {
          return reply.code(403).send({ error: 'The simulator control routes answer only local test processes.' });
        }
      });
      control.get('/received', async () => ({ received: structuredClone(received) }));
      control.get('/attempts', async () => ({ attempts: structuredClone(attempts) }));
      control.get('/faults', async () => ({ faults: faults.list() }));
      control.post('/faults', async (request, reply) => {
        const { mode = 'next', ...rule } = (request.body ?? {}) as { mode?: unknown };
        try {
          if (mode === 'next') faults.next(parseFaultRule(rule));
          else if (mode === 'always') faults.always(parseFaultRule(rule));
          else return reply.code(400).send({ error: 'mode must be "next" or "always"' });
        } catch (error) {
          if (error instanceof InvalidFaultError) return reply.code(400).send({ error: error.message, problems: error.problems });
          throw error;
        }
        return { faults: faults.list() };
      });
      control.delete('/faults', async () => {
        faults.clear();
        return { faults: [] };
      });
      control.post('/reset', async () => {
        reset();
        return { reset: true };
      });
    }, { prefix: '/__simulator' });
  }

  function clear(): void {
    received = [];
    attempts = [];
    arrivalsByPush = new Map();
  }
  function reset(): void {
    clear();
    faults.clear();
  }

  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  allowedControlHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const url = `http://${host}:${port}`;
  logger.info('sandbox.bestrx.simulator_started', { url });
  return {
    url,
    statusUrl: url + UPDATE_ORDER_STATUS_PATH,
    port,
    received: () => structuredClone(received),
    attempts: () => structuredClone(attempts),
    clear,
    reset,
    faults,
    async close() {
      closing.abort();
      await app.close();
    },
  };
}

/** Reads back a `recordFile`: every push accepted so far, oldest first (a torn last line is skipped). */
export function readRecordedPushes(recordFile: string): ReceivedPush[] {
  let text: string;
  try {
    text = readFileSync(recordFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const pushes: ReceivedPush[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      pushes.push(JSON.parse(line) as ReceivedPush);
    } catch {
      // a line still being written when the file was read
    }
  }
  return pushes;
}

/** `user:password` from a Basic Authorization header ('' when there is none). */
function basicCredentialsIn(header: string | undefined): string {
  const encoded = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')?.[1];
  return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
}

function problemMessages(problems: readonly PayloadProblem[]): UpdateOrderStatusMessage[] {
  return problems.map((p) => ({
    message_code: p.missing ? 'MISSING_FIELD' : 'INVALID_FIELD',
    message: `${p.field} ${p.problem}`,
    message_type: ERROR_MESSAGE_TYPE,
  }));
}

/** Ends the exchange without an answer: the client sees its connection reset. */
function dropConnection(request: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  request.raw.socket.destroy();
}

/** The path alone: query strings are never logged or echoed. */
const pathOf = (request: FastifyRequest) => request.url.split('?')[0] ?? '';
