// The app's database key: sealed by the OS keychain (safeStorage), refused on a Linux desktop
// without a keyring unless the user accepted an unprotected key. Electron cannot run here, so
// safeStorage is replaced by a stand-in that seals reversibly.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ safeStorage: {} }));

const { databaseKeyProtection, electronDatabaseKeySource, SEALED_KEY_FILE_NAME, unprotectedKeyMessage } = await import('../../../src-main/electron/database-key-store');
const { openKeyedDatabase } = await import('../../../src-main/core/storage/database-key');
const { openDatabase } = await import('../../../src-main/core/storage/database');
const { silentLogger } = await import('../../../src-main/core/logger');

function fakeSafeStorage(backend: string, available = true) {
  const mask = randomBytes(64);
  const xor = (bytes: Buffer) => Buffer.from(bytes.map((byte, i) => byte ^ mask[i % mask.length]!));
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (text: string) => xor(Buffer.from(text, 'utf8')),
    decryptString: (sealed: Buffer) => xor(sealed).toString('utf8'),
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxrelay-electron-key-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const noEnvironmentKey = { databaseKey: undefined, allowUnprotectedKey: false };

describe('whether the keychain protects the key', () => {
  it('does with a real backend, and not with Linux basic_text or no encryption at all', () => {
    expect(databaseKeyProtection(fakeSafeStorage('gnome_libsecret'), 'linux')).toEqual({ protected: true });
    expect(databaseKeyProtection(fakeSafeStorage('kwallet5'), 'linux')).toEqual({ protected: true });
    expect(databaseKeyProtection(fakeSafeStorage('basic_text'), 'linux')).toMatchObject({ protected: false, reason: expect.stringMatching(/no keyring/) });
    expect(databaseKeyProtection(fakeSafeStorage('unknown'), 'darwin')).toEqual({ protected: true });
    expect(databaseKeyProtection(fakeSafeStorage('unknown', false), 'win32')).toMatchObject({ protected: false });
  });
});

describe('where the app keeps its key', () => {
  it('seals it with the keychain: the file on disk is not the key, and the next start opens the database', () => {
    const storage = fakeSafeStorage('gnome_libsecret');
    const keys = electronDatabaseKeySource(dir, noEnvironmentKey, { protected: true }, storage)!;
    const file = join(dir, 'rxrelay.db');
    openKeyedDatabase({ file, keys, logger: silentLogger }).close();
    const sealedFile = join(dir, SEALED_KEY_FILE_NAME);
    const sealed = readFileSync(sealedFile, 'utf8').trim();
    const key = Buffer.from(storage.decryptString(Buffer.from(sealed, 'base64')), 'hex');
    expect(key).toHaveLength(32);
    expect(sealed).not.toContain(key.toString('hex'));
    if (process.platform !== 'win32') expect(statSync(sealedFile).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'rxrelay.key'))).toBe(false);
    openDatabase({ file, key }).close();
    openKeyedDatabase({ file, keys: electronDatabaseKeySource(dir, noEnvironmentKey, { protected: true }, storage)!, logger: silentLogger }).close();
  });

  it('refuses to start without a keyring unless the user accepted it; accepted, the key is an owner-only file', () => {
    const unprotected = { protected: false as const, reason: 'this Linux desktop has no keyring' };
    expect(electronDatabaseKeySource(dir, noEnvironmentKey, unprotected)).toBeUndefined();
    const keys = electronDatabaseKeySource(dir, { databaseKey: undefined, allowUnprotectedKey: true }, unprotected)!;
    openKeyedDatabase({ file: join(dir, 'rxrelay.db'), keys, logger: silentLogger }).close();
    if (process.platform !== 'win32') expect(statSync(join(dir, 'rxrelay.key')).mode & 0o777).toBe(0o600);
    const { message, detail } = unprotectedKeyMessage(unprotected.reason, dir);
    expect(message).toMatch(/cannot protect its database key/);
    expect(detail).toMatch(/--allow-unprotected-key/);
    expect(detail).toMatch(/RXRELAY_ALLOW_UNPROTECTED_KEY=1/);
  });

  it('takes RXRELAY_DB_KEY over the keychain, and then needs no keyring', () => {
    const databaseKey = randomBytes(32);
    const keys = electronDatabaseKeySource(dir, { databaseKey, allowUnprotectedKey: false }, { protected: false, reason: 'none' });
    expect(keys).toEqual({ kind: 'fixed', key: databaseKey, description: 'RXRELAY_DB_KEY' });
  });
});
