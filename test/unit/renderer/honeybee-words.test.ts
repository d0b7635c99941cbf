import { describe, expect, it } from 'vitest';
import {
  canReorder,
  dispatchHeadline,
  dobWords,
  fieldProblem,
  fillsLeft,
  honeybeeProblemLine,
  originFlag,
  prescriptionPatientName,
  prescriptionStateWords,
  suggestionLabel,
  suggestionReasonWords,
} from '../../../src-renderer/src/partner-words';
import type { PartnerDispatchView } from '../../../src-shared/app-api-contract';

describe('incoming prescriptions in plain words', () => {
  it('says why an order is suggested, on the one-click match', () => {
    expect(suggestionReasonWords('partner_patient')).toBe('same patient as before');
    expect(suggestionReasonWords('email')).toBe('matched by email');
    expect(suggestionReasonWords('name')).toBe('matched by name');
    expect(suggestionLabel({ recipient_name: 'Marcus Okafor', order_id: 'P-100', reason: 'email' })).toBe('Match to Marcus Okafor (order P-100, matched by email)');
    expect(suggestionLabel({ recipient_name: 'Jane Doe', order_id: 'P-7', reason: 'partner_patient' })).toBe('Match to Jane Doe (order P-7, same patient as before)');
  });

  it('names the partner’s patient, or says nothing when the record is not known', () => {
    expect(prescriptionPatientName({ patient: { first_name: 'Marcus', last_name: 'Okafor', dob: null, email: null } })).toBe('Marcus Okafor');
    expect(prescriptionPatientName({ patient: { first_name: null, last_name: 'Okafor', dob: null, email: null } })).toBe('Okafor');
    expect(prescriptionPatientName({ patient: { first_name: null, last_name: null, dob: null, email: null } })).toBeUndefined();
    expect(prescriptionPatientName({ patient: null })).toBeUndefined();
  });

  it('says a date of birth the way staff compare it with the patient, with the age', () => {
    const now = new Date(2026, 4, 10); // 10 May 2026, local time
    expect(dobWords('1960-01-01', now)).toBe('January 1, 1960 (age 66)');
    expect(dobWords('1980-05-10', now)).toBe('May 10, 1980 (age 46)');
    expect(dobWords('1980-05-11', now)).toBe('May 11, 1980 (age 45)');
    expect(dobWords('1980-12-31', now)).toBe('December 31, 1980 (age 45)');
    // Not a date: shown as given.
    expect(dobWords('01/01/1960', now)).toBe('01/01/1960');
    expect(dobWords('1960-13-01', now)).toBe('1960-13-01');
  });

  it('counts the fills left: the first fill plus the refills, less those requested', () => {
    expect(fillsLeft({ refills_left: 2, fills_requested: 0 })).toBe(3);
    expect(fillsLeft({ refills_left: 2, fills_requested: 3 })).toBe(0);
    expect(fillsLeft({ refills_left: null, fills_requested: 0 })).toBe(1);
    expect(fillsLeft({ refills_left: 0, fills_requested: 5 })).toBe(0);
  });

  it('says where a prescription stands', () => {
    expect(prescriptionStateWords({ state: 'waiting', matched_order_id: null, fills_requested: 0 })).toBe('Waiting for a match');
    expect(prescriptionStateWords({ state: 'matched', matched_order_id: 'P-1', fills_requested: 0 })).toBe('Matched to order P-1: not sent yet');
    expect(prescriptionStateWords({ state: 'filled', matched_order_id: 'P-1', fills_requested: 1 })).toBe('Fill requested (order P-1)');
    expect(prescriptionStateWords({ state: 'filled', matched_order_id: 'P-2', fills_requested: 2 })).toBe('Fill requested 2 times (order P-2)');
    expect(prescriptionStateWords({ state: 'dismissed', matched_order_id: null, fills_requested: 0 })).toBe('Set aside');
  });
});

describe('Honeybee orders', () => {
  it('offers a reorder once Honeybee has shipped or delivered the order (any case), and only for Honeybee', () => {
    expect(canReorder({ partner: 'honeybee', partner_status: 'Shipped' })).toBe(true);
    expect(canReorder({ partner: 'honeybee', partner_status: 'delivered' })).toBe(true);
    expect(canReorder({ partner: 'honeybee', partner_status: ' DELIVERED ' })).toBe(true);
    expect(canReorder({ partner: 'honeybee', partner_status: 'On Hold' })).toBe(false);
    expect(canReorder({ partner: 'honeybee', partner_status: 'Filling' })).toBe(false);
    expect(canReorder({ partner: 'honeybee', partner_status: null })).toBe(false);
    expect(canReorder({ partner: 'united', partner_status: 'delivered' })).toBe(false);
  });

  it('flags an order a partner made by itself; BestRx’s orders carry no flag', () => {
    expect(originFlag('honeybee')).toBe('From Honeybee');
    expect(originFlag('bestrx')).toBeUndefined();
  });

  it('says Honeybee’s title-case statuses in the headline like the others', () => {
    const p = { partner: 'honeybee', partner_name: 'Honeybee Health', state: 'open', step: null, partner_status: 'On Hold', last_error: null } as PartnerDispatchView;
    expect(dispatchHeadline(p)).toBe('With Honeybee Health — on hold');
    expect(dispatchHeadline({ ...p, state: 'finished', partner_status: 'Delivered' })).toBe('Honeybee Health is done with it — delivered');
  });

  it('says Honeybee’s field paths as the dispatch form names them', () => {
    const drugs = ['ATORVASTATIN 10MG TABLET'];
    const names = (index: number) => drugs[index];
    expect(honeybeeProblemLine('patient.dob: the date of birth must be in the past.')).toBe('patient_dob: the date of birth must be in the past.');
    expect(honeybeeProblemLine('shipping.method_id: choose one of Honeybee’s shipping methods.')).toBe('shipping_method: choose one of Honeybee’s shipping methods.');
    expect(honeybeeProblemLine('items.0.quantity: the number of packs must be a whole number of at least 1.', names)).toBe(
      'fill_items (ATORVASTATIN 10MG TABLET), packs: the number of packs must be a whole number of at least 1.',
    );
    expect(honeybeeProblemLine('details.fill_items[0].package_size: package_size: at least one unit per pack', names)).toBe(
      'fill_items (ATORVASTATIN 10MG TABLET), units per pack: at least one unit per pack',
    );
    expect(honeybeeProblemLine('details.fill_items.0.package_size: package_size: at least one unit per pack', names)).toBe(
      'fill_items (ATORVASTATIN 10MG TABLET), units per pack: at least one unit per pack',
    );
    expect(honeybeeProblemLine('items.3.quantity: too many')).toBe('fill_items (prescription 4), packs: too many');
    expect(honeybeeProblemLine('address.zip: use a 5-digit ZIP code or ZIP+4 (12345-6789).')).toBe(
      'Delivery address, ZIP code: use a 5-digit ZIP code or ZIP+4 (12345-6789).',
    );
    // Lines of other partners pass through.
    expect(honeybeeProblemLine('patient_dob is required for CaryRx.')).toBe('patient_dob is required for CaryRx.');
  });

  it('with the form’s labels, a Honeybee problem names the field to fix', () => {
    const labels = { patient_dob: 'Date of birth', fill_items: 'Prescription to fill', shipping_method: 'Shipping method' };
    expect(fieldProblem(honeybeeProblemLine('patient.dob: use the full date of birth as YYYY-MM-DD.'), labels)).toEqual({
      field: 'patient_dob',
      text: 'Date of birth: use the full date of birth as YYYY-MM-DD.',
    });
    expect(fieldProblem(honeybeeProblemLine('items.0.quantity: at least one pack', () => 'Atorvastatin'), labels)).toEqual({
      field: 'fill_items',
      text: 'Prescription to fill (Atorvastatin), packs: at least one pack',
    });
  });
});
