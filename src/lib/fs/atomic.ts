/**
 * Crash-safe file writes for repositories: data goes to a temporary file in the same directory
 * (named `.tmp-<pid>-<random>` so a later run can tell whose it was), is fsynced, then renamed over
 * the target. A reader — apt, dnf, a web server — sees the old file or the new one, never half.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../exec.js';

export const TMP_PREFIX = '.tmp-';

export function tmpPathFor(target: string): string {
  return path.join(path.dirname(target), `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}-${path.basename(target)}`);
}

/** Write a file next to `target`, fsync it, but leave the rename to the caller (ordered publishing). */
export async function writeTemp(target: string, data: string | Uint8Array, opts: { fsync?: boolean } = {}): Promise<string> {
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = tmpPathFor(target);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(data);
    if (opts.fsync !== false) await fh.sync();
  } finally {
    await fh.close();
  }
  return tmp;
}

/** `fsync: false` for bulk writes (pool files) that the caller makes durable at once with {@link syncFilesystem}. */
export async function writeFileAtomic(target: string, data: string | Uint8Array, opts: { fsync?: boolean } = {}): Promise<void> {
  const tmp = await writeTemp(target, data, opts);
  try {
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Make renames durable across a power cut (kill -9 needs no fsync; a crash does). */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * One syncfs(2) for the file system holding `dir` (coreutils `sync -f`): thousands of pool files
 * become durable with one call instead of one fsync each, before any index names them.
 */
export async function syncFilesystem(dir: string): Promise<void> {
  await run('sync', ['-f', dir], { timeout: 10 * 60_000 });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove temporaries left by killed runs (their pid is gone) below `dir`, recursively. */
export async function removeStaleTemps(dir: string): Promise<number> {
  let removed = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    const m = /^\.tmp-(\d+)-/.exec(e.name);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
      await rm(full, { recursive: true, force: true });
      removed++;
    } else if (e.isDirectory() && !e.isSymbolicLink()) {
      removed += await removeStaleTemps(full);
    }
  }
  return removed;
}
