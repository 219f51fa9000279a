/**
 * One holder per directory at a time (a repository being published, a sync state dir, an image being built). The lock is a file created with O_EXCL holding the
 * owner's pid, host and start time. A lock whose owner process is gone (same host, pid dead — a
 * SIGKILLed publish) is stale and taken over; a live one makes us wait up to `waitMs`, then fail
 * with E_REPO_LOCKED. Taking over is race-safe: the stale file is renamed aside and re-read, and
 * only if it is still the stale owner's is it removed (two takers cannot both win).
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Py2DistroError } from '../errors.js';

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
  token: string;
}

export interface Lock {
  file: string;
  release(): Promise<void>;
}

export const LOCK_NAME = '.py2distro.lock';

export interface LockOptions {
  waitMs?: number;
  signal?: AbortSignal;
  /** Lock file name inside the directory (default {@link LOCK_NAME}); sync uses its own in the state dir. */
  name?: string;
  /** What the holder is doing, for the E_REPO_LOCKED message (default "used"). */
  activity?: string;
  hint?: string;
}

export async function acquireLock(repoDir: string, opts: LockOptions = {}): Promise<Lock> {
  mkdirSync(repoDir, { recursive: true });
  const file = path.join(repoDir, opts.name ?? LOCK_NAME);
  const me: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (;;) {
    opts.signal?.throwIfAborted();
    if (tryCreate(file, me)) {
      return {
        file,
        release: async () => {
          const owner = readOwner(file);
          if (owner?.token === me.token) rmSync(file, { force: true });
        },
      };
    }
    const raw = readRaw(file);
    const owner = parseOwner(raw);
    if (raw !== undefined && (owner ? isStale(owner) : isAbandonedEmpty(file))) {
      takeOverStale(file, raw);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = owner ? `pid ${owner.pid} on ${owner.host} since ${owner.since}` : 'an unknown process';
      throw new Py2DistroError('E_REPO_LOCKED', `${repoDir} is being ${opts.activity ?? 'used'} by ${who}`, { hint: opts.hint, details: { lock: file, owner } });
    }
    await sleep(200);
  }
}

/**
 * The lock file appears whole or not at all: the owner record is written to a private temp file
 * first and hard-linked into place (link fails with EEXIST when the lock is held). A kill at any
 * moment leaves either no lock or a complete one whose pid can be checked — never an empty file
 * that would block the next run.
 */
function tryCreate(file: string, me: LockOwner): boolean {
  const tmp = `${file}.new-${process.pid}-${me.token}`;
  writeFileSync(tmp, JSON.stringify(me), { mode: 0o644 });
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

// Synchronous on purpose: a handful of tiny operations, each far cheaper than a thread-pool round trip.
function readRaw(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseOwner(raw: string | undefined): LockOwner | undefined {
  try {
    const data = JSON.parse(raw ?? '') as LockOwner;
    return typeof data.pid === 'number' ? data : undefined;
  } catch {
    return undefined;
  }
}

function readOwner(file: string): LockOwner | undefined {
  return parseOwner(readRaw(file));
}

/** Empty or half-written: the owner died between create and write (or is writing right now — hence the age). */
function isAbandonedEmpty(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > 30_000;
  } catch {
    return false;
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return false; // cannot see other hosts' processes: never steal
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function takeOverStale(file: string, staleText: string): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // someone else moved it first; retry from the top
  }
  if (readRaw(aside) !== staleText) {
    // We grabbed a fresh lock that replaced the stale one in between: put it back (link fails if taken).
    try {
      linkSync(aside, file);
    } catch {
      // taken meanwhile: theirs
    }
  }
  rmSync(aside, { force: true });
}
