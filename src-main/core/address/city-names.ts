// City names: how they are written (Pub 28 §221–§223) and when two spellings are the same city.

/**
 * Upper case, no accents and no punctuation (Pub 28 §222): `St. Louis` → `ST LOUIS`,
 * `Coeur d'Alene` → `COEUR D ALENE`, `Winston-Salem` → `WINSTON SALEM`, as the USPS City State
 * file spells them. An apostrophe after a lone letter becomes a space (O'Fallon → O FALLON);
 * any other apostrophe just goes (Lincoln's → LINCOLNS).
 */
export function normalizeCityName(raw: string): string {
  const upper = raw.toUpperCase();
  // Nearly every name is plain letters and single spaces; skipping the accent and punctuation
  // passes for those keeps building the 41,000-ZIP directory quick.
  if (PLAIN_CITY_NAME.test(upper)) return upper;
  return stripAccents(upper)
    .replace(/\b([A-Z])['’]/g, '$1 ')
    .replace(/['’]/g, '')
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

const PLAIN_CITY_NAME = /^[A-Z0-9]+(?: [A-Z0-9]+)*$/;

// Words that the City State file and people abbreviate interchangeably. The brief's required set
// is SAINT/FORT/MOUNT; the rest are equally unambiguous inside city names (N LAS VEGAS,
// COLORADO SPGS) and stop the validator from "correcting" a city that was already right.
const CITY_WORD_EQUIVALENTS: ReadonlyMap<string, string> = new Map([
  ['ST', 'SAINT'],
  ['STE', 'SAINTE'],
  ['FT', 'FORT'],
  ['MT', 'MOUNT'],
  ['MTN', 'MOUNTAIN'],
  ['N', 'NORTH'],
  ['S', 'SOUTH'],
  ['E', 'EAST'],
  ['W', 'WEST'],
  ['HTS', 'HEIGHTS'],
  ['SPGS', 'SPRINGS'],
  ['JCT', 'JUNCTION'],
  ['CTR', 'CENTER'],
  ['VLG', 'VILLAGE'],
  ['BCH', 'BEACH'],
]);

const EQUIVALENT_WORD = new RegExp(`\\b(?:${[...CITY_WORD_EQUIVALENTS.keys()].join('|')})\\b`);

/**
 * A comparison key: two city spellings name the same city when their keys are equal
 * (`ST LOUIS` = `SAINT LOUIS`, `FT. WORTH` = `FORT WORTH`). Spaces still count, so
 * `OAKBROOK` ≠ `OAK BROOK`: the City State file spells it one way, and that is the one to use.
 */
export function cityMatchKey(raw: string): string {
  const name = normalizeCityName(raw);
  if (!EQUIVALENT_WORD.test(name)) return name;
  return name
    .split(' ')
    .map((word) => CITY_WORD_EQUIVALENTS.get(word) ?? word)
    .join(' ');
}

export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}
