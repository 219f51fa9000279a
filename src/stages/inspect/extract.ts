/**
 * Safe extraction of an sdist (.tar.gz/.tar.bz2/.tar.xz/.tar or .zip) into a fresh directory.
 *
 * The archive is untrusted, so it is read twice: a listing pass checks every entry (no absolute
 * paths, no `..`, no links leaving the tree, no entry below a symlink, no devices or FIFOs, exactly
 * one top-level directory) and counts files and declared sizes, stopping at the first entry over a
 * limit so that a bomb fails after reading headers only. Only then is anything written, by a second
 * pass that repeats the checks entry by entry.
 */
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import yauzl from 'yauzl';
import { Py2DistroError } from '../../lib/errors.js';

export interface ExtractLimits {
  /** Most entries (files, directories, links) accepted. */
  maxFiles: number;
  /** Most uncompressed bytes accepted, summed over entries. */
  maxBytes: number;
}

export const DEFAULT_LIMITS: ExtractLimits = { maxFiles: 20_000, maxBytes: 512 * 1024 * 1024 };

export interface ExtractedSdist {
  /** Absolute path of the single top-level directory. */
  topDir: string;
  /** Its name inside the archive (e.g. foo-1.0). */
  topName: string;
  /** Regular file paths relative to topDir, sorted. */
  files: string[];
  entries: number;
  bytes: number;
  /** Newest entry mtime in seconds since the epoch (SOURCE_DATE_EPOCH for reproducible builds). */
  newestMtime: number;
}

interface EntryInfo {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  size: number;
  linkpath?: string;
  mtime?: Date;
}

const unsafe = (archive: string, why: string) =>
  new Py2DistroError('E_SDIST_UNSAFE', `${path.basename(archive)}: ${why}`, { details: { archive } });

/** Checks entries one at a time; throws at the first unsafe one or the first over a limit. */
class EntryChecker {
  top: string | undefined;
  entries = 0;
  bytes = 0;
  newestMtime = 0;
  readonly files: string[] = [];
  /** Lower-cased (a case-insensitive filesystem would merge "A" and "a"). */
  private readonly symlinks = new Set<string>();
  private readonly links: { name: string; target: string; symbolic: boolean }[] = [];
  private readonly seen = new Map<string, EntryInfo['type']>();

  constructor(private readonly archive: string, private readonly limits: ExtractLimits) {}

  check(e: EntryInfo): string {
    const name = e.path.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    if (!name || name === '.') return name;
    if (name.includes('\0') || name.includes('\\') || name.startsWith('/') || /^[A-Za-z]:/.test(name)) {
      throw unsafe(this.archive, `entry "${e.path}" has an absolute or non-POSIX path`);
    }
    const parts = name.split('/');
    if (parts.some((p) => p === '..' || p === '.' || p === '')) throw unsafe(this.archive, `entry "${e.path}" contains ".." or empty segments`);
    if (this.top === undefined) this.top = parts[0];
    if (parts[0] !== this.top) {
      throw new Py2DistroError('E_SDIST_LAYOUT', `${path.basename(this.archive)}: more than one top-level entry ("${this.top}", "${parts[0]}")`);
    }
    if (parts.length === 1 && e.type !== 'dir') {
      throw new Py2DistroError('E_SDIST_LAYOUT', `${path.basename(this.archive)}: top-level entry "${name}" is not a directory`);
    }
    for (let i = 1; i < parts.length; i++) {
      if (this.symlinks.has(parts.slice(0, i).join('/').toLowerCase())) throw unsafe(this.archive, `entry "${e.path}" lies below a symbolic link`);
    }
    // A later entry of the same name replaces the earlier one on disk (a checked file becomes a link).
    const before = this.seen.get(name);
    if (before !== undefined && !(before === 'dir' && e.type === 'dir')) throw unsafe(this.archive, `entry "${e.path}" appears more than once`);
    this.seen.set(name, e.type);
    if (e.type === 'other') throw unsafe(this.archive, `entry "${e.path}" is a device, FIFO or other special file`);
    if (e.type === 'symlink' || e.type === 'hardlink') {
      const target = e.linkpath ?? '';
      // Symlink targets are relative to the link's directory; hardlink targets to the archive root.
      const resolved = e.type === 'symlink' ? path.posix.normalize(path.posix.join(path.posix.dirname(name), target)) : path.posix.normalize(target.replace(/^(\.\/)+/, ''));
      if (!target || target.startsWith('/') || target.includes('\0') || !(resolved === this.top || resolved.startsWith(`${this.top}/`))) {
        throw unsafe(this.archive, `link "${e.path}" points outside the source tree ("${target}")`);
      }
      if (e.type === 'symlink') this.symlinks.add(name.toLowerCase());
      this.links.push({ name, target: e.type === 'symlink' ? `${path.posix.dirname(name)}/${target}` : target.replace(/^(\.\/)+/, ''), symbolic: e.type === 'symlink' });
    }
    this.entries += 1;
    this.bytes += e.size;
    if (this.entries > this.limits.maxFiles) {
      throw new Py2DistroError('E_SDIST_TOO_LARGE', `${path.basename(this.archive)}: more than ${this.limits.maxFiles} entries`);
    }
    if (this.bytes > this.limits.maxBytes) {
      throw new Py2DistroError('E_SDIST_TOO_LARGE', `${path.basename(this.archive)}: more than ${this.limits.maxBytes} bytes uncompressed`);
    }
    const mtime = e.mtime ? Math.floor(e.mtime.getTime() / 1000) : 0;
    if (mtime > this.newestMtime) this.newestMtime = mtime;
    if (e.type === 'file') this.files.push(parts.slice(1).join('/'));
    return name;
  }

  /**
   * Once every entry is known: a link target must not pass through another symlink of the archive.
   * The check above normalises "a/.." lexically, but on disk ".." after a symlink climbs from the
   * link's target: `u1 -> u0/..` with `u0 -> ..` leaves the tree although each looks inside, and a
   * chain of them reaches any host file (a README pointing there ends up in the package).
   */
  finish(): void {
    for (const link of this.links) {
      const segments = link.target.split('/');
      const walked: string[] = [];
      for (let i = 0; i < segments.length; i++) {
        const seg = segments[i]!;
        if (seg === '' || seg === '.') continue;
        if (seg === '..') walked.pop();
        else walked.push(seg);
        const last = i === segments.length - 1;
        // A link to a link is fine (that one is checked too); going through or above one is not.
        if (!last && this.symlinks.has(walked.join('/').toLowerCase())) {
          throw unsafe(this.archive, `link "${link.name}" points through another symbolic link ("${link.target}")`);
        }
      }
    }
  }
}

function tarType(type: string): EntryInfo['type'] {
  switch (type) {
    case 'File': case 'OldFile': case 'ContiguousFile': return 'file';
    case 'Directory': return 'dir';
    case 'SymbolicLink': return 'symlink';
    case 'Link': return 'hardlink';
    default: return 'other';
  }
}

function isZip(archive: string): boolean {
  return archive.toLowerCase().endsWith('.zip');
}

async function listTar(archive: string, checker: EntryChecker): Promise<void> {
  // node-tar emits entries from inside zlib callbacks, where a throw would be uncaught: record the
  // first failure, stop reading, and throw it once the pipeline has unwound.
  let failure: unknown;
  const source = createReadStream(archive);
  const parser = new tar.Parser({
    strict: true,
    onReadEntry: (entry) => {
      if (failure === undefined) {
        try {
          checker.check({ path: entry.path, type: tarType(entry.type), size: entry.size, linkpath: entry.linkpath, mtime: entry.mtime });
        } catch (err) {
          failure = err;
          source.destroy();
        }
      }
      entry.resume();
    },
  });
  try {
    await pipeline(source, parser as unknown as NodeJS.WritableStream);
  } catch (err) {
    throw failure ?? err;
  }
  if (failure !== undefined) throw failure;
}

async function extractTar(archive: string, dest: string, checker: EntryChecker): Promise<void> {
  let failure: unknown;
  await tar.x({
    file: archive,
    cwd: dest,
    strict: true,
    preservePaths: false,
    preserveOwner: false,
    // Re-check each entry while writing; anything the first pass did not see is skipped and fails.
    filter: (p, entry) => {
      if (failure !== undefined) return false;
      const e = entry as tar.ReadEntry;
      try {
        checker.check({ path: p, type: tarType(e.type), size: e.size, linkpath: e.linkpath, mtime: e.mtime });
        // No setuid/setgid/sticky and no group/other write: extracted files are build input, never
        // programs to run with raised privileges on this host.
        if (e.mode !== undefined) e.mode &= 0o755;
        return true;
      } catch (err) {
        failure = err;
        return false;
      }
    },
  });
  if (failure !== undefined) throw failure;
}

function openZip(archive: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(archive, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true, decodeStrings: true }, (err, zip) =>
      err ? reject(unsafe(archive, `not a valid zip archive (${err.message})`)) : resolve(zip!)),
  );
}

/** Walks a zip; with `dest`, writes regular files and directories (zip symlinks are refused). */
async function walkZip(archive: string, checker: EntryChecker, dest?: string): Promise<void> {
  const zip = await openZip(archive);
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (err: Error) => reject(err instanceof Py2DistroError ? err : unsafe(archive, err.message)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
          const isDir = entry.fileName.endsWith('/');
          const type: EntryInfo['type'] = isDir ? 'dir' : mode === 0 || mode === 0o100000 ? 'file' : mode === 0o040000 ? 'dir' : 'other';
          const name = checker.check({ path: entry.fileName, type, size: entry.uncompressedSize, mtime: entry.getLastModDate() });
          if (dest && name) {
            const target = path.join(dest, name);
            if (type === 'dir') await mkdir(target, { recursive: true });
            else {
              await mkdir(path.dirname(target), { recursive: true });
              const stream = await new Promise<NodeJS.ReadableStream>((res, rej) => zip.openReadStream(entry, (e, s) => (e ? rej(e) : res(s!))));
              const chunks: Buffer[] = [];
              for await (const chunk of stream) chunks.push(chunk as Buffer);
              await writeFile(target, Buffer.concat(chunks), { mode: 0o644 });
            }
          }
          zip.readEntry();
        })().catch(reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

/**
 * Extracts `archive` into `destDir` (created, must not exist yet) after checking every entry.
 * On any failure the partly written `destDir` is removed.
 */
export async function extractSdist(archive: string, destDir: string, limits: ExtractLimits = DEFAULT_LIMITS): Promise<ExtractedSdist> {
  const listing = new EntryChecker(archive, limits);
  try {
    if (isZip(archive)) await walkZip(archive, listing);
    else await listTar(archive, listing);
  } catch (err) {
    if (err instanceof Py2DistroError) throw err;
    throw unsafe(archive, `cannot be read as an sdist archive (${(err as Error).message})`);
  }
  if (!listing.top) throw new Py2DistroError('E_SDIST_LAYOUT', `${path.basename(archive)} is empty`);
  listing.finish();

  await mkdir(destDir, { recursive: false });
  const writing = new EntryChecker(archive, limits);
  try {
    if (isZip(archive)) await walkZip(archive, writing, destDir);
    else await extractTar(archive, destDir, writing);
  } catch (err) {
    await rm(destDir, { recursive: true, force: true });
    if (err instanceof Py2DistroError) throw err;
    throw unsafe(archive, `extraction failed (${(err as Error).message})`);
  }
  if (writing.entries !== listing.entries) {
    await rm(destDir, { recursive: true, force: true });
    throw unsafe(archive, 'the archive changed between the checking and the writing pass');
  }
  return {
    topDir: path.join(destDir, listing.top),
    topName: listing.top,
    files: [...listing.files].sort(),
    entries: listing.entries,
    bytes: listing.bytes,
    newestMtime: listing.newestMtime,
  };
}
