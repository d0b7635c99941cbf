// A small JSON document on disk, readable only by its owner (0600), replaced atomically
// (write a temporary file, fsync, rename) so a crash mid-write never leaves half a file.
import { readFileSync } from 'node:fs';
import { writePrivateFileAtomically } from '../storage/durable-files';
import type { SecretStore, SettingsStore } from './settings-store';

export class JsonFileStore implements SettingsStore {
  private values: Record<string, unknown>;

  constructor(private readonly path: string) {
    this.values = readJsonObject(path);
  }

  get(key: string): unknown {
    return this.values[key];
  }

  set(key: string, value: unknown): void {
    this.values = { ...this.values, [key]: value };
    writeJsonAtomically(this.path, this.values);
  }
}

/** Secrets in headless mode: the same file format, strings only. */
export class JsonFileSecretStore implements SecretStore {
  private readonly store: JsonFileStore;

  constructor(path: string) {
    this.store = new JsonFileStore(path);
  }

  get(name: string): string | undefined {
    const value = this.store.get(name);
    return typeof value === 'string' ? value : undefined;
  }

  set(name: string, value: string): void {
    this.store.set(name, value);
  }
}

function readJsonObject(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${path} does not hold a JSON object`);
  return parsed as Record<string, unknown>;
}

function writeJsonAtomically(path: string, value: unknown): void {
  writePrivateFileAtomically(path, JSON.stringify(value, null, 2) + '\n');
}
