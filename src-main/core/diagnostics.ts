// "Export diagnostics": one JSON document a pharmacy can send to support, with no patient data
// and no secrets in it. What it holds, and how each part is kept clean:
//   - app version and mode, OS, platform, Node/Electron/SQLite versions: no PHI by nature;
//   - the configuration: numbers and booleans as they are; anything named like a credential
//     (user, password, token, secret, key, …) only as "set"/"not set"; URLs without their
//     credentials, query or fragment; the home folder shown as ~;
//   - the schema version, and COUNTS of rows per table (never a row);
//   - status pushes by state (counts), backups (names, times, sizes), partner health without
//     webhook URLs (they carry tokens) and with URLs cleaned;
//   - the last lines of the log: written redacted by the logger, and redacted again here, field
//     by field, in case a line reached the file some other way (a line that is not the logger's
//     JSON is left out: its free text could hold a name).
// Everything outside the log lines is then scrubbed once more as free text (emails, phone
// numbers, long digit runs, base64 blobs). A test seeds an order full of PHI (names, addresses,
// phones, email, Rx numbers, a signature, an ID number) and looks for every one of them.
import { statfsSync } from 'node:fs';
import { arch, cpus, homedir, platform, release, totalmem, type } from 'node:os';
import type { AppInfo, AppSettings, PartnerStatusView, RenderedDocument } from '../../src-shared/app-api-contract';
import type { Clock } from './clock';
import type { RxRelayConfig } from './config/config';
import { redactLogFields, REDACTED, scrubText } from './logger';
import { compactTimestamp, type BackupInfo, type BackupFailure } from './storage/backups';
import type { SqliteDatabase } from './storage/database';
import { MIGRATIONS, schemaVersion } from './storage/migrations';
import { countStatusPushesByState } from './storage/status-pushes-repository';

export const DIAGNOSTICS_FORMAT = 'rxrelay-diagnostics/1';
export const DEFAULT_DIAGNOSTICS_LOG_LINES = 500;

export interface DiagnosticsSources {
  db: SqliteDatabase;
  config: RxRelayConfig;
  info: AppInfo;
  clock: Clock;
  settings: () => AppSettings;
  partners: () => PartnerStatusView[];
  backups: () => { backups: BackupInfo[]; intervalHours: number; keep: number; nextAt: Date | undefined; lastFailure: BackupFailure | undefined };
  /** The last `lines` lines of the log file, oldest first. */
  logTail: (lines: number) => string[];
  logLines?: number;
}

/** Names of configuration values that are credentials or hold them. */
const SECRET_NAME = /cred|pass|token|secret|key|auth|cookie|cipher|user/i;

/** A URL without credentials, query or fragment; undefined when it is not a URL. */
export function cleanUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

function tildify(path: string): string {
  const home = homedir();
  return home && path.startsWith(home) ? `~${path.slice(home.length)}` : path;
}

/** The configuration with every secret reduced to whether it is set. */
export function configForDiagnostics(config: RxRelayConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config) as Array<[string, unknown]>) {
    // A flag or a number says nothing secret, whatever its name (allowUnprotectedKey).
    if (typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else if (SECRET_NAME.test(key)) out[key] = value === undefined || value === null || value === '' ? 'not set' : 'set';
    else if (value === undefined || value === null) out[key] = null;
    else if (typeof value === 'string') out[key] = key === 'dataDir' ? tildify(value) : /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? (cleanUrl(value) ?? REDACTED) : value;
    else out[key] = 'set';
  }
  return out;
}

/** Quoted text in an error message is usually a value the partner echoed back: out it goes. */
function cleanMessage(message: string | null): string | null {
  if (message === null) return null;
  return scrubText(message.replace(/(["'“‘`])[^"'”’`]{1,200}(["'”’`])/g, '$1[redacted]$2'));
}

function partnerForDiagnostics(status: PartnerStatusView): Record<string, unknown> {
  const { webhook_url: webhookUrl, base_url: baseUrl, last_error: lastError, ...rest } = status;
  return {
    ...rest,
    base_url: cleanUrl(baseUrl) ?? (baseUrl ? REDACTED : ''),
    // The webhook URL carries the secret a partner's callbacks must present.
    webhook_url_set: webhookUrl !== null,
    last_error: cleanMessage(lastError),
  };
}

function rowCounts(db: SqliteDatabase): Record<string, number> {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as Array<{ name: string }>;
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    counts[name] = (db.prepare(`SELECT COUNT(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n;
  }
  return counts;
}

/**
 * A log line redacted again, field by field. A line that is not one of the logger's JSON lines
 * (written by something else) is left out: free text can hide a name no pattern recognises.
 */
function cleanLogLine(line: string): string {
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const { time, level, event, ...fields } = parsed as Record<string, unknown>;
      return JSON.stringify({
        time: typeof time === 'string' ? scrubText(time, { keepDigits: true }) : time,
        level: typeof level === 'string' ? scrubText(level) : level,
        event: typeof event === 'string' ? scrubText(event, { keepDigits: true }) : event,
        ...redactLogFields(fields),
      });
    }
  } catch {
    // not JSON: left out below
  }
  return JSON.stringify({ diagnostics_note: `a line of ${line.length} characters not written by RxRelay's logger was left out` });
}

/** Every string in `value` scrubbed as free text (the bundle's last pass, logs excepted). */
function scrubDeep(value: unknown): unknown {
  if (typeof value === 'string') return scrubText(value, { keepDigits: false });
  if (Array.isArray(value)) return value.map(scrubDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubIdentifier(k, v)]));
  return value;
}

/** Identifiers (device_id, file names, ids) keep their digits; everything else is scrubbed in full. */
function scrubIdentifier(key: string, value: unknown): unknown {
  if (typeof value === 'string' && /(?:^id$|_id$|^file_name$|^version$|_version$|^node$|^v8$|^electron$|^sqlite$)/.test(key)) return scrubText(value, { keepDigits: true });
  return scrubDeep(value);
}

function diskFree(path: string): { free_bytes: number; total_bytes: number } | null {
  try {
    const stats = statfsSync(path);
    return { free_bytes: stats.bavail * stats.bsize, total_bytes: stats.blocks * stats.bsize };
  } catch {
    return null;
  }
}

export type DiagnosticsBundle = { format: string; generated_at: string; logs: { lines: number; requested: number; entries: string[] } } & Record<string, unknown>;

export function buildDiagnostics(sources: DiagnosticsSources): DiagnosticsBundle {
  const { db, config, info, clock } = sources;
  const pragma = (name: string) => db.pragma(name, { simple: true }) as number | string;
  const backups = sources.backups();
  const lines = Math.max(0, sources.logLines ?? DEFAULT_DIAGNOSTICS_LOG_LINES);
  let logLines: string[];
  try {
    logLines = sources.logTail(lines).map(cleanLogLine);
  } catch (error) {
    logLines = [JSON.stringify({ diagnostics_error: `the log could not be read (${(error as Error).name})` })];
  }
  const body = {
    app: { version: info.version, mode: info.mode, sandbox: info.sandbox, device_id: info.device_id, status_target: info.status_target },
    system: {
      os: type(),
      os_release: release(),
      platform: platform(),
      arch: arch(),
      cpus: cpus().length,
      memory_total_bytes: totalmem(),
      process_rss_bytes: process.memoryUsage().rss,
      process_uptime_seconds: Math.round(process.uptime()),
      node: process.versions.node,
      v8: process.versions.v8,
      electron: process.versions.electron ?? null,
      sqlite: (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
      data_dir_disk: diskFree(config.dataDir),
    },
    config: configForDiagnostics(config),
    settings: sources.settings(),
    database: {
      schema_version: schemaVersion(db),
      schema_version_supported: MIGRATIONS.length,
      journal_mode: db.memory ? 'memory' : pragma('journal_mode'),
      page_count: pragma('page_count'),
      page_size: pragma('page_size'),
      freelist_count: pragma('freelist_count'),
      row_counts: rowCounts(db),
    },
    outbox: countStatusPushesByState(db),
    partners: sources.partners().map(partnerForDiagnostics),
    backups: {
      interval_hours: backups.intervalHours,
      keep: backups.keep,
      next_at: backups.nextAt?.toISOString() ?? null,
      last_failure: backups.lastFailure ? { at: backups.lastFailure.at.toISOString(), message: cleanMessage(backups.lastFailure.message) } : null,
      files: backups.backups.map((b) => ({ file_name: b.file_name, created_at: b.created_at.toISOString(), size_bytes: b.size_bytes, verified: b.verified, schema_version: b.schema_version })),
    },
  };
  return {
    format: DIAGNOSTICS_FORMAT,
    generated_at: clock.now().toISOString(),
    ...(scrubDeep(body) as typeof body),
    logs: { lines: logLines.length, requested: lines, entries: logLines },
  };
}

export function diagnosticsDocument(bundle: DiagnosticsBundle, at: Date): RenderedDocument {
  return {
    filename: `rxrelay-diagnostics-${compactTimestamp(at)}.json`,
    mime_type: 'application/json',
    data_base64: Buffer.from(JSON.stringify(bundle, null, 2) + '\n', 'utf8').toString('base64'),
  };
}
