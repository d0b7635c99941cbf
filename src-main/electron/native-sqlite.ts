// better-sqlite3 is a native module: the copy in node_modules is built for Node (tests and
// headless mode use it), and Electron needs one built for its own ABI. `npm start` prepares
// that second copy (scripts/prepare-electron-sqlite.mjs); this finds it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function electronSqliteBindingPath(appPath: string): string | undefined {
  const folder = `electron-v${process.versions.electron}-${process.platform}-${process.arch}`;
  const candidate = join(appPath, 'node_modules', '.rxrelay-native', folder, 'better_sqlite3.node');
  // A packaged app has better-sqlite3 rebuilt for Electron in place; then the default binding is right.
  return existsSync(candidate) ? candidate : undefined;
}
