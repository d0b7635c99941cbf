// The logger's redaction: whatever a caller passes, no patient data reaches a log line, and what
// a log is for (event names, ids, statuses, counts) survives.
import { describe, expect, it } from 'vitest';
import { createJsonLogger, formatLogLine, redactLogFields, scrubText, writeFormattedLine, type LogFields, type Logger } from '../../../src-main/core/logger';

/** Realistic PHI, as BestRx sends it and staff capture it at the door. */
const PHI = {
  first_name: 'Jane',
  last_name: 'Doe-Whitaker',
  middle_name: 'Joplin',
  email: 'jane.doe@doeind.com',
  home_phone: '6305551111',
  mobile_phone: '(630) 555-2222',
  address_line_1: '500 Second Ave',
  city: 'Bloomingdale',
  zip_code: '60108',
  dob: '1957-03-14',
  id_no: 'D200-3333-4444',
  rx_number: '610011',
  signature_png_base64: 'iVBORw0KGgo' + 'A'.repeat(400) + 'QmCC',
  notes: 'Leave with neighbour Mrs. Whitaker at 502',
};
const PHI_VALUES = Object.values(PHI);

function lines(fields: Record<string, unknown>): string[] {
  const out: string[] = [];
  const logger = createJsonLogger((line) => out.push(line), () => new Date('2026-11-21T09:00:00Z'));
  logger.info('test.event', fields as LogFields);
  logger.warn('test.event', fields as LogFields);
  logger.error('test.event', fields as LogFields);
  return out;
}

describe('the logger redacts by field name', () => {
  it('replaces every field that names patient data, whatever its value', () => {
    const [line] = lines(PHI);
    const parsed = JSON.parse(line!) as Record<string, unknown>;
    for (const key of Object.keys(PHI)) expect(parsed[key], key).toBe('[redacted]');
    for (const value of PHI_VALUES) expect(line).not.toContain(value);
  });

  it.each([
    ['name', 'Jane Doe'],
    ['firstName', 'Jane'],
    ['recipient_name', 'Jane Doe'],
    ['patient', 'Jane Doe'],
    ['patient_email', 'x@y.example'],
    ['customer_unique_id', 111111],
    ['street1', '500 Second Ave'],
    ['address', { address_line_1: '500 Second Ave' }],
    ['zip', '60108'],
    ['signer', { first_name: 'Jane' }],
    ['signature', 'iVBOR'],
    ['body', '{"first_name":"Jane"}'],
    ['password', 'hunter2'],
    ['api_key', 'sk_live_abc'],
    ['setup_token', 'tok'],
    ['client_secret', 'shh'],
    ['authorization', 'Basic abc'],
  ])('%s', (key, value) => {
    expect(redactLogFields({ [key]: value })).toEqual({ [key]: '[redacted]' });
  });

  it('keeps ids, statuses, counts and event names', () => {
    const fields = {
      provider_order_id: 'RXR-0RCXK4M7QW2ZD9',
      order_id: 'RXR-0RCXK4M7QW2ZD9',
      tracking_id: '4532015112830366',
      push_id: 1234567,
      dispatch_id: '0193a1b2-7c4d-7e5f-8a9b-123456789012',
      client_id: 'c_1234567890',
      device_id: '5f0c7c1e-1234-4a5b-8c9d-123456789012',
      http_status: 503,
      status: 409,
      attempts: 3,
      pushes: 12,
      partner: 'honeybee',
      kind: 'rate_limited',
      error: 'SqliteError',
      next_attempt_at: '2026-11-21T09:15:00.000Z',
      bestrx_url: 'http://127.0.0.1:8410',
      path: '/Order/CreateOrder',
      sandbox: true,
      nothing: null,
    };
    const [line] = lines(fields);
    expect(JSON.parse(line!)).toEqual({ time: '2026-11-21T09:00:00.000Z', level: 'info', event: 'test.event', ...fields });
  });

  it('never lets a caller overwrite the time, level or event', () => {
    const [line] = lines({ level: 'fake', event: 'Jane Doe', time: 'yesterday' });
    expect(JSON.parse(line!)).toEqual({ time: '2026-11-21T09:00:00.000Z', level: 'info', event: 'test.event' });
  });

  it("writes a line formatted on another thread (BestRx's listener) as it is, redacted where it was made", () => {
    const written: Array<[string, string]> = [];
    const logger = createJsonLogger((line, level) => written.push([line, level]));
    const line = formatLogLine(new Date('2026-11-21T09:00:00Z'), 'warn', 'bestrx.address_check_failed', { order_id: 'RXR-0RCXK4M7QW2ZD9', ...PHI });
    writeFormattedLine(logger, line, 'warn');
    expect(written).toEqual([[line, 'warn']]);
    for (const value of PHI_VALUES) expect(line).not.toContain(value);
  });

  it('tells a logger that writes no JSON lines the event and fields of such a line', () => {
    const told: unknown[] = [];
    const logger: Logger = { info: (event, fields) => told.push({ level: 'info', event, fields }), warn: () => undefined, error: () => undefined };
    writeFormattedLine(logger, formatLogLine(new Date('2026-11-21T09:00:00Z'), 'info', 'bestrx.create_order', { outcome: 'created', order_id: 'RXR-0RCXK4M7QW2ZD9', first_name: 'Jane' }), 'info');
    expect(told).toEqual([{ level: 'info', event: 'bestrx.create_order', fields: { outcome: 'created', order_id: 'RXR-0RCXK4M7QW2ZD9', first_name: '[redacted]' } }]);
  });

  it('writes the level to the writer, so the log file can append errors at once', () => {
    const levels: string[] = [];
    const logger = createJsonLogger((_line, level) => levels.push(level));
    logger.info('a');
    logger.error('b');
    expect(levels).toEqual(['info', 'error']);
  });
});

describe('the logger scrubs free text', () => {
  it('takes PHI out of error messages and reasons', () => {
    const message =
      'United refused the patient: jane.doe@doeind.com, phone 630-555-1111 / +1 (630) 555 2222, ' +
      'Rx #610011, licence D2003333444, SSN 123-45-6789, card 4111111111111111, signature data:image/png;base64,' +
      'iVBORw0KGgo' + 'AAAAB3NzaC1yc2E'.repeat(12);
    const [line] = lines({ error: message, reason: message, message });
    for (const leak of ['jane.doe@doeind.com', '630-555-1111', '(630) 555 2222', '610011', 'D2003333444', '123-45-6789', '4111111111111111', 'iVBORw0KGgo']) {
      expect(line).not.toContain(leak);
    }
    expect(line).toContain('[email]');
    expect(line).toContain('[phone]');
    expect(line).toContain('[base64]');
    expect(line).toContain('United refused the patient');
  });

  it('removes credentials from URLs', () => {
    expect(scrubText('calling https://provider:s3cret@dispensing.example.com/Order?x=1')).toBe('calling https://[redacted]@dispensing.example.com/Order?x=1');
  });

  it('leaves order ids, UUIDs, ISO times, ports and versions alone in text', () => {
    const text = 'order RXR-0RCXK4M7QW2ZD9 event 0193a1b2-7c4d-7e5f-8a9b-123456789012 at 2026-11-21T09:15:00.000Z on 127.0.0.1:8410 (node 20.19.4)';
    expect(scrubText(text)).toBe(text);
  });

  it('keeps digits in identifier fields but still removes emails and blobs there', () => {
    expect(redactLogFields({ tracking_id: '4532015112830366', order: 'jane@doe.com' })).toEqual({ tracking_id: '4532015112830366', order: '[email]' });
  });

  it('redacts nested objects and arrays a caller slipped past the types', () => {
    const [line] = lines({ details: { recipient: { first_name: 'Jane' }, items: [{ rx_number: '610011' }], note: 'call 6305551111' } } as never);
    expect(line).not.toContain('Jane');
    expect(line).not.toContain('610011');
    expect(line).not.toContain('6305551111');
  });

  it('cuts very long strings', () => {
    const line = formatLogLine(new Date(0), 'info', 'e', { error: 'x '.repeat(5000) });
    expect(line.length).toBeLessThan(2500);
  });
});
