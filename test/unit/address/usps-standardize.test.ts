import { describe, expect, it } from 'vitest';
import { standardizeAddress, type AddressInput } from '../../../src-main/core/address/usps-standardize';
import {
  SECONDARY_UNIT_DESIGNATORS,
  STREET_SUFFIX_ABBREVIATIONS,
} from '../../../src-main/core/address/usps-pub28-tables';

const BASE: AddressInput = {
  address_line_1: '908 ATLANTIC AVE',
  address_line_2: '',
  city: 'HOFFMAN ESTATES',
  state: 'IL',
  zip_code: '60169',
};

function standardize(overrides: Partial<AddressInput>) {
  return standardizeAddress({ ...BASE, ...overrides });
}

function line1(address_line_1: string): string {
  return standardize({ address_line_1 }).address.address_line_1;
}

function codes(overrides: Partial<AddressInput>): string[] {
  return standardize(overrides).corrections.map((correction) => correction.code);
}

describe('standardizeAddress — the BestRx seed example', () => {
  it('collapses the repeated unit and says so', () => {
    expect(standardize({ address_line_1: '908 ATLANTIC AVE APT A APT A' })).toEqual({
      address: {
        address_line_1: '908 ATLANTIC AVE APT A',
        address_line_2: '',
        city: 'HOFFMAN ESTATES',
        state: 'IL',
        zip_code: '60169',
      },
      corrections: [{ code: 'REPEATED_UNIT_REMOVED', message: "Removed repeated unit designator 'APT A'." }],
    });
  });

  it('reports nothing for an address that is already standard', () => {
    expect(standardize({ address_line_1: '908 ATLANTIC AVE APT A' }).corrections).toEqual([]);
  });

  it('treats upper-casing and whitespace as tidying, not as corrections', () => {
    const result = standardize({
      address_line_1: '  908   atlantic ave  apt a ',
      address_line_2: null,
      city: ' hoffman   estates ',
      state: ' il ',
      zip_code: ' 60169 ',
    });
    expect(result.address).toEqual({
      address_line_1: '908 ATLANTIC AVE APT A',
      address_line_2: '',
      city: 'HOFFMAN ESTATES',
      state: 'IL',
      zip_code: '60169',
    });
    expect(result.corrections).toEqual([]);
  });
});

describe('street suffixes (Pub 28 Appendix C1)', () => {
  it.each([
    ['100 PARK AVENUE', '100 PARK AVE'],
    ['100 MAIN AV', '100 MAIN AVE'],
    ['100 MAIN AVEN', '100 MAIN AVE'],
    ['100 MAIN AVENU', '100 MAIN AVE'],
    ['100 MAIN AVN', '100 MAIN AVE'],
    ['100 MAIN AVNUE', '100 MAIN AVE'],
    ['100 MAIN ALLEY', '100 MAIN ALY'],
    ['100 MAIN ALLEE', '100 MAIN ALY'],
    ['100 MAIN ALLY', '100 MAIN ALY'],
    ['100 MAIN ANNEX', '100 MAIN ANX'],
    ['100 MAIN ARCADE', '100 MAIN ARC'],
    ['100 MAIN BAYOU', '100 MAIN BYU'],
    ['100 MAIN BEACH', '100 MAIN BCH'],
    ['100 MAIN BEND', '100 MAIN BND'],
    ['100 MAIN BLUFF', '100 MAIN BLF'],
    ['100 SUNSET BOULEVARD', '100 SUNSET BLVD'],
    ['100 SUNSET BOUL', '100 SUNSET BLVD'],
    ['100 SUNSET BOULV', '100 SUNSET BLVD'],
    ['100 MAIN BRANCH', '100 MAIN BR'],
    ['100 MAIN BRIDGE', '100 MAIN BRG'],
    ['100 MAIN BROOK', '100 MAIN BRK'],
    ['100 MAIN BYPASS', '100 MAIN BYP'],
    ['100 MAIN CAUSEWAY', '100 MAIN CSWY'],
    ['100 MAIN CENTER', '100 MAIN CTR'],
    ['100 MAIN CENTRE', '100 MAIN CTR'],
    ['100 MAIN CNTR', '100 MAIN CTR'],
    ['100 MAIN CEN', '100 MAIN CTR'],
    ['100 OAK CIRCLE', '100 OAK CIR'],
    ['100 OAK CRCLE', '100 OAK CIR'],
    ['100 OAK COURT', '100 OAK CT'],
    ['100 OAK COVE', '100 OAK CV'],
    ['100 OAK CREEK', '100 OAK CRK'],
    ['100 OAK CRESCENT', '100 OAK CRES'],
    ['100 OAK CROSSING', '100 OAK XING'],
    ['100 OAK DRIVE', '100 OAK DR'],
    ['100 OAK DRV', '100 OAK DR'],
    ['100 OAK EXPRESSWAY', '100 OAK EXPY'],
    ['100 OAK EXTENSION', '100 OAK EXT'],
    ['100 OAK FREEWAY', '100 OAK FWY'],
    ['100 OAK GARDEN', '100 OAK GDN'],
    ['100 OAK GATEWAY', '100 OAK GTWY'],
    ['100 OAK HARBOR', '100 OAK HBR'],
    ['100 OAK HEIGHTS', '100 OAK HTS'],
    ['100 OAK HIGHWAY', '100 OAK HWY'],
    ['100 OAK HIWAY', '100 OAK HWY'],
    ['100 OAK HILL', '100 OAK HL'],
    ['100 OAK HOLLOW', '100 OAK HOLW'],
    ['100 OAK JUNCTION', '100 OAK JCT'],
    ['100 OAK LAKE', '100 OAK LK'],
    ['100 OAK LANE', '100 OAK LN'],
    ['100 OAK LOOP', '100 OAK LOOP'],
    ['100 OAK MANOR', '100 OAK MNR'],
    ['100 OAK MEADOWS', '100 OAK MDWS'],
    ['100 OAK MEADOW', '100 OAK MDW'],
    ['100 OAK MDW', '100 OAK MDW'],
    ['100 OAK MOUNT', '100 OAK MT'],
    ['100 OAK MOUNTAIN', '100 OAK MTN'],
    ['100 OAK PARKWAY', '100 OAK PKWY'],
    ['100 OAK PKY', '100 OAK PKWY'],
    ['100 OAK PARKS', '100 OAK PARK'],
    ['100 OAK PLACE', '100 OAK PL'],
    ['100 OAK PLAZA', '100 OAK PLZ'],
    ['100 OAK POINT', '100 OAK PT'],
    ['100 OAK RIDGE', '100 OAK RDG'],
    ['100 OAK ROAD', '100 OAK RD'],
    ['100 OAK ROUTE', '100 OAK RTE'],
    ['100 OAK SQUARE', '100 OAK SQ'],
    ['100 OAK STREET', '100 OAK ST'],
    ['100 OAK STRT', '100 OAK ST'],
    ['100 OAK STR', '100 OAK ST'],
    ['100 OAK TERRACE', '100 OAK TER'],
    ['100 OAK TRAIL', '100 OAK TRL'],
    ['100 OAK TURNPIKE', '100 OAK TPKE'],
    ['100 OAK VALLEY', '100 OAK VLY'],
    ['100 OAK VIEW', '100 OAK VW'],
    ['100 OAK VILLAGE', '100 OAK VLG'],
    ['100 OAK WAY', '100 OAK WAY'],
    ['100 OAK WELLS', '100 OAK WLS'],
  ])('%s → %s', (input, expected) => {
    expect(line1(input)).toBe(expected);
  });

  it.each([
    ['12 BROADWAY', '12 BROADWAY'], // a one-word street has no suffix
    ['12 PARK', '12 PARK'],
    ['12 CRESCENT', '12 CRESCENT'],
    ['5 PLAZA', '5 PLAZA'],
    ['100 N AVENUE', '100 N AVE'],
    ['100 AVENUE OF THE AMERICAS', '100 AVENUE OF THE AMERICAS'],
    ['100 AVENUE N', '100 AVENUE N'],
    ['100 PARK ROAD', '100 PARK RD'], // §234.2: of two suffix words only the second is the suffix
    ['100 LAKE SHORE DRIVE', '100 LAKE SHORE DR'],
    ['100 MAIN STREET EXTENSION', '100 MAIN STREET EXT'],
    ['100 CENTER STREET', '100 CENTER ST'],
  ])('only the final street word is a suffix: %s → %s', (input, expected) => {
    expect(line1(input)).toBe(expected);
  });

  it('explains the abbreviation', () => {
    expect(standardize({ address_line_1: '100 PARK AVENUE' }).corrections).toEqual([
      { code: 'SUFFIX_ABBREVIATED', message: 'Abbreviated street suffix AVENUE to AVE (USPS Publication 28, Appendix C1).' },
    ]);
    expect(standardize({ address_line_1: '100 MAIN AV' }).corrections).toEqual([
      { code: 'SUFFIX_ABBREVIATED', message: 'Standardised street suffix AV to AVE (USPS Publication 28, Appendix C1).' },
    ]);
  });

  it('holds the whole C1 table: every standard abbreviation stands for itself', () => {
    const standards = new Set(STREET_SUFFIX_ABBREVIATIONS.values());
    expect(standards.size).toBeGreaterThanOrEqual(200);
    for (const standard of standards) expect(STREET_SUFFIX_ABBREVIATIONS.get(standard)).toBe(standard);
  });
});

describe('directionals (Pub 28 Appendix B)', () => {
  it.each([
    ['100 NORTH MAIN STREET', '100 N MAIN ST'],
    ['100 SOUTH MAIN ST', '100 S MAIN ST'],
    ['100 EAST MAIN ST', '100 E MAIN ST'],
    ['100 WEST MAIN ST', '100 W MAIN ST'],
    ['100 NORTHEAST MAIN ST', '100 NE MAIN ST'],
    ['100 NORTH EAST MAIN ST', '100 NE MAIN ST'],
    ['100 NORTH-EAST MAIN ST', '100 NE MAIN ST'],
    ['100 NORTHWEST MAIN ST', '100 NW MAIN ST'],
    ['100 SOUTHEAST MAIN ST', '100 SE MAIN ST'],
    ['100 SOUTHWEST 5TH AVENUE', '100 SW 5TH AVE'],
    ['100 MAIN ST NORTH', '100 MAIN ST N'],
    ['100 MAIN STREET SOUTH WEST', '100 MAIN ST SW'],
    ['100 MAIN ST N W', '100 MAIN ST NW'],
    ['100 NORTH MAIN STREET WEST', '100 N MAIN ST W'],
    ['100 EAST MAIN', '100 E MAIN'],
    ['100 PARK AVENUE SOUTH SUITE 5', '100 PARK AVE S STE 5'],
  ])('%s → %s', (input, expected) => {
    expect(line1(input)).toBe(expected);
  });

  it.each([
    ['100 NORTH ST', '100 NORTH ST'],
    ['100 NORTH AVENUE', '100 NORTH AVE'],
    ['100 WEST AVENUE', '100 WEST AVE'],
    ['100 SOUTH BOULEVARD', '100 SOUTH BLVD'],
    ['100 NORTH', '100 NORTH'],
    ['100 E NORTH', '100 E NORTH'],
    ['100 EAST NORTH', '100 E NORTH'],
    ['100 NORTH BLVD EAST', '100 NORTH BLVD E'],
    ['100 NORTH EAST ST', '100 N EAST ST'],
  ])('keeps a directional that is the street name: %s → %s', (input, expected) => {
    expect(line1(input)).toBe(expected);
  });

  it('explains the abbreviation', () => {
    expect(standardize({ address_line_1: '100 MAIN ST NORTH EAST' }).corrections).toEqual([
      { code: 'DIRECTIONAL_ABBREVIATED', message: 'Abbreviated directional NORTH EAST to NE (USPS Publication 28, Appendix B).' },
    ]);
  });
});

describe('secondary unit designators (Pub 28 §213, Appendix C2)', () => {
  it.each([
    ['APARTMENT 5', 'APT 5'],
    ['BASEMENT', 'BSMT'],
    ['BUILDING C', 'BLDG C'],
    ['DEPARTMENT 12', 'DEPT 12'],
    ['FLOOR 3', 'FL 3'],
    ['FRONT', 'FRNT'],
    ['HANGAR 4', 'HNGR 4'],
    ['KEY 9', 'KEY 9'],
    ['LOBBY', 'LBBY'],
    ['LOT 14', 'LOT 14'],
    ['LOWER', 'LOWR'],
    ['OFFICE', 'OFC'],
    ['PENTHOUSE', 'PH'],
    ['PH 2', 'PH 2'],
    ['PIER 3', 'PIER 3'],
    ['REAR', 'REAR'],
    ['ROOM 101', 'RM 101'],
    ['SIDE', 'SIDE'],
    ['SLIP 4', 'SLIP 4'],
    ['SPACE 22', 'SPC 22'],
    ['STOP 2', 'STOP 2'],
    ['SUITE 200', 'STE 200'],
    ['TRAILER 7', 'TRLR 7'],
    ['UNIT 2B', 'UNIT 2B'],
    ['UPPER', 'UPPR'],
    ['APT 2-B', 'APT 2-B'],
    ['SUITE 200 FLOOR 2', 'STE 200 FL 2'],
    ['STE100', 'STE 100'],
  ])('100 MAIN ST %s → 100 MAIN ST %s', (unit, expected) => {
    expect(line1(`100 MAIN ST ${unit}`)).toBe(`100 MAIN ST ${expected}`);
  });

  it('covers every C2 designator', () => {
    const abbreviations = new Set([...SECONDARY_UNIT_DESIGNATORS.values()].map((designator) => designator.abbreviation));
    expect([...abbreviations].sort()).toEqual(
      [
        'APT', 'BSMT', 'BLDG', 'DEPT', 'FL', 'FRNT', 'HNGR', 'KEY', 'LBBY', 'LOT', 'LOWR', 'OFC',
        'PH', 'PIER', 'REAR', 'RM', 'SIDE', 'SLIP', 'SPC', 'STOP', 'STE', 'TRLR', 'UNIT', 'UPPR',
      ].sort(),
    );
  });

  it.each([
    ['123 MAIN ST #5', '123 MAIN ST # 5', []],
    ['123 MAIN ST # 5', '123 MAIN ST # 5', []],
    ['123 MAIN ST APT #5', '123 MAIN ST APT 5', ['UNIT_NUMBER_SIGN_REMOVED']],
    ['123 MAIN ST APT# 5', '123 MAIN ST APT 5', ['UNIT_NUMBER_SIGN_REMOVED']],
    ['123 MAIN ST STE #200', '123 MAIN ST STE 200', ['UNIT_NUMBER_SIGN_REMOVED']],
  ])('# handling: %s → %s', (input, expected, expectedCodes) => {
    expect(line1(input)).toBe(expected);
    expect(codes({ address_line_1: input })).toEqual(expectedCodes);
  });

  it.each([
    '100 FRONT ST',
    '100 N FRONT ST',
    '100 E PIER ST',
    '100 LOWER RIVER RD',
    '100 OLD KEY RD',
    '100 N OFFICE PARK DR',
  ])('does not read a street word as a unit: %s', (input) => {
    expect(line1(input)).toBe(input);
    expect(codes({ address_line_1: input })).toEqual([]);
  });

  it('keeps a unit given in line 2 in line 2, standardised', () => {
    expect(standardize({ address_line_1: '123 Main Street', address_line_2: 'Apartment 4b' }).address).toMatchObject({
      address_line_1: '123 MAIN ST',
      address_line_2: 'APT 4B',
    });
    expect(standardize({ address_line_1: '123 MAIN ST', address_line_2: '#5' }).address.address_line_2).toBe('# 5');
  });

  it('only tidies a line 2 that is not a unit', () => {
    const result = standardize({ address_line_2: 'c/o front desk' });
    expect(result.address.address_line_2).toBe('C/O FRONT DESK');
    expect(result.corrections).toEqual([]);
  });
});

describe('repeated unit designators', () => {
  it.each([
    ['908 ATLANTIC AVE APT A APT A', '908 ATLANTIC AVE APT A'],
    ['908 ATLANTIC AVE APT A APARTMENT A', '908 ATLANTIC AVE APT A'],
    ['908 ATLANTIC AVE APT A, APT A', '908 ATLANTIC AVE APT A'],
    ['908 ATLANTIC AVE APT A APT A APT A', '908 ATLANTIC AVE APT A'],
    ['908 ATLANTIC AVE # 5 APT 5', '908 ATLANTIC AVE APT 5'],
    ['908 ATLANTIC AVE STE 5 STE 5', '908 ATLANTIC AVE STE 5'],
  ])('within line 1: %s → %s', (input, expected) => {
    expect(line1(input)).toBe(expected);
    expect(codes({ address_line_1: input })).toContain('REPEATED_UNIT_REMOVED');
  });

  it('keeps different units', () => {
    expect(line1('908 ATLANTIC AVE BLDG C APT 5')).toBe('908 ATLANTIC AVE BLDG C APT 5');
    expect(line1('908 ATLANTIC AVE APT A APT B')).toBe('908 ATLANTIC AVE APT A APT B');
  });

  it('empties line 2 when it only repeats the unit of line 1', () => {
    const result = standardize({ address_line_1: '908 ATLANTIC AVE APT A', address_line_2: 'Apt. A' });
    expect(result.address.address_line_1).toBe('908 ATLANTIC AVE APT A');
    expect(result.address.address_line_2).toBe('');
    expect(result.corrections).toEqual([
      { code: 'PUNCTUATION_REMOVED', message: 'Removed punctuation from address line 2 (USPS Publication 28 §212).' },
      {
        code: 'REPEATED_UNIT_REMOVED',
        message: "Removed repeated unit designator 'APT A' from address line 2: address line 1 already has it.",
      },
    ]);
  });

  it('keeps the new part of line 2 when only some of it repeats line 1', () => {
    const result = standardize({ address_line_1: '908 ATLANTIC AVE APT A', address_line_2: 'APT A BLDG 2' });
    expect(result.address.address_line_2).toBe('BLDG 2');
  });

  it('treats # in one line and APT in the other as the same unit', () => {
    expect(standardize({ address_line_1: '908 ATLANTIC AVE # 5', address_line_2: 'APT 5' }).address).toMatchObject({
      address_line_1: '908 ATLANTIC AVE # 5',
      address_line_2: '',
    });
  });

  it('empties line 2 when it repeats line 1 entirely', () => {
    const result = standardize({ address_line_1: '908 Atlantic Ave', address_line_2: '908 ATLANTIC AVENUE' });
    expect(result.address.address_line_2).toBe('');
    expect(result.corrections.map((correction) => correction.code)).toEqual(['SUFFIX_ABBREVIATED', 'LINE_2_REPEATS_LINE_1']);
  });

  it('keeps a different unit in line 2', () => {
    expect(standardize({ address_line_1: '908 ATLANTIC AVE APT A', address_line_2: 'APT B' }).address.address_line_2).toBe(
      'APT B',
    );
  });
});

describe('PO boxes and routes (Pub 28 §24, §25, §28)', () => {
  it.each([
    ['P.O. Box 12', 'PO BOX 12'],
    ['P. O. Box 12', 'PO BOX 12'],
    ['POST OFFICE BOX 12', 'PO BOX 12'],
    ['Post Box 12', 'PO BOX 12'],
    ['PO BX 12', 'PO BOX 12'],
    ['P O BOX #12', 'PO BOX 12'],
    ['POBOX 12', 'PO BOX 12'],
    ['P.O.Box12', 'PO BOX 12'],
    ['po box 12', 'PO BOX 12'],
    ['PO BOX A', 'PO BOX A'],
    ['RURAL ROUTE 2 BOX 152', 'RR 2 BOX 152'],
    ['RFD 2 BOX 152', 'RR 2 BOX 152'],
    ['RR 2 BOX 152', 'RR 2 BOX 152'],
    ['HIGHWAY CONTRACT 68 BOX 19A', 'HC 68 BOX 19A'],
    ['STAR ROUTE 68 BOX 19A', 'HC 68 BOX 19A'],
    ['PSC 3 BOX 4120', 'PSC 3 BOX 4120'],
    ['UNIT 2050 BOX 4190', 'UNIT 2050 BOX 4190'],
    ['100 BOX ELDER RD', '100 BOX ELDER RD'],
  ])('%s → %s', (input, expected) => {
    expect(line1(input)).toBe(expected);
  });

  it('explains the rewrite', () => {
    expect(standardize({ address_line_1: 'Post Office Box 12' }).corrections).toEqual([
      { code: 'PO_BOX_STANDARDIZED', message: "Wrote the post office box as 'PO BOX 12' (USPS Publication 28 §281)." },
    ]);
  });
});

describe('punctuation and characters (Pub 28 §212)', () => {
  it.each([
    ['123 Main St.', '123 MAIN ST', ['PUNCTUATION_REMOVED']],
    ['123 Main St., Apt. 4', '123 MAIN ST APT 4', ['PUNCTUATION_REMOVED']],
    ['123 1/2 Main St', '123 1/2 MAIN ST', []],
    ['123-45 Queens Blvd', '123-45 QUEENS BLVD', []],
    ['100 Main St - Apt 5', '100 MAIN ST APT 5', ['PUNCTUATION_REMOVED']],
    ["12 O'Hare Dr", '12 O HARE DR', ['PUNCTUATION_REMOVED']],
    ["12 St Mary's Rd", '12 ST MARYS RD', ['PUNCTUATION_REMOVED']],
    ['12 N. Main St.', '12 N MAIN ST', ['PUNCTUATION_REMOVED']],
    ['100 Calle Peña', '100 CALLE PENA', ['ACCENTS_REMOVED']],
    ['N123W4567 Main St', 'N123W4567 MAIN ST', []],
    ['100 Main St & Elm Ave', '100 MAIN ST & ELM AVE', []],
  ])('%s → %s', (input, expected, expectedCodes) => {
    expect(line1(input)).toBe(expected);
    expect(codes({ address_line_1: input })).toEqual(expectedCodes);
  });
});

describe('city', () => {
  it.each([
    ['St. Louis', 'ST LOUIS', ['PUNCTUATION_REMOVED']],
    ['Winston-Salem', 'WINSTON SALEM', ['PUNCTUATION_REMOVED']],
    ["Coeur d'Alene", 'COEUR D ALENE', ['PUNCTUATION_REMOVED']],
    ['San Germán', 'SAN GERMAN', ['ACCENTS_REMOVED']],
    ['oak brook', 'OAK BROOK', []],
  ])('%s → %s', (city, expected, expectedCodes) => {
    expect(standardize({ city }).address.city).toBe(expected);
    expect(codes({ city })).toEqual(expectedCodes);
  });
});

describe('state', () => {
  it.each([
    ['Illinois', 'IL'],
    ['new york', 'NY'],
    ['North  Carolina', 'NC'],
    ['District of Columbia', 'DC'],
    ['Washington, D.C.', 'DC'],
    ['Washington', 'WA'],
    ['Puerto Rico', 'PR'],
    ['Guam', 'GU'],
    ['U.S. Virgin Islands', 'VI'],
    ['American Samoa', 'AS'],
    ['Northern Mariana Islands', 'MP'],
    ['Armed Forces Americas', 'AA'],
    ['Armed Forces Europe', 'AE'],
    ['Armed Forces Middle East', 'AE'],
    ['Armed Forces Pacific', 'AP'],
  ])('%s → %s', (state, expected) => {
    const result = standardize({ state });
    expect(result.address.state).toBe(expected);
    expect(result.corrections.map((correction) => correction.code)).toEqual(['STATE_ABBREVIATED']);
  });

  it.each([
    ['il', 'IL'],
    ['AE', 'AE'],
    ['Ill.', 'ILL.'],
    ['ILLINOS', 'ILLINOS'],
    ['XX', 'XX'],
    ['', ''],
  ])('leaves a code, or an unknown state, as given (upper-cased): %s → %s', (state, expected) => {
    const result = standardize({ state });
    expect(result.address.state).toBe(expected);
    expect(result.corrections).toEqual([]);
  });

  it('explains the abbreviation', () => {
    expect(standardize({ state: 'Illinois' }).corrections).toEqual([
      { code: 'STATE_ABBREVIATED', message: 'Wrote the state ILLINOIS as IL (USPS Publication 28, Appendix B).' },
    ]);
  });
});

describe('ZIP code', () => {
  it.each([
    ['60169', '60169', []],
    ['60169-1234', '60169-1234', []],
    ['601691234', '60169-1234', ['ZIP_REFORMATTED']],
    ['60169 1234', '60169-1234', ['ZIP_REFORMATTED']],
    ['60169 - 1234', '60169-1234', ['ZIP_REFORMATTED']],
    [' 60169 ', '60169', []],
    ['6016', '6016', []],
    ['60169-12', '60169-12', []],
    ['ABCDE', 'ABCDE', []],
    ['', '', []],
  ])('%s → %s', (zip_code, expected, expectedCodes) => {
    expect(standardize({ zip_code }).address.zip_code).toBe(expected);
    expect(codes({ zip_code })).toEqual(expectedCodes);
  });

  it('explains the reformatting', () => {
    expect(standardize({ zip_code: '601691234' }).corrections).toEqual([
      { code: 'ZIP_REFORMATTED', message: 'Wrote the ZIP code 601691234 as 60169-1234.' },
    ]);
  });
});

describe('missing parts', () => {
  it('returns empty strings, never null', () => {
    expect(
      standardizeAddress({ address_line_1: '', address_line_2: null, city: '', state: '', zip_code: '' }),
    ).toEqual({
      address: { address_line_1: '', address_line_2: '', city: '', state: '', zip_code: '' },
      corrections: [],
    });
  });
});
