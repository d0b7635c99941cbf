// Licence barcodes as AAMVA writes them (versions 1, 3, 8, 10 and the pre-standard header),
// and as a keyboard-wedge scanner types them (separators turned into Enter or dropped).
import { describe, expect, it } from 'vitest';
import { isExpired, looksLikeLicenceBarcode, parseLicenceBarcode } from '../../../src-shared/aamva';

const LF = '\n';
const RS = '\x1e';
const CR = '\r';

/** Builds a barcode the way the standard lays it out, with correct designator offsets. */
function barcode(options: { header: string; subfileType?: 'DL' | 'ID'; elements: string[]; jurisdictionSubfile?: string[] }): string {
  const prefix = `@${LF}${RS}${CR}`;
  const main = `${options.subfileType ?? 'DL'}${options.elements.join(LF)}${CR}`;
  const extra = options.jurisdictionSubfile ? `ZV${options.jurisdictionSubfile.join(LF)}${CR}` : '';
  const count = extra ? 2 : 1;
  const headerLength = prefix.length + options.header.length + 2 + count * 10;
  const pad = (n: number) => String(n).padStart(4, '0');
  let designators = `${options.subfileType ?? 'DL'}${pad(headerLength)}${pad(main.length)}`;
  if (extra) designators += `ZV${pad(headerLength + main.length)}${pad(extra.length)}`;
  return `${prefix}${options.header}${String(count).padStart(2, '0')}${designators}${main}${extra}`;
}

// AAMVA 2000 (version 1), Virginia: full name in DAA, dates CCYYMMDD.
const VERSION_1 = barcode({
  header: 'ANSI 63600001',
  elements: ['DAQ0123456789ABC', 'DAAPUBLIC,JOHN,QUINCY', 'DAG123 MAIN STREET', 'DAIANYTOWN', 'DAJVA', 'DAK123459999  ', 'DARDM  ', 'DBA20120601', 'DBB19610630', 'DBCM', 'DBD20060601', 'DAU600', 'DAYBRO'],
});

// AAMVA 2005 (version 3), Arizona: DCS family name, DCT given names, dates MMDDCCYY.
const VERSION_3 = barcode({
  header: 'ANSI 6360260301',
  elements: ['DCAD', 'DCBNONE', 'DCDNONE', 'DBA08142031', 'DCSGARCIA', 'DCTMARIA ELENA', 'DBD08142019', 'DBB08141975', 'DBC2', 'DAYBRO', 'DAU064 in', 'DAG1700 W WASHINGTON ST', 'DAIPHOENIX', 'DAJAZ', 'DAK850070000  ', 'DAQD08123456', 'DCF0000000000000000000', 'DCGUSA', 'DCHNONE'],
});

// AAMVA 2013 (version 8), Illinois, with a jurisdiction subfile.
const VERSION_8 = barcode({
  header: 'ANSI 6360350801',
  elements: ['DAQD20033334444', 'DCSDOE', 'DDEN', 'DACJOHN', 'DDFN', 'DADNONE', 'DDGN', 'DCAD', 'DCBNONE', 'DCDNONE', 'DBD04012021', 'DBB03151980', 'DBA03152025', 'DBC1', 'DAU070 IN', 'DAYBLU', 'DAG500 SECOND AVE', 'DAIBLOOMINGDALE', 'DAJIL', 'DAK601080000  ', 'DCF20210401123456789', 'DCGUSA', 'DDAF', 'DDB09012017', 'DDK1'],
  jurisdictionSubfile: ['ZVA01'],
});

// AAMVA 2020 (version 10), Virginia's sample card.
const VERSION_10 = barcode({
  header: 'ANSI 6360001000',
  elements: ['DAQT64235789', 'DCSSAMPLE', 'DDEN', 'DACMICHAEL', 'DDFN', 'DADJOHN', 'DDGN', 'DCUJR', 'DCAD', 'DCBK', 'DCDPH', 'DBD06062016', 'DBB06061986', 'DBA12102030', 'DBC1', 'DAU068 in', 'DAYBRO', 'DAG2300 WEST BROAD STREET', 'DAIRICHMOND', 'DAJVA', 'DAK232690000  ', 'DCF2424244747474786102204', 'DCGUSA', 'DCK123456789', 'DDAF', 'DDB06062008', 'DDC06062009', 'DDD1'],
  jurisdictionSubfile: ['ZVA01'],
});

// Ontario ID card (version 8): dates CCYYMMDD in Canada.
const ONTARIO_ID = barcode({
  header: 'ANSI 6360120801',
  subfileType: 'ID',
  elements: ['DAQS1234-56789-01234', 'DCSSMITH', 'DACJANE', 'DADNONE', 'DBD20200115', 'DBB19900215', 'DBA20250215', 'DBC2', 'DAJON', 'DCGCAN'],
});

describe('AAMVA licence barcodes', () => {
  it('reads version 1: DAA full name and year-first dates', () => {
    const parsed = parseLicenceBarcode(VERSION_1);
    expect(parsed).toEqual({
      ok: true,
      licence: {
        version: 1,
        iin: '636000',
        document: 'drivers_license',
        jurisdiction: 'VA',
        id_number: '0123456789ABC',
        first_name: 'JOHN',
        middle_name: 'QUINCY',
        last_name: 'PUBLIC',
        date_of_birth: '1961-06-30',
        expires_on: '2012-06-01',
        country: 'USA',
      },
    });
  });

  it('reads version 3: DCT given names and month-first dates', () => {
    const parsed = parseLicenceBarcode(VERSION_3);
    expect(parsed).toMatchObject({
      ok: true,
      licence: { version: 3, jurisdiction: 'AZ', id_number: 'D08123456', first_name: 'MARIA', middle_name: 'ELENA', last_name: 'GARCIA', date_of_birth: '1975-08-14', expires_on: '2031-08-14' },
    });
  });

  it('reads version 8 with a jurisdiction subfile, and "NONE" is no middle name', () => {
    const parsed = parseLicenceBarcode(VERSION_8);
    expect(parsed).toMatchObject({
      ok: true,
      licence: { version: 8, iin: '636035', jurisdiction: 'IL', id_number: 'D20033334444', first_name: 'JOHN', middle_name: null, last_name: 'DOE', date_of_birth: '1980-03-15', expires_on: '2025-03-15' },
    });
  });

  it('reads version 10', () => {
    const parsed = parseLicenceBarcode(VERSION_10);
    expect(parsed).toMatchObject({
      ok: true,
      licence: { version: 10, jurisdiction: 'VA', id_number: 'T64235789', first_name: 'MICHAEL', middle_name: 'JOHN', last_name: 'SAMPLE', date_of_birth: '1986-06-06', expires_on: '2030-12-10' },
    });
  });

  it('reads a Canadian ID card: year-first dates, an ID card rather than a licence', () => {
    const parsed = parseLicenceBarcode(ONTARIO_ID);
    expect(parsed).toMatchObject({
      ok: true,
      licence: { document: 'id_card', jurisdiction: 'ON', country: 'CAN', id_number: 'S1234-56789-01234', date_of_birth: '1990-02-15', expires_on: '2025-02-15' },
    });
  });

  it('reads what a keyboard wedge types: separators as Enter, the record separator dropped', () => {
    const asTyped = VERSION_10.replaceAll(RS, '').replaceAll(CR, '\n');
    expect(parseLicenceBarcode(asTyped)).toEqual(parseLicenceBarcode(VERSION_10));
    const withCrLf = VERSION_8.replaceAll(LF, '\r\n');
    expect(parseLicenceBarcode(withCrLf)).toEqual(parseLicenceBarcode(VERSION_8));
  });

  it('reads the pre-standard "AAMVA" header, taking whichever date order is a real date', () => {
    const old = `@${LF}${RS}${CR}AAMVA6360350101DL00290100DLDAQA12345678${LF}DAAROE,RICHARD${LF}DAJIL${LF}DBB19700131${LF}DBA01312001${CR}`;
    expect(parseLicenceBarcode(old)).toMatchObject({
      ok: true,
      licence: { version: 0, id_number: 'A12345678', last_name: 'ROE', first_name: 'RICHARD', date_of_birth: '1970-01-31', expires_on: '2001-01-31' },
    });
  });

  it('refuses what is not a licence barcode, or lacks the ID number, in plain words', () => {
    expect(parseLicenceBarcode('5751739028798281')).toEqual({ ok: false, error: expect.stringMatching(/not a driver’s licence barcode/) });
    expect(parseLicenceBarcode(VERSION_10.replace('DAQT64235789', 'DAXT64235789'))).toEqual({ ok: false, error: expect.stringMatching(/no ID number/) });
    expect(parseLicenceBarcode('@\n\x1e\rANSI 6360001100')).toEqual({ ok: false, error: expect.stringMatching(/newer than this app reads/) });
  });

  it('tells an expired card (valid through its expiry date)', () => {
    const licence = { expires_on: '2025-03-15' };
    expect(isExpired(licence, '2025-03-15')).toBe(false);
    expect(isExpired(licence, '2025-03-16')).toBe(true);
    expect(isExpired({ expires_on: null }, '2025-03-16')).toBe(false);
  });

  it('recognises scanner input that starts a licence barcode', () => {
    expect(looksLikeLicenceBarcode(VERSION_8)).toBe(true);
    expect(looksLikeLicenceBarcode('@\n\nANSI 636')).toBe(true);
    expect(looksLikeLicenceBarcode('5751739028798281')).toBe(false);
  });
});
