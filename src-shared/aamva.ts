// Reading the PDF417 barcode on the back of a US or Canadian driver's licence or ID card, as a
// USB 2D scanner types it (keyboard-wedge mode), in the AAMVA DL/ID Card Design Standard's
// format, versions 1 (2000) to 10 (2020), and the pre-standard "AAMVA" header some older cards
// carry.
//
// The layout: "@", LF, RS, CR, then "ANSI " (or "AAMVA"), the issuer's IIN (6 digits), the
// AAMVA version (2), from version 2 on the jurisdiction's version (2), the number of subfiles (2),
// one 10-character designator per subfile ("DL"/"ID"/"Z?" + offset + length), then the
// subfiles: each starts with its type and holds data elements "<3-letter id><value>" separated
// by LF and ended by CR. A keyboard wedge rarely keeps those control characters as they were:
// LF arrives as Enter, RS may vanish, CR may become Enter. So elements are found by their ids at
// line starts, with the separators treated alike, and the designators are used only to find
// where the first subfile starts.
//
// Only what an ID check at the door needs is read: the ID number, the issuing jurisdiction,
// the name, date of birth and expiry, and whether it is a driver's licence or an ID card.

export interface LicenceData {
  /** AAMVA version of the barcode (0 for the pre-standard header). */
  version: number;
  /** Issuer Identification Number: names the issuing jurisdiction. */
  iin: string;
  document: 'drivers_license' | 'id_card';
  /** Two-letter state or province that issued it (DAJ, or from the IIN when absent). */
  jurisdiction: string | null;
  id_number: string;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  /** YYYY-MM-DD */
  date_of_birth: string | null;
  /** YYYY-MM-DD */
  expires_on: string | null;
  country: 'USA' | 'CAN' | null;
}

export type LicenceParse = { ok: true; licence: LicenceData } | { ok: false; error: string };

const HEADER = /(ANSI ?|AAMVA)(\d{6})(\d{2})/;
/** LF, CR and RS (the record separator, a control character the standard puts after "@"). */
const RECORD_SEPARATOR = String.fromCharCode(0x1e);
const SEPARATORS = new RegExp(`[\n\r${RECORD_SEPARATOR}]+`);
const ELEMENT = /^([A-Z]{3})(.*)$/;

/** Whether typed text looks like the start of a licence barcode (for routing scanner input). */
export function looksLikeLicenceBarcode(text: string): boolean {
  return /^@?\s*(ANSI|AAMVA)/.test(text.replaceAll(RECORD_SEPARATOR, '').trimStart());
}

export function parseLicenceBarcode(raw: string): LicenceParse {
  const text = raw.replace(/\r\n/g, '\n');
  const header = HEADER.exec(text);
  if (!header || header.index === undefined) {
    return { ok: false, error: 'This is not a driver’s licence barcode (no AAMVA header). Scan the large barcode on the back of the card.' };
  }
  const [, marker, iin = '', versionText = ''] = header;
  const version = marker === 'AAMVA' ? 0 : Number(versionText);
  if (version > 10) return { ok: false, error: `AAMVA version ${version} is newer than this app reads (1–10).` };
  // After IIN and version: the jurisdiction version (from version 2), then the subfile count.
  let cursor = header.index + header[0].length + (version >= 2 ? 2 : 0);
  const count = Number(text.slice(cursor, cursor + 2));
  cursor += 2;
  if (!Number.isInteger(count) || count < 1) return { ok: false, error: 'The barcode is incomplete (no subfiles). Scan it again.' };
  const designators: Array<{ type: string }> = [];
  for (let i = 0; i < count; i++) {
    const designator = /^([A-Z]{2})\d{8}$/.exec(text.slice(cursor, cursor + 10));
    if (!designator) break;
    designators.push({ type: designator[1]! });
    cursor += 10;
  }
  const subfileType = designators.find((d) => d.type === 'DL' || d.type === 'ID')?.type ?? (text.slice(cursor, cursor + 2) === 'ID' ? 'ID' : 'DL');

  // The first subfile starts right after the designators with its type ("DLDAQ..."); every other
  // element starts a line.
  const elements = new Map<string, string>();
  const rest = text.slice(cursor);
  const lines = rest.split(SEPARATORS);
  lines.forEach((line, index) => {
    let content = line;
    if (index === 0 && /^(DL|ID)[A-Z]{3}/.test(content)) content = content.slice(2);
    // A later subfile (a jurisdiction's "Z?" one) starts with its type too.
    if (/^Z[A-Z]Z[A-Z]{2}/.test(content)) content = content.slice(2);
    const element = ELEMENT.exec(content);
    if (element && !elements.has(element[1]!)) elements.set(element[1]!, element[2]!.trim());
  });

  const idNumber = elements.get('DAQ');
  if (!idNumber) return { ok: false, error: 'The barcode has no ID number (DAQ). Scan it again or type the ID.' };
  const country = countryOf(elements.get('DCG'), iin);
  const names = nameOf(elements);
  return {
    ok: true,
    licence: {
      version,
      iin,
      document: subfileType === 'ID' ? 'id_card' : 'drivers_license',
      jurisdiction: (elements.get('DAJ') ?? JURISDICTION_BY_IIN[iin] ?? null)?.toUpperCase() ?? null,
      id_number: idNumber,
      ...names,
      date_of_birth: dateOf(elements.get('DBB'), version, country),
      expires_on: dateOf(elements.get('DBA'), version, country),
      country,
    },
  };
}

/** Whether the licence has expired on `today` (YYYY-MM-DD); a card is valid through its expiry date. */
export function isExpired(licence: Pick<LicenceData, 'expires_on'>, today: string): boolean {
  return licence.expires_on !== null && licence.expires_on < today;
}

function countryOf(dcg: string | undefined, iin: string): 'USA' | 'CAN' | null {
  if (dcg === 'USA' || dcg === 'CAN') return dcg;
  if (JURISDICTION_BY_IIN[iin] && CANADIAN.has(JURISDICTION_BY_IIN[iin])) return 'CAN';
  return JURISDICTION_BY_IIN[iin] ? 'USA' : null;
}

function clean(value: string | undefined): string | null {
  const trimmed = value?.trim();
  // Versions 4+ write "NONE" or "unavl" for an absent middle name.
  if (!trimmed || /^(NONE|UNAVL)$/i.test(trimmed)) return null;
  return trimmed;
}

function nameOf(elements: Map<string, string>): Pick<LicenceData, 'first_name' | 'middle_name' | 'last_name'> {
  const last = clean(elements.get('DCS') ?? elements.get('DAB'));
  // Version 2+: DAC first, DAD middle; versions 1–3 also use DCT "given names" (first and middle).
  const first = clean(elements.get('DAC') ?? elements.get('DCT'));
  if (last || first) {
    let firstName = first;
    let middle = clean(elements.get('DAD'));
    if (!elements.has('DAC') && firstName && /[ ,]/.test(firstName)) {
      const [given, ...others] = firstName.split(/[ ,]+/);
      firstName = given ?? null;
      middle = middle ?? (others.join(' ') || null);
    }
    return { first_name: firstName, middle_name: middle, last_name: last };
  }
  // Version 1 (and pre-standard): DAA full name, "LAST,FIRST,MIDDLE" (or with spaces).
  const full = clean(elements.get('DAA'));
  if (!full) return { first_name: null, middle_name: null, last_name: null };
  const parts = full.includes(',') ? full.split(',').map((p) => p.trim()) : full.split(/\s+/);
  return { last_name: parts[0] || null, first_name: parts[1] || null, middle_name: parts.slice(2).join(' ') || null };
}

/**
 * Dates are CCYYMMDD in version 1 and for Canada, MMDDCCYY for the USA from version 2 on; a
 * pre-standard card may use either, so both are tried and only a real date is accepted.
 */
function dateOf(value: string | undefined, version: number, country: 'USA' | 'CAN' | null): string | null {
  const digits = value?.trim();
  if (!digits || !/^\d{8}$/.test(digits)) return null;
  const yearFirst = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
  const monthFirst = `${digits.slice(4, 8)}-${digits.slice(0, 2)}-${digits.slice(2, 4)}`;
  const preferYearFirst = version === 1 || country === 'CAN';
  const candidates = version === 0 ? [monthFirst, yearFirst] : preferYearFirst ? [yearFirst] : [monthFirst];
  return candidates.find(isRealDate) ?? null;
}

function isRealDate(iso: string): boolean {
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso);
}

// Issuer Identification Numbers (AAMVA's registry) of the states and provinces, for barcodes
// without DAJ (mandatory since version 1, so this is a fallback).
const JURISDICTION_BY_IIN: Record<string, string> = {
  '636033': 'AL', '636059': 'AK', '636026': 'AZ', '636021': 'AR', '636014': 'CA', '636020': 'CO',
  '636006': 'CT', '636011': 'DE', '636043': 'DC', '636010': 'FL', '636055': 'GA', '636047': 'HI',
  '636050': 'ID', '636035': 'IL', '636037': 'IN', '636018': 'IA', '636022': 'KS', '636046': 'KY',
  '636007': 'LA', '636041': 'ME', '636003': 'MD', '636002': 'MA', '636032': 'MI', '636038': 'MN',
  '636051': 'MS', '636030': 'MO', '636008': 'MT', '636054': 'NE', '636049': 'NV', '636039': 'NH',
  '636036': 'NJ', '636009': 'NM', '636001': 'NY', '636004': 'NC', '636034': 'ND', '636023': 'OH',
  '636058': 'OK', '636029': 'OR', '636025': 'PA', '636052': 'RI', '636005': 'SC', '636042': 'SD',
  '636053': 'TN', '636015': 'TX', '636040': 'UT', '636024': 'VT', '636000': 'VA', '636045': 'WA',
  '636061': 'WV', '636031': 'WI', '636060': 'WY',
  '604432': 'AB', '636028': 'BC', '636048': 'MB', '636017': 'NB', '636016': 'NL', '636013': 'NS',
  '636012': 'ON', '604426': 'PE', '604428': 'QC', '636044': 'SK', '604429': 'YT',
};
const CANADIAN = new Set(['AB', 'BC', 'MB', 'NB', 'NL', 'NT', 'NS', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT']);
