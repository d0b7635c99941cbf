// What every partner client says the same way: a refused request's field problems, a partner's
// `{ message, errors }` error body as lines, and a network failure in words staff understand.
// Never the values themselves: they may be a patient's.
import { type z } from 'zod';

/** A partner's error body as its api module defines it (United and CaryRx: `{ message, errors: { field: [text] } }`). */
export type PartnerErrorBodySchema = z.ZodType<{ message: string; errors?: Record<string, string[]> | undefined }>;

/** Field paths and zod's words. */
export function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
}

/** The partner's `errors` as "field: text" lines (its `message` alone when there are none). */
export function errorDetails(text: string, schema: PartnerErrorBodySchema): string[] {
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

export function describeNetworkError(partnerName: string, error: unknown): string {
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
