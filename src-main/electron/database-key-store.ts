// The app's database key, sealed by the OS keychain through safeStorage (Keychain on macOS,
// DPAPI on Windows, the Secret Service / KWallet on Linux): `<data-dir>/rxrelay.key.sealed`
// holds it encrypted, so the database is unreadable to someone who copies the data folder
// without this user's login. RXRELAY_DB_KEY, when set, wins (the same as headless mode).
//
// A Linux desktop without a keyring gets safeStorage's "basic_text" backend: a fixed, public
// password, which protects nothing. There RxRelay refuses to start unless the user explicitly
// accepts an unprotected key (--allow-unprotected-key or RXRELAY_ALLOW_UNPROTECTED_KEY=1); the
// key then lives in an owner-only (0600) file, `<data-dir>/rxrelay.key`, as in headless mode.
import { join } from 'node:path';
import { safeStorage } from 'electron';
import type { RxRelayConfig } from '../core/config/config';
import { createFileKeyStore, headlessDatabaseKeySource, KEY_ENV, KEY_FILE_NAME, type DatabaseKeySource } from '../core/storage/database-key';

export const SEALED_KEY_FILE_NAME = 'rxrelay.key.sealed';

type SafeStorage = Pick<typeof safeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & {
  getSelectedStorageBackend?: () => string;
};

export type KeyProtection = { protected: true } | { protected: false; reason: string };

/** Whether safeStorage really protects a secret here (call once the app is ready). */
export function databaseKeyProtection(storage: SafeStorage = safeStorage, platform: NodeJS.Platform = process.platform): KeyProtection {
  if (!storage.isEncryptionAvailable()) return { protected: false, reason: 'the operating system offers no keychain to protect it' };
  if (platform === 'linux' && storage.getSelectedStorageBackend?.() === 'basic_text') {
    return { protected: false, reason: 'this Linux desktop has no keyring (GNOME Keyring or KWallet) running' };
  }
  return { protected: true };
}

/**
 * Where the app's key comes from; undefined when it may not start: no protection and no
 * explicit acceptance (the caller explains, see UNPROTECTED_KEY_MESSAGE).
 */
export function electronDatabaseKeySource(
  dataDir: string,
  config: Pick<RxRelayConfig, 'databaseKey' | 'allowUnprotectedKey'>,
  protection: KeyProtection,
  storage: SafeStorage = safeStorage,
): DatabaseKeySource | undefined {
  if (config.databaseKey) return { kind: 'fixed', key: config.databaseKey, description: KEY_ENV };
  if (protection.protected) {
    return {
      kind: 'store',
      store: createFileKeyStore(join(dataDir, SEALED_KEY_FILE_NAME), {
        seal: (hex) => storage.encryptString(hex).toString('base64'),
        unseal: (stored) => storage.decryptString(Buffer.from(stored, 'base64')),
        // Sealed by the keychain: readable bytes are not the key. Still written 0600.
        ownerOnly: false,
        description: `the OS keychain (${SEALED_KEY_FILE_NAME}, sealed by safeStorage)`,
      }),
    };
  }
  // Accepted: the same owner-only key file as headless mode.
  return config.allowUnprotectedKey ? headlessDatabaseKeySource(dataDir, undefined) : undefined;
}

export function unprotectedKeyMessage(reason: string, dataDir: string): { message: string; detail: string } {
  return {
    message: 'RxRelay cannot protect its database key on this computer',
    detail:
      `RxRelay encrypts its database, which holds patient data. It keeps the key in the operating system's keychain, but ${reason}.\n\n` +
      'Start a keyring (for example GNOME Keyring or KWallet, unlocked at login) and open RxRelay again.\n\n' +
      `Or, to run without that protection, start RxRelay with --allow-unprotected-key (or RXRELAY_ALLOW_UNPROTECTED_KEY=1): the key is then kept in ${join(dataDir, KEY_FILE_NAME)}, ` +
      'readable by your user only, so anyone who can read your files can read the patient data.',
  };
}
