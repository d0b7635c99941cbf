// The one definition of what BestRx's UpdateOrderStatus accepts: the seed's example verbatim,
// and every way a payload can be wrong, each named by BestRx's own field path.
import { describe, expect, it } from 'vitest';
import {
  checkUpdateOrderStatus,
  isBase64Png,
  statusUpdatedIn,
  type UpdateOrderStatusPayload,
} from '../../../src-main/core/bestrx/update-order-status-schema';
import { seedUpdateOrderStatusPayload } from '../../../src-main/core/sandbox/bestrx/seed-examples';
import { seedExample } from '../../helpers/fixtures';

const ONE_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

function problemsOf(body: unknown) {
  const result = checkUpdateOrderStatus(body);
  return result.ok ? [] : result.problems;
}

function withChanges(change: (body: Record<string, any>) => void): unknown { // eslint-disable-line @typescript-eslint/no-explicit-any -- tests edit arbitrary fields
  const body = seedExample('update-order-status.request');
  change(body);
  return body;
}

describe('UpdateOrderStatus payload schema', () => {
  it('accepts the seed example verbatim', () => {
    const result = checkUpdateOrderStatus(seedExample('update-order-status.request'));
    expect(result).toEqual({ ok: true, payload: seedExample('update-order-status.request') });
  });

  it('accepts a push with nothing signed: signer_info null or absent, empty signature and consents', () => {
    const nothingSigned = withChanges((b) => {
      b.signer_info = null;
      b.consent_info = [];
    });
    expect(checkUpdateOrderStatus(nothingSigned).ok).toBe(true);
    expect(checkUpdateOrderStatus(withChanges((b) => delete b.signer_info)).ok).toBe(true);
  });

  it('accepts a signature that is base64 of a PNG, a signature URL, and a signer whose ID was not checked', () => {
    const payload: UpdateOrderStatusPayload = seedUpdateOrderStatusPayload({
      signature: ONE_PIXEL_PNG,
      signature_url: 'https://rxrelay.example/signatures/RXR-1.png',
      signer_info: { relation: '1', first_name: 'Avery', last_name: 'Okafor', jurisdiction: '', id_type: '', id_no: '' },
    });
    expect(checkUpdateOrderStatus(payload)).toEqual({ ok: true, payload });
  });

  it('echoes consent_type as BestRx sent it: a number or text (or whatever else RxRelay read)', () => {
    for (const consentType of [1, '1', '0', 0, true, null]) {
      expect(checkUpdateOrderStatus(withChanges((b) => (b.consent_info[0].consent_type = consentType))).ok).toBe(true);
    }
    expect(problemsOf(withChanges((b) => (b.consent_info[0].consent_type = { code: 1 })))).toEqual([
      {
        field: 'consent_info[0].consent_type',
        problem: 'must be echoed exactly as BestRx sent it in CreateOrder (text, number, true/false or null)',
        missing: false,
      },
    ]);
    expect(problemsOf(withChanges((b) => delete b.consent_info[0].consent_type))).toEqual([
      { field: 'consent_info[0].consent_type', problem: 'is required', missing: true },
    ]);
  });

  it('names every missing required field', () => {
    const body = withChanges((b) => {
      delete b.bestrx_pharmacy_id;
      delete b.tracking_id;
      delete b.order_status.status_code;
      delete b.order_status.status_notes;
      delete b.signature;
      delete b.consent_info;
      delete b.signer_info.last_name;
    });
    expect(problemsOf(body).filter((p) => p.missing).map((p) => p.field).sort()).toEqual(
      ['bestrx_pharmacy_id', 'consent_info', 'order_status.status_code', 'order_status.status_notes', 'signature', 'signer_info.last_name', 'tracking_id'].sort(),
    );
    expect(problemsOf(body).every((p) => p.missing && p.problem === 'is required')).toBe(true);
  });

  it('insists on the seed spelling status_Code_description and says so', () => {
    const body = withChanges((b) => {
      b.order_status.status_code_description = b.order_status.status_Code_description;
      delete b.order_status.status_Code_description;
    });
    expect(problemsOf(body)).toEqual(
      expect.arrayContaining([
        { field: 'order_status.status_Code_description', problem: 'is required', missing: true },
        { field: 'order_status.status_code_description', problem: 'is not a field BestRx knows; it is spelled status_Code_description', missing: false },
      ]),
    );
  });

  it('refuses wrong types, naming each field', () => {
    const body = withChanges((b) => {
      b.bestrx_order_id = '123456789';
      b.bestrx_unique_order_id = 10.5;
      b.bestrx_pharmacy_id = 'pharmacy-1';
      b.order_status.status_code = 2;
      b.order_status.date = '2022-09-10 09:47';
      b.signer_info.relation = 'Spouse';
      b.consent_info[0].consent_response = '';
      b.provider_order_id = '   ';
    });
    const byField = Object.fromEntries(problemsOf(body).map((p) => [p.field, p.problem]));
    expect(byField).toEqual({
      bestrx_order_id: 'must be a whole number (e.g. 123456789)',
      bestrx_unique_order_id: 'must be a whole number (e.g. 123456789)',
      bestrx_pharmacy_id: 'must be a GUID (e.g. ef0a4740-0be9-44f7-b89d-9e66eeba0b9a)',
      provider_order_id: 'must not be empty',
      'order_status.status_code': 'must be a numeric code written as text (e.g. "7")',
      'order_status.date': 'must be an ISO 8601 date-time with a time zone (e.g. 2022-09-10T09:47:27.5232761Z)',
      'signer_info.relation': 'must be a numeric code written as text (e.g. "3")',
      'consent_info[0].consent_response': 'must not be empty',
    });
  });

  it('needs a time zone on the status date, and accepts .NET precision or an offset', () => {
    expect(problemsOf(withChanges((b) => (b.order_status.date = '2022-09-10T09:47:27'))).map((p) => p.field)).toEqual(['order_status.date']);
    expect(checkUpdateOrderStatus(withChanges((b) => (b.order_status.date = '2026-11-21T09:00:00.000Z'))).ok).toBe(true);
    expect(checkUpdateOrderStatus(withChanges((b) => (b.order_status.date = '2026-11-21T03:00:00-06:00'))).ok).toBe(true);
  });

  it('refuses a signature that is not base64 of a PNG, and a signature_url that is not a URL', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]).toString('base64');
    for (const signature of [jpeg, `data:image/png;base64,${ONE_PIXEL_PNG}`, 'not base64!', ONE_PIXEL_PNG.slice(0, -3)]) {
      expect(problemsOf(withChanges((b) => (b.signature = signature))).map((p) => p.field)).toEqual(['signature']);
    }
    expect(problemsOf(withChanges((b) => (b.signature_url = 'signatures/1.png')))).toEqual([
      { field: 'signature_url', problem: 'must be empty or an http(s) URL', missing: false },
    ]);
  });

  it('wants signer ID fields as text, empty when no ID was checked, never null', () => {
    expect(problemsOf(withChanges((b) => (b.signer_info.id_no = null)))).toEqual([{ field: 'signer_info.id_no', problem: 'must be text', missing: false }]);
    expect(problemsOf(withChanges((b) => (b.signer_info.id_type = 'DL'))).map((p) => p.field)).toEqual(['signer_info.id_type']);
    expect(checkUpdateOrderStatus(withChanges((b) => (b.signer_info.id_no = ''))).ok).toBe(true);
  });

  it('refuses unknown keys at every level, and a body that is not an object', () => {
    expect(problemsOf(withChanges((b) => (b.delivered_by = 'courier 7'))).map((p) => p.field)).toEqual(['delivered_by']);
    expect(problemsOf(withChanges((b) => (b.consent_info[0].consent_header = 'Auto refill'))).map((p) => p.field)).toEqual([
      'consent_info[0].consent_header',
    ]);
    for (const body of [null, [], 'status', 7]) {
      expect(problemsOf(body)).toEqual([{ field: '(body)', problem: 'must be a JSON object', missing: false }]);
    }
  });

  it('isBase64Png looks at the bytes, not the text', () => {
    expect(isBase64Png(ONE_PIXEL_PNG)).toBe(true);
    expect(isBase64Png(Buffer.from('GIF89a-not-a-png').toString('base64'))).toBe(false);
    expect(isBase64Png('')).toBe(false);
  });
});

describe('statusUpdatedIn (reading BestRx’s answer)', () => {
  it('reads the seed answer and the ways a .NET service may spell it', () => {
    expect(statusUpdatedIn(seedExample('update-order-status.response'))).toBe(true);
    expect(statusUpdatedIn({ status_updated: 'false' })).toBe(false);
    expect(statusUpdatedIn({ status_updated: 'True' })).toBe(true);
    expect(statusUpdatedIn({ status_updated: false })).toBe(false);
    expect(statusUpdatedIn({ status_updated: 'maybe' })).toBeUndefined();
    expect(statusUpdatedIn('<html>')).toBeUndefined();
    expect(statusUpdatedIn({})).toBeUndefined();
  });
});
