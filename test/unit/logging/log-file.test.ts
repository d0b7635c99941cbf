// The log file: rotated by size, a fixed number of files kept, lines appended once per turn of
// the event loop (errors at once), and its tail readable for diagnostics.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDataDirLog, readLogTail, RotatingLogFile } from '../../../src-main/core/log-file';
import { createJsonLogger, teeLogWriters } from '../../../src-main/core/logger';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rxrelay-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the rotating log file', () => {
  it('lives in <data-dir>/logs/rxrelay.log, owner-only, and gathers a turn of lines into one append', async () => {
    const log = openDataDirLog(dir);
    log.write('{"n":1}');
    log.write('{"n":2}');
    expect(existsSync(join(dir, 'logs', 'rxrelay.log'))).toBe(false);
    await nextTurn();
    expect(readFileSync(join(dir, 'logs', 'rxrelay.log'), 'utf8')).toBe('{"n":1}\n{"n":2}\n');
    if (process.platform !== 'win32') expect(statSync(join(dir, 'logs', 'rxrelay.log')).mode & 0o077).toBe(0);
    log.close();
  });

  it('appends an error line (and what came before it) at once', () => {
    const log = new RotatingLogFile({ dir });
    log.write('{"level":"info"}', 'info');
    log.write('{"level":"error"}', 'error');
    expect(readFileSync(join(dir, 'rxrelay.log'), 'utf8')).toBe('{"level":"info"}\n{"level":"error"}\n');
    log.close();
  });

  it('rotates at the size limit and keeps the configured number of files', () => {
    const log = new RotatingLogFile({ dir, maxBytes: 1000, files: 3 });
    const line = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(80) });
    for (let n = 0; n < 100; n++) {
      log.write(line(n));
      log.flush();
    }
    log.close();
    expect(readdirSync(dir).sort()).toEqual(['rxrelay.log', 'rxrelay.log.1', 'rxrelay.log.2']);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(1000);
    // Nothing lost within what is kept: the tail runs in order up to the last line.
    const tail = readLogTail(dir, 15, { files: 3 });
    expect(tail.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual(Array.from({ length: 15 }, (_, i) => 85 + i));
  });

  it('picks up an existing file and its size after a restart', () => {
    const first = new RotatingLogFile({ dir, maxBytes: 200, files: 2 });
    first.write('a'.repeat(150), 'error');
    first.close();
    const second = new RotatingLogFile({ dir, maxBytes: 200, files: 2 });
    second.write('b'.repeat(100), 'error');
    second.close();
    expect(readFileSync(join(dir, 'rxrelay.log.1'), 'utf8')).toBe('a'.repeat(150) + '\n');
    expect(readFileSync(join(dir, 'rxrelay.log'), 'utf8')).toBe('b'.repeat(100) + '\n');
  });

  it('tail returns the newest lines, flushing what is buffered', () => {
    const log = new RotatingLogFile({ dir });
    for (let n = 0; n < 10; n++) log.write(String(n));
    expect(log.tail(3)).toEqual(['7', '8', '9']);
    expect(log.tail(100)).toHaveLength(10);
    log.close();
  });

  it('never throws into the caller when the disk refuses, and says so once', () => {
    const problems: string[] = [];
    const log = new RotatingLogFile({ dir, onError: (e) => problems.push(e.message) });
    rmSync(dir, { recursive: true, force: true });
    log.write('x', 'error');
    log.write('y', 'error');
    expect(problems).toHaveLength(1);
    log.close();
  });

  it('gets the same redacted lines as stderr through the tee', () => {
    const log = new RotatingLogFile({ dir });
    const stderr: string[] = [];
    const logger = createJsonLogger(teeLogWriters((line) => stderr.push(line), log.write));
    logger.error('bestrx.create_order', { order_id: 'RXR-0RCXK4M7QW2ZD9', first_name: 'Jane' });
    expect(log.tail(1)).toEqual(stderr);
    expect(stderr[0]).toContain('"first_name":"[redacted]"');
    log.close();
  });
});
