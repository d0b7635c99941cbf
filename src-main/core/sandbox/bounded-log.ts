// What a simulator keeps of what happened (requests, webhook deliveries) for tests and the
// sandbox UI. In sandbox mode a simulator runs as long as the app, polled every few seconds, so
// the record keeps only its newest entries.
export const SIMULATOR_LOG_LIMIT = 5_000;

export function appendBounded<T>(log: T[], entry: T, limit = SIMULATOR_LOG_LIMIT): void {
  log.push(entry);
  if (log.length > limit) log.splice(0, log.length - limit);
}
