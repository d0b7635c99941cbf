import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, type OrderStatus } from '../../../src-shared/order-status';
import {
  allowedTransitions,
  matchConsentAnswers,
  missingDeliveryProof,
  pathBetween,
  transitionRefusal,
  type DeliveryRequirements,
} from '../../../src-main/core/domain/order-lifecycle';

const state = (status: OrderStatus, returnRequested = false) => ({ status, returnRequested });

describe('order lifecycle', () => {
  it.each([
    ['created', ['acknowledged', 'picked_up', 'cancelled']],
    ['acknowledged', ['picked_up', 'cancelled']],
    ['picked_up', ['in_transit', 'out_for_delivery', 'returned']],
    ['in_transit', ['out_for_delivery', 'delivered', 'attempted', 'unable_to_deliver', 'returned']],
    ['out_for_delivery', ['delivered', 'attempted', 'unable_to_deliver', 'returned']],
    ['attempted', ['out_for_delivery', 'returned']],
    ['unable_to_deliver', ['returned']],
    ['delivered', []],
    ['returned', []],
    ['cancelled', []],
  ] as const)('from %s allows exactly %j', (from, next) => {
    expect(allowedTransitions(state(from))).toEqual(next);
    for (const to of ORDER_STATUSES) {
      const refusal = transitionRefusal(state(from), to);
      if ((next as readonly string[]).includes(to)) expect(refusal).toBeUndefined();
      else expect(refusal).toEqual(expect.any(String));
    }
  });

  it('explains refusals in plain words', () => {
    expect(transitionRefusal(state('out_for_delivery'), 'cancelled')).toMatch(/can no longer be cancelled, only returned/);
    expect(transitionRefusal(state('delivered'), 'returned')).toMatch(/is delivered; nothing more can happen/);
    expect(transitionRefusal(state('created'), 'created')).toMatch(/already created/);
    expect(transitionRefusal(state('created'), 'delivered')).toMatch(/cannot become delivered; it can become: acknowledged, picked up, cancelled/);
  });

  it('after BestRx cancels a picked-up order, only returned is possible', () => {
    for (const from of ['picked_up', 'in_transit', 'out_for_delivery', 'attempted', 'unable_to_deliver'] as const) {
      expect(allowedTransitions(state(from, true))).toEqual(['returned']);
    }
    expect(transitionRefusal(state('out_for_delivery', true), 'delivered')).toMatch(/must come back/);
  });
});

const base: DeliveryRequirements = { signatureRequired: false, photoIdRequired: false, amountToCollectCents: 0, consents: [] };
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const signer = { relation: 'spouse', firstName: 'John', lastName: 'Doe' };

describe('what delivered requires', () => {
  it('needs nothing for an order with no requirements', () => {
    expect(missingDeliveryProof(base, {})).toEqual([]);
  });

  it('requires a signature and a named signer when signature_required', () => {
    const requirements = { ...base, signatureRequired: true };
    expect(missingDeliveryProof(requirements, {})).toEqual([
      'A signature is required for this order.',
      "The signer's relation and name are required.",
    ]);
    expect(missingDeliveryProof(requirements, { signaturePng: png })).toEqual(["The signer's relation and name are required."]);
    expect(missingDeliveryProof(requirements, { signaturePng: png, signer })).toEqual([]);
  });

  it('requires ID type, jurisdiction and number when photo_id_required', () => {
    const requirements = { ...base, photoIdRequired: true };
    expect(missingDeliveryProof(requirements, { signer })).toEqual([
      'A photo ID check is required: ID type, issuing jurisdiction, ID number missing.',
    ]);
    expect(missingDeliveryProof(requirements, { signer: { ...signer, idType: 'drivers_license', jurisdiction: 'IL' } })).toEqual([
      'A photo ID check is required: ID number missing.',
    ]);
    expect(
      missingDeliveryProof(requirements, { signer: { ...signer, idType: 'drivers_license', jurisdiction: 'IL', idNumber: 'D200' } }),
    ).toEqual([]);
  });

  it('requires a recorded collection when there is an amount to collect', () => {
    const requirements = { ...base, amountToCollectCents: 9783 };
    expect(missingDeliveryProof(requirements, {})).toEqual(['$97.83 must be collected: record the amount and payment method.']);
    expect(missingDeliveryProof(requirements, { collected: { amountCents: 9783, method: 'cash' } })).toEqual([]);
  });

  it('requires an answer to every consent, among its options', () => {
    const requirements = {
      ...base,
      consents: [
        { consentType: '0', options: ['yes', 'no'] },
        { consentType: 1, options: [] },
      ],
    };
    expect(missingDeliveryProof(requirements, {})).toEqual([
      'Consent 1 (type 0) has no response.',
      'Consent 2 (type 1) has no response.',
    ]);
    expect(missingDeliveryProof(requirements, { consents: [{ consentType: 0, response: 'maybe' }, { consentType: '1', response: 'Yes' }] })).toEqual([
      'Consent 1: "maybe" is not one of its options (yes, no).',
    ]);
    expect(missingDeliveryProof(requirements, { consents: [{ consentType: 0, response: 'NO' }, { consentType: '1', response: 'Yes' }] })).toEqual([]);
  });

  it('pairs two consents of the same type with two answers, in order, and echoes the type as sent', () => {
    const asked = [
      { consentType: '0', options: ['yes', 'no'] },
      { consentType: '0', options: ['agree', 'decline'] },
    ];
    const { matched, problems } = matchConsentAnswers(asked, [
      { consentType: 0, response: 'Yes' },
      { consentType: 0, response: 'decline' },
    ]);
    expect(problems).toEqual([]);
    expect(matched).toEqual([
      { consentIndex: 0, answer: { consentType: '0', response: 'yes' } },
      { consentIndex: 1, answer: { consentType: '0', response: 'decline' } },
    ]);
    expect(matchConsentAnswers(asked, [{ consentType: 0, response: 'yes' }]).problems).toEqual(['Consent 2 (type 0) has no response.']);
    expect(matchConsentAnswers([], [{ consentType: 5, response: 'yes' }]).problems).toEqual(['The order has no consent of type 5 to answer.']);
  });
});

describe('pathBetween (a partner reporting a status several steps ahead)', () => {
  it('walks the shortest way forward, each step allowed', () => {
    expect(pathBetween({ status: 'acknowledged', returnRequested: false }, 'in_transit')).toEqual(['picked_up', 'in_transit']);
    expect(pathBetween({ status: 'acknowledged', returnRequested: false }, 'delivered')).toEqual(['picked_up', 'in_transit', 'delivered']);
    expect(pathBetween({ status: 'in_transit', returnRequested: false }, 'delivered')).toEqual(['delivered']);
    expect(pathBetween({ status: 'in_transit', returnRequested: false }, 'in_transit')).toEqual([]);
  });

  it('finds no way back, and none past a return BestRx asked for', () => {
    expect(pathBetween({ status: 'delivered', returnRequested: false }, 'in_transit')).toBeUndefined();
    expect(pathBetween({ status: 'cancelled', returnRequested: false }, 'in_transit')).toBeUndefined();
    expect(pathBetween({ status: 'in_transit', returnRequested: true }, 'delivered')).toBeUndefined();
  });
});
