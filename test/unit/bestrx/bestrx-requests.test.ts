import { describe, expect, it } from 'vitest';
import { parseCancelOrder, parseCreateOrder, parseValidateAddress } from '../../../src-main/core/bestrx/bestrx-requests';
import { seedExample } from '../../helpers/fixtures';

describe('parseCreateOrder', () => {
  it('turns the seed example into canonical content', () => {
    const parsed = parseCreateOrder(seedExample('create-order.request'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.totalPartsSent).toBe(true);
    expect(parsed.value.content).toMatchObject({
      bestrx_order_id: 123456789,
      bestrx_unique_order_id: 1001,
      prescription_amount_cents: 3215,
      otc_amount_cents: 6524,
      tax_amount_cents: 5423,
      total_amount_cents: 9783,
      amount_to_collect_cents: 9783,
      declared_amount_cents: 5000,
      refrigeration_needed: false,
      signature_required: true,
      photo_id_required: false,
      store: { bestrx_pharmacy_id: 'ef0a4740-0be9-44f7-b89d-9e66eeba0b9a', ncpdp: '1234567', address: { address_line_2: 'Suite 200S' } },
      consents: [{ consent_type: '0', consent_inputs: ['no'] }],
      otc_items: [{ upc: '616784366630', quantity: 1, amount_due_cents: 2526 }],
    });
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, [], 'order', 42]) {
      expect(parseCreateOrder(body)).toEqual({ ok: false, problems: [{ field: '(body)', problem: 'must be a JSON object', missing: false }] });
    }
  });

  it('reads a .NET DateTime as its date, and refuses impossible dates', () => {
    const ok = parseCreateOrder({ ...seedExample('create-order.request'), pickup_date: '2020-05-31T00:00:00', requested_delivery_date: '2020-06-02T10:30:00.000Z' });
    expect(ok.ok && ok.value.content.pickup_date).toBe('2020-05-31');
    expect(ok.ok && ok.value.content.requested_delivery_date).toBe('2020-06-02');
    const bad = parseCreateOrder({ ...seedExample('create-order.request'), pickup_date: '2021-02-29' });
    expect(bad.ok ? [] : bad.problems).toEqual([{ field: 'pickup_date', problem: 'is not a real calendar date', missing: false }]);
  });
});

describe('parseCancelOrder and parseValidateAddress', () => {
  it('read the seed examples', () => {
    expect(parseCancelOrder(seedExample('cancel-order.request'))).toMatchObject({
      ok: true,
      value: { bestrx_order_id: 106, bestrx_unique_order_id: 1001, provider_order_id: '123456789', tracking_id: '12345', notes: 'Shipment Cancelled' },
    });
    expect(parseValidateAddress(seedExample('validate-address.request'))).toMatchObject({
      ok: true,
      value: { address_to_validate: { address_line_1: '908 ATLANTIC AVE APT A APT A', address_line_2: null, zip_code: '60169' } },
    });
  });

  it('needs a ZIP, or a city and state, to place an address', () => {
    const result = parseValidateAddress({ address_to_validate: { address_line_1: '1 Main St', city: 'Springfield' } });
    expect(result).toEqual({ ok: false, problems: [{ field: 'address_to_validate.zip_code', problem: '(or city and state) is required', missing: true }] });
  });
});
