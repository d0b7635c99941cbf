// The HTTP side of a status push: POST the stored payload to BestRx's UpdateOrderStatus with
// Basic credentials, over a keep-alive connection pool with connect, header and body timeouts,
// and say what happened in the outbox's terms: delivered, try again (and when), or refused for
// good. BestRx often answers 200 with an error inside the body (vendor-facts.md §2.10), so the
// body decides, not only the status code.
import { Agent, request } from 'undici';
import type { Credentials } from '../config/config';
import { statusUpdatedIn } from '../bestrx/update-order-status-schema';
import { parseRetryAfter } from './retry-schedule';

export type PushOutcome =
  | { kind: 'delivered'; httpStatus: number }
  | { kind: 'retry'; httpStatus: number | null; error: string; retryAfterMs?: number | undefined }
  | { kind: 'refused'; httpStatus: number; error: string };

export interface StatusPushTransport {
  /** Where pushes go (shown to staff; carries no credentials). */
  readonly url: string;
  send(payloadJson: string): Promise<PushOutcome>;
  /**
   * Sends a push by its id, reading the payload itself (a transport with its own database
   * connection, on another thread); undefined when the push is no longer pending (skipped
   * meanwhile). Without it the worker reads the payload and calls `send`.
   */
  sendStored?(pushId: number): Promise<PushOutcome | undefined>;
  close(): Promise<void>;
}

const TIMEOUT_MS = 15_000;
const MAX_ERROR_LENGTH = 500;

export function createBestRxStatusClient(options: {
  url: string;
  credentials: Credentials | undefined;
  errorMessageType: number;
  nowMs?: () => number;
  timeoutMs?: number;
}): StatusPushTransport {
  const timeout = options.timeoutMs ?? TIMEOUT_MS;
  const agent = new Agent({
    keepAliveTimeout: 10_000,
    connections: 32,
    connect: { timeout },
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.credentials) {
    headers.authorization = `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`;
  }
  const nowMs = options.nowMs ?? Date.now;

  return {
    url: options.url,
    async send(payloadJson) {
      let response;
      try {
        response = await request(options.url, { method: 'POST', headers, body: payloadJson, dispatcher: agent });
      } catch (error) {
        return { kind: 'retry', httpStatus: null, error: describeNetworkError(error) };
      }
      let text: string;
      try {
        text = await response.body.text();
      } catch (error) {
        return { kind: 'retry', httpStatus: response.statusCode, error: describeNetworkError(error) };
      }
      const status = response.statusCode;
      const retryAfterHeader = response.headers['retry-after'];
      const retryAfterMs = parseRetryAfter(Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader, nowMs());
      if (status >= 200 && status < 300) return judgeBody(status, text, options.errorMessageType);
      const error = `BestRx answered HTTP ${status}${bodyHint(text)}`;
      if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', httpStatus: status, error, retryAfterMs };
      // Any other 4xx means this request will never be accepted as it is: retrying blindly
      // would only hold back the order's later statuses. It is parked for staff instead.
      return { kind: 'refused', httpStatus: status, error };
    },
    close: () => agent.close(),
  };
}

function judgeBody(status: number, text: string, errorMessageType: number): PushOutcome {
  let body: { status_updated?: unknown; messages?: unknown } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { kind: 'retry', httpStatus: status, error: `BestRx answered HTTP ${status} with a body that is not JSON` };
  }
  const errors = Array.isArray(body?.messages)
    ? body.messages
        .filter((m): m is { message_type: unknown; message?: unknown } => typeof m === 'object' && m !== null)
        .filter((m) => Number(m.message_type) === errorMessageType)
        .map((m) => String(m.message ?? ''))
    : [];
  const updated = statusUpdatedIn(body) === true;
  if (updated && errors.length === 0) return { kind: 'delivered', httpStatus: status };
  const reason = errors.length > 0 ? errors.join('; ') : 'status_updated was false';
  return { kind: 'retry', httpStatus: status, error: truncate(`BestRx did not update the status: ${reason}`) };
}

function bodyHint(text: string): string {
  const trimmed = text.trim();
  return trimmed ? `: ${truncate(trimmed.replace(/\s+/g, ' '))}` : '';
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'BestRx refused the connection (is the UpdateOrderStatus URL right, is BestRx running?)';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'Connecting to BestRx timed out';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'BestRx did not answer in time';
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
      return 'The connection to BestRx dropped before an answer';
    case 'ENOTFOUND':
      return 'The UpdateOrderStatus host name could not be found';
    default:
      return truncate(`Could not reach BestRx: ${e.code ?? e.message ?? 'unknown error'}`);
  }
}
