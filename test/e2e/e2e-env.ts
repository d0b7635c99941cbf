// The one place the end-to-end run's fixed settings live: playwright.config.ts starts the
// headless app with them, and the specs use them to reach it.

/** Fixed, "free-ish" loopback ports; `reuseExistingServer: false` makes a clash fail loudly. */
export const BESTRX_PORT = 18510;
export const UI_PORT = 18511;

/** Basic credentials the BestRx endpoint expects (RXRELAY_BESTRX_USER / _PASSWORD). */
export const BESTRX_USER = 'e2e-bestrx';
export const BESTRX_PASSWORD = 'e2e-bestrx-password-0123';

/** Bearer token of the app API (RXRELAY_API_TOKEN, at least 16 characters). */
export const API_TOKEN = 'e2e-api-token-0123456789abcdef';

export const BESTRX_URL = `http://127.0.0.1:${BESTRX_PORT}`;
export const UI_URL = `http://127.0.0.1:${UI_PORT}/`;

/** The environment of `npm run serve`. The status URL and the sandbox switch are blanked (the
 * app reads "" as unset) so that whatever the caller's shell exports, the run is in sandbox mode. */
export const SERVER_ENV: Record<string, string> = {
  RXRELAY_BESTRX_USER: BESTRX_USER,
  RXRELAY_BESTRX_PASSWORD: BESTRX_PASSWORD,
  RXRELAY_API_TOKEN: API_TOKEN,
  RXRELAY_STATUS_URL: '',
  RXRELAY_STATUS_USER: '',
  RXRELAY_STATUS_PASSWORD: '',
  RXRELAY_SANDBOX: '',
  // The board's counts are asserted: no demo orders from the sandbox's BestRx.
  RXRELAY_SANDBOX_DEMO_INTERVAL_MS: '0',
  // Partner simulators move their orders on every 1.5 s, so a whole partner journey fits in a test.
  RXRELAY_SANDBOX_STEP_MS: '1500',
  // The United Pharmacy simulator's port (default 8082), out of the way of anything running locally.
  RXRELAY_UNITED_SANDBOX_PORT: '18582',
  RXRELAY_CARYRX_SANDBOX_PORT: '18583',
  RXRELAY_HONEYBEE_SANDBOX_PORT: '18584',
};
