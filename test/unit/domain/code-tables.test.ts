import { describe, expect, it } from 'vitest';
import { buildCodeTables, DEFAULT_CODE_TABLES, resolveCodedName } from '../../../src-main/core/domain/code-tables';

describe('BestRx code tables', () => {
  it('default to the numbering in the product spec', () => {
    const codes = (table: Record<string, { code: string; description: string }>) =>
      Object.values(table).map((v) => `${v.code} ${v.description}`);
    expect(codes(DEFAULT_CODE_TABLES.status).sort((a, b) => parseInt(a) - parseInt(b))).toEqual([
      '1 Order Created',
      '2 Order Acknowledged',
      '3 Delivery/Shipment Cancelled',
      '4 Picked Up by Courier/Carrier',
      '5 Delivery/Shipment In Transit',
      '6 Out For Delivery',
      '7 Delivery/Shipment Delivered',
      '8 Delivery Attempted',
      '9 Unable To Deliver',
      '10 Returned To Pharmacy/Store',
    ]);
    expect(codes(DEFAULT_CODE_TABLES.relation)).toEqual(['1 Patient/Customer', '2 Parent or Legal Guardian', '3 Spouse', '4 Caregiver', '99 Other']);
    expect(codes(DEFAULT_CODE_TABLES.idType)).toEqual([
      '1 Military ID',
      '2 State Issued ID',
      '3 Unique System ID',
      '4 Permanent Resident Card',
      '5 Passport',
      "6 Driver's License ID",
      '7 Social Security Number',
      '8 Tribal ID',
      '99 Other',
    ]);
    expect(DEFAULT_CODE_TABLES.messageType).toEqual({ information: 0, warning: 1, error: 2, success: 3, unknown: 4 });
    expect(DEFAULT_CODE_TABLES.labelFileType).toEqual({ png: 1, jpeg: 2, gif: 3 });
  });

  it('can be overridden from Settings, one entry at a time', () => {
    const tables = buildCodeTables({ status: { delivered: { code: 8, description: 'Delivered' }, attempted: { code: '7', description: 'Attempted' } }, messageType: { error: 9 } });
    expect(tables.status.delivered).toEqual({ code: '8', description: 'Delivered' });
    expect(tables.status.attempted).toEqual({ code: '7', description: 'Attempted' });
    expect(tables.status.created).toEqual({ code: '1', description: 'Order Created' });
    expect(tables.messageType.error).toBe(9);
  });

  it('refuses overrides that would make two names share a code, or that name unknown entries', () => {
    expect(() => buildCodeTables({ status: { delivered: { code: '1', description: 'Delivered' } } })).toThrow(/created and delivered both use code 1/);
    expect(() => buildCodeTables({ status: { teleported: { code: '42', description: 'x' } } })).toThrow();
    expect(() => buildCodeTables({ relation: { spouse: { code: 'three', description: 'Spouse' } } })).toThrow();
  });

  it('resolves a name or a code', () => {
    expect(resolveCodedName(DEFAULT_CODE_TABLES.relation, 'spouse')).toBe('spouse');
    expect(resolveCodedName(DEFAULT_CODE_TABLES.relation, 'SPOUSE')).toBe('spouse');
    expect(resolveCodedName(DEFAULT_CODE_TABLES.relation, '3')).toBe('spouse');
    expect(resolveCodedName(DEFAULT_CODE_TABLES.relation, 3)).toBe('spouse');
    expect(resolveCodedName(DEFAULT_CODE_TABLES.idType, 6)).toBe('drivers_license');
    expect(resolveCodedName(DEFAULT_CODE_TABLES.idType, 42)).toBeUndefined();
  });
});

describe('message and label file type numbers', () => {
  it('refuse two names sharing a number, like the coded tables', () => {
    expect(() => buildCodeTables({ messageType: { warning: 2 } })).toThrow(/messageType: error and warning both use code 2|messageType: warning and error both use code 2/);
    expect(() => buildCodeTables({ labelFileType: { gif: 1 } })).toThrow(/labelFileType: png and gif both use code 1/);
  });
});
