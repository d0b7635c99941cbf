// The SQLite driver (better-sqlite3-multiple-ciphers, for encryption at rest) is a native module:
// the copy in node_modules is built for Node (tests and headless mode use it), and Electron
// needs one built for its own ABI. `npm start` prepares that second copy
// (scripts/prepare-electron-sqlite.mjs); this finds it. Both name it after the driver's version,
// so a driver upgrade prepares a new one instead of loading a binary built from older sources.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SQLITE_DRIVER = 'better-sqlite3-multiple-ciphers';

export function electronSqliteBindingPath(appPath: string): string | undefined {
  let version: string;
  try {
    version = (JSON.parse(readFileSync(join(appPath, 'node_modules', SQLITE_DRIVER, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
  const folder = `${SQLITE_DRIVER}-${version}-electron-v${process.versions.electron}-${process.platform}-${process.arch}`;
  const candidate = join(appPath, 'node_modules', '.rxrelay-native', folder, 'better_sqlite3.node');
  // A packaged app has the driver rebuilt for Electron in place; then the default binding is right.
  return existsSync(candidate) ? candidate : undefined;
}
