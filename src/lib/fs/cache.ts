/**
 * The download cache, content-addressed by sha256: `<cacheDir>/sha256/<ab>/<hash>/<filename>`.
 * Downloads land in `<cacheDir>/tmp/` and are renamed into place only after their hash and
 * signature passed, so a bad file is never kept as good; a hit is re-hashed before it is trusted.
 * What vouched for the file is kept beside it (`<filename>.asc`, `<filename>.provenance`), so a
 * rebuild can verify again without the network; a sidecar read back is verified again, never trusted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BugError } from '../errors.js';

const HEX64 = /^[0-9a-f]{64}$/;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

function safeFilename(filename: string): string {
  // Filenames come from the index: never let one climb out of its cache directory.
  const base = path.basename(filename);
  if (!base || base !== filename || base === '.' || base === '..' || base.includes('\0')) {
    throw new BugError(`unsafe cache filename ${JSON.stringify(filename)}`);
  }
  return base;
}

export function cacheEntryDir(cacheDir: string, sha256: string): string {
  if (!HEX64.test(sha256)) throw new BugError(`not a sha256: ${sha256}`);
  return path.join(cacheDir, 'sha256', sha256.slice(0, 2), sha256);
}

/**
 * The cached file's path if it is present, NOT re-hashed: only for a caller that reads none of its
 * bytes (a sync that builds nothing from it); anything that uses the bytes goes through {@link lookupCached}.
 */
export function peekCached(cacheDir: string, sha256: string, filename: string): string | undefined {
  const file = path.join(cacheEntryDir(cacheDir, sha256), safeFilename(filename));
  return existsSync(file) ? file : undefined;
}

/** The cached file if present and still intact; a corrupted entry is removed. */
export async function lookupCached(cacheDir: string, sha256: string, filename: string): Promise<string | undefined> {
  const file = path.join(cacheEntryDir(cacheDir, sha256), safeFilename(filename));
  if (!existsSync(file)) return undefined;
  if ((await sha256File(file)) === sha256) return file;
  await rm(cacheEntryDir(cacheDir, sha256), { recursive: true, force: true });
  return undefined;
}

/** A fresh temp path inside the cache (same filesystem, so the final rename is atomic). */
export async function tempPath(cacheDir: string, filename: string): Promise<string> {
  const dir = path.join(cacheDir, 'tmp');
  await mkdir(dir, { recursive: true });
  return path.join(dir, `${randomBytes(8).toString('hex')}-${safeFilename(filename)}`);
}

/** Files kept beside a cached file, by suffix (`.asc`: detached signature; `.provenance`: PEP 740). */
export interface CacheSidecars {
  '.asc'?: Uint8Array;
  '.provenance'?: Uint8Array;
}

/** Moves a verified temp file (and its sidecars) into the cache; returns its final path. */
export async function commitToCache(cacheDir: string, temp: string, sha256: string, filename: string, sidecars: CacheSidecars = {}): Promise<string> {
  const dir = cacheEntryDir(cacheDir, sha256);
  await mkdir(dir, { recursive: true });
  const final = path.join(dir, safeFilename(filename));
  for (const [suffix, bytes] of Object.entries(sidecars) as [keyof CacheSidecars, Uint8Array | undefined][]) {
    if (!bytes) continue;
    const sideTemp = `${temp}${suffix}`;
    await writeFile(sideTemp, bytes);
    await rename(sideTemp, `${final}${suffix}`);
  }
  await rename(temp, final);
  return final;
}

/** A sidecar of a cached file, or undefined. Its content is unverified: the caller verifies it. */
export async function readSidecar(cachedFile: string, suffix: keyof CacheSidecars): Promise<Uint8Array | undefined> {
  // Most files have no provenance: a stat answers that without a trip through the thread pool.
  if (!existsSync(`${cachedFile}${suffix}`)) return undefined;
  try {
    return new Uint8Array(await readFile(`${cachedFile}${suffix}`));
  } catch {
    return undefined;
  }
}

/** Adds (or replaces) a sidecar of an already cached file, atomically. */
export async function writeSidecar(cachedFile: string, suffix: keyof CacheSidecars, bytes: Uint8Array): Promise<void> {
  const temp = `${cachedFile}${suffix}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, bytes);
  await rename(temp, `${cachedFile}${suffix}`);
}
