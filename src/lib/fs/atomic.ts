/**
 * Crash-safe file writes for repositories: data goes to a temporary file in the same directory
 * (named `.tmp-<pid>-<random>` so a later run can tell whose it was), is fsynced, then renamed over
 * the target. A reader — apt, dnf, a web server — sees the old file or the new one, never half.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync, constants, copyFileSync, fsyncSync, futimesSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, type Dirent,
} from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { Py2DistroError } from '../errors.js';

export const TMP_PREFIX = '.tmp-';

/** A temporary name next to `target`, or in `dir` (same file system: the rename stays atomic). */
export function tmpPathFor(target: string, dir = path.dirname(target)): string {
  return path.join(dir, `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}-${path.basename(target)}`);
}

/** Write a file next to `target`, fsync it, but leave the rename to the caller (ordered publishing). */
export async function writeTemp(target: string, data: string | Uint8Array, opts: { fsync?: boolean; tmpDir?: string } = {}): Promise<string> {
  await mkdir(opts.tmpDir ?? path.dirname(target), { recursive: true });
  const tmp = tmpPathFor(target, opts.tmpDir);
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
export async function writeFileAtomic(target: string, data: string | Uint8Array, opts: { fsync?: boolean; tmpDir?: string } = {}): Promise<void> {
  const tmp = await writeTemp(target, data, opts);
  try {
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A file whose bytes were read earlier: placed by reflink or hard link only if it is still the same file. */
export interface SourceFile {
  path: string;
  ino: number;
  size: number;
  mtimeMs: number;
}

/**
 * Puts files at their targets atomically without writing a second copy of bytes that already
 * exist: a reflink of the source where the file system can (btrfs, XFS), else a hard link (same
 * file system), else a plain write. A source is used only while it is unchanged since it was
 * read (inode, size, mtime). A new name is created by link(2) directly — atomic by itself; an
 * existing one (an orphan of a killed run) is replaced through a temporary and rename.
 * Synchronous syscalls on purpose: thousands of tiny operations cost far less without the
 * thread-pool round trip of fs/promises, and a publish holds the repository lock anyway.
 * Temporaries go to `tmpDir` (one place to clean after a kill, not every pool directory).
 */
export class PoolPlacer {
  private reflinkWorks = true;

  constructor(private readonly tmpDir?: string) {}

  /** `mtime` (seconds): the written file's modification time (a yum index records it); a link keeps the source's. */
  async place(target: string, data: Uint8Array, source?: SourceFile, opts: { fsync?: boolean; mtime?: number } = {}): Promise<'reflink' | 'link' | 'write'> {
    const st = source ? statSyncOrUndefined(source.path) : undefined;
    if (source && st && st.ino === source.ino && st.size === source.size && st.mtimeMs === source.mtimeMs && st.size === data.length) {
      const how = this.linkOrClone(source.path, target);
      if (how) {
        if (opts.fsync !== false) await syncFile(target);
        return how;
      }
    }
    writeFileAtomicSync(target, data, { fsync: opts.fsync !== false, tmpDir: this.tmpDir, mtime: opts.mtime });
    return 'write';
  }

  private linkOrClone(src: string, target: string): 'reflink' | 'link' | undefined {
    const tryAt = (dst: string): 'reflink' | 'link' | undefined => {
      if (this.reflinkWorks) {
        try {
          copyFileSync(src, dst, constants.COPYFILE_FICLONE_FORCE | constants.COPYFILE_EXCL);
          return 'reflink';
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw err;
          this.reflinkWorks = false; // not on this file system: do not ask again
        }
      }
      try {
        linkSync(src, dst);
        return 'link';
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw err;
        return undefined; // EXDEV, EPERM…: write a copy
      }
    };
    try {
      return tryAt(target);
    } catch {
      // The name exists (an unlisted orphan): replace it in one rename.
      const tmp = tmpPathFor(target, this.tmpDir);
      const how = tryAt(tmp);
      if (how) renameSync(tmp, target);
      return how;
    }
  }
}

/** writeFileAtomic, synchronously (PoolPlacer: many files, where thread-pool round trips cost more than the writes). */
function writeFileAtomicSync(target: string, data: Uint8Array, opts: { fsync: boolean; tmpDir?: string; mtime?: number }): void {
  const tmp = tmpPathFor(target, opts.tmpDir);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(path.dirname(tmp), { recursive: true });
    fd = openSync(tmp, 'wx', 0o644);
  }
  try {
    try {
      writeFileSync(fd, data);
      if (opts.mtime !== undefined) futimesSync(fd, opts.mtime, opts.mtime);
      if (opts.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function statSyncOrUndefined(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

async function syncFile(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
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
 * fsync a set of files written without it, all at once: the calls run side by side on libuv's
 * threads and the file system commits them together (ext4, XFS: one journal commit), where one
 * fsync after another pays a commit each. Call before anything that names the files is renamed.
 */
export async function syncFiles(files: readonly string[]): Promise<void> {
  await Promise.all(files.map(syncFile));
}

/**
 * One syncfs(2) for the file system holding `dir` (coreutils `sync -f`): thousands of pool files
 * become durable with one call instead of one fsync each, before any index names them.
 */
export async function syncFilesystem(dir: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    // node:child_process directly: execa's import alone costs more than this call.
    execFile('sync', ['-f', dir], { timeout: 10 * 60_000 }, (err) => (err ? reject(new Py2DistroError('E_IO', `sync -f ${dir} failed: ${err.message}`, { cause: err })) : resolve()));
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove temporaries left by killed runs (their pid is gone) in `dir` (and below, unless `recursive: false`). */
export async function removeStaleTemps(dir: string, opts: { recursive?: boolean } = {}): Promise<number> {
  const recursive = opts.recursive !== false;
  let entries: Array<string | Dirent>;
  try {
    // Synchronous: a publish looks into a dozen directories; thread-pool round trips would cost more.
    // Names only when not descending (a yum Packages/ directory holds every package).
    entries = recursive ? readdirSync(dir, { withFileTypes: true }) : readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const e of entries) {
    const name = typeof e === 'string' ? e : e.name;
    const m = name.startsWith('.tmp-') ? /^\.tmp-(\d+)-/.exec(name) : null;
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
      await rm(path.join(dir, name), { recursive: true, force: true });
      removed++;
    } else if (typeof e !== 'string' && e.isDirectory() && !e.isSymbolicLink()) {
      removed += await removeStaleTemps(path.join(dir, name));
    }
  }
  return removed;
}
