// Automatic online backups of the database: `<data-dir>/backups/rxrelay-<UTC time>.db`.
//
// How one is made, while the app keeps serving:
//   1. `VACUUM INTO` a temporary name. It reads one consistent snapshot (WAL: committed data
//      only, the WAL's too) and writes a compact copy, encrypted exactly as the database is:
//      SQLite3 Multiple Ciphers writes VACUUM INTO's output with the connection's cipher and key
//      (the backup API cannot: it refuses an encrypted source, or would write plaintext).
//   2. fsync the copy, then verify it: ATTACH it to the same connection (so with the same key),
//      `PRAGMA quick_check` and its schema version; DETACH.
//   3. Record it as verified (backups/manifest.json), rename it to its final name, fsync the folder.
//   4. Keep the newest `keep` verified backups; delete older verified ones. Never the one just
//      made; never a file this did not check (those are listed as unverified, for staff).
// Steps 1 and 2 read the whole database, and a year of deliveries with their signatures is
// gigabytes. On the app's connection they stop the event loop (measured, 156 MB encrypted, 2
// cores: 6.8 s in all, 3.9 s without a turn of the loop). The composition roots therefore run them
// on a worker thread (backup-thread.ts) over its own read-only connection opened with the app's
// key: the same 156 MB took 6.3 s with the event loop never held more than 63 ms (WAL: the reader
// never blocks the app's writes). Without the thread script (tests) they run on the app's
// connection, yielding to the event loop between the steps.
//
// A failure is logged, kept for the app to show (`backups.list` → last_failure, and a
// `backups.changed` event), and retried sooner than the interval; it never stops the app and
// never deletes a backup. Only files that passed the check ever get a final name.
//
// Schedule: every `intervalHours` (0 = off), and once shortly after start if the newest backup
// is older than that. Clock and timers are injected; timers are unref'd and cleared on stop.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { fsyncDirectory, fsyncFile, removeQuietly, writePrivateFileAtomically } from './durable-files';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BackupsOverview, BackupView } from '../../../src-shared/app-api-contract';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { SqliteDatabase, ThreadDatabase } from './database';

export const BACKUP_DIR_NAME = 'backups';
export const BACKUP_MANIFEST_NAME = 'manifest.json';
const BACKUP_NAME = /^rxrelay-(\d{8}T\d{6}Z)(?:-(\d+))?\.db$/;
const TEMP_NAME = /^rxrelay-\d{8}T\d{6}Z(?:-\d+)?\.db\.tmp$/;
/** setTimeout's limit (~24.8 days): longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const HOUR_MS = 3_600_000;

export interface BackupInfo {
  file_name: string;
  path: string;
  /** When it was taken (from its name, UTC). */
  created_at: Date;
  size_bytes: number;
  /** It passed PRAGMA quick_check when it was made, and is the same size as then. */
  verified: boolean;
  schema_version: number | null;
}

export interface BackupFailure {
  at: Date;
  message: string;
}

export interface BackupTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: BackupTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface BackupServiceOptions {
  db: SqliteDatabase;
  /** `<data-dir>/backups` */
  dir: string;
  clock: Clock;
  logger: Logger;
  /** Hours between automatic backups; 0 turns them off (`backups.run` still works). */
  intervalHours: number;
  /** How many backups to keep. */
  keep: number;
  timers?: BackupTimers;
  /** The first automatic backup waits this long after start (default 30 s), so start-up stays quick. */
  startDelayMs?: number;
  /** After a failure, the next try (default: an hour, or the interval if shorter). */
  retryDelayMs?: number;
  /** Told after every attempt (the app publishes `backups.changed`). */
  onChange?: (outcome: { ok: boolean }) => void;
  /** Lets the event loop serve requests between the steps; tests may make it immediate. */
  yieldToEventLoop?: () => Promise<void>;
  /** How the copy is made and checked (steps 1–2); by default on `db`'s connection, in this thread. */
  copier?: BackupCopier;
}

/**
 * Copies the database into `destination` (which must not exist), makes it durable and checks it.
 * `signal` aborts when the app stops: the copy is abandoned (and then deleted).
 */
export type BackupCopier = (destination: string, signal: AbortSignal) => Promise<{ schemaVersion: number }>;

const stoppedError = () => new BackupFailedError('RxRelay stopped while the backup was being made');

export class BackupFailedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupFailedError';
  }
}

interface ManifestEntry {
  verified_at: string;
  check: 'ok';
  schema_version: number;
  size_bytes: number;
}
type Manifest = Record<string, ManifestEntry>;

/** `rxrelay-20261121T090000Z.db` for 2026-11-21 09:00:00 UTC. */
export function backupFileName(at: Date, sequence = 0): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `rxrelay-${stamp}${sequence > 0 ? `-${sequence}` : ''}.db`;
}

/** The time in a backup's name, or undefined when the name is not a backup's. */
export function parseBackupFileName(name: string): { at: Date; sequence: number } | undefined {
  const match = BACKUP_NAME.exec(name);
  if (!match?.[1]) return undefined;
  const s = match[1];
  const at = new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);
  return Number.isNaN(at.getTime()) ? undefined : { at, sequence: Number(match[2] ?? 0) };
}

/** `20261121T090000Z`: for folder names (pre-restore-…). */
export function compactTimestamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}




function readManifest(dir: string): Manifest {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, BACKUP_MANIFEST_NAME), 'utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Manifest) : {};
  } catch {
    return {};
  }
}

function writeManifest(dir: string, manifest: Manifest): void {
  writePrivateFileAtomically(join(dir, BACKUP_MANIFEST_NAME), JSON.stringify(manifest, null, 2) + '\n');
}

/** The backups in `dir`, newest first. */
export function listBackups(dir: string): BackupInfo[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const manifest = readManifest(dir);
  const backups: Array<BackupInfo & { sequence: number }> = [];
  for (const name of names) {
    const parsed = parseBackupFileName(name);
    if (!parsed) continue;
    let size: number;
    try {
      size = statSync(join(dir, name)).size;
    } catch {
      continue;
    }
    const entry = manifest[name];
    const verified = entry?.check === 'ok' && entry.size_bytes === size;
    backups.push({
      file_name: name,
      path: join(dir, name),
      created_at: parsed.at,
      size_bytes: size,
      verified,
      schema_version: entry ? entry.schema_version : null,
      sequence: parsed.sequence,
    });
  }
  backups.sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || b.sequence - a.sequence);
  return backups.map(({ sequence: _sequence, ...backup }) => backup);
}

/** A name for attaching a backup to the app's connection while it is checked. */
const CHECK_SCHEMA = 'rxrelay_backup_check';

/**
 * Checks a database file through `db`'s connection (and so with its key): PRAGMA quick_check (or
 * integrity_check) and its schema version. Throws BackupFailedError when it is not sound.
 */
export function checkDatabaseFile(db: SqliteDatabase, file: string, check: 'quick_check' | 'integrity_check' = 'quick_check'): { schemaVersion: number } {
  try {
    db.prepare(`ATTACH DATABASE ? AS ${CHECK_SCHEMA}`).run(file);
  } catch (error) {
    throw new BackupFailedError(`the copy cannot be opened (${(error as Error).message})`, { cause: error });
  }
  try {
    let rows: Array<Record<string, unknown>>;
    try {
      rows = db.pragma(`${CHECK_SCHEMA}.${check}`) as Array<Record<string, unknown>>;
    } catch (error) {
      throw new BackupFailedError(`the copy cannot be read (${(error as Error).message})`, { cause: error });
    }
    const problems = rows.map((row) => String(Object.values(row)[0])).filter((value) => value !== 'ok');
    if (problems.length > 0 || rows.length === 0) {
      throw new BackupFailedError(`the copy failed its ${check}: ${problems.slice(0, 3).join('; ') || 'no answer'}`);
    }
    const schemaVersion = db.pragma(`${CHECK_SCHEMA}.user_version`, { simple: true }) as number;
    return { schemaVersion };
  } finally {
    db.exec(`DETACH DATABASE ${CHECK_SCHEMA}`);
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function vacuumInto(db: SqliteDatabase, destination: string): void {
  try {
    db.prepare('VACUUM INTO ?').run(destination);
  } catch (error) {
    throw new BackupFailedError(`the database could not be copied (${(error as Error).message})`, { cause: error });
  }
}

/** Steps 1–2 in one go (the backup thread's work). */
export function copyAndCheck(db: SqliteDatabase, destination: string): { schemaVersion: number } {
  vacuumInto(db, destination);
  fsyncFile(destination);
  return checkDatabaseFile(db, destination, 'quick_check');
}

/** Steps 1–2 on the app's own connection, letting the event loop run between them. */
export function inProcessCopier(db: SqliteDatabase, yieldNow: () => Promise<void> = nextTurn): BackupCopier {
  return async (destination, signal) => {
    vacuumInto(db, destination);
    await yieldNow();
    fsyncFile(destination);
    await yieldNow();
    if (signal.aborted || !db.open) throw stoppedError();
    return checkDatabaseFile(db, destination, 'quick_check');
  };
}

/** What the backup thread is given: the database as the sender thread gets it, and where to copy. */
export interface BackupThreadData {
  database: ThreadDatabase;
  destination: string;
}

export type BackupThreadReply = { ok: true; schemaVersion: number } | { ok: false; message: string };

/** Steps 1–2 on a worker thread (`script`: the built backup-thread.js) with its own read-only connection. */
export function threadCopier(options: { script: string; database: BackupThreadData['database'] }): BackupCopier {
  return (destination, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(stoppedError());
        return;
      }
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        outcome();
      };
      const worker = new Worker(options.script, { workerData: { database: options.database, destination } satisfies BackupThreadData });
      worker.once('message', (reply: BackupThreadReply) =>
        settle(() => (reply.ok ? resolve({ schemaVersion: reply.schemaVersion }) : reject(new BackupFailedError(reply.message)))),
      );
      worker.once('error', (error) => settle(() => reject(new BackupFailedError(`the backup thread failed (${error.message})`, { cause: error }))));
      worker.once('exit', (code) =>
        settle(() => reject(signal.aborted ? stoppedError() : new BackupFailedError(`the backup thread stopped before it finished (exit code ${code})`))),
      );
      // Stopping the app does not wait for a long copy: the thread is ended (its connection is
      // closed as the thread goes) and the half-made copy deleted.
      signal.addEventListener('abort', () => void worker.terminate(), { once: true });
    });
}

export class BackupService {
  private readonly timers: BackupTimers;
  private readonly copier: BackupCopier;
  private timer: unknown;
  private running: Promise<BackupInfo> | undefined;
  private abort = new AbortController();
  private started = false;
  private stopped = false;
  private nextDue: Date | undefined;
  private failure: BackupFailure | undefined;

  constructor(private readonly options: BackupServiceOptions) {
    this.timers = options.timers ?? systemTimers;
    this.copier = options.copier ?? inProcessCopier(options.db, options.yieldToEventLoop);
  }

  get dir(): string {
    return this.options.dir;
  }

  get intervalHours(): number {
    return this.options.intervalHours;
  }

  get keep(): number {
    return this.options.keep;
  }

  /** When the next automatic backup is due (undefined when they are off or stopped). */
  get nextAt(): Date | undefined {
    return this.started && !this.stopped ? this.nextDue : undefined;
  }

  /** The last attempt's failure; cleared by the next backup that works. */
  get lastFailure(): BackupFailure | undefined {
    return this.failure;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  list(): BackupInfo[] {
    return listBackups(this.options.dir);
  }

  /** Starts the schedule (nothing when the interval is 0). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.removeLeftovers();
    if (!(this.options.intervalHours > 0)) {
      this.options.logger.info('backups.schedule_off', { keep: this.options.keep });
      return;
    }
    const newest = this.list().find((b) => b.verified);
    const now = this.options.clock.now();
    const due = newest ? new Date(newest.created_at.getTime() + this.intervalMs()) : now;
    if (due.getTime() <= now.getTime()) {
      // The newest is older than the interval (or there is none): one soon after start.
      this.nextDue = new Date(now.getTime() + (this.options.startDelayMs ?? 30_000));
    } else {
      this.nextDue = due;
    }
    this.arm();
    this.options.logger.info('backups.scheduled', {
      interval_hours: this.options.intervalHours,
      keep: this.options.keep,
      next_at: this.nextDue.toISOString(),
    });
  }

  /** Stops the schedule and a backup in progress (abandoned, its copy deleted). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  /** A backup now (joins one already in progress). Rejects with BackupFailedError. */
  runNow(): Promise<BackupInfo> {
    if (this.stopped) return Promise.reject(new BackupFailedError('RxRelay is stopping; no backup was made.'));
    if (!this.running) {
      this.running = this.backUp().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private intervalMs(): number {
    return this.options.intervalHours * HOUR_MS;
  }

  private arm(): void {
    this.disarm();
    if (this.stopped || !this.nextDue || !(this.options.intervalHours > 0)) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, this.nextDue.getTime() - this.options.clock.now().getTime()));
    const handle = this.timers.setTimeout(() => this.tick(), wait);
    (handle as { unref?: () => void } | undefined)?.unref?.();
    this.timer = handle;
  }

  private disarm(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped || !this.nextDue) return;
    // Timers fire early or late, and long waits are cut at setTimeout's limit: the clock decides.
    if (this.nextDue.getTime() > this.options.clock.now().getTime() + 1000) {
      this.arm();
      return;
    }
    this.runNow().then(
      () => undefined,
      () => undefined, // logged and kept as lastFailure by backUp; the next try is armed there
    );
  }

  private async backUp(): Promise<BackupInfo> {
    const { dir, clock, logger } = this.options;
    const startedAt = clock.now();
    const started = Date.now();
    let temporary: string | undefined;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const name = this.freshName(startedAt);
      const finalPath = join(dir, name);
      temporary = `${finalPath}.tmp`;
      // 1–2. The copy, durable and checked (VACUUM INTO refuses an existing target: a leftover goes first).
      removeQuietly(temporary);
      const { schemaVersion } = await this.copier(temporary, this.abort.signal);
      const size = statSync(temporary).size;
      // 3. Recorded as verified, then given its name.
      const manifest = readManifest(dir);
      manifest[name] = { verified_at: clock.now().toISOString(), check: 'ok', schema_version: schemaVersion, size_bytes: size };
      writeManifest(dir, manifest);
      renameSync(temporary, finalPath);
      temporary = undefined;
      fsyncDirectory(dir);
      // 4. Retention.
      const removed = this.prune(name);
      const backup = this.list().find((b) => b.file_name === name);
      if (!backup) throw new BackupFailedError(`the backup ${name} is missing after it was made`);
      this.failure = undefined;
      logger.info('backups.created', {
        file: name,
        size_bytes: size,
        schema_version: schemaVersion,
        duration_ms: Date.now() - started,
        removed: removed.length,
      });
      this.scheduleNext(new Date(startedAt.getTime() + this.intervalMs()));
      this.notify(true);
      return backup;
    } catch (error) {
      if (temporary) removeQuietly(temporary);
      const failure = error instanceof BackupFailedError ? error : new BackupFailedError((error as Error).message, { cause: error });
      if (this.stopped) {
        // Abandoned because the app is stopping: not a failure to show; the next start makes one.
        logger.warn('backups.abandoned', { reason: failure.message });
        throw failure;
      }
      this.failure = { at: clock.now(), message: `The backup failed: ${failure.message}` };
      logger.error('backups.failed', {
        error: (error as Error).name,
        code: (error as NodeJS.ErrnoException).code ?? null,
        reason: failure.message,
      });
      this.scheduleNext(new Date(clock.now().getTime() + Math.min(this.options.retryDelayMs ?? HOUR_MS, this.intervalMs() || HOUR_MS)));
      this.notify(false);
      throw failure;
    }
  }

  private scheduleNext(at: Date): void {
    if (!this.started || this.stopped || !(this.options.intervalHours > 0)) return;
    this.nextDue = at;
    this.arm();
  }

  private notify(ok: boolean): void {
    try {
      this.options.onChange?.({ ok });
    } catch {
      // A listener's failure is not the backup's.
    }
  }

  /** A name no backup has yet (two in the same second get -1, -2, …). */
  private freshName(at: Date): string {
    const taken = new Set(this.list().map((b) => b.file_name));
    for (let sequence = 0; ; sequence++) {
      const name = backupFileName(at, sequence);
      if (!taken.has(name)) return name;
    }
  }

  /**
   * Deletes the oldest verified backups beyond `keep`; never `justMade`. Files that did not pass
   * the check here (put there by hand, changed since) are not counted and not deleted: they are
   * listed as unverified for staff to look at.
   */
  private prune(justMade: string): string[] {
    const backups = this.list().filter((b) => b.verified);
    const keepNames = new Set(backups.slice(0, Math.max(1, this.options.keep)).map((b) => b.file_name));
    keepNames.add(justMade);
    const removed: string[] = [];
    for (const backup of backups) {
      if (keepNames.has(backup.file_name)) continue;
      try {
        unlinkSync(backup.path);
        removed.push(backup.file_name);
      } catch (error) {
        this.options.logger.warn('backups.remove_failed', { file: backup.file_name, code: (error as NodeJS.ErrnoException).code ?? null });
      }
    }
    if (removed.length > 0) {
      const manifest = readManifest(this.options.dir);
      for (const name of removed) delete manifest[name];
      try {
        writeManifest(this.options.dir, manifest);
      } catch {
        // A stale entry names a file that is gone: harmless.
      }
    }
    return removed;
  }

  /** Temporary copies left by a crash in the middle of a backup. */
  private removeLeftovers(): void {
    let names: string[];
    try {
      names = readdirSync(this.options.dir);
    } catch {
      return;
    }
    for (const name of names) if (TEMP_NAME.test(name)) removeQuietly(join(this.options.dir, name));
  }
}

/** A backup as the app API shows it. */
export function toBackupView(backup: BackupInfo): BackupView {
  return {
    file_name: backup.file_name,
    created_at: backup.created_at.toISOString(),
    size_bytes: backup.size_bytes,
    verified: backup.verified,
    schema_version: backup.schema_version,
  };
}

/** `backups.list`: the backups, newest first, and the schedule. */
export function backupsOverview(service: BackupService): BackupsOverview {
  const failure = service.lastFailure;
  return {
    backups: service.list().map(toBackupView),
    directory: service.dir,
    interval_hours: service.intervalHours,
    keep: service.keep,
    next_at: service.nextAt?.toISOString() ?? null,
    running: service.isRunning,
    last_failure: failure ? { at: failure.at.toISOString(), message: failure.message } : null,
  };
}
