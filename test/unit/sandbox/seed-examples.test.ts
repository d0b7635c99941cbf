// The product carries the seed's examples as constants (it must not read test fixtures at run
// time); these prove the constants still say exactly what the seed document says.
import { describe, expect, it } from 'vitest';
import {
  seedCancelOrderBody,
  seedCreateOrderBody,
  seedUpdateOrderStatusAnswer,
  seedUpdateOrderStatusPayload,
  seedValidateAddressBody,
} from '../../../src-main/core/sandbox/bestrx/seed-examples';
import { seedExample } from '../../helpers/fixtures';

describe('seed examples carried by the sandbox', () => {
  it.each([
    ['create-order.request', () => seedCreateOrderBody()],
    ['cancel-order.request', () => seedCancelOrderBody()],
    ['validate-address.request', () => seedValidateAddressBody()],
    ['update-order-status.request', () => seedUpdateOrderStatusPayload()],
    ['update-order-status.response', () => seedUpdateOrderStatusAnswer()],
  ])('%s equals the fixture', (fixture, build) => {
    expect(build()).toEqual(seedExample(fixture));
  });

  it('builders return fresh copies and apply overrides', () => {
    const first = seedCreateOrderBody({ bestrx_unique_order_id: 77 });
    first.store.address!.city = 'Changed';
    first.recipient.first_name = 'Changed';
    expect(first.bestrx_unique_order_id).toBe(77);
    expect(seedCreateOrderBody()).toEqual(seedExample('create-order.request'));
    expect(seedCancelOrderBody({ provider_order_id: 'RXR-1' })).toMatchObject({ provider_order_id: 'RXR-1', bestrx_unique_order_id: 1001 });
  });
});
