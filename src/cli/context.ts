/**
 * What every command needs besides its own flags: the merged configuration, a logger, the cache
 * directory, an abort signal wired to Ctrl-C, and a way to print the result (--json or human).
 */
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from './commander.js';
import { loadConfig, type ConfigFile } from '../api/config.js';
import { createLogger, mask, type Logger } from '../lib/log.js';

export interface GlobalFlags {
  config?: string;
  cacheDir?: string;
  verbose?: boolean;
  json?: boolean;
}

export interface CommandContext {
  config: ConfigFile;
  configFile?: string;
  log: Logger;
  cacheDir: string;
  json: boolean;
  verbose: boolean;
  signal: AbortSignal;
  /** Print the command's result: JSON on stdout with --json, else the human text. */
  print(result: unknown, human: () => string): void;
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'py2distro');
}

let abort: AbortController | undefined;

/** One AbortController per process; the first Ctrl-C aborts, the second exits at once. */
export function processSignal(): AbortSignal {
  if (!abort) {
    abort = new AbortController();
    const ctl = abort;
    const onSignal = (sig: NodeJS.Signals) => {
      if (ctl.signal.aborted) process.exit(130);
      process.stderr.write(`\n${sig}: stopping, cleaning up (again to force)\n`);
      ctl.abort(new Error(`interrupted by ${sig}`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return abort.signal;
}

export async function createContext(cmd: Command): Promise<CommandContext> {
  const g = cmd.optsWithGlobals() as GlobalFlags;
  const { file, data, implicit } = await loadConfig(g.config);
  const json = Boolean(g.json);
  const verbose = Boolean(g.verbose);
  const log = createLogger({ level: verbose ? 'debug' : 'info' });
  // Always said (stderr), so a file nobody remembers putting there is never applied silently.
  if (file) log.info(`configuration: ${file}${implicit ? ' (found in the working directory)' : ''}`);
  return {
    config: data,
    configFile: file,
    log,
    cacheDir: path.resolve(g.cacheDir ?? data['cache-dir'] ?? defaultCacheDir()),
    json,
    verbose,
    signal: processSignal(),
    print(result, human) {
      if (json) process.stdout.write(mask(JSON.stringify(result, null, 2)) + '\n');
      else process.stdout.write(mask(human()) + '\n');
    },
  };
}

/** Repeatable option collector for commander: `--trust a --trust b` → ['a', 'b']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function positiveInt(value: string): number {
  const n = Number(value);
  // commander turns InvalidArgumentError into a usage error (exit 2) naming the option.
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number.');
  return n;
}
