// A headless RxRelay of a spec's own, beside the shared one playwright.config.ts starts: for
// specs that change what every other spec relies on (staff accounts lock every desk that has not
// signed in). Same build (`out/main/headless.js`, made by the shared server's `npm run serve`),
// same environment, its own empty data folder and free ports, stopped at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVER_ENV } from './e2e-env';

export interface OwnServer {
  /** The UI, e.g. http://127.0.0.1:40123/ */
  uiUrl: string;
  /** The BestRx endpoint, e.g. http://127.0.0.1:40122 */
  bestrxUrl: string;
  apiToken: string;
  dataDir: string;
  stop(): Promise<void>;
}

const READY = /^RxRelay ready: BestRx endpoint (\S+) \| UI (\S+) \|/;
const START_TIMEOUT_MS = 60_000;

export async function startOwnServer(name: string, apiToken: string): Promise<OwnServer> {
  const dataDir = mkdtempSync(join(tmpdir(), `rxrelay-e2e-${name}-`));
  const child = spawn(process.execPath, ['out/main/headless.js', '--data-dir', dataDir, '--bestrx-port', '0', '--ui-port', '0'], {
    env: {
      ...process.env,
      ...SERVER_ENV,
      RXRELAY_API_TOKEN: apiToken,
      // Any free ports: the shared server holds e2e-env's.
      RXRELAY_UNITED_SANDBOX_PORT: '0',
      RXRELAY_CARYRX_SANDBOX_PORT: '0',
      RXRELAY_HONEYBEE_SANDBOX_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The log (stderr) is kept for a failed start; it is read all along so the pipe never fills.
  const log: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    log.push(line);
    if (log.length > 50) log.shift();
  });

  const ready = await new Promise<{ uiUrl: string; bestrxUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`RxRelay (${name}) did not print its ready line in ${START_TIMEOUT_MS} ms:\n${log.join('\n')}`)), START_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = READY.exec(line);
      if (!match?.[1] || !match[2]) return;
      clearTimeout(timer);
      resolve({ bestrxUrl: match[1], uiUrl: match[2] });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`RxRelay (${name}) exited with ${code} before it was ready:\n${log.join('\n')}`));
    });
  }).catch(async (error: unknown) => {
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });

  return {
    ...ready,
    apiToken,
    dataDir,
    async stop() {
      await stopProcess(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** SIGTERM (the app closes its database), then SIGKILL after 5 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
