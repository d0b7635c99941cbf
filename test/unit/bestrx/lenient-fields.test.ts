import { describe, expect, it } from 'vitest';
import {
  calendarDate,
  dollars,
  flag,
  list,
  optionalObject,
  readBody,
  requiredObject,
  text,
  wholeNumber,
} from '../../../src-main/core/bestrx/lenient-fields';

const shape = {
  id: wholeNumber().required(),
  note: text(5).optional(),
  paid: dollars().optional(),
  urgent: flag(),
  when: calendarDate().optional(),
  store: requiredObject({ name: text().required() }),
  extra: optionalObject({ a: text().required() }),
  items: list({ sku: text().required() }, 2),
};

describe('lenient fields', () => {
  it('produces canonical values in the shape’s key order, ignoring unknown keys', () => {
    const result = readBody(shape, { zzz: 1, items: [{ sku: 7 }], store: { name: ' Main ' }, urgent: 'TRUE', paid: '10.50', note: null, id: '42', when: '2024-02-29' });
    expect(result).toEqual({
      ok: true,
      value: { id: 42, note: null, paid: 1050, urgent: true, when: '2024-02-29', store: { name: 'Main' }, extra: null, items: [{ sku: '7' }] },
    });
    expect(Object.keys((result as { value: object }).value)).toEqual(Object.keys(shape));
  });

  it('names every problem by its path, missing apart from wrong', () => {
    const result = readBody(shape, { id: 'x', note: 'too long', paid: 1.001, urgent: 'yes', when: '2023-02-29', extra: {}, items: [{}, 'sku', { sku: 1 }] });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      { field: 'id', problem: 'must be a whole number (e.g. 123456789)', missing: false },
      { field: 'note', problem: 'must be at most 5 characters', missing: false },
      { field: 'paid', problem: 'must be in dollars and cents (at most two decimals)', missing: false },
      { field: 'urgent', problem: 'must be true or false', missing: false },
      { field: 'when', problem: 'is not a real calendar date', missing: false },
      { field: 'store.name', problem: 'is required', missing: true },
      { field: 'extra.a', problem: 'is required', missing: true },
      { field: 'items', problem: 'must have at most 2 entries', missing: false },
    ]);
    const items = readBody(shape, { id: 1, store: { name: 'x' }, items: [{}, 'sku'] });
    expect(items.ok ? [] : items.problems).toEqual([
      { field: 'items[0].sku', problem: 'is required', missing: true },
      { field: 'items[1]', problem: 'must be an object', missing: false },
    ]);
  });

  it('refuses an object where a list belongs and a list where an object belongs', () => {
    const result = readBody(shape, { id: 1, store: [], items: {} });
    expect(result.ok ? [] : result.problems).toEqual([
      { field: 'store', problem: 'must be an object', missing: false },
      { field: 'items', problem: 'must be a list', missing: false },
    ]);
  });
});
