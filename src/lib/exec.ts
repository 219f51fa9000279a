/**
 * The one way py2distro runs external programs: argument arrays only (never a shell string),
 * a timeout, the abort signal, and output routed to the caller's log. Output streamed line by line
 * (container builds) goes through execa, whose error carries the exit code, signal and a short
 * message (kept as `cause`); a plain call — collect stdout and stderr, maybe feed stdin — is
 * node:child_process directly (spawn.ts): loading execa's ~150 modules cost more than most of the
 * short commands a publish or a no-op sync runs (createrepo_c on one package, podman image inspect).
 */
import type { ExecaError, Options as ExecaOptions } from 'execa';
import { spawnCollect, SpawnFailure } from './spawn.js';
import { Py2DistroError } from './errors.js';
import type { Logger } from './log.js';

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Replace the environment instead of extending process.env. */
  extendEnv?: boolean;
  /** Milliseconds; default 10 minutes. */
  timeout?: number;
  signal?: AbortSignal;
  input?: string | Buffer;
  /** Each output line is sent here as it arrives (build logs). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  log?: Logger;
  /** Return the result instead of throwing on a non-zero exit. */
  reject?: boolean;
  /** Binary stdout (e.g. a tar stream). */
  encoding?: 'utf8' | 'buffer';
}

// execa (and its ~150 modules) loads on the first run, not at start-up: a publish that never runs a
// program (most of them) would otherwise spend a third of its start-up there.
let loaded: Promise<typeof import('execa')> | undefined;
const execaModule = () => (loaded ??= import('execa'));

// Never inherited by a child program (it may still be passed on purpose through `env`).
const NOT_INHERITED = ['PY2DISTRO_SIGN_PASSPHRASE'];

/** The child's environment: ours (or none) plus `env`, without the secrets in NOT_INHERITED. */
export function childEnvironment(opts: Pick<ExecOptions, 'env' | 'extendEnv'>, parent: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...(opts.extendEnv ?? true ? parent : {}) };
  for (const k of NOT_INHERITED) delete out[k];
  return { ...out, ...opts.env };
}

export interface ExecResult<T = string> {
  command: string;
  exitCode: number;
  stdout: T;
  stderr: string;
  failed: boolean;
}

export async function run(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return (await runInternal(file, args, { ...opts, encoding: 'utf8' })) as ExecResult<string>;
}

export async function runBuffer(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult<Buffer>> {
  return (await runInternal(file, args, { ...opts, encoding: 'buffer' })) as ExecResult<Buffer>;
}

async function runInternal(file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult<string | Buffer>> {
  opts.log?.debug(`$ ${[file, ...args].join(' ')}`);
  const lines = opts.onLine;
  if (!lines) return runPlain(file, args, opts);
  const { execa } = await execaModule();
  try {
    const sub = execa(file, args, {
      cwd: opts.cwd,
      env: childEnvironment(opts),
      extendEnv: false,
      timeout: opts.timeout ?? 10 * 60_000,
      cancelSignal: opts.signal,
      input: opts.input,
      reject: opts.reject ?? true,
      encoding: opts.encoding === 'buffer' ? 'buffer' : 'utf8',
      stripFinalNewline: opts.encoding !== 'buffer',
      forceKillAfterDelay: 5_000,
      ...(lines
        ? {
            stdout: ['pipe', function* (line: unknown) { lines(String(line), 'stdout'); yield line; }],
            stderr: ['pipe', function* (line: unknown) { lines(String(line), 'stderr'); yield line; }],
          }
        : {}),
    } as unknown as ExecaOptions);
    const r = await sub;
    const stdout = opts.encoding === 'buffer' ? Buffer.from(r.stdout as unknown as Uint8Array) : String(r.stdout ?? '');
    return { command: r.command, exitCode: r.exitCode ?? 0, stdout, stderr: String(r.stderr ?? ''), failed: r.failed };
  } catch (err) {
    const e = err as ExecaError;
    if (e && typeof e === 'object' && 'code' in e && e.code === 'ENOENT') {
      throw new Py2DistroError('E_TOOL_MISSING', `${file} is not installed or not on PATH`, { cause: err });
    }
    if (e?.isCanceled) throw new Py2DistroError('E_ABORTED', `${file} was interrupted`, { cause: err });
    const tail = String(e?.stderr ?? '').trim().split('\n').slice(-20).join('\n');
    throw new Py2DistroError('E_EXEC', `${e?.shortMessage ?? String(err)}${tail ? `\n${tail}` : ''}`, { cause: err });
  }
}

/** Without streamed lines: spawn, collect, and the same errors as the execa path. */
async function runPlain(file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult<string | Buffer>> {
  const timeout = opts.timeout ?? 10 * 60_000;
  const r = await spawnCollect(file, args, { cwd: opts.cwd, env: childEnvironment(opts), timeout, signal: opts.signal, input: opts.input, forceKillAfterMs: 5_000 })
    .catch((err: unknown) => {
      if (err instanceof SpawnFailure && err.reason === 'not-found') throw new Py2DistroError('E_TOOL_MISSING', `${file} is not installed or not on PATH`, { cause: err });
      throw new Py2DistroError('E_EXEC', `${[file, ...args].join(' ')}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    });
  const command = [file, ...args].join(' ');
  const stderr = r.stderr.toString('utf8').replace(/\n$/, '');
  if (r.aborted) throw new Py2DistroError('E_ABORTED', `${file} was interrupted`);
  const failed = r.timedOut || r.exitCode !== 0;
  if (failed && (opts.reject ?? true)) {
    const why = r.timedOut ? `Command timed out after ${timeout} milliseconds` : r.signal ? `Command was killed with ${r.signal}` : `Command failed with exit code ${r.exitCode}`;
    const tail = stderr.trim().split('\n').slice(-20).join('\n');
    throw new Py2DistroError('E_EXEC', `${why}: ${command}${tail ? `\n${tail}` : ''}`);
  }
  const stdout = opts.encoding === 'buffer' ? r.stdout : r.stdout.toString('utf8').replace(/\r?\n$/, '');
  return { command, exitCode: r.exitCode ?? (r.signal ? 128 : 1), stdout, stderr, failed };
}

/** Check up front that the programs a step needs are on PATH (electron-forge's makers do this). */
export async function requireTools(tools: readonly string[]): Promise<void> {
  const missing: string[] = [];
  for (const t of tools) {
    const r = await run('sh', ['-c', 'command -v "$1"', 'sh', t], { reject: false });
    if (r.exitCode !== 0) missing.push(t);
  }
  if (missing.length) {
    throw new Py2DistroError('E_TOOL_MISSING', `required program(s) not found: ${missing.join(', ')}`);
  }
}
