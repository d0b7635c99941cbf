// RxRelay's settings from command-line flags and environment variables. The names are a public
// contract (product spec, "Configuration"): operators' scripts depend on them. Flags win over
// the environment; every problem is reported at once, before anything starts.
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credentials {
  username: string;
  password: string;
}

export interface RxRelayConfig {
  dataDir: string;
  bestrxHost: string;
  bestrxPort: number;
  uiPort: number;
  /** Set when RXRELAY_BESTRX_USER and RXRELAY_BESTRX_PASSWORD are both given. */
  bestrxCredentials: Credentials | undefined;
  statusUrl: string | undefined;
  statusCredentials: Credentials | undefined;
  apiToken: string | undefined;
  sandbox: boolean;
  /** Why sandbox mode is on or off, for the start-up line and the UI. */
  sandboxReason: 'flag' | 'environment' | 'nothing live configured' | 'live connection configured';
  sandboxStepMs: number;
  /** The United Pharmacy simulator's port in sandbox mode (the seed's 8082; 0 picks a free one). */
  unitedSandboxPort: number;
  /** The CaryRx simulator's port in sandbox mode (0 picks a free one). */
  caryrxSandboxPort: number;
  /** The Honeybee simulator's port in sandbox mode (0 picks a free one). */
  honeybeeSandboxPort: number;
  /** How often the sandbox's BestRx sends a demo order; 0 sends none. */
  sandboxDemoIntervalMs: number;
  /** Hours between automatic database backups; 0 turns them off. */
  backupIntervalHours: number;
  /** How many database backups to keep. */
  backupKeep: number;
  /** RXRELAY_DB_KEY: the database key (32 bytes), when the operator keeps it; else RxRelay keeps its own. */
  databaseKey: Buffer | undefined;
  /** RXRELAY_DB_NEW_KEY: the key --rotate-db-key re-encrypts to when the key is RXRELAY_DB_KEY. */
  newDatabaseKey: Buffer | undefined;
  /** --allow-unprotected-key / RXRELAY_ALLOW_UNPROTECTED_KEY=1: the app may keep the key in a 0600 file when there is no OS keyring. */
  allowUnprotectedKey: boolean;
  /** --rotate-db-key: re-encrypt the database with a new key, then exit. */
  rotateDatabaseKey: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`RxRelay configuration is not valid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_BESTRX_PORT = 8410;
export const DEFAULT_UI_PORT = 8411;
export const DEFAULT_SANDBOX_STEP_MS = 30_000;
export const DEFAULT_SANDBOX_DEMO_INTERVAL_MS = 45_000;
/** "http://localhost:8082/pharmacy/sandbox/api/v1" (United's seed, Sandbox Environment). */
export const DEFAULT_UNITED_SANDBOX_PORT = 8082;
/** CaryRx publishes no sandbox address; the one beside United's. */
export const DEFAULT_CARYRX_SANDBOX_PORT = 8083;
/** Honeybee's sandbox is a remote host (partners.sandbox.honeybeehealth.com); the local simulator's port, the next one. */
export const DEFAULT_HONEYBEE_SANDBOX_PORT = 8084;
export const DEFAULT_BACKUP_INTERVAL_HOURS = 6;
export const DEFAULT_BACKUP_KEEP = 14;

export const USAGE = `Usage: npm run serve -- [options]

  --data-dir <path>      where the database, labels and logs live (RXRELAY_DATA_DIR)
  --bestrx-port <port>   BestRx provider endpoint port, default ${DEFAULT_BESTRX_PORT} (RXRELAY_BESTRX_PORT)
  --bestrx-host <host>   address the endpoint binds, default 127.0.0.1 (RXRELAY_BESTRX_HOST)
  --ui-port <port>       headless UI and app API port on 127.0.0.1, default ${DEFAULT_UI_PORT} (RXRELAY_UI_PORT)
  --sandbox              use local simulators for every connection not configured live (RXRELAY_SANDBOX=1)
  --rotate-db-key        re-encrypt the database with a new key and exit (npm run rotate-key)
  --allow-unprotected-key  the app only: keep the database key in a 0600 file when there is no OS keyring (RXRELAY_ALLOW_UNPROTECTED_KEY=1)
  --help                 show this help

Environment only: RXRELAY_BESTRX_USER, RXRELAY_BESTRX_PASSWORD, RXRELAY_STATUS_URL,
RXRELAY_STATUS_USER, RXRELAY_STATUS_PASSWORD, RXRELAY_API_TOKEN, RXRELAY_SANDBOX_STEP_MS,
RXRELAY_SANDBOX_DEMO_INTERVAL_MS, RXRELAY_UNITED_SANDBOX_PORT (default ${DEFAULT_UNITED_SANDBOX_PORT}), RXRELAY_CARYRX_SANDBOX_PORT (default ${DEFAULT_CARYRX_SANDBOX_PORT}), RXRELAY_HONEYBEE_SANDBOX_PORT (default ${DEFAULT_HONEYBEE_SANDBOX_PORT}),
RXRELAY_BACKUP_INTERVAL_HOURS (default ${DEFAULT_BACKUP_INTERVAL_HOURS}; 0: no automatic backups), RXRELAY_BACKUP_KEEP (default ${DEFAULT_BACKUP_KEEP}),
RXRELAY_DB_KEY (the database key, 64 hex characters; default: made at first start, kept in <data-dir>/rxrelay.key),
RXRELAY_DB_NEW_KEY (with RXRELAY_DB_KEY: the key --rotate-db-key re-encrypts to).`;

/** The OS app-data folder, the same one Electron's app.getPath('userData') gives "RxRelay". */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'RxRelay');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'RxRelay');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'RxRelay');
}

const VALUE_FLAGS = ['--data-dir', '--bestrx-port', '--bestrx-host', '--ui-port'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

export interface ParsedArgs {
  values: Partial<Record<ValueFlag, string>>;
  sandbox: boolean;
  help: boolean;
  rotateDatabaseKey: boolean;
  allowUnprotectedKey: boolean;
}

/**
 * `--flag value` and `--flag=value`. In strict mode (headless) an unknown argument is an
 * error; the Electron shell passes lenient, because Chromium adds switches of its own.
 */
export function parseArgs(argv: readonly string[], strict: boolean): { args: ParsedArgs; problems: string[] } {
  const args: ParsedArgs = { values: {}, sandbox: false, help: false, rotateDatabaseKey: false, allowUnprotectedKey: false };
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name === '--sandbox') args.sandbox = true;
    else if (name === '--help' || name === '-h') args.help = true;
    else if (name === '--rotate-db-key') args.rotateDatabaseKey = true;
    else if (name === '--allow-unprotected-key') args.allowUnprotectedKey = true;
    else if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) problems.push(`${name} needs a value`);
      else args.values[name as ValueFlag] = value;
    } else if (strict) problems.push(`unknown argument ${arg}`);
  }
  return { args, problems };
}

function port(value: string | undefined, name: string, fallback: number, problems: string[]): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) {
    problems.push(`${name} must be a port number (0-65535), not "${value}"`);
    return fallback;
  }
  return n;
}

function credentials(user: string | undefined, password: string | undefined, names: string, problems: string[]): Credentials | undefined {
  if (!user && !password) return undefined;
  if (!user || !password) {
    problems.push(`${names}: set both the user and the password, or neither`);
    return undefined;
  }
  if (user.includes(':')) problems.push(`${names}: the user name cannot contain ":" (HTTP Basic)`);
  return { username: user, password };
}

/** A database key: 64 hex characters (32 bytes). The problem never quotes the value. */
function hexKey(value: string | undefined, name: string, problems: string[]): Buffer | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[0-9a-fA-F]{64}$/.test(value.trim())) {
    problems.push(`${name} must be 64 hex characters (a 32-byte key, e.g. from \`openssl rand -hex 32\`)`);
    return undefined;
  }
  return Buffer.from(value.trim(), 'hex');
}

function booleanEnv(value: string | undefined, name: string, problems: string[]): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  problems.push(`${name} must be 1 or 0, not "${value}"`);
  return undefined;
}

export function loadConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { strict: boolean; defaultDataDir?: string },
): { config: RxRelayConfig; help: boolean } {
  const { args, problems } = parseArgs(argv, options.strict);
  const flag = (name: ValueFlag, envName: string) => args.values[name] ?? env[envName];

  const bestrxPort = port(flag('--bestrx-port', 'RXRELAY_BESTRX_PORT'), 'bestrx port', DEFAULT_BESTRX_PORT, problems);
  const uiPort = port(flag('--ui-port', 'RXRELAY_UI_PORT'), 'UI port', DEFAULT_UI_PORT, problems);
  if (bestrxPort !== 0 && bestrxPort === uiPort) problems.push(`the BestRx port and the UI port are both ${uiPort}`);

  const statusUrl = env.RXRELAY_STATUS_URL || undefined;
  if (statusUrl !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(statusUrl);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) problems.push(`RXRELAY_STATUS_URL must be an http(s) URL`);
    else if (parsed.username || parsed.password) problems.push('RXRELAY_STATUS_URL must not carry credentials; use RXRELAY_STATUS_USER/PASSWORD');
  }

  const apiToken = env.RXRELAY_API_TOKEN || undefined;
  if (apiToken !== undefined && apiToken.length < 16) problems.push('RXRELAY_API_TOKEN must be at least 16 characters');

  const stepText = env.RXRELAY_SANDBOX_STEP_MS;
  const sandboxStepMs = stepText ? Number(stepText) : DEFAULT_SANDBOX_STEP_MS;
  if (!Number.isInteger(sandboxStepMs) || sandboxStepMs < 1) problems.push(`RXRELAY_SANDBOX_STEP_MS must be a positive whole number of milliseconds`);

  const demoText = env.RXRELAY_SANDBOX_DEMO_INTERVAL_MS;
  const sandboxDemoIntervalMs = demoText ? Number(demoText) : DEFAULT_SANDBOX_DEMO_INTERVAL_MS;
  if (!Number.isInteger(sandboxDemoIntervalMs) || sandboxDemoIntervalMs < 0) {
    problems.push('RXRELAY_SANDBOX_DEMO_INTERVAL_MS must be a whole number of milliseconds (0 sends no demo orders)');
  }

  const unitedSandboxPort = port(env.RXRELAY_UNITED_SANDBOX_PORT, 'RXRELAY_UNITED_SANDBOX_PORT', DEFAULT_UNITED_SANDBOX_PORT, problems);
  const caryrxSandboxPort = port(env.RXRELAY_CARYRX_SANDBOX_PORT, 'RXRELAY_CARYRX_SANDBOX_PORT', DEFAULT_CARYRX_SANDBOX_PORT, problems);
  const honeybeeSandboxPort = port(env.RXRELAY_HONEYBEE_SANDBOX_PORT, 'RXRELAY_HONEYBEE_SANDBOX_PORT', DEFAULT_HONEYBEE_SANDBOX_PORT, problems);

  const backupText = env.RXRELAY_BACKUP_INTERVAL_HOURS;
  const backupIntervalHours = backupText ? Number(backupText) : DEFAULT_BACKUP_INTERVAL_HOURS;
  const backupIntervalValid = Number.isFinite(backupIntervalHours) && backupIntervalHours >= 0 && backupIntervalHours <= 24 * 365;
  if (!backupIntervalValid) problems.push('RXRELAY_BACKUP_INTERVAL_HOURS must be a number of hours (0 turns automatic backups off)');
  const keepText = env.RXRELAY_BACKUP_KEEP;
  const backupKeep = keepText ? Number(keepText) : DEFAULT_BACKUP_KEEP;
  const backupKeepValid = Number.isInteger(backupKeep) && backupKeep >= 1 && backupKeep <= 10_000;
  if (!backupKeepValid) problems.push('RXRELAY_BACKUP_KEEP must be a whole number of backups, at least 1');

  const databaseKey = hexKey(env.RXRELAY_DB_KEY, 'RXRELAY_DB_KEY', problems);
  const newDatabaseKey = hexKey(env.RXRELAY_DB_NEW_KEY, 'RXRELAY_DB_NEW_KEY', problems);
  const allowUnprotectedKey = args.allowUnprotectedKey || booleanEnv(env.RXRELAY_ALLOW_UNPROTECTED_KEY, 'RXRELAY_ALLOW_UNPROTECTED_KEY', problems) === true;

  const sandboxEnv = booleanEnv(env.RXRELAY_SANDBOX, 'RXRELAY_SANDBOX', problems);
  const liveConfigured = statusUrl !== undefined;
  const [sandbox, sandboxReason]: [boolean, RxRelayConfig['sandboxReason']] = args.sandbox
    ? [true, 'flag']
    : sandboxEnv !== undefined
      ? [sandboxEnv, 'environment']
      : liveConfigured
        ? [false, 'live connection configured']
        : [true, 'nothing live configured'];

  const config: RxRelayConfig = {
    dataDir: flag('--data-dir', 'RXRELAY_DATA_DIR') || options.defaultDataDir || defaultDataDir(),
    bestrxHost: flag('--bestrx-host', 'RXRELAY_BESTRX_HOST') || '127.0.0.1',
    bestrxPort,
    uiPort,
    bestrxCredentials: credentials(env.RXRELAY_BESTRX_USER, env.RXRELAY_BESTRX_PASSWORD, 'RXRELAY_BESTRX_USER/PASSWORD', problems),
    statusUrl,
    statusCredentials: credentials(env.RXRELAY_STATUS_USER, env.RXRELAY_STATUS_PASSWORD, 'RXRELAY_STATUS_USER/PASSWORD', problems),
    apiToken,
    sandbox,
    sandboxReason,
    unitedSandboxPort,
    caryrxSandboxPort,
    honeybeeSandboxPort,
    sandboxStepMs: Number.isInteger(sandboxStepMs) && sandboxStepMs > 0 ? sandboxStepMs : DEFAULT_SANDBOX_STEP_MS,
    sandboxDemoIntervalMs: Number.isInteger(sandboxDemoIntervalMs) && sandboxDemoIntervalMs >= 0 ? sandboxDemoIntervalMs : DEFAULT_SANDBOX_DEMO_INTERVAL_MS,
    backupIntervalHours: backupIntervalValid ? backupIntervalHours : DEFAULT_BACKUP_INTERVAL_HOURS,
    backupKeep: backupKeepValid ? backupKeep : DEFAULT_BACKUP_KEEP,
    databaseKey,
    newDatabaseKey,
    allowUnprotectedKey,
    rotateDatabaseKey: args.rotateDatabaseKey,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, help: args.help };
}
