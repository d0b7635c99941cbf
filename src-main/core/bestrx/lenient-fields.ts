// Field types for BestRx's requests: liberal in what they accept, exact in what they produce.
//
// BestRx is a .NET system whose own examples send booleans as "true"/"false", integer ids as
// numbers in one request and strings in the next, and null for anything optional. Each field
// here accepts every spelling BestRx is known to use and produces one canonical value, or a
// problem that says what was expected ("must be a whole number"), named by BestRx's own field
// path (`recipient.address.city`, `customers[0].last_name`). `null` is treated as absent.
//
// This is a small schema library of its own rather than zod (which the app API uses): every
// CreateOrder runs ~70 of these fields, and zod's per-field transform machinery measured ~15%
// of the endpoint's CPU; these readers are plain functions that allocate only on failure.
import { dollarsToCents } from '../domain/money';

export const REQUIRED = 'is required';

export interface FieldProblem {
  field: string;
  problem: string;
  missing: boolean;
}

/** Returned by a field that could not be read (its problem has been recorded). */
export const INVALID: unique symbol = Symbol('invalid');

export interface Field<T> {
  /** Reads `input` found at `parent`.`key`; on failure records why and returns INVALID. */
  read(input: unknown, parent: string, key: string | number, problems: FieldProblem[]): T | typeof INVALID;
}

export type FieldValue<F> = F extends Field<infer T> ? T : never;

/** `recipient.address.city` / `customers[0].last_name`: built only when a problem is reported. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** What a leaf parser returns instead of a value when the input will not do. */
class Problem {
  constructor(readonly message: string) {}
}

const problem = (message: string) => new Problem(message);

function leaf<T>(parse: (input: unknown) => T | Problem): Field<T> {
  return {
    read(input, parent, key, problems) {
      const result = parse(input);
      if (result instanceof Problem) {
        problems.push({ field: childPath(parent, key), problem: result.message, missing: result.message === REQUIRED });
        return INVALID;
      }
      return result;
    },
  };
}

const isAbsent = (input: unknown) => input === undefined || input === null || (typeof input === 'string' && input.trim() === '');

/** Wraps a parser of present values into a required or an optional (→ null) field. */
function requiredOrOptional<T>(parsePresent: (input: unknown) => T | Problem) {
  return {
    required: () => leaf<T>((input) => (isAbsent(input) ? problem(REQUIRED) : parsePresent(input))),
    optional: () => leaf<T | null>((input) => (isAbsent(input) ? null : parsePresent(input))),
  };
}

export const text = (maxLength = 200) =>
  requiredOrOptional<string>((input) => {
    if (typeof input === 'number' && Number.isFinite(input)) return String(input);
    if (typeof input !== 'string') return problem('must be text');
    const value = input.trim();
    return value.length > maxLength ? problem(`must be at most ${maxLength} characters`) : value;
  });

/** BestRx ids: JSON integers, or the same digits in a string. */
export const wholeNumber = (max = Number.MAX_SAFE_INTEGER) =>
  requiredOrOptional<number>((input) => {
    const value = typeof input === 'string' && /^\s*\d+\s*$/.test(input) ? Number(input) : input;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      return problem('must be a whole number (e.g. 123456789)');
    }
    return value > max ? problem(`must be at most ${max}`) : value;
  });

/** Dollar amounts → integer cents. Negative amounts and fractions of a cent are refused. */
export const dollars = () =>
  requiredOrOptional<number>((input) => {
    const value = typeof input === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(input) ? Number(input) : input;
    if (typeof value !== 'number' || !Number.isFinite(value)) return problem('must be a dollar amount (e.g. 97.83)');
    if (value < 0) return problem('must not be negative');
    if (value > 10_000_000) return problem('must be at most 10000000');
    const cents = dollarsToCents(value);
    return cents === undefined ? problem('must be in dollars and cents (at most two decimals)') : cents;
  });

/** A count that may be fractional (an OTC quantity), never negative. */
export const quantity = () =>
  requiredOrOptional<number>((input) => {
    const value = typeof input === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(input) ? Number(input) : input;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return problem('must be a non-negative number');
    return value > 1_000_000 ? problem('must be at most 1000000') : value;
  });

/** true/false, or BestRx's "true"/"false" strings (any case). Absent flags are false. */
export const flag = () =>
  leaf<boolean>((input) => {
    if (input === undefined || input === null) return false;
    if (typeof input === 'boolean') return input;
    if (typeof input === 'string') {
      const lower = input.trim().toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
    }
    return problem('must be true or false');
  });

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A calendar date. BestRx sends YYYY-MM-DD; a .NET DateTime (with a time part) is accepted and cut to its date. */
export const calendarDate = () =>
  requiredOrOptional<string>((input) => {
    if (typeof input !== 'string') return problem('must be a date (YYYY-MM-DD)');
    const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(input.trim());
    if (!match) return problem('must be a date (YYYY-MM-DD)');
    const [, y = '', m = '', d = ''] = match;
    const year = Number(y);
    const month = Number(m);
    const day = Number(d);
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const lastDay = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
    return day >= 1 && day <= lastDay ? `${y}-${m}-${d}` : problem('is not a real calendar date');
  });

/** A GUID, stored lower-case without braces so the same pharmacy is always the same key. */
export const guid = () =>
  requiredOrOptional<string>((input) => {
    const value = typeof input === 'string' ? input.trim().replace(/^\{(.*)\}$/, '$1') : undefined;
    if (!value || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
      return problem('must be a GUID (e.g. ef0a4740-0be9-44f7-b89d-9e66eeba0b9a)');
    }
    return value.toLowerCase();
  });

/** A code BestRx may send as a number or a string, echoed back exactly as sent. */
export const echoedCode = () =>
  leaf<string | number | boolean | null>((input) => {
    if (input === undefined || input === null) return null;
    if (typeof input === 'string') return input.length > 100 ? problem('must be at most 100 characters') : input;
    if (typeof input === 'number' || typeof input === 'boolean') return input;
    return problem('must be a code (text or number)');
  });

/** A list of short texts (consent options). */
export const textList = (maxItems: number, maxLength: number) =>
  leaf<string[]>((input) => {
    if (input === undefined || input === null) return [];
    if (!Array.isArray(input)) return problem('must be a list of texts');
    if (input.length > maxItems) return problem(`must have at most ${maxItems} entries`);
    const values: string[] = [];
    for (const item of input) {
      if (typeof item !== 'string' && typeof item !== 'number') return problem('must be a list of texts');
      const value = String(item).trim();
      if (value.length > maxLength) return problem(`entries must be at most ${maxLength} characters`);
      if (value) values.push(value);
    }
    return values;
  });

type Shape = Record<string, Field<unknown>>;
type ShapeValue<S extends Shape> = { [K in keyof S]: FieldValue<S[K]> };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads every field of `shape` (unknown keys are ignored), in the shape's key order. */
function readShape<S extends Shape>(shape: S, input: Record<string, unknown>, path: string, problems: FieldProblem[]): ShapeValue<S> | typeof INVALID {
  const out: Record<string, unknown> = {};
  let valid = true;
  for (const key in shape) {
    const value = (shape[key] as Field<unknown>).read(input[key], path, key, problems);
    if (value === INVALID) valid = false;
    else out[key] = value;
  }
  return valid ? (out as ShapeValue<S>) : INVALID;
}

function objectField<S extends Shape>(shape: S, whenAbsent: 'report fields' | 'null'): Field<ShapeValue<S> | null> {
  return {
    read(input, parent, key, problems) {
      const path = childPath(parent, key);
      if (input === undefined || input === null) return whenAbsent === 'null' ? null : readShape(shape, {}, path, problems);
      if (!isPlainObject(input)) {
        problems.push({ field: path, problem: 'must be an object', missing: false });
        return INVALID;
      }
      return readShape(shape, input, path, problems);
    },
  };
}

/** An object BestRx must send; when absent its fields are reported missing one by one. */
export function requiredObject<S extends Shape>(shape: S): Field<ShapeValue<S>> {
  return objectField(shape, 'report fields') as Field<ShapeValue<S>>;
}

/** An object BestRx may leave out (→ null). */
export function optionalObject<S extends Shape>(shape: S): Field<ShapeValue<S> | null> {
  return objectField(shape, 'null');
}

/** A list of objects BestRx may leave out (→ []). */
export function list<S extends Shape>(itemShape: S, maxItems: number): Field<Array<ShapeValue<S>>> {
  return {
    read(input, parent, key, problems) {
      if (input === undefined || input === null) return [];
      const path = childPath(parent, key);
      if (!Array.isArray(input)) {
        problems.push({ field: path, problem: 'must be a list', missing: false });
        return INVALID;
      }
      if (input.length > maxItems) {
        problems.push({ field: path, problem: `must have at most ${maxItems} entries`, missing: false });
        return INVALID;
      }
      const items: Array<ShapeValue<S>> = [];
      let valid = true;
      input.forEach((item, index) => {
        if (!isPlainObject(item)) {
          problems.push({ field: childPath(path, index), problem: 'must be an object', missing: false });
          valid = false;
          return;
        }
        const value = readShape(itemShape, item, childPath(path, index), problems);
        if (value === INVALID) valid = false;
        else items.push(value);
      });
      return valid ? items : INVALID;
    },
  };
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** Reads a whole request body against a shape. */
export function readBody<S extends Shape>(shape: S, body: unknown, extraChecks?: (body: Record<string, unknown>, problems: FieldProblem[]) => void): ParseResult<ShapeValue<S>> {
  if (!isPlainObject(body)) return { ok: false, problems: [{ field: '(body)', problem: 'must be a JSON object', missing: false }] };
  const problems: FieldProblem[] = [];
  const value = readShape(shape, body, '', problems);
  extraChecks?.(body, problems);
  return value === INVALID || problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}
