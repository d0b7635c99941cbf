// USPS Publication 28 standardisation of a BestRx address: pure and synchronous, no look-ups
// beyond the Pub 28 tables. Whether the address exists is the validator's business
// (address-validator.ts); this module only rewrites it the way the Postal Service writes it and
// says what it changed.
import { normalizeCityName, stripAccents } from './city-names';
import {
  DIRECTIONAL_ABBREVIATIONS,
  SECONDARY_UNIT_DESIGNATORS,
  STATE_CODES_BY_NAME,
  STATE_NAMES_BY_CODE,
  STREET_SUFFIX_ABBREVIATIONS,
} from './usps-pub28-tables';

/** BestRx's address shape on the wire, standardised: every field is a string, never null. */
export interface PostalAddress {
  address_line_1: string;
  address_line_2: string;
  city: string;
  state: string;
  zip_code: string;
}

export interface AddressCorrection {
  code: AddressCorrectionCode;
  message: string;
}

export interface AddressInput {
  address_line_1: string;
  address_line_2?: string | null;
  city: string;
  state: string;
  zip_code: string;
}

export const ADDRESS_CORRECTION_CODES = [
  'ACCENTS_REMOVED',
  'PUNCTUATION_REMOVED',
  'PO_BOX_STANDARDIZED',
  'RURAL_ROUTE_STANDARDIZED',
  'DIRECTIONAL_ABBREVIATED',
  'SUFFIX_ABBREVIATED',
  'UNIT_DESIGNATOR_ABBREVIATED',
  'UNIT_NUMBER_SIGN_REMOVED',
  'REPEATED_UNIT_REMOVED',
  'LINE_2_REPEATS_LINE_1',
  'STATE_ABBREVIATED',
  'ZIP_REFORMATTED',
] as const;
export type AddressCorrectionCode = (typeof ADDRESS_CORRECTION_CODES)[number];

const PUB28 = 'USPS Publication 28';

export function standardizeAddress(input: AddressInput): { address: PostalAddress; corrections: AddressCorrection[] } {
  const corrections: AddressCorrection[] = [];
  const note = (code: AddressCorrectionCode, message: string): void => {
    corrections.push({ code, message });
  };

  const line1 = standardizeDeliveryLine(input.address_line_1 ?? '', 'address line 1', note);
  let line2 = standardizeSecondLine(input.address_line_2 ?? '', note);

  if (line2.text !== '' && line2.text === line1.text) {
    note('LINE_2_REPEATS_LINE_1', 'Removed address line 2: it repeated address line 1.');
    line2 = { text: '', units: [], rebuild: () => '' };
  } else if (line2.units.length > 0 && line1.units.length > 0) {
    // BestRx keeps a unit typed into line 2 in line 2, so only the copies go, not the unit.
    const repeats = line2.units.filter((unit) => line1.units.some((kept) => isSameUnit(kept, unit)));
    if (repeats.length > 0) {
      for (const unit of repeats) {
        note(
          'REPEATED_UNIT_REMOVED',
          `Removed repeated unit designator '${unitText(unit)}' from address line 2: address line 1 already has it.`,
        );
      }
      const remaining = line2.units.filter((unit) => !repeats.includes(unit));
      line2 = { ...line2, units: remaining, text: line2.rebuild(remaining) };
    }
  }

  return {
    address: {
      address_line_1: line1.text,
      address_line_2: line2.text,
      city: standardizeCity(input.city ?? '', note),
      state: standardizeState(input.state ?? '', note),
      zip_code: standardizeZip(input.zip_code ?? '', note),
    },
    // The same rewrite can apply twice (APARTMENT 4B in both lines); say it once.
    corrections: corrections.filter(
      (correction, index) =>
        corrections.findIndex((other) => other.code === correction.code && other.message === correction.message) === index,
    ),
  };
}

type Note = (code: AddressCorrectionCode, message: string) => void;

interface UnitSegment {
  /** C2 abbreviation, or '#' when the unit had no designator (Pub 28 §213). */
  designator: string;
  value: string;
}

interface StandardizedLine {
  text: string;
  units: UnitSegment[];
  /** The same line with a different set of units, for when line 2 loses a repeated unit. */
  rebuild(units: UnitSegment[]): string;
}

function unitText(unit: UnitSegment): string {
  return unit.value === '' ? unit.designator : `${unit.designator} ${unit.value}`;
}

/**
 * Two mentions are the same unit when the identifiers match and the designators match or one of
 * them is the bare '#' ("APT 5 # 5" names one apartment twice).
 */
function isSameUnit(a: UnitSegment, b: UnitSegment): boolean {
  return a.value === b.value && (a.designator === b.designator || a.designator === '#' || b.designator === '#');
}

// ---------------------------------------------------------------------------------------------
// Characters

/**
 * Upper case, accents and punctuation off (Pub 28 §212), keeping only the punctuation that
 * carries meaning: '#' (unit), '-' inside hyphenated numbers (123-45 Queens house numbers,
 * APT 2-B), '/' in fractions (123 1/2), '.' in decimal house numbers and '&' in corner addresses.
 */
function cleanLine(raw: string, field: string, note: Note): string[] {
  const upper = collapseSpaces(raw.toUpperCase());
  // Already clean (most lines: "500 SECOND AVE", "APT 4B"): no accent or punctuation for the
  // steps below to take off. They cost ~10 µs a line, and every CreateOrder checks an address.
  if (ALREADY_CLEAN.test(upper)) return upper === '' ? [] : upper.split(' ');
  const unaccented = stripAccents(upper);
  if (unaccented !== upper) note('ACCENTS_REMOVED', `Removed accents from ${field} (${PUB28} §212).`);

  const cleaned = collapseSpaces(
    unaccented
      .replace(/\.(?=\s|$)/g, '') // abbreviation periods: ST. AVE.
      .replace(/\b([A-Z])\.(?=[A-Z]\b)/g, '$1') // initials: P.O. → PO, D.C. → DC
      .replace(/(?<!\d)\.|\.(?!\d)/g, ' ') // any other period, except 1234.5
      .replace(/\b([A-Z])['’](?=[A-Z])/g, '$1 ') // O'HARE → O HARE, as the City State file does
      .replace(/['’]/g, '') // MARY'S → MARYS
      .replace(/(?<![A-Z0-9])[-/]|[-/](?![A-Z0-9])/g, ' ') // lone or dangling '-' and '/'
      .replace(/([#&])/g, ' $1 ')
      .replace(/[^A-Z0-9#&/.\- ]/g, ' '),
  );
  if (cleaned.replace(/ /g, '') !== unaccented.replace(/ /g, '')) {
    note('PUNCTUATION_REMOVED', `Removed punctuation from ${field} (${PUB28} §212).`);
  }
  return cleaned === '' ? [] : cleaned.split(' ');
}

/** Letters, digits and single spaces only (after collapseSpaces): what cleanLine would return as it is. */
const ALREADY_CLEAN = /^[A-Z0-9 ]*$/;

function collapseSpaces(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------
// Delivery address line

// Pub 28 §281/§283: every spelling of a post office box is written PO BOX, without '#'.
const PO_BOX_PATTERN =
  /^(?:P ?O ?(?:BOX|BX|B)|POST (?:OFFICE )?(?:BOX|BX)|POBOX) ?(?:# ?)?([A-Z]?\d[A-Z0-9-]*|[A-Z])(?= |$)(.*)$/;
// Pub 28 §24/§244: RURAL ROUTE, RFD, ROUTE … BOX → RR n BOX m.
const RURAL_ROUTE_PATTERN =
  /^(?:RURAL (?:ROUTE|RTE|RT)|RFD(?: (?:ROUTE|RTE|RT))?|R R|RR|ROUTE|RTE|RT) ?(\d+) (?:BOX|BX) ?(?:# ?)?([A-Z0-9-]+)(.*)$/;
// Pub 28 §25/§254: HIGHWAY CONTRACT, STAR ROUTE … BOX → HC n BOX m.
const HIGHWAY_CONTRACT_PATTERN =
  /^(?:HIGHWAY CONTRACT(?: ROUTE)?|HWY CONTRACT|STAR (?:ROUTE|RTE)|HC) ?(\d+) (?:BOX|BX) ?(?:# ?)?([A-Z0-9-]+)(.*)$/;

function standardizeDeliveryLine(raw: string, field: string, note: Note): StandardizedLine {
  const tokens = cleanLine(raw, field, note);
  const cleaned = tokens.join(' ');

  const boxLine = standardizeBoxLine(cleaned, note);
  if (boxLine !== undefined) return { text: boxLine, units: [], rebuild: () => boxLine };

  const houseNumberLength = leadingHouseNumberLength(tokens);
  const unitStart = findUnitStart(tokens, houseNumberLength + 1);
  const streetTokens = unitStart === undefined ? tokens : tokens.slice(0, unitStart);
  const street = [
    ...streetTokens.slice(0, houseNumberLength),
    ...standardizeStreetName(streetTokens.slice(houseNumberLength), note),
  ].join(' ');
  const units = unitStart === undefined ? [] : readUnits(tokens, unitStart, note);
  const rebuild = (kept: UnitSegment[]): string => [street, ...kept.map(unitText)].filter(Boolean).join(' ');
  return { text: rebuild(units), units, rebuild };
}

function standardizeBoxLine(cleaned: string, note: Note): string | undefined {
  const poBox = PO_BOX_PATTERN.exec(cleaned);
  if (poBox) {
    const text = collapseSpaces(`PO BOX ${poBox[1]}${poBox[2] ?? ''}`);
    if (text !== cleaned) note('PO_BOX_STANDARDIZED', `Wrote the post office box as '${text}' (${PUB28} §281).`);
    return text;
  }
  const ruralRoute = RURAL_ROUTE_PATTERN.exec(cleaned);
  if (ruralRoute) {
    const text = collapseSpaces(`RR ${ruralRoute[1]} BOX ${ruralRoute[2]}${ruralRoute[3] ?? ''}`);
    if (text !== cleaned) note('RURAL_ROUTE_STANDARDIZED', `Wrote the rural route as '${text}' (${PUB28} §241).`);
    return text;
  }
  const highwayContract = HIGHWAY_CONTRACT_PATTERN.exec(cleaned);
  if (highwayContract) {
    const text = collapseSpaces(`HC ${highwayContract[1]} BOX ${highwayContract[2]}${highwayContract[3] ?? ''}`);
    if (text !== cleaned) {
      note('RURAL_ROUTE_STANDARDIZED', `Wrote the highway contract route as '${text}' (${PUB28} §251).`);
    }
    return text;
  }
  return undefined;
}

/** The primary number: `123`, `123A`, `123-45`, `N123W4567`, optionally followed by `1/2`. */
function leadingHouseNumberLength(tokens: readonly string[]): number {
  const first = tokens[0];
  if (first === undefined || !/\d/.test(first) || !/^[A-Z0-9][A-Z0-9.\-/]*$/.test(first)) return 0;
  return tokens[1] !== undefined && /^\d+\/\d+$/.test(tokens[1]) ? 2 : 1;
}

// ---------------------------------------------------------------------------------------------
// Street name: pre-directional, name, suffix, post-directional (Pub 28 §231–§234)

interface Directional {
  length: number;
  abbreviation: string;
}

/** One word (NORTH, N, NORTHEAST) or two (NORTH EAST, N E) that together make a directional. */
function directionalAt(tokens: readonly string[], index: number, length: 1 | 2): Directional | undefined {
  const first = tokens[index];
  if (first === undefined) return undefined;
  const one = DIRECTIONAL_ABBREVIATIONS.get(first);
  if (length === 1) return one === undefined ? undefined : { length: 1, abbreviation: one };
  const second = tokens[index + 1];
  const two = second === undefined ? undefined : DIRECTIONAL_ABBREVIATIONS.get(second);
  if ((one === 'N' || one === 'S') && (two === 'E' || two === 'W')) return { length: 2, abbreviation: one + two };
  return undefined;
}

function isSuffixWord(token: string): boolean {
  return STREET_SUFFIX_ABBREVIATIONS.has(token);
}

function isDirectionalWord(token: string): boolean {
  return DIRECTIONAL_ABBREVIATIONS.has(token);
}

function standardizeStreetName(tokens: readonly string[], note: Note): string[] {
  // Corner addresses (MAIN ST & ELM AVE, §236) have two street names; leave their structure be.
  if (tokens.length === 0 || tokens.includes('&')) return [...tokens];

  const { pre, post, name } = chooseDirectionals(tokens);
  const out: string[] = [];
  if (pre) {
    out.push(pre.abbreviation);
    noteDirectional(tokens.slice(0, pre.length), pre.abbreviation, note);
  }
  out.push(...name);
  // Pub 28 §234.2: only the last of the street's words is the suffix; a suffix word earlier in
  // the name (PARK in PARK AVENUE, the AVENUE of AVENUE OF THE AMERICAS) is part of the name.
  // A street of one word (BROADWAY, or PARK alone) has no suffix to abbreviate.
  const last = name[name.length - 1];
  if (name.length >= 2 && last !== undefined) {
    const standard = STREET_SUFFIX_ABBREVIATIONS.get(last);
    if (standard !== undefined && standard !== last) {
      out[out.length - 1] = standard;
      const verb = standard.length < last.length ? 'Abbreviated' : 'Standardised';
      note('SUFFIX_ABBREVIATED', `${verb} street suffix ${last} to ${standard} (${PUB28}, Appendix C1).`);
    }
  }
  if (post) {
    out.push(post.abbreviation);
    noteDirectional(tokens.slice(tokens.length - post.length), post.abbreviation, note);
  }
  return out;
}

function noteDirectional(original: readonly string[], abbreviation: string, note: Note): void {
  const written = original.join(' ');
  if (written !== abbreviation) {
    note('DIRECTIONAL_ABBREVIATED', `Abbreviated directional ${written} to ${abbreviation} (${PUB28}, Appendix B).`);
  }
}

/**
 * Decides which leading/trailing directional words are directionals and which are the street's
 * name. Readings are tried from most to least structured; a reading is rejected when it would
 * leave the name as nothing but a suffix (100 NORTH ST is the street called North, not "N ST") or,
 * for a post-directional, nothing but another directional (100 E NORTH is East North, not "E N").
 */
function chooseDirectionals(tokens: readonly string[]): {
  pre: Directional | undefined;
  post: Directional | undefined;
  name: string[];
} {
  const pres = [directionalAt(tokens, 0, 2), directionalAt(tokens, 0, 1)].filter(isDefined);
  const posts = [
    tokens.length >= 2 ? directionalAt(tokens, tokens.length - 2, 2) : undefined,
    directionalAt(tokens, tokens.length - 1, 1),
  ].filter(isDefined);

  const readings: [Directional | undefined, Directional | undefined][] = [
    ...pres.flatMap((pre) => posts.map((post): [Directional, Directional] => [pre, post])),
    ...posts.map((post): [undefined, Directional] => [undefined, post]),
    ...pres.map((pre): [Directional, undefined] => [pre, undefined]),
  ];
  for (const [pre, post] of readings) {
    const name = tokens.slice(pre?.length ?? 0, tokens.length - (post?.length ?? 0));
    const only = name.length === 1 ? name[0] : undefined;
    if (name.length === 0) continue;
    if (only !== undefined && isSuffixWord(only)) continue;
    if (post && only !== undefined && isDirectionalWord(only)) continue;
    return { pre, post, name };
  }
  return { pre: undefined, post: undefined, name: [...tokens] };
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Secondary units (Pub 28 §213, Appendix C2)

// APT5, STE100: designator and number typed without the space.
const GLUED_UNIT_PATTERN = /^(APT|APARTMENT|STE|SUITE|UNIT|RM|ROOM|BLDG|FL|FLR|SPC|TRLR|LOT|DEPT|HNGR)(\d+[A-Z]?)$/;

interface UnitToken {
  designator: string;
  spelled: string;
  requiresRange: boolean;
  gluedValue?: string;
}

function unitTokenAt(token: string | undefined): UnitToken | undefined {
  if (token === undefined) return undefined;
  if (token === '#') return { designator: '#', spelled: '#', requiresRange: true };
  const known = SECONDARY_UNIT_DESIGNATORS.get(token);
  if (known) return { designator: known.abbreviation, spelled: token, requiresRange: known.requiresRange };
  const glued = GLUED_UNIT_PATTERN.exec(token);
  const gluedDesignator = glued?.[1] === undefined ? undefined : SECONDARY_UNIT_DESIGNATORS.get(glued[1]);
  if (glued && gluedDesignator) {
    return { designator: gluedDesignator.abbreviation, spelled: glued[1] ?? '', requiresRange: true, gluedValue: glued[2] };
  }
  return undefined;
}

/**
 * What may follow a designator: something with a digit (5, 2B, 1-A), a single letter (APT A), or
 * two letters that are not themselves street words — so that the PIER of "100 E PIER ST" is not
 * read as unit "PIER ST".
 */
function isUnitIdentifier(token: string | undefined): token is string {
  if (token === undefined || !/^[A-Z0-9][A-Z0-9\-/]*$/.test(token)) return false;
  if (/\d/.test(token) || /^[A-Z]$/.test(token)) return true;
  return (
    /^[A-Z]{2}$/.test(token) &&
    !isSuffixWord(token) &&
    !isDirectionalWord(token) &&
    !SECONDARY_UNIT_DESIGNATORS.has(token)
  );
}

interface ParsedUnit extends UnitSegment {
  spelled: string;
  hashDropped: boolean;
}

/** Reads designator/identifier pairs from `start` to the end of the line, or fails. */
function parseUnits(tokens: readonly string[], start: number): ParsedUnit[] | undefined {
  const units: ParsedUnit[] = [];
  let index = start;
  while (index < tokens.length) {
    const unit = unitTokenAt(tokens[index]);
    if (!unit) return undefined;
    index += 1;
    if (unit.gluedValue !== undefined) {
      units.push({ designator: unit.designator, value: unit.gluedValue, spelled: unit.spelled, hashDropped: false });
      continue;
    }
    // APT #5: the designator already says it is a unit, so '#' is dropped (Pub 28 §213).
    const hashDropped = unit.designator !== '#' && tokens[index] === '#' && tokens[index + 1] !== undefined;
    if (hashDropped) index += 1;
    const next = tokens[index];
    let value = '';
    if (unit.requiresRange || hashDropped) {
      if (!isUnitIdentifier(next)) return undefined;
      value = next;
      index += 1;
    } else if (isUnitIdentifier(next) && !SECONDARY_UNIT_DESIGNATORS.has(next)) {
      value = next; // PH 2: C2 does not require a range for these, but one may be given
      index += 1;
    }
    units.push({ designator: unit.designator, value, spelled: unit.spelled, hashDropped });
  }
  return units.length > 0 ? units : undefined;
}

/**
 * Where the secondary units begin: the first designator from which the rest of the line reads as
 * units. `minIndex` keeps at least one street word before it, so FRONT in "100 FRONT ST" is the
 * street, and a failed read (FRONT in "100 N FRONT ST" is followed by ST) is not a unit either.
 */
function findUnitStart(tokens: readonly string[], minIndex: number): number | undefined {
  for (let index = Math.max(minIndex, 1); index < tokens.length; index += 1) {
    if (unitTokenAt(tokens[index]) && parseUnits(tokens, index)) return index;
  }
  return undefined;
}

function readUnits(tokens: readonly string[], start: number, note: Note): UnitSegment[] {
  const kept: UnitSegment[] = [];
  for (const unit of parseUnits(tokens, start) ?? []) {
    if (unit.spelled !== unit.designator) {
      note(
        'UNIT_DESIGNATOR_ABBREVIATED',
        `Abbreviated unit designator ${unit.spelled} to ${unit.designator} (${PUB28}, Appendix C2).`,
      );
    }
    if (unit.hashDropped) {
      note('UNIT_NUMBER_SIGN_REMOVED', `Removed '#' after ${unit.designator}: the designator already marks the unit (${PUB28} §213).`);
    }
    const segment: UnitSegment = { designator: unit.designator, value: unit.value };
    const earlier = kept.find((existing) => isSameUnit(existing, segment));
    if (earlier) {
      // "# 5 APT 5" keeps the named designator, which says more than '#'.
      if (earlier.designator === '#') earlier.designator = segment.designator;
      note('REPEATED_UNIT_REMOVED', `Removed repeated unit designator '${unitText(earlier)}'.`);
      continue;
    }
    kept.push(segment);
  }
  return kept;
}

/**
 * Line 2 is usually a unit (APT 5) and then it is standardised as one; a street line or PO box in
 * line 2 is standardised like line 1; anything else (C/O, a building name) is only tidied.
 */
function standardizeSecondLine(raw: string, note: Note): StandardizedLine {
  const field = 'address line 2';
  const firstToken = cleanLine(raw, field, () => undefined)[0];
  if (firstToken !== undefined && /\d/.test(firstToken)) return standardizeDeliveryLine(raw, field, note);

  const tokens = cleanLine(raw, field, note);
  const cleaned = tokens.join(' ');
  const boxLine = standardizeBoxLine(cleaned, note);
  if (boxLine !== undefined) return { text: boxLine, units: [], rebuild: () => boxLine };
  if (parseUnits(tokens, 0)) {
    const units = readUnits(tokens, 0, note);
    const rebuild = (kept: UnitSegment[]): string => kept.map(unitText).join(' ');
    return { text: rebuild(units), units, rebuild };
  }
  return { text: cleaned, units: [], rebuild: () => cleaned };
}

// ---------------------------------------------------------------------------------------------
// Last line

function standardizeCity(raw: string, note: Note): string {
  const upper = collapseSpaces(raw.toUpperCase());
  const unaccented = stripAccents(upper);
  const city = normalizeCityName(upper);
  if (unaccented !== upper) note('ACCENTS_REMOVED', `Removed accents from the city (${PUB28} §222).`);
  if (city.replace(/ /g, '') !== unaccented.replace(/ /g, '')) {
    note('PUNCTUATION_REMOVED', `Removed punctuation from the city (${PUB28} §222).`);
  }
  return city;
}

/** Two-letter code for a code or a spelled-out name; anything else comes back as typed. */
export function stateCodeFor(raw: string): string | undefined {
  const words = normalizeCityName(raw);
  if (STATE_NAMES_BY_CODE.has(words)) return words;
  return STATE_CODES_BY_NAME.get(words) ?? STATE_CODES_BY_NAME.get(words.replace(/^STATE OF /, ''));
}

function standardizeState(raw: string, note: Note): string {
  const upper = collapseSpaces(raw.toUpperCase());
  const code = stateCodeFor(upper);
  if (code === undefined) return upper; // the validator reports it
  if (code !== upper) note('STATE_ABBREVIATED', `Wrote the state ${upper} as ${code} (${PUB28}, Appendix B).`);
  return code;
}

const ZIP_PATTERN = /^(\d{5})(?: ?-? ?(\d{4}))?$/;

/** `60169`, `60169-1234`, `601691234`, `60169 1234` → `60169` or `60169-1234`. */
function standardizeZip(raw: string, note: Note): string {
  const given = collapseSpaces(raw);
  const match = ZIP_PATTERN.exec(given);
  if (!match) return given; // the validator reports it
  const zip = match[2] === undefined ? (match[1] ?? '') : `${match[1]}-${match[2]}`;
  if (zip !== given) note('ZIP_REFORMATTED', `Wrote the ZIP code ${given} as ${zip}.`);
  return zip;
}
