import { describe, expect, it } from 'vitest';
import { ConfigError, defaultDataDir, loadConfig } from '../../../src-main/core/config/config';

const load = (argv: string[], env: Record<string, string> = {}, strict = true) => loadConfig(argv, env, { strict, defaultDataDir: '/default' }).config;

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(load([])).toMatchObject({
      dataDir: '/default',
      bestrxHost: '127.0.0.1',
      bestrxPort: 8410,
      uiPort: 8411,
      bestrxCredentials: undefined,
      statusUrl: undefined,
      apiToken: undefined,
      sandbox: true,
      sandboxReason: 'nothing live configured',
      sandboxStepMs: 30000,
      sandboxDemoIntervalMs: 45000,
    });
  });

  it('reads every documented environment variable', () => {
    const config = load([], {
      RXRELAY_DATA_DIR: '/data',
      RXRELAY_BESTRX_PORT: '9410',
      RXRELAY_UI_PORT: '9411',
      RXRELAY_BESTRX_HOST: '0.0.0.0',
      RXRELAY_BESTRX_USER: 'bestrx',
      RXRELAY_BESTRX_PASSWORD: 's3cret',
      RXRELAY_STATUS_URL: 'https://dispensingservice.bestrxconnect.com/Order/UpdateOrderStatus',
      RXRELAY_STATUS_USER: 'provider',
      RXRELAY_STATUS_PASSWORD: 'pw',
      RXRELAY_API_TOKEN: 'a-long-enough-token-123',
      RXRELAY_SANDBOX_STEP_MS: '500',
      RXRELAY_SANDBOX_DEMO_INTERVAL_MS: '0',
    });
    expect(config).toMatchObject({
      dataDir: '/data',
      bestrxPort: 9410,
      uiPort: 9411,
      bestrxHost: '0.0.0.0',
      bestrxCredentials: { username: 'bestrx', password: 's3cret' },
      statusUrl: 'https://dispensingservice.bestrxconnect.com/Order/UpdateOrderStatus',
      statusCredentials: { username: 'provider', password: 'pw' },
      apiToken: 'a-long-enough-token-123',
      sandbox: false,
      sandboxReason: 'live connection configured',
      sandboxStepMs: 500,
      sandboxDemoIntervalMs: 0,
    });
  });

  it('lets flags win over the environment, in both spellings', () => {
    const config = load(['--data-dir', '/flag', '--bestrx-port=7000', '--ui-port', '7001', '--bestrx-host', '10.0.0.5'], {
      RXRELAY_DATA_DIR: '/env',
      RXRELAY_BESTRX_PORT: '9000',
    });
    expect(config).toMatchObject({ dataDir: '/flag', bestrxPort: 7000, uiPort: 7001, bestrxHost: '10.0.0.5' });
  });

  it('turns sandbox mode on with --sandbox or RXRELAY_SANDBOX=1, and off with RXRELAY_SANDBOX=0', () => {
    const live = { RXRELAY_STATUS_URL: 'https://example.test/Order/UpdateOrderStatus' };
    expect(load(['--sandbox'], live)).toMatchObject({ sandbox: true, sandboxReason: 'flag' });
    expect(load([], { ...live, RXRELAY_SANDBOX: '1' })).toMatchObject({ sandbox: true, sandboxReason: 'environment' });
    expect(load([], { RXRELAY_SANDBOX: '0' })).toMatchObject({ sandbox: false, sandboxReason: 'environment' });
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      load(['--bestrx-port', 'eighty', '--ui-port', '70000', '--colour', '--data-dir'], {
        RXRELAY_BESTRX_USER: 'only-user',
        RXRELAY_STATUS_URL: 'ftp://nope',
        RXRELAY_API_TOKEN: 'short',
        RXRELAY_SANDBOX: 'maybe',
        RXRELAY_SANDBOX_STEP_MS: '-5',
        RXRELAY_SANDBOX_DEMO_INTERVAL_MS: 'often',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'unknown argument --colour',
      '--data-dir needs a value',
      'bestrx port must be a port number (0-65535), not "eighty"',
      'UI port must be a port number (0-65535), not "70000"',
      'RXRELAY_STATUS_URL must be an http(s) URL',
      'RXRELAY_API_TOKEN must be at least 16 characters',
      'RXRELAY_SANDBOX_STEP_MS must be a positive whole number of milliseconds',
      'RXRELAY_SANDBOX_DEMO_INTERVAL_MS must be a whole number of milliseconds (0 sends no demo orders)',
      'RXRELAY_SANDBOX must be 1 or 0, not "maybe"',
      'RXRELAY_BESTRX_USER/PASSWORD: set both the user and the password, or neither',
    ]);
  });

  it('refuses the same port for both listeners and credentials in the status URL', () => {
    expect(() => load(['--bestrx-port', '9000', '--ui-port', '9000'])).toThrow(/both 9000/);
    expect(() => load([], { RXRELAY_STATUS_URL: 'https://user:pw@example.test/x' })).toThrow(/must not carry credentials/);
  });

  it('ignores switches it does not know when not strict (Electron adds its own)', () => {
    expect(load(['--inspect', '--data-dir', '/x', '--no-sandbox'], {}, false)).toMatchObject({ dataDir: '/x' });
  });

  it('defaults the data folder to the OS app-data folder, where Electron keeps it too', () => {
    expect(defaultDataDir('linux', {}, '/home/ann')).toBe('/home/ann/.config/RxRelay');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/ann')).toBe('/xdg/RxRelay');
    expect(defaultDataDir('darwin', {}, '/Users/ann')).toBe('/Users/ann/Library/Application Support/RxRelay');
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'C:\\Users\\ann')).toMatch(/Roaming[\\/]RxRelay$/);
  });
});

describe('sandbox partner ports', () => {
  it("default to 8082 (United's seed) and 8083 (CaryRx), take 0 for any free port, and refuse a bad value", () => {
    const { config } = loadConfig([], {}, { strict: true, defaultDataDir: '/tmp/x' });
    expect([config.unitedSandboxPort, config.caryrxSandboxPort, config.honeybeeSandboxPort]).toEqual([8082, 8083, 8084]);
    const zero = loadConfig([], { RXRELAY_UNITED_SANDBOX_PORT: '0', RXRELAY_CARYRX_SANDBOX_PORT: '0', RXRELAY_HONEYBEE_SANDBOX_PORT: '0' }, { strict: true, defaultDataDir: '/tmp/x' }).config;
    expect([zero.unitedSandboxPort, zero.caryrxSandboxPort, zero.honeybeeSandboxPort]).toEqual([0, 0, 0]);
    expect(() => loadConfig([], { RXRELAY_HONEYBEE_SANDBOX_PORT: '70000' }, { strict: true, defaultDataDir: '/tmp/x' })).toThrow(/RXRELAY_HONEYBEE_SANDBOX_PORT must be a port number/);
    expect(() => loadConfig([], { RXRELAY_CARYRX_SANDBOX_PORT: 'eighty' }, { strict: true, defaultDataDir: '/tmp/x' })).toThrow(/RXRELAY_CARYRX_SANDBOX_PORT must be a port number/);
  });
});

describe('database key settings', () => {
  const hex = 'ab'.repeat(32);

  it('reads RXRELAY_DB_KEY and RXRELAY_DB_NEW_KEY as 32-byte keys, and refuses anything else without quoting it', () => {
    expect(load([])).toMatchObject({ databaseKey: undefined, newDatabaseKey: undefined, allowUnprotectedKey: false, rotateDatabaseKey: false });
    const config = load([], { RXRELAY_DB_KEY: hex, RXRELAY_DB_NEW_KEY: 'CD'.repeat(32) });
    expect(config.databaseKey?.equals(Buffer.from(hex, 'hex'))).toBe(true);
    expect(config.newDatabaseKey?.toString('hex')).toBe('cd'.repeat(32));
    const secretish = 'not-a-key-but-a-secret-passphrase';
    let message = '';
    try {
      load([], { RXRELAY_DB_KEY: secretish, RXRELAY_DB_NEW_KEY: hex.slice(2) });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/RXRELAY_DB_KEY must be 64 hex characters/);
    expect(message).toMatch(/RXRELAY_DB_NEW_KEY must be 64 hex characters/);
    expect(message).not.toContain(secretish);
  });

  it('takes --rotate-db-key, and the unprotected-key acceptance as a flag or RXRELAY_ALLOW_UNPROTECTED_KEY=1', () => {
    expect(load(['--rotate-db-key'])).toMatchObject({ rotateDatabaseKey: true, allowUnprotectedKey: false });
    expect(load(['--allow-unprotected-key'], {}, false)).toMatchObject({ allowUnprotectedKey: true });
    expect(load([], { RXRELAY_ALLOW_UNPROTECTED_KEY: '1' })).toMatchObject({ allowUnprotectedKey: true });
    expect(load([], { RXRELAY_ALLOW_UNPROTECTED_KEY: '0' })).toMatchObject({ allowUnprotectedKey: false });
    expect(() => load([], { RXRELAY_ALLOW_UNPROTECTED_KEY: 'maybe' })).toThrow(/RXRELAY_ALLOW_UNPROTECTED_KEY must be 1 or 0/);
  });
});

describe('backups', () => {
  it('default to every 6 hours, keeping 14; RXRELAY_BACKUP_INTERVAL_HOURS=0 turns them off', () => {
    expect(load([])).toMatchObject({ backupIntervalHours: 6, backupKeep: 14 });
    expect(load([], { RXRELAY_BACKUP_INTERVAL_HOURS: '0', RXRELAY_BACKUP_KEEP: '30' })).toMatchObject({ backupIntervalHours: 0, backupKeep: 30 });
    expect(load([], { RXRELAY_BACKUP_INTERVAL_HOURS: '0.5' })).toMatchObject({ backupIntervalHours: 0.5 });
  });

  it('refuses a bad interval or count', () => {
    expect(() => load([], { RXRELAY_BACKUP_INTERVAL_HOURS: '-1', RXRELAY_BACKUP_KEEP: '0' })).toThrow(
      expect.objectContaining({
        problems: [
          'RXRELAY_BACKUP_INTERVAL_HOURS must be a number of hours (0 turns automatic backups off)',
          'RXRELAY_BACKUP_KEEP must be a whole number of backups, at least 1',
        ],
      }),
    );
  });
});
