// The main process's bundles (headless, the worker threads' scripts, the simulator) built into a
// folder of the test's own (scripts/headless-build.config.ts), for tests that run them as the
// composition roots do. A folder of its own, so nothing running from out/main (a parallel test,
// `npm run serve`) is rebuilt under it.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');

/** Builds into `outDir` (absolute, or relative to the repository); returns the folder of the built entries (`<outDir>/main`). */
export function buildMainProcessInto(outDir: string): string {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '-c', 'scripts/headless-build.config.ts', '--outDir', outDir], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  return join(resolve(ROOT, outDir), 'main');
}
