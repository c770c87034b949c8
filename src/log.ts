// Structured logs: one JSON object per line. Callers pass ids and reasons — never a key, a hash,
// a token or a query string. LOG_LEVEL (debug|info|warn|error, default info) filters; refusals of
// unknown or malformed keys are debug, so a brute-force flood does not become a log flood.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
let threshold = RANK.info;

export function isLogLevel(value: string): value is LogLevel {
  return value in RANK;
}

/** Set once per request from the configuration (a plain assignment). */
export function setLogLevel(level: LogLevel): void {
  threshold = RANK[level];
}

export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  if (RANK[level] < threshold) return;
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
