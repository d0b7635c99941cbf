// End-to-end tests of the headless app (`npm run serve`) in the system Chromium.
// `npx playwright install` is not used: the browser is /usr/bin/chromium.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { BESTRX_PORT, SERVER_ENV, UI_PORT, UI_URL } from './test/e2e/e2e-env';

// A fresh, empty data directory per run. The config is also loaded by every worker; the
// variable set here is inherited by them, so only the runner creates a directory.
process.env.RXRELAY_E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'rxrelay-e2e-'));
const dataDir = process.env.RXRELAY_E2E_DATA_DIR;

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  reporter: 'list',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: UI_URL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1440, height: 900 },
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
  ],
  webServer: {
    command: `npm run serve -- --data-dir "${dataDir}" --bestrx-port ${BESTRX_PORT} --ui-port ${UI_PORT}`,
    url: UI_URL,
    env: SERVER_ENV,
    reuseExistingServer: false,
    // electron-vite builds all three targets first.
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
    // Let the app close its database; then the process group is killed.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
  },
});
