// Field types for BestRx's requests: liberal in what they accept, exact in what they produce.
//
// BestRx is a .NET system whose own examples send booleans as "true"/"false", integer ids as
// numbers in one request and strings in the next, and null for anything optional. Each field
// here accepts every spelling BestRx is known to use and produces one canonical value, or a
// message that says what was expected ("must be a whole number"). `null` is treated as absent.
import { z } from 'zod';
import { dollarsToCents } from '../domain/money';

export const REQUIRED = 'is required';

type Parse<T> = (input: unknown) => { value: T } | { problem: string };

function field<T>(parse: Parse<T>) {
  // `.optional()` lets an absent key reach the transform, which then decides whether absence
  // is an error ("is required") or a default (null, false, []).
  return z.unknown().optional().transform((input, ctx): T => {
    const result = parse(input);
    if ('problem' in result) {
      ctx.addIssue({ code: 'custom', message: result.problem });
      return z.NEVER;
    }
    return result.value;
  });
}

const isAbsent = (input: unknown) => input === undefined || input === null || (typeof input === 'string' && input.trim() === '');

/** Wraps a parser of present values into a required or an optional (→ null) field. */
function requiredOrOptional<T>(parsePresent: Parse<T>) {
  return {
    required: () => field<T>((input) => (isAbsent(input) ? { problem: REQUIRED } : parsePresent(input))),
    optional: () => field<T | null>((input) => (isAbsent(input) ? { value: null } : parsePresent(input))),
  };
}

export const text = (maxLength = 200) =>
  requiredOrOptional<string>((input) => {
    if (typeof input === 'number' && Number.isFinite(input)) return { value: String(input) };
    if (typeof input !== 'string') return { problem: 'must be text' };
    const value = input.trim();
    return value.length > maxLength ? { problem: `must be at most ${maxLength} characters` } : { value };
  });

/** BestRx ids: JSON integers, or the same digits in a string. */
export const wholeNumber = (max = Number.MAX_SAFE_INTEGER) =>
  requiredOrOptional<number>((input) => {
    const value = typeof input === 'string' && /^\s*\d+\s*$/.test(input) ? Number(input) : input;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      return { problem: 'must be a whole number (e.g. 123456789)' };
    }
    return value > max ? { problem: `must be at most ${max}` } : { value };
  });

/** Dollar amounts → integer cents. Negative amounts and fractions of a cent are refused. */
export const dollars = () =>
  requiredOrOptional<number>((input) => {
    const value = typeof input === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(input) ? Number(input) : input;
    if (typeof value !== 'number' || !Number.isFinite(value)) return { problem: 'must be a dollar amount (e.g. 97.83)' };
    if (value < 0) return { problem: 'must not be negative' };
    if (value > 10_000_000) return { problem: 'must be at most 10000000' };
    const cents = dollarsToCents(value);
    return cents === undefined ? { problem: 'must be in dollars and cents (at most two decimals)' } : { value: cents };
  });

/** A count that may be fractional (an OTC quantity), never negative. */
export const quantity = () =>
  requiredOrOptional<number>((input) => {
    const value = typeof input === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(input) ? Number(input) : input;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return { problem: 'must be a non-negative number' };
    return value > 1_000_000 ? { problem: 'must be at most 1000000' } : { value };
  });

/** true/false, or BestRx's "true"/"false" strings (any case). Absent flags are false. */
export const flag = () =>
  field<boolean>((input) => {
    if (input === undefined || input === null) return { value: false };
    if (typeof input === 'boolean') return { value: input };
    if (typeof input === 'string') {
      const lower = input.trim().toLowerCase();
      if (lower === 'true') return { value: true };
      if (lower === 'false') return { value: false };
    }
    return { problem: 'must be true or false' };
  });

/** A calendar date. BestRx sends YYYY-MM-DD; a .NET DateTime (with a time part) is accepted and cut to its date. */
export const calendarDate = () =>
  requiredOrOptional<string>((input) => {
    if (typeof input !== 'string') return { problem: 'must be a date (YYYY-MM-DD)' };
    const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(input.trim());
    if (!match) return { problem: 'must be a date (YYYY-MM-DD)' };
    const [, y, m, d] = match;
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    const iso = `${y}-${m}-${d}`;
    return date.toISOString().slice(0, 10) === iso ? { value: iso } : { problem: 'is not a real calendar date' };
  });

/** A GUID, stored lower-case without braces so the same pharmacy is always the same key. */
export const guid = () =>
  requiredOrOptional<string>((input) => {
    const value = typeof input === 'string' ? input.trim().replace(/^\{(.*)\}$/, '$1') : undefined;
    if (!value || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
      return { problem: 'must be a GUID (e.g. ef0a4740-0be9-44f7-b89d-9e66eeba0b9a)' };
    }
    return { value: value.toLowerCase() };
  });

/** A code BestRx may send as a number or a string, echoed back exactly as sent. */
export const echoedCode = () =>
  field<string | number | boolean | null>((input) => {
    if (input === undefined || input === null) return { value: null };
    if (typeof input === 'string') return input.length > 100 ? { problem: 'must be at most 100 characters' } : { value: input };
    if (typeof input === 'number' || typeof input === 'boolean') return { value: input };
    return { problem: 'must be a code (text or number)' };
  });

/** A list of short texts (consent options). */
export const textList = (maxItems: number, maxLength: number) =>
  field<string[]>((input) => {
    if (input === undefined || input === null) return { value: [] };
    if (!Array.isArray(input)) return { problem: 'must be a list of texts' };
    if (input.length > maxItems) return { problem: `must have at most ${maxItems} entries` };
    const values: string[] = [];
    for (const item of input) {
      if (typeof item !== 'string' && typeof item !== 'number') return { problem: 'must be a list of texts' };
      const value = String(item).trim();
      if (value.length > maxLength) return { problem: `entries must be at most ${maxLength} characters` };
      if (value) values.push(value);
    }
    return { value: values };
  });

/** An object BestRx must send; when absent its fields are reported missing one by one. */
export function requiredObject<S extends z.ZodRawShape>(shape: S) {
  return z.preprocess((input) => input ?? {}, z.object(shape, { error: 'must be an object' }));
}

/** An object BestRx may leave out (→ null). */
export function optionalObject<S extends z.ZodRawShape>(shape: S) {
  return z.preprocess((input) => input ?? undefined, z.object(shape, { error: 'must be an object' }).optional()).transform((v) => v ?? null);
}

/** A list BestRx may leave out (→ []). */
export function list<T extends z.ZodType>(item: T, maxItems: number) {
  return z.preprocess(
    (input) => input ?? [],
    z.array(item, { error: 'must be a list' }).max(maxItems, { error: `must have at most ${maxItems} entries` }),
  );
}

/** `recipient.address.city` / `customers[0].last_name`, as BestRx's own field names. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

export interface FieldProblem {
  field: string;
  problem: string;
  missing: boolean;
}

export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: fieldPath(issue.path),
    problem: issue.message,
    missing: issue.message === REQUIRED,
  }));
}
