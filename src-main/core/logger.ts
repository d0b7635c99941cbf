// Structured log lines (one JSON object per line). Callers pass ids and counts, never patient
// data: names, addresses, ID numbers and signatures do not belong in a log.
//
// The logger does not take that on trust. Every line goes through `redactLogFields` before it is
// written (stderr, the log file, the diagnostics bundle that copies the file): a field whose name
// says it carries patient data or a secret is replaced by "[redacted]" whatever its value, and
// every other string is scrubbed of what patient data looks like in free text (email addresses,
// phone numbers, long digit runs such as ID and Rx numbers, base64 blobs such as a signature).
// What a log is for survives: event names, order ids (RXR-…), tracking ids and other `*_id`
// fields, HTTP statuses, counts, error names.
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export type LogLevel = 'info' | 'warn' | 'error';

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /**
   * A line formatLogLine made (and so redacted) elsewhere, e.g. on BestRx's listener thread,
   * written as it is. Loggers that do not write JSON lines leave it out.
   */
  writeLine?(line: string, level: LogLevel): void;
}

export const REDACTED = '[redacted]';

/**
 * Field names that carry patient data (names, contact details, addresses, dates of birth, ID
 * documents, signatures, free text) or secrets. Matched against the whole name, case-insensitive,
 * after camelCase is turned into snake_case (`firstName` → `first_name`).
 */
const REDACTED_FIELD =
  /^(?:name|names|first_?name|last_?name|middle_?name|full_?name|given_?name|family_?name|entity_name|customer_name|signer_name|e_?mail|email_?address|emails?|.*_email|phones?|.*_phone|phone_.*|mobile.*|fax|address.*|.*_address|street.*|city|cities|zip.*|postal.*|dob|date_of_birth|birth_?date|birthday|id_?no|id_?number|id_num|license.*|licence.*|ssn|signature.*|signer.*|patient.*|recipient.*|customer.*|notes?|.*_notes?|memo|body|raw_?body|payload|sig_?text|rx_?number|rx_?numbers|drug_?name|medication_?name|prescriber.*|password.*|.*_password|passwd|secret.*|.*_secret|token|.*_token|tokens|api_?key|apikey|.*_key|key|authorization|cookie|set_cookie|credentials?)$/i;

/** Fields that hold identifiers RxRelay or a partner made: digit runs in them are kept. */
const IDENTIFIER_FIELD = /^(?:id|ids|.*_id|.*_ids|tracking|tracking_.*|order|push|dispatch|event_id|request_id)$/i;

const MAX_STRING = 2000;

function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[-\s]+/g, '_');
}

export function isRedactedFieldName(name: string): boolean {
  return fieldVerdict(name).redacted;
}

interface FieldVerdict {
  redacted: boolean;
  /** Digits are kept in its strings (an order id, a tracking id). */
  identifier: boolean;
}

/**
 * The verdicts on field names seen so far. Field names come from code, a few dozen in all, and
 * each line asks about every field: three regular expressions a field, on every CreateOrder's
 * line. Bounded, in case a caller ever logs keys made from data.
 */
const verdicts = new Map<string, FieldVerdict>();
const MAX_VERDICTS = 1_000;

function fieldVerdict(name: string): FieldVerdict {
  let verdict = verdicts.get(name);
  if (verdict) return verdict;
  const snake = snakeCase(name);
  const identifier = IDENTIFIER_FIELD.test(snake);
  // Identifiers of things that are not people stay: order_id, provider_order_id, client_id, …
  const redacted = identifier && !/^(?:patient|recipient|customer|signer)/i.test(snake) ? false : REDACTED_FIELD.test(snake);
  verdict = { redacted, identifier };
  if (verdicts.size < MAX_VERDICTS) verdicts.set(name, verdict);
  return verdict;
}

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(?::[^\s/@]*)?@/gi;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** base64 or base64url of more than 100 characters (a signature image, a document, a token). */
const BASE64_BLOB = /(?:data:[\w/+.-]+;base64,)?[A-Za-z0-9+/_-]{101,}={0,2}/g;
/** North American numbers in the usual spellings: 630-555-1111, (630) 555 1111, +1 630.555.1111, 6305551111. */
const PHONE = /(?<![\w.-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}(?![\w-])/g;
/** 123-45-6789 */
const SSN = /(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])/g;
/** A licence or ID number: up to two letters and six or more digits (D1234567, AB123456789). */
const ID_NUMBER = /(?<![\w-])[A-Za-z]{1,2}\d{6,}(?![\w-])/g;
/** Six or more digits standing alone: ID numbers, Rx numbers, card numbers, tracking numbers in prose. */
const DIGIT_RUN = /(?<![\w-])\d{6,}(?![\w-])/g;

/**
 * A string with what patient data looks like in free text taken out. With `keepDigits` (an
 * identifier field: order ids, tracking ids) only addresses, credentials and blobs are removed.
 */
export function scrubText(value: string, options: { keepDigits?: boolean } = {}): string {
  let text = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…[${value.length - MAX_STRING} more characters]` : value;
  // Nothing to find in a short string without digits or @ (most event names, kinds, reasons).
  if (text.length <= 100 && !/[\d@]/.test(text)) return text;
  text = text.replace(URL_CREDENTIALS, `$1${REDACTED}@`).replace(EMAIL, '[email]').replace(BASE64_BLOB, '[base64]');
  if (options.keepDigits) return text;
  return text.replace(SSN, '[id]').replace(PHONE, '[phone]').replace(ID_NUMBER, '[id]').replace(DIGIT_RUN, '[number]');
}

function redactValue(key: string, value: unknown, depth: number): unknown {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value;
  const verdict = fieldVerdict(key);
  if (verdict.redacted) return REDACTED;
  if (typeof value === 'string') return scrubText(value, { keepDigits: verdict.identifier });
  if (typeof value === 'bigint') return value.toString();
  if (depth >= 4) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => redactValue(key, item, depth + 1));
  if (value instanceof Error) return value.name;
  if (typeof value === 'object') return redactObject(value as Record<string, unknown>, depth + 1);
  return `[${typeof value}]`;
}

function redactObject(fields: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    // A name-based field is redacted whatever its type: a phone number as a number is still one.
    out[key] = isRedactedFieldName(key) && value !== null ? REDACTED : redactValue(key, value, depth);
  }
  return out;
}

/** The fields of a log line as they may be written: see the file's header. */
export function redactLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  return redactObject(fields, 0);
}

/** Fields a caller may not override: they frame every line. */
const RESERVED = new Set(['time', 'level', 'event']);

/** One log line, redacted. */
export function formatLogLine(time: Date, level: LogLevel, event: string, fields: LogFields = {}): string {
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (!RESERVED.has(key)) own[key] = value;
  return JSON.stringify({ time: time.toISOString(), level, event: scrubText(event, { keepDigits: true }), ...redactLogFields(own) });
}

export function createJsonLogger(
  write: (line: string, level: LogLevel) => void = (line) => process.stderr.write(line + '\n'),
  now: () => Date = () => new Date(),
): Logger {
  const log = (level: LogLevel) => (event: string, fields: LogFields = {}) => {
    let line: string;
    try {
      line = formatLogLine(now(), level, event, fields);
    } catch {
      // A field that cannot be serialised must not take the caller down, nor leak through a fallback.
      line = JSON.stringify({ time: now().toISOString(), level, event: scrubText(event, { keepDigits: true }), log_error: 'fields could not be written' });
    }
    write(line, level);
  };
  return { info: log('info'), warn: log('warn'), error: log('error'), writeLine: write };
}

/** A line formatLogLine made, told to a logger: as it is when the logger writes JSON lines, else as its event and fields. */
export function writeFormattedLine(logger: Logger, line: string, level: LogLevel): void {
  if (logger.writeLine) {
    logger.writeLine(line, level);
    return;
  }
  const { time: _time, level: _level, event, ...fields } = JSON.parse(line) as { time: string; level: LogLevel; event: string } & LogFields;
  logger[level](event, fields);
}

/** Every line to each writer (stderr and the log file); one failing writer does not stop the others. */
export function teeLogWriters(...writers: Array<(line: string, level: LogLevel) => void>): (line: string, level: LogLevel) => void {
  return (line, level) => {
    for (const write of writers) {
      try {
        write(line, level);
      } catch {
        // stderr closed, disk full: logging never takes the app down.
      }
    }
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
