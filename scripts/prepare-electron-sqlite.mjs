#!/usr/bin/env node
// Prepares the SQLite driver (better-sqlite3-multiple-ciphers: better-sqlite3 with encryption at
// rest) for Electron, beside the copy built for Node.
//
// The driver is a native module compiled against one runtime's ABI. The copy in
// node_modules is built for Node (npm test and headless mode use it); Electron ships its own
// ABI. Rebuilding in place (electron-rebuild) would break `npm test`, so this builds a second
// copy into node_modules/.rxrelay-native/<driver>-<driver version>-electron-v<version>-<platform>-<arch>/
// and the Electron shell opens the database with the driver's `nativeBinding` option pointing at it
// (src-main/electron/native-sqlite.ts). Run by `npm start`; does nothing when already prepared.
//
// First try: the prebuilt binary for this Electron version (prebuild-install, from GitHub).
// Fallback: compile against Electron's headers with node-gyp. Both need the internet once.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const DRIVER = 'better-sqlite3-multiple-ciphers';
const sqliteDir = dirname(require.resolve(`${DRIVER}/package.json`));
const driverVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
const folder = `${DRIVER}-${driverVersion}-electron-v${electronVersion}-${process.platform}-${process.arch}`;
const targetDir = join(root, 'node_modules', '.rxrelay-native', folder);
const target = join(targetDir, 'better_sqlite3.node');

if (existsSync(target)) {
  console.log(`${DRIVER} for Electron ${electronVersion} is ready (${target}).`);
  process.exit(0);
}

console.log(`Preparing ${DRIVER} ${driverVersion} for Electron ${electronVersion} (${process.platform}-${process.arch}); this runs once.`);
const workDir = join(root, 'node_modules', '.rxrelay-native', `${folder}.build`);
rmSync(workDir, { recursive: true, force: true });
cpSync(sqliteDir, workDir, { recursive: true, filter: (source) => !source.startsWith(join(sqliteDir, 'build')) });

// npm's config (e.g. a nodedir pointing at Node's headers) must not leak into a build for Electron.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_(nodedir|target|runtime|disturl|dist_url)$/i.test(key)));

function run(command, args) {
  const result = spawnSync(command, args, { cwd: workDir, env, stdio: 'inherit' });
  return result.status === 0;
}

function prebuilt() {
  let bin;
  try {
    bin = createRequire(join(sqliteDir, 'package.json')).resolve('prebuild-install/bin.js');
  } catch {
    return false;
  }
  return run(process.execPath, [bin, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform]);
}

function compiled() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter((path) => path && existsSync(path));
  const nodeGyp = candidates[0];
  if (!nodeGyp) {
    console.error('node-gyp was not found (it ships with npm).');
    return false;
  }
  return run(process.execPath, [
    nodeGyp,
    'rebuild',
    '--release',
    '--runtime=electron',
    `--target=${electronVersion}`,
    `--arch=${process.arch}`,
    '--dist-url=https://electronjs.org/headers',
  ]);
}

const built = join(workDir, 'build', 'Release', 'better_sqlite3.node');
if ((prebuilt() && existsSync(built)) || (compiled() && existsSync(built))) {
  mkdirSync(targetDir, { recursive: true });
  cpSync(built, target);
  rmSync(workDir, { recursive: true, force: true });
  console.log(`${DRIVER} for Electron ${electronVersion} is ready (${target}).`);
} else {
  rmSync(workDir, { recursive: true, force: true });
  console.error(
    `Could not prepare ${DRIVER} for Electron ${electronVersion}.\n` +
      'This needs the internet once (a prebuilt binary from GitHub, or Electron headers and a C++ toolchain).\n' +
      'Headless mode (npm run serve) does not need it.',
  );
  process.exit(1);
}
