// What every partner client does the same way: one HTTP exchange over its keep-alive agent (a
// failure to get an answer is `unavailable`), an answer read in the sync engine's terms
// (PartnerRequestError kinds), a refused request's field problems, and a network failure in words
// staff understand. Never the values themselves: they may be a patient's.
import { request, type Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { parseRetryAfter } from '../outbox/retry-schedule';
import { PartnerRequestError } from './partner-connector';

export interface PartnerAnswer {
  status: number;
  text: string;
  retryAfterMs: number | undefined;
  /** Response headers (lower-case names): a request id for support, an ETag. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface PartnerHttpOptions {
  /** In messages: "United Pharmacy", "CaryRx". */
  partnerName: string;
  /** Log events are `<logPrefix>.unreachable` and `<logPrefix>.request_refused`. */
  logPrefix: string;
  agent: Dispatcher;
  clock: Clock;
  logger: Logger;
  errorBody: PartnerErrorBodySchema;
  /** What staff must do when the partner refuses RxRelay's credentials. */
  unauthorizedMessage: string;
  /** The statuses that mean "your credentials do not work" for this partner. */
  unauthorizedStatuses: readonly number[];
}

export class PartnerHttp {
  constructor(private readonly options: PartnerHttpOptions) {}

  /** One request; any answer is returned as it came, a failure to get one throws `unavailable`. */
  async send(
    url: string,
    init: { method: Dispatcher.HttpMethod; headers: Record<string, string>; body: string | undefined },
    what: { path: string; purpose: string },
  ): Promise<PartnerAnswer> {
    let response: Dispatcher.ResponseData;
    let text: string;
    try {
      response = await request(url, { ...init, dispatcher: this.options.agent });
      text = await response.body.text();
    } catch (error) {
      const reason = describeNetworkError(this.options.partnerName, error);
      this.options.logger.warn(`${this.options.logPrefix}.unreachable`, { path: what.path, reason });
      throw new PartnerRequestError('unavailable', `${reason}; could not ${what.purpose}`);
    }
    const header = response.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, this.options.clock.now().getTime());
    return { status: response.statusCode, text, retryAfterMs, headers: response.headers };
  }

  /** An answer in the sync engine's terms: the body parsed by `schema` when it succeeded (nothing without one), else a PartnerRequestError. */
  interpret(answer: PartnerAnswer, schema: undefined, purpose: string): undefined;
  interpret<T extends z.ZodType>(answer: PartnerAnswer, schema: T, purpose: string): z.infer<T>;
  interpret<T extends z.ZodType>(answer: PartnerAnswer, schema: T | undefined, purpose: string): z.infer<T> | undefined {
    const { partnerName: name } = this.options;
    const { status } = answer;
    if (status >= 200 && status < 300) {
      if (!schema) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(answer.text);
      } catch {
        throw new PartnerRequestError('invalid_response', `${name} answered with something that is not JSON when asked to ${purpose}`, { httpStatus: status });
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        throw new PartnerRequestError('invalid_response', `${name}'s answer when asked to ${purpose} is not in the expected shape`, {
          httpStatus: status,
          details: zodProblems(parsed.error),
        });
      }
      return parsed.data;
    }
    this.options.logger.warn(`${this.options.logPrefix}.request_refused`, { purpose, status });
    const details = errorDetails(answer.text, this.options.errorBody);
    if (this.options.unauthorizedStatuses.includes(status)) throw new PartnerRequestError('unauthorized', this.options.unauthorizedMessage, { httpStatus: status });
    if (status === 429) {
      throw new PartnerRequestError('rate_limited', `${name} is limiting RxRelay's requests; it could not ${purpose} for now`, { httpStatus: status, retryAfterMs: answer.retryAfterMs });
    }
    if (status === 404) throw new PartnerRequestError('not_found', `${name} does not know what RxRelay asked for (could not ${purpose})`, { httpStatus: status, details });
    if (status === 408 || status >= 500) {
      throw new PartnerRequestError('unavailable', `${name} is unavailable (HTTP ${status}); could not ${purpose}`, {
        httpStatus: status,
        retryAfterMs: status === 503 ? answer.retryAfterMs : undefined,
      });
    }
    if (status >= 400) throw new PartnerRequestError('rejected', `${name} refused to ${purpose} (HTTP ${status})`, { httpStatus: status, details });
    throw new PartnerRequestError('invalid_response', `${name} answered HTTP ${status} when asked to ${purpose}`, { httpStatus: status });
  }
}

/** A partner's error body as its api module defines it (United and CaryRx: `{ message, errors: { field: [text] } }`). */
export type PartnerErrorBodySchema = z.ZodType<{ message: string; errors?: Record<string, string[]> | undefined }>;

/** Field paths and zod's words. */
export function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
}

/** The partner's `errors` as "field: text" lines (its `message` alone when there are none). */
function errorDetails(text: string, schema: PartnerErrorBodySchema): string[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return [];
  const { message, errors } = parsed.data;
  if (!errors || Object.keys(errors).length === 0) return [message];
  return Object.entries(errors).flatMap(([field, texts]) => texts.map((t) => (t.startsWith(field) ? t : `${field}: ${t}`)));
}

function describeNetworkError(partnerName: string, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ECONNREFUSED':
      return `${partnerName} refused the connection (is the API address right?)`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `Connecting to ${partnerName} timed out`;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `${partnerName} did not answer in time`;
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
      return `The connection to ${partnerName} dropped before an answer`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${partnerName}'s host name could not be found`;
    case 'ERR_INVALID_URL':
      return `The ${partnerName} API address is not a valid URL`;
    default:
      return `Could not reach ${partnerName} (${typeof code === 'string' ? code : 'network error'})`;
  }
}
