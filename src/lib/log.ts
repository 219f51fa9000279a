/**
 * Logging with secret masking. Every line py2distro prints goes through {@link Logger.mask}:
 * registered secrets (passphrases, tokens, netrc passwords) and the password part of any URL are
 * replaced before the text reaches a terminal, a log file or a JSON report.
 */
import { format } from 'node:util';

export type Level = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

const secrets = new Set<string>();

/** Register a value that must never be printed. Short values are ignored to avoid masking noise. */
export function addSecret(value: string | undefined | null): void {
  if (value && value.length >= 3) secrets.add(value);
}

// scheme://user:password@host → scheme://user:***@host
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s/]+@/gi;

export function mask(text: string): string {
  let out = text.replace(URL_PASSWORD, '$1***@');
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('***');
    // The same secret as it appears URL-encoded or inside a JSON string (--json output is masked
    // after JSON.stringify, which escapes quotes and backslashes).
    for (const form of [encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]) {
      if (form !== s && out.includes(form)) out = out.split(form).join('***');
    }
  }
  return out;
}

export interface Logger {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  /** A child logger whose lines are prefixed (e.g. with the package and target). */
  child(prefix: string): Logger;
}

export interface LoggerOptions {
  level?: Level;
  /** Where lines go; stderr by default so that stdout stays clean for --json. */
  write?: (line: string) => void;
  prefix?: string;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const prefix = opts.prefix ? `[${opts.prefix}] ` : '';
  const emit = (l: Level, args: unknown[]) => {
    if (ORDER[l] > ORDER[level]) return;
    const tag = l === 'error' ? 'error: ' : l === 'warn' ? 'warning: ' : '';
    for (const line of format(...args).split('\n')) write(mask(`${prefix}${tag}${line}`));
  };
  return {
    error: (...a) => emit('error', a),
    warn: (...a) => emit('warn', a),
    info: (...a) => emit('info', a),
    debug: (...a) => emit('debug', a),
    child: (p) => createLogger({ level, write, prefix: opts.prefix ? `${opts.prefix} ${p}` : p }),
  };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child: () => silentLogger,
};
