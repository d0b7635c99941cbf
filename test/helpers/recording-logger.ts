import type { Logger, LogFields } from '../../src-main/core/logger';

/** A Logger that keeps every line (level, event, fields) for a test to look at. */
export function recordingLogger(): { logger: Logger; lines: Array<{ level: string; event: string; fields: LogFields }> } {
  const lines: Array<{ level: string; event: string; fields: LogFields }> = [];
  const log = (level: string) => (event: string, fields: LogFields = {}) => lines.push({ level, event, fields });
  return { logger: { info: log('info'), warn: log('warn'), error: log('error') }, lines };
}
