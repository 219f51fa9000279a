/**
 * Reading many .debs for a publish on every core: each input is read, parsed and hashed once
 * (distro/deb/deb-file.ts) — on this thread for a few, split with worker threads
 * (read-debs-worker.ts) for hundreds, where the control.tar.xz decoding of a new repository was
 * most of its time. A worker sends back only what the index needs (DebInfo) and the file's
 * identity (inode, size, mtime): the bytes stay on disk and are hard-linked into the pool; if a
 * link is impossible they are read again and must hash to the same sha256 (apt/pool placement).
 * A worker's failure is a Py2DistroError like the one this thread would have thrown.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { isErrorCode, Py2DistroError } from '../../lib/errors.js';
import type { SourceFile } from '../../lib/fs/atomic.js';
import { isAr } from '../../distro/deb/ar.js';
import { readDebInfo, type DebInfo } from '../../distro/deb/deb-file.js';

/** An input file as read: its bytes, its identity on disk. */
export interface ReadInput {
  bytes: Buffer;
  source: SourceFile;
}

/** What a worker returns per .deb (no bytes). */
export type WorkerResult =
  | { kind: 'deb'; info: DebInfo; source: SourceFile }
  | { kind: 'other' }
  | { kind: 'error'; code: string; message: string; hint?: string };

/** Below this many inputs one thread is faster than starting workers. */
export const WORKER_MIN_INPUTS = 400;

/** Read one input synchronously: for thousands of small files the thread-pool round trips cost more than the reads. */
export function readInput(file: string): ReadInput {
  try {
    const fd = openSync(file, 'r');
    try {
      const st = fstatSync(fd);
      const bytes = readFileSync(fd);
      return { bytes, source: { path: path.resolve(file), ino: st.ino, size: st.size, mtimeMs: st.mtimeMs } };
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new Py2DistroError('E_USAGE', `cannot read ${file}`, { cause: err });
  }
}

/** One input in a worker: a .deb's index facts, or "not a .deb" (this thread handles it). */
export async function readDebForWorker(file: string): Promise<WorkerResult> {
  try {
    const { bytes, source } = readInput(file);
    if (!isAr(bytes)) return { kind: 'other' };
    return { kind: 'deb', info: await readDebInfo(bytes, path.basename(file)), source };
  } catch (err) {
    if (err instanceof Py2DistroError) return { kind: 'error', code: err.code, message: err.message, hint: err.hint };
    return { kind: 'error', code: 'E_PACKAGE_FORMAT', message: `${file}: ${(err as Error)?.message ?? String(err)}` };
  }
}

/** How many extra threads to read with (none on one core, nor when running from the TypeScript sources: tests). */
export function readerThreads(inputs: number): number {
  if (inputs < WORKER_MIN_INPUTS || import.meta.url.endsWith('.ts')) return 0;
  return Math.min(3, Math.max(0, os.availableParallelism() - 1));
}

/**
 * Read `files` (indexes into the caller's input list) in `threads` workers; resolves per file
 * with its WorkerResult. Started before the caller reads its own share, so they overlap.
 */
export function readInWorkers(files: readonly string[], threads: number): Promise<WorkerResult[]> {
  const shares = Array.from({ length: threads }, (_, t) => files.filter((_, i) => i % threads === t));
  return Promise.all(shares.map((share) => runWorker(share))).then((parts) => {
    const out = new Array<WorkerResult>(files.length);
    parts.forEach((results, t) => results.forEach((r, j) => { out[j * threads + t] = r; }));
    return out;
  });
}

function runWorker(files: string[]): Promise<WorkerResult[]> {
  const entry = new URL('./read-debs-worker.js', import.meta.url); // the compiled module beside this one
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry, { workerData: { files } });
    let settled = false;
    worker.once('message', (results: WorkerResult[]) => {
      settled = true;
      resolve(results);
    });
    worker.once('error', (err) => reject(new Py2DistroError('E_INTERNAL', `a .deb reader thread failed: ${err.message}`, { cause: err })));
    worker.once('exit', (code) => {
      if (!settled) reject(new Py2DistroError('E_INTERNAL', `a .deb reader thread exited with ${code} before answering`));
    });
  });
}

/** A worker's refusal, as this thread would have thrown it. */
export function workerError(r: Extract<WorkerResult, { kind: 'error' }>): Py2DistroError {
  return new Py2DistroError(isErrorCode(r.code) ? r.code : 'E_PACKAGE_FORMAT', r.message, r.hint ? { hint: r.hint } : {});
}
