// One RxRelay per data folder. The headless app and the Electron app take `<data-dir>/rxrelay.lock`
// before they open the database, and the restore command takes it before it touches anything:
// a restore can never swap the database under a running app, and two apps never share one
// database (they would also fight over the BestRx port). Electron's single-instance lock is per
// user profile; this one is per data folder, and works across headless and Electron.
//
// The lock file is created exclusively (O_EXCL) and holds who took it. A lock left behind by a
// crash or a power cut is taken over when its process is gone, or when it was taken before the
// machine last started (after a reboot its process id may belong to something else now).
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname, uptime } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE_NAME = 'rxrelay.lock';

export type LockHolderKind = 'headless' | 'electron' | 'restore';

export interface LockHolder {
  pid: number;
  kind: LockHolderKind;
  host: string;
  started_at: string;
  token: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
    readonly lockPath: string,
  ) {
    const who = holder
      ? `RxRelay (${holder.kind}, process ${holder.pid}${holder.host !== hostname() ? ` on ${holder.host}` : ''}, since ${holder.started_at})`
      : 'another RxRelay';
    super(
      `${who} is using the data folder ${dataDir}. Stop it first. ` +
        `If you are sure nothing is running, delete ${lockPath} and try again.`,
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): void;
}

export interface AcquireLockOptions {
  kind: LockHolderKind;
  /** Tests: whether a process is alive, when the machine started, the time now. */
  isAlive?: (pid: number) => boolean;
  bootTime?: () => Date;
  now?: () => Date;
  pid?: number;
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.started_at !== 'string') return undefined;
    return {
      pid: parsed.pid,
      kind: parsed.kind ?? 'headless',
      host: parsed.host ?? '',
      started_at: parsed.started_at,
      token: parsed.token ?? '',
    };
  } catch {
    return undefined;
  }
}

/** Who holds the data folder's lock now, if anyone (a stale lock counts as nobody). */
export function dataDirLockHolder(dataDir: string, options: Omit<AcquireLockOptions, 'kind'> = {}): LockHolder | undefined {
  const path = join(dataDir, LOCK_FILE_NAME);
  const holder = readHolder(path);
  if (!holder) return undefined;
  return isStale(holder, options) ? undefined : holder;
}

function bootTimeOf(options: Omit<AcquireLockOptions, 'kind'>): Date {
  return options.bootTime ? options.bootTime() : new Date(Date.now() - uptime() * 1000);
}

function isStale(holder: LockHolder, options: Omit<AcquireLockOptions, 'kind'>): boolean {
  // On another machine (a shared folder) there is no telling: it holds.
  if (holder.host && holder.host !== hostname()) return false;
  const started = Date.parse(holder.started_at);
  const boot = bootTimeOf(options);
  // A minute of slack: uptime and the wall clock do not agree to the millisecond.
  if (Number.isFinite(started) && started < boot.getTime() - 60_000) return true;
  return !(options.isAlive ?? processIsAlive)(holder.pid);
}

function writtenBeforeBoot(path: string, options: Omit<AcquireLockOptions, 'kind'>): boolean {
  try {
    return statSync(path).mtimeMs < bootTimeOf(options).getTime() - 60_000;
  } catch {
    return false;
  }
}

/**
 * Takes the data folder's lock or throws DataDirLockedError. The lock is released by `release()`
 * and, failing that, when the process exits.
 */
export function acquireDataDirLock(dataDir: string, options: AcquireLockOptions): DataDirLock {
  const path = join(dataDir, LOCK_FILE_NAME);
  const holder: LockHolder = {
    pid: options.pid ?? process.pid,
    kind: options.kind,
    host: hostname(),
    started_at: (options.now ?? (() => new Date()))().toISOString(),
    token: randomUUID(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = readHolder(path);
      // A lock file without a readable holder is being written right now, or was torn by a crash:
      // it is taken over only when it predates the machine's start.
      const stale = current ? isStale(current, options) : writtenBeforeBoot(path, options);
      if (stale && attempt === 0) {
        try {
          unlinkSync(path);
        } catch (unlinkError) {
          if ((unlinkError as NodeJS.ErrnoException).code !== 'ENOENT') throw unlinkError;
        }
        continue;
      }
      throw new DataDirLockedError(dataDir, current, path);
    }
    try {
      writeSync(fd, JSON.stringify(holder) + '\n');
    } finally {
      closeSync(fd);
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      if (readHolder(path)?.token !== holder.token) return;
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
    };
    process.on('exit', release);
    return { path, holder, release };
  }
  throw new DataDirLockedError(dataDir, readHolder(path), path);
}
