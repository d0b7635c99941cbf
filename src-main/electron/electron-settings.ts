// Settings in electron-store; secrets encrypted with the OS keychain through safeStorage.
import ElectronStore from 'electron-store';
import { safeStorage } from 'electron';
import type { SecretStore, SettingsStore } from '../core/settings/settings-store';
import { JsonFileSecretStore } from '../core/settings/json-file-store';
import type { Logger } from '../core/logger';

export class ElectronSettingsStore implements SettingsStore {
  private readonly store = new ElectronStore<Record<string, unknown>>({ name: 'settings' });

  get(key: string): unknown {
    return this.store.get(key);
  }

  set(key: string, value: unknown): void {
    this.store.set(key, value);
  }
}

/** Each secret is encrypted by safeStorage (Keychain, DPAPI, libsecret) and stored as base64. */
class SafeStorageSecretStore implements SecretStore {
  private readonly store = new ElectronStore<Record<string, string>>({ name: 'secrets' });

  get(name: string): string | undefined {
    const sealed = this.store.get(name);
    return typeof sealed === 'string' ? safeStorage.decryptString(Buffer.from(sealed, 'base64')) : undefined;
  }

  set(name: string, value: string): void {
    this.store.set(name, safeStorage.encryptString(value).toString('base64'));
  }
}

/**
 * Without an OS keychain (a Linux desktop with no keyring) safeStorage cannot protect secrets;
 * they then go to an owner-only (0600) file in the data folder, as in headless mode, and the
 * log says so.
 */
export function createElectronSecretStore(fallbackFile: string, logger: Logger): SecretStore {
  if (safeStorage.isEncryptionAvailable()) return new SafeStorageSecretStore();
  logger.warn('secrets.keychain_unavailable', { fallback: 'owner-only file in the data folder' });
  return new JsonFileSecretStore(fallbackFile);
}
