/**
 * Run one program and collect what it prints: node:child_process.spawn with an argument array
 * (no shell), stdin fed from a buffer, a timeout (SIGTERM, then SIGKILL after a grace period, as
 * execa's forceKillAfterDelay), an AbortSignal, and a cap on the output kept (100 MB, execa's
 * default), so a runaway program cannot fill memory. lib/exec.ts builds py2distro's errors on it.
 */
import { spawn } from 'node:child_process';

export interface SpawnOptions {
  cwd?: string;
  env: Record<string, string | undefined>;
  timeout: number;
  signal?: AbortSignal;
  input?: string | Buffer;
  forceKillAfterMs: number;
  maxBuffer?: number;
}

export interface SpawnResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
  aborted: boolean;
}

/** The program could not be started (`not-found`: ENOENT), or printed more than maxBuffer. */
export class SpawnFailure extends Error {
  constructor(message: string, readonly reason: 'not-found' | 'spawn' | 'max-buffer', opts: { cause?: unknown } = {}) {
    super(message, opts);
    this.name = 'SpawnFailure';
  }
}

const MAX_BUFFER = 100_000_000;

export function spawnCollect(file: string, args: readonly string[], opts: SpawnOptions): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      resolve({ exitCode: null, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), timedOut: false, aborted: true });
      return;
    }
    const env = Object.fromEntries(Object.entries(opts.env).filter((e): e is [string, string] => e[1] !== undefined));
    const child = spawn(file, [...args], { cwd: opts.cwd, env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const max = opts.maxBuffer ?? MAX_BUFFER;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let aborted = false;
    let failure: SpawnFailure | undefined;
    let forceKill: NodeJS.Timeout | undefined;
    const stop = () => {
      child.kill('SIGTERM');
      forceKill ??= setTimeout(() => child.kill('SIGKILL'), opts.forceKillAfterMs);
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        failure ??= new SpawnFailure(`printed more than ${max} bytes`, 'max-buffer');
        stop();
        return;
      }
      into.push(chunk);
    };
    child.stdout!.on('data', collect(out));
    child.stderr!.on('data', collect(err));
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeout);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => undefined); // a program that exits without reading all of it: EPIPE is not our failure
      child.stdin!.end(opts.input);
    }
    child.once('error', (e: NodeJS.ErrnoException) => {
      failure ??= new SpawnFailure(e.message, e.code === 'ENOENT' ? 'not-found' : 'spawn', { cause: e });
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      if (forceKill) clearTimeout(forceKill);
      opts.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else resolve({ exitCode, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), timedOut, aborted });
    });
  });
}
