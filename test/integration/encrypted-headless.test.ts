// Headless mode as operators run it (the built entry, in a child process) keeps its database
// encrypted: a 0600 key file made at first start, the same key at the next start, no patient
// name anywhere in the data folder, a key file others can read refused, and `npm run rotate-key`
// (`headless.js --rotate-db-key`) re-encrypting with a new key.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseKeyError, openDatabase } from '../../src-main/core/storage/database';
import { createOrderBody, seedExample } from '../helpers/fixtures';
import { startHeadlessProcess, type RunningHeadless } from '../helpers/headless-process';
import { basicAuth } from '../helpers/http';
import { buildMainProcessInto, ROOT } from '../helpers/main-build';

const BESTRX = { username: 'bestrx', password: 'bestrx-password-123' };
const API_TOKEN = 'encrypted-test-token-0123456789';
const PATIENT = 'Ottoline Vandermeerschaert';
const posix = process.platform !== 'win32';

let outDir: string;
let dataDir: string;

beforeAll(() => {
  // The main-process build only, into a folder of its own (other tests build out/main meanwhile).
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  outDir = mkdtempSync(join(ROOT, 'out', 'encrypted-test-'));
  buildMainProcessInto(outDir);
  dataDir = mkdtempSync(join(tmpdir(), 'rxrelay-encrypted-'));
}, 180_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const keyFile = () => join(dataDir, 'rxrelay.key');

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    RXRELAY_SANDBOX: '0',
    RXRELAY_BESTRX_USER: BESTRX.username,
    RXRELAY_BESTRX_PASSWORD: BESTRX.password,
    RXRELAY_API_TOKEN: API_TOKEN,
    ...extra,
  };
}

type RunningApp = RunningHeadless;

function startApp(extra: Record<string, string> = {}): Promise<RunningApp> {
  return startHeadlessProcess({ script: join(outDir, 'main', 'headless.js'), dataDir, cwd: ROOT, env: environment(extra) });
}

/** Runs headless.js to its end: its exit code and what it printed. */
function runToEnd(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(outDir, 'main', 'headless.js'), '--data-dir', dataDir, '--bestrx-port', '0', '--ui-port', '0', ...args], {
    cwd: ROOT,
    env: environment(extra),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

function stop(running: RunningApp): Promise<void> {
  return new Promise((resolve) => {
    running.child.once('exit', () => resolve());
    running.child.kill('SIGTERM');
  });
}

async function appApi<T>(running: RunningApp, method: string, input: object): Promise<{ ok: boolean; value?: T }> {
  const response = await fetch(`${running.uiUrl}api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  return (await response.json()) as { ok: boolean; value?: T };
}

/** Every file under the data folder, with its bytes. */
function dataFiles(folder = dataDir): Array<{ path: string; bytes: Buffer }> {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? dataFiles(join(folder, entry.name)) : [{ path: join(folder, entry.name), bytes: readFileSync(join(folder, entry.name)) }],
  );
}

const keyInFile = () => Buffer.from(readFileSync(keyFile(), 'utf8').trim(), 'hex');

describe('headless mode, encrypted', () => {
  let orderId: string;

  it('starts encrypted with a 0600 key file, keeps no patient name on disk, and restarts with the same key', async () => {
    const app = await startApp();
    try {
      const seed = seedExample('create-order.request');
      const body = createOrderBody({
        recipient: { ...seed.recipient, last_name: PATIENT },
        customers: seed.customers.map((customer: object) => ({ ...customer, last_name: PATIENT })),
      });
      const response = await fetch(`${app.bestrxUrl}/Order/CreateOrder`, {
        method: 'POST',
        headers: { authorization: basicAuth(BESTRX.username, BESTRX.password), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      orderId = ((await response.json()) as { data: { provider_order_id: string } }).data.provider_order_id;
      expect(orderId).toMatch(/^RXR-/);

      expect(readFileSync(keyFile(), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
      if (posix) expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
      // While it runs: the database, its WAL, and everything else in the data folder.
      const files = dataFiles();
      expect(files.map((file) => file.path)).toEqual(expect.arrayContaining([join(dataDir, 'rxrelay.db'), join(dataDir, 'rxrelay.db-wal')]));
      for (const file of files) {
        expect(file.bytes.includes(PATIENT), `${file.path} holds the patient's name`).toBe(false);
        expect(file.bytes.subarray(0, 16).toString('latin1'), file.path).not.toBe('SQLite format 3\0');
      }
    } finally {
      await stop(app);
    }
    const key = readFileSync(keyFile(), 'utf8');
    const again = await startApp();
    try {
      expect((await appApi<{ id: string }>(again, 'orders.get', { id: orderId })).value?.id).toBe(orderId);
      expect(readFileSync(keyFile(), 'utf8')).toBe(key);
    } finally {
      await stop(again);
    }
    for (const file of dataFiles()) expect(file.bytes.includes(PATIENT), `${file.path} holds the patient's name`).toBe(false);
  }, 60_000);

  it.runIf(posix)('refuses to start when others can read the key file, and says what to do', async () => {
    chmodSync(keyFile(), 0o644);
    try {
      const result = await runToEnd([]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/can be read by other users \(mode 0644\)/);
      expect(result.stderr).toMatch(/chmod 600/);
      expect(result.stderr).not.toContain(readFileSync(keyFile(), 'utf8').trim());
    } finally {
      chmodSync(keyFile(), 0o600);
    }
  }, 30_000);

  it('refuses a wrong RXRELAY_DB_KEY, and a key file is not used instead', async () => {
    const result = await runToEnd([], { RXRELAY_DB_KEY: 'ab'.repeat(32) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/this key does not open the database .*RXRELAY_DB_KEY/);
  }, 30_000);

  it('rotates the key (npm run rotate-key): the old key stops working, the orders stay', async () => {
    const oldKey = keyInFile();
    const result = await runToEnd(['--rotate-db-key']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Database key rotated/);
    const newKey = keyInFile();
    expect(newKey.equals(oldKey)).toBe(false);
    expect(result.stdout + result.stderr).not.toContain(newKey.toString('hex'));
    expect(() => openDatabase({ file: join(dataDir, 'rxrelay.db'), key: oldKey })).toThrow(DatabaseKeyError);

    const app = await startApp();
    try {
      expect((await appApi<{ id: string }>(app, 'orders.get', { id: orderId })).value?.id).toBe(orderId);
      // RXRELAY_DB_KEY with the new key opens it too (what an operator moving the key to a secret manager does).
    } finally {
      await stop(app);
    }
    const withEnvironment = await startApp({ RXRELAY_DB_KEY: newKey.toString('hex') });
    await stop(withEnvironment);
  }, 60_000);
});
