// The order service against an in-memory database: transitions, proof of delivery, and the
// guarantees around ids and events.
import { describe, expect, it } from 'vitest';
import { parseCreateOrder } from '../../../src-main/core/bestrx/bestrx-requests';
import type { OrderIdGenerator } from '../../../src-main/core/domain/order-ids';
import { InvalidProofError, TransitionRefusedError } from '../../../src-main/core/orders/order-service';
import { createOrderBody } from '../../helpers/fixtures';
import { createTestOrderService } from '../../helpers/order-service';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');

async function receive(service: ReturnType<typeof createTestOrderService>, overrides: Record<string, unknown> = {}): Promise<string> {
  const body = createOrderBody(overrides);
  const parsed = parseCreateOrder(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return (await service.orders.receiveCreateOrder(parsed.value.content, JSON.stringify(body))).order.id;
}

async function refusal(run: () => Promise<unknown>): Promise<string[]> {
  try {
    await run();
  } catch (error) {
    if (error instanceof TransitionRefusedError) return error.reasons;
    if (error instanceof InvalidProofError) return error.problems;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('OrderService.transition', () => {
  it('records who, which device and when, and publishes the change after the commit', async () => {
    const service = createTestOrderService();
    const id = await receive(service);
    service.clock.advance(60_000);
    const detail = await service.orders.transition({ id, to: 'acknowledged', notes: 'On it' }, 'maria');
    expect(detail.status).toBe('acknowledged');
    expect(detail.status_code).toBe('2');
    expect(detail.events.at(-1)).toMatchObject({
      type: 'status_changed',
      from_status: 'created',
      to_status: 'acknowledged',
      actor: 'maria',
      device_id: 'device-test',
      notes: 'On it',
      captured_at: '2026-11-21T09:01:00.000Z',
      recorded_at: '2026-11-21T09:01:00.000Z',
    });
    expect(service.published).toEqual([
      { type: 'order.created', order_id: id, status: 'created' },
      { type: 'order.changed', order_id: id, status: 'acknowledged' },
    ]);
  });

  it('keeps when it happened at the door apart from when it was recorded', async () => {
    const service = createTestOrderService();
    const id = await receive(service, { signature_required: false, amount_to_collect: 0, consents: [] });
    await service.orders.transition({ id, to: 'picked_up' }, 'courier');
    await service.orders.transition({ id, to: 'out_for_delivery' }, 'courier');
    service.clock.advance(3 * 3600_000);
    const detail = await service.orders.transition({ id, to: 'delivered', captured_at: '2026-11-21T06:15:00-05:00' }, 'courier');
    expect(detail.events.at(-1)).toMatchObject({ captured_at: '2026-11-21T11:15:00.000Z', recorded_at: '2026-11-21T12:00:00.000Z' });
    const another = await receive(service);
    expect(await refusal(() => service.orders.transition({ id: another, to: 'acknowledged', captured_at: '2026-11-22T09:00:00Z' }, 'x'))).toEqual([
      'captured_at is in the future; check the device clock.',
    ]);
  });

  it('refuses illegal transitions with a reason and changes nothing', async () => {
    const service = createTestOrderService();
    const id = await receive(service);
    expect(await refusal(() => service.orders.transition({ id, to: 'delivered' }, 'x'))).toEqual([
      'An order that is created cannot become delivered; it can become: acknowledged, picked up, cancelled.',
    ]);
    expect(service.orders.get(id).events).toHaveLength(1);
  });

  it('requires a reason for an attempt or an undeliverable order', async () => {
    const service = createTestOrderService();
    const id = await receive(service);
    await service.orders.transition({ id, to: 'picked_up' }, 'c');
    await service.orders.transition({ id, to: 'out_for_delivery' }, 'c');
    expect(await refusal(() => service.orders.transition({ id, to: 'attempted' }, 'c'))).toEqual(['Say why (notes) when marking an order attempted.']);
    expect((await service.orders.transition({ id, to: 'attempted', notes: 'Nobody home' }, 'c')).status).toBe('attempted');
    expect((await service.orders.transition({ id, to: 'out_for_delivery' }, 'c')).status).toBe('out_for_delivery');
  });

  it('enforces every "delivered requires" rule and stores the proof in names, echoing consent_type as sent', async () => {
    const service = createTestOrderService();
    const id = await receive(service, { photo_id_required: 'true' });
    await service.orders.transition({ id, to: 'picked_up' }, 'c');
    await service.orders.transition({ id, to: 'out_for_delivery' }, 'c');
    expect(await refusal(() => service.orders.transition({ id, to: 'delivered' }, 'c'))).toEqual([
      'A signature is required for this order.',
      "The signer's relation and name are required.",
      'A photo ID check is required: ID type, issuing jurisdiction, ID number missing.',
      'Consent 1 (type 0) has no response.',
      '$97.83 must be collected: record the amount and payment method.',
    ]);
    const detail = await service.orders.transition(
      {
        id,
        to: 'delivered',
        proof: {
          signature_png_base64: PNG,
          signer: { relation: 3, first_name: 'John', last_name: 'Doe', jurisdiction: 'il', id_type: 'drivers_license', id_no: 'D200-3333-4444' },
          consents: [{ consent_type: 0, response: 'No' }],
          collected: { amount: 97.83, method: 'card' },
        },
      },
      'courier',
    );
    expect(detail.status).toBe('delivered');
    expect(detail.events.at(-1)!.proof).toEqual({
      signature_png_base64: PNG,
      signer: { relation: 'spouse', first_name: 'John', last_name: 'Doe', jurisdiction: 'IL', id_type: 'drivers_license', id_no: 'D200-3333-4444' },
      consents: [{ consent_type: '0', response: 'no' }],
      collected: { amount_cents: 9783, method: 'card' },
    });
  });

  it('explains proof it cannot understand', async () => {
    const service = createTestOrderService();
    const id = await receive(service);
    await service.orders.transition({ id, to: 'picked_up' }, 'c');
    await service.orders.transition({ id, to: 'out_for_delivery' }, 'c');
    expect(
      await refusal(() =>
        service.orders.transition(
          {
            id,
            to: 'delivered',
            proof: {
              signature_png_base64: Buffer.from('GIF89a').toString('base64'),
              signer: { relation: 'cousin', first_name: 'A', last_name: 'B', id_type: 42 },
              collected: { amount: 1.001, method: 'cash' },
            },
          },
          'c',
        ),
      ),
    ).toEqual([
      'signature_png_base64 is not a base64 PNG image.',
      'Unknown signer relation "cousin" (use patient, parent_or_guardian, spouse, caregiver, other).',
      'Unknown ID type "42" (use military_id, state_id, unique_system_id, permanent_resident_card, passport, drivers_license, social_security_number, tribal_id, other).',
      'collected.amount must be in dollars and cents (at most two decimals).',
    ]);
    expect(await refusal(() => service.orders.transition({ id, to: 'attempted', notes: 'x', proof: { signature_png_base64: PNG } }, 'c'))).toEqual([
      'Proof of delivery is recorded only when marking an order delivered.',
    ]);
  });
});

describe('ids', () => {
  it('draws again when a random id already exists (the UNIQUE constraint is the guarantee)', async () => {
    // The second order's first provider id repeats the first order's: it must draw again.
    // Another process, a restored backup or a clock far ahead can hand out an id that exists.
    const providerIds = ['RXR-0000000000001', 'RXR-0000000000001', 'RXR-0000000000002'];
    let tracking = 1000000000000000;
    const ids: OrderIdGenerator = { providerOrderId: () => providerIds.shift() ?? 'RXR-END', trackingId: () => String(tracking++) };
    const service = createTestOrderService({ ids });
    const first = await receive(service);
    const second = await receive(service);
    expect([first, second]).toEqual(['RXR-0000000000001', 'RXR-0000000000002']);
    expect(second).not.toBe(first);
    expect(service.orders.list({ limit: 10, offset: 0 }).total).toBe(2);
  });
});

describe('OrderService.list', () => {
  it('searches names, ids and Rx numbers, filters by status, and counts every match', async () => {
    const service = createTestOrderService();
    const a = await receive(service, { recipient: { first_name: 'Ann', last_name: 'Lee', address: { address_line_1: '1 Elm St', city: 'Bloomingdale', state: 'IL', zip_code: '60108' } } });
    const b = await receive(service, { prescriptions: [{ rx_number: 'RX-445566' }] });
    await receive(service);
    await service.orders.transition({ id: b, to: 'acknowledged' }, 'x');
    expect(service.orders.list({ q: 'ann lee', limit: 10, offset: 0 }).orders.map((o) => o.id)).toEqual([a]);
    expect(service.orders.list({ q: a.toLowerCase(), limit: 10, offset: 0 }).orders.map((o) => o.id)).toEqual([a]);
    expect(service.orders.list({ q: '445566', limit: 10, offset: 0 }).orders.map((o) => o.id)).toEqual([b]);
    expect(service.orders.list({ status: 'acknowledged', limit: 10, offset: 0 }).orders.map((o) => o.id)).toEqual([b]);
    const page = service.orders.list({ limit: 1, offset: 1 });
    expect(page.orders).toHaveLength(1);
    expect(page.total).toBe(3);
  });
});
