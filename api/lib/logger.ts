/** A tiny structured logger: one JSON object per line on stdout/stderr. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  base?: Record<string, unknown>;
  write?: (line: string, level: LogLevel) => void;
}

/**
 * Lines for stdout are gathered and written every few milliseconds (one write for the access-log
 * lines of many requests, also when they come one at a time), at once past 64 KB, and at exit;
 * warnings and errors go to stderr at once.
 */
const STDOUT_DELAY_MS = 10;
const STDOUT_MAX_PENDING = 64 * 1024;
let pending = '';
let flushTimer: NodeJS.Timeout | null = null;
const flushStdout = () => {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = null;
  if (!pending) return;
  const text = pending;
  pending = '';
  process.stdout.write(text);
};
process.once('exit', flushStdout);

const defaultWrite = (line: string, level: LogLevel) => {
  if (level === 'error' || level === 'warn') {
    flushStdout();
    process.stderr.write(`${line}\n`);
    return;
  }
  pending += `${line}\n`;
  if (pending.length > STDOUT_MAX_PENDING) flushStdout();
  else flushTimer ??= setTimeout(flushStdout, STDOUT_DELAY_MS).unref();
};

function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  return { name: err.name, message: err.message, stack: err.stack?.split('\n').slice(0, 6).join('\n') };
}

export function createLogger(options: LoggerOptions): Logger {
  const min = ORDER[options.level];
  const write = options.write ?? defaultWrite;
  const base = options.base ?? {};
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, msg, ...base };
    if (fields) for (const [k, v] of Object.entries(fields)) record[k] = k === 'err' ? serializeError(v) : v;
    write(JSON.stringify(record), level);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}
