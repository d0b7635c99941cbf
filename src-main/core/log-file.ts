// The log on disk: `<data-dir>/logs/rxrelay.log`, the same redacted JSON lines as stderr (the
// logger redacts before any writer sees a line). Rotated by size: when the next write would take
// it past `maxBytes` (5 MiB), rxrelay.log becomes rxrelay.log.1, .1 becomes .2, and so on; `files`
// (5) files are kept in all, the oldest is deleted.
//
// Lines are gathered and appended together once per turn of the event loop (appendFileSync of a
// small buffer: one write system call, no stream to drain), so a burst of requests costs one
// append, not one per line. An error line is appended at once, and whatever is buffered is
// appended when the process exits, so the line that explains a crash is on disk. A failing disk
// never takes the app down: the problem is reported once (stderr) and logging to the file pauses.
import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLevel } from './logger';

export const LOG_DIR_NAME = 'logs';
export const LOG_FILE_NAME = 'rxrelay.log';
export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_LOG_FILES = 5;
/** Appended at once beyond this, without waiting for the end of the turn. */
const FLUSH_BYTES = 64 * 1024;
/** How much of each file `tail` reads from its end. */
const TAIL_READ_BYTES = 1024 * 1024;

export interface RotatingLogFileOptions {
  /** The folder (created 0700 if missing), usually `<data-dir>/logs`. */
  dir: string;
  fileName?: string;
  maxBytes?: number;
  /** Files kept in all, the current one included. */
  files?: number;
  /** Told once when the file cannot be written; by default a line on stderr. */
  onError?: (error: Error) => void;
}

export class RotatingLogFile {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly files: number;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private size: number;
  private scheduled: NodeJS.Immediate | undefined;
  private closed = false;
  private failed = false;
  private readonly flushOnExit = () => this.flush();

  constructor(private readonly options: RotatingLogFileOptions) {
    this.maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
    this.files = Math.max(1, options.files ?? DEFAULT_LOG_FILES);
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    this.path = join(options.dir, options.fileName ?? LOG_FILE_NAME);
    this.size = existsSync(this.path) ? statSync(this.path).size : 0;
    process.on('exit', this.flushOnExit);
  }

  /** A writer for createJsonLogger / teeLogWriters. */
  readonly write = (line: string, level?: LogLevel): void => {
    if (this.closed) return;
    const text = line.endsWith('\n') ? line : line + '\n';
    this.buffer.push(text);
    this.bufferedBytes += Buffer.byteLength(text);
    if (level === 'error' || this.bufferedBytes >= FLUSH_BYTES) {
      this.flush();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = setImmediate(() => {
        this.scheduled = undefined;
        this.flush();
      });
      // The exit handler appends what is left: a pending line never keeps the process alive.
      this.scheduled.unref();
    }
  };

  /** Appends everything buffered now. */
  flush(): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('');
    const bytes = this.bufferedBytes;
    this.buffer = [];
    this.bufferedBytes = 0;
    if (this.failed) return;
    try {
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      appendFileSync(this.path, text, { mode: 0o600 });
      this.size += bytes;
    } catch (error) {
      this.failed = true;
      const report = this.options.onError ?? ((e: Error) => process.stderr.write(`RxRelay cannot write its log file ${this.path}: ${e.message}\n`));
      try {
        report(error as Error);
      } catch {
        // nothing more to do
      }
    }
  }

  /** The last `lines` lines written (newest last), across rotated files. */
  tail(lines: number): string[] {
    this.flush();
    return readLogTail(this.options.dir, lines, { fileName: this.options.fileName, files: this.files });
  }

  close(): void {
    this.flush();
    this.closed = true;
    process.off('exit', this.flushOnExit);
  }

  private rotate(): void {
    // rxrelay.log.(files-1) goes; each older one moves up by one; the current one becomes .1.
    const oldest = this.files - 1;
    if (oldest === 0) {
      unlinkSync(this.path);
      this.size = 0;
      return;
    }
    removeIfPresent(`${this.path}.${oldest}`);
    for (let n = oldest - 1; n >= 1; n--) {
      if (existsSync(`${this.path}.${n}`)) renameSync(`${this.path}.${n}`, `${this.path}.${n + 1}`);
    }
    renameSync(this.path, `${this.path}.1`);
    this.size = 0;
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** The last up-to-`bytes` of a file as whole lines (the first, possibly cut, line is dropped). */
function readEndLines(path: string, bytes: number): string[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (length < size) lines.shift();
    return lines.filter((line) => line.length > 0);
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines of the log in `dir` (newest last), reading rotated files as needed. */
export function readLogTail(dir: string, lines: number, options: { fileName?: string | undefined; files?: number } = {}): string[] {
  const base = join(dir, options.fileName ?? LOG_FILE_NAME);
  const files = options.files ?? DEFAULT_LOG_FILES;
  let collected: string[] = [];
  for (let n = 0; n < files && collected.length < lines; n++) {
    const path = n === 0 ? base : `${base}.${n}`;
    if (!existsSync(path)) continue;
    collected = [...readEndLines(path, TAIL_READ_BYTES), ...collected];
  }
  return collected.slice(-lines);
}

/** The data folder's log file, `<data-dir>/logs/rxrelay.log`. */
export function openDataDirLog(dataDir: string, options: Omit<RotatingLogFileOptions, 'dir'> = {}): RotatingLogFile {
  return new RotatingLogFile({ ...options, dir: join(dataDir, LOG_DIR_NAME) });
}
