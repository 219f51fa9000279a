/**
 * by-hash/ (apt's Acquire-By-Hash): every Packages variant is also stored under its sha256, so a
 * client holding an older InRelease still finds exactly the files it names while a publish — or a
 * killed publish — replaces the plain names. The last few generations are kept (recorded in
 * <repo>/.py2distro/); anything older is deleted only after the new InRelease is live.
 */
import { linkSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { tmpPathFor, writeFileAtomic } from '../../../lib/fs/atomic.js';

/** How many published generations of index files stay reachable through by-hash/. */
export const KEEP_GENERATIONS = 3;

export function byHashDir(distDir: string, arch: string): string {
  return path.join(distDir, 'main', `binary-${arch}`, 'by-hash', 'SHA256');
}

/**
 * Store one index object under its sha256 (unless there already); returns its path and whether it
 * was written now — then it is not fsynced yet: the caller syncs all new objects at once
 * (syncFiles) before any plain name or Release points at them. `sameAs`: an object with these
 * very bytes that this publish wrote a moment ago (another architecture's identical index, as in
 * arch-all-only repositories): hard-linked instead of written again where the file system allows.
 */
export async function writeByHash(dir: string, sha256: string, data: Buffer, sameAs?: string): Promise<{ file: string; created: boolean }> {
  const file = path.join(dir, sha256);
  try {
    const now = new Date();
    utimesSync(file, now, now); // already there: same name, same content by construction
    return { file, created: false };
  } catch {
    await mkdir(dir, { recursive: true });
    if (sameAs) {
      const tmp = tmpPathFor(file);
      try {
        linkSync(sameAs, tmp);
        renameSync(tmp, file);
        return { file, created: true };
      } catch {
        await rm(tmp, { force: true }); // another file system, or no hard links: write it
      }
    }
    await writeFileAtomic(file, data, { fsync: false });
    return { file, created: true };
  }
}

/** The plain name (Packages, Packages.gz) as a hard link to its by-hash object, swapped in by rename. */
export async function linkPlainIndex(object: string, plain: string): Promise<void> {
  const tmp = tmpPathFor(plain);
  try {
    linkSync(object, tmp); // synchronous: two cheap syscalls, no thread-pool round trips
  } catch {
    await copyFile(object, tmp);
  }
  try {
    renameSync(tmp, plain);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function generationsFile(repoDir: string, codename: string): string {
  return path.join(repoDir, '.py2distro', `apt-${codename}-generations.json`);
}

async function readGenerations(repoDir: string, codename: string): Promise<string[][]> {
  try {
    const data = JSON.parse(readFileSync(generationsFile(repoDir, codename), 'utf8')) as unknown;
    return Array.isArray(data) ? (data as string[][]) : [];
  } catch {
    return [];
  }
}

/** Record the generation just published (call after InRelease is renamed into place). */
export async function recordGeneration(repoDir: string, codename: string, hashes: string[]): Promise<void> {
  const generations = [hashes, ...(await readGenerations(repoDir, codename))].slice(0, KEEP_GENERATIONS);
  await mkdir(path.dirname(generationsFile(repoDir, codename)), { recursive: true });
  await writeFileAtomic(generationsFile(repoDir, codename), JSON.stringify(generations));
}

/** Delete by-hash objects that no kept generation names. */
export async function collectGarbage(repoDir: string, distDir: string, codename: string, architectures: string[]): Promise<number> {
  const keep = new Set((await readGenerations(repoDir, codename)).flat());
  if (keep.size === 0) return 0;
  let removed = 0;
  for (const arch of architectures) {
    const dir = byHashDir(distDir, arch);
    let names: string[] = [];
    try {
      names = readdirSync(dir); // synchronous, as every small step here: no thread-pool round trips
    } catch {
      // no by-hash directory: nothing to collect
    }
    for (const name of names) {
      if (/^[0-9a-f]{64}$/.test(name) && !keep.has(name)) {
        rmSync(path.join(dir, name), { force: true });
        removed++;
      }
    }
  }
  return removed;
}
