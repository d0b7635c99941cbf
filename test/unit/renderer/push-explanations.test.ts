import { describe, expect, it } from 'vitest';
import { plainWords } from '../../../src-renderer/src/push-explanations';

const push = (overrides: Partial<Parameters<typeof plainWords>[0]>) => ({
  state: 'pending' as const,
  last_error: null,
  last_http_status: null,
  held_back_by: null,
  attempts: 0,
  ...overrides,
});

describe('status pushes in plain words', () => {
  it('says what went wrong and whether RxRelay keeps trying', () => {
    expect(plainWords(push({}))).toBe('Not sent yet.');
    expect(plainWords(push({ attempts: 2, last_error: 'connect ECONNREFUSED' }))).toBe('BestRx could not be reached (network or BestRx down). RxRelay keeps trying.');
    expect(plainWords(push({ attempts: 1, last_http_status: 503, last_error: 'HTTP 503' }))).toBe('BestRx had a problem on its side. RxRelay keeps trying.');
    expect(plainWords(push({ attempts: 1, last_http_status: 429, last_error: 'HTTP 429' }))).toBe('BestRx asked RxRelay to slow down. RxRelay keeps trying.');
    expect(plainWords(push({ state: 'dead', attempts: 1, last_http_status: 401, last_error: 'HTTP 401' }))).toBe(
      'BestRx refused RxRelay’s credentials: check the UpdateOrderStatus user and password. RxRelay stopped trying: send it again, or skip it.',
    );
    expect(plainWords(push({ state: 'dead', attempts: 40, last_error: 'timeout' }))).toBe(
      'BestRx could not be reached (network or BestRx down). RxRelay stopped trying: send it again, or skip it.',
    );
    expect(plainWords(push({ held_back_by: 12 }))).toBe('Waits for an earlier status of this order (#12) to reach BestRx first.');
    expect(plainWords(push({ state: 'delivered' }))).toBe('BestRx has it.');
    expect(plainWords(push({ state: 'skipped' }))).toBe('Skipped by staff: BestRx was not told.');
  });
});
