// Where settings and secrets live is the composition root's choice: electron-store and
// Electron's safeStorage in the app, 0600 files in the data folder in headless mode. The core
// only sees these two interfaces.
export interface SettingsStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export interface SecretStore {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

export const SettingKeys = {
  codeTables: 'codeTables',
  inlineLabelImages: 'labels.inlineImages',
  labelImageFormat: 'labels.imageFormat',
  /** ID scanning by camera (the Electron app's camera permission follows it). */
  idScanByCamera: 'idScan.camera',
  /** Per partner: mode (sandbox/live), base URL, webhook base URL. Secrets are in the SecretStore. */
  partners: 'partners',
  /** Minutes without use before a desk locks (1–15). */
  staffIdleLockMinutes: 'staff.idleLockMinutes',
} as const;

export const SecretNames = {
  bestrxUsername: 'bestrx.username',
  bestrxPassword: 'bestrx.password',
} as const;

/** In-memory stores for tests and throwaway runs. */
export function createMemorySettingsStore(initial: Record<string, unknown> = {}): SettingsStore {
  const values = new Map<string, unknown>(Object.entries(initial));
  return { get: (key) => values.get(key), set: (key, value) => void values.set(key, value) };
}

export function createMemorySecretStore(initial: Record<string, string> = {}): SecretStore {
  const values = new Map<string, string>(Object.entries(initial));
  return { get: (name) => values.get(name), set: (name, value) => void values.set(name, value) };
}
