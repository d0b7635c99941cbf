// Starts the real core (BestRx listener on a loopback port, SQLite in a temp folder) for a test.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src-main/core/clock';
import { loadConfig } from '../../src-main/core/config/config';
import type { DocumentPrinter } from '../../src-main/core/labels/document-service';
import { silentLogger, type Logger } from '../../src-main/core/logger';
import { startRxRelayCore, type RxRelayCore } from '../../src-main/core/rxrelay-core';
import { createMemorySecretStore, createMemorySettingsStore, type SecretStore } from '../../src-main/core/settings/settings-store';
import { openDatabase, type SqliteDatabase } from '../../src-main/core/storage/database';
import { basicAuth, httpRequest, type RawResponse } from './http';

export const TEST_CREDENTIALS = { username: 'bestrx-test', password: 'correct horse battery staple' };

export interface Harness {
  core: RxRelayCore;
  db: SqliteDatabase;
  /** The key the database file is encrypted with. */
  dbKey: Buffer;
  dataDir: string;
  baseUrl: string;
  host: string;
  auth: string;
  /** Waits until the status-push worker has nothing due, so the database holds still. */
  settle(): Promise<void>;
  /** POST a JSON body to a BestRx path with valid credentials and Host. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<RawResponse>;
  stop(): Promise<void>;
}

export class FakeClock implements Clock {
  constructor(private current = new Date('2026-11-21T09:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export async function startHarness(
  options: {
    clock?: Clock;
    settings?: Record<string, unknown>;
    printer?: DocumentPrinter;
    /** Default true. */
    sandbox?: boolean;
    /** Default: TEST_CREDENTIALS from the environment; 'generated': made and stored at first start. */
    bestrxCredentials?: 'environment' | 'generated';
    /** The partner simulators' step (RXRELAY_SANDBOX_STEP_MS); default an hour, so they move only when a test says. */
    sandboxStepMs?: number;
    /** Default false: tests run partner passes themselves (`core.partnerEngine.runUntilIdle`). */
    partnerSchedule?: boolean;
    partnerCrashPoint?: (point: string) => void;
    /** Shared with the test, to inspect what the core stored (partner credentials). */
    secrets?: SecretStore;
    /** A built bestrx-listener.js: BestRx's listener on its own thread, as the composition roots run it. */
    listenerThreadScript?: string;
    logger?: Logger;
  } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rxrelay-test-'));
  const { config } = loadConfig(['--data-dir', dataDir, '--bestrx-port', '0', '--ui-port', '0'], {
    ...(options.bestrxCredentials === 'generated'
      ? {}
      : { RXRELAY_BESTRX_USER: TEST_CREDENTIALS.username, RXRELAY_BESTRX_PASSWORD: TEST_CREDENTIALS.password }),
    // Sandbox mode (nothing live configured) with its BestRx simulator, but no demo orders
    // arriving in the middle of a test.
    RXRELAY_SANDBOX_DEMO_INTERVAL_MS: '0',
    // The United simulator on any free port (tests run in parallel; 8082 may be taken).
    RXRELAY_UNITED_SANDBOX_PORT: '0',
    RXRELAY_CARYRX_SANDBOX_PORT: '0',
    RXRELAY_HONEYBEE_SANDBOX_PORT: '0',
    RXRELAY_SANDBOX_STEP_MS: String(options.sandboxStepMs ?? 3_600_000),
    ...(options.sandbox === false ? { RXRELAY_SANDBOX: '0' } : {}),
  }, { strict: true });
  // Encrypted as in the app, with a key made for this test: every harness test runs on AEGIS-256 pages.
  const dbKey = randomBytes(32);
  const db = openDatabase({ file: join(dataDir, 'rxrelay.db'), key: dbKey });
  let core: RxRelayCore;
  try {
    core = await startRxRelayCore({
      config,
      db,
      settings: createMemorySettingsStore(options.settings),
      secrets: options.secrets ?? createMemorySecretStore(),
      partnerSchedule: options.partnerSchedule ?? false,
      partnerCrashPoint: options.partnerCrashPoint,
      // Backups only when a test asks (backups.run): no copy made behind a test's back.
      backupSchedule: false,
      clock: options.clock ?? new FakeClock(),
      logger: options.logger ?? silentLogger,
      mode: 'headless',
      version: 'test',
      printer: options.printer,
      bestrxListenerThreadScript: options.listenerThreadScript,
    });
  } catch (error) {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const baseUrl = core.bestrx.url;
  const host = new URL(baseUrl).host;
  const auth = basicAuth(TEST_CREDENTIALS.username, TEST_CREDENTIALS.password);
  return {
    core,
    db,
    dbKey,
    dataDir,
    baseUrl,
    host,
    auth,
    settle: async () => {
      await core.statusWorker?.runUntilIdle();
    },
    post: (path, body, headers = {}) =>
      httpRequest(baseUrl + path, {
        headers: { 'content-type': 'application/json', authorization: auth, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async stop() {
      await core.stop();
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every row of every table, so a test can prove a rejected request changed nothing. */
export function snapshotDatabase(db: SqliteDatabase): Record<string, unknown[]> {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>;
  return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all()]));
}
