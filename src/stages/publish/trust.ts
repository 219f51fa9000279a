/**
 * What py2distro accepts back from a repository directory before it uses it — and before the org
 * key signs anything based on it. The directory (a web root, an NFS or object-store sync target) is
 * less trusted than the key, so everything read from it is checked: signatures against the trust
 * anchors (see sign/verify.ts), every path against the layout py2distro writes, and every
 * directory it writes into for symlinks that would lead outside the repository. Failing any check
 * is E_REPO_CORRUPT and nothing is signed.
 */
import { lstatSync } from 'node:fs';
import { lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import { Py2DistroError } from '../../lib/errors.js';
import { DEB_ARCH, DEB_NAME, DEB_VERSION } from '../../distro/deb/deb-file.js';

export const CORRUPT_HINT =
  'Nothing was signed. Restore the repository from a backup, or move it aside and publish again from the build outputs '
  + '(`py2distro repo publish NEWDIR FILES…`). If the org key was rotated, pass the previous public key with --previous-key.';

export function repoCorrupt(message: string, cause?: unknown): Py2DistroError {
  return new Py2DistroError('E_REPO_CORRUPT', message, { hint: CORRUPT_HINT, cause });
}

const NAME = DEB_NAME.source.slice(1, -1);
const ARCH = DEB_ARCH.source.slice(1, -1);
const VERSION_NO_EPOCH = '[0-9][A-Za-z0-9.+~-]*';

/**
 * Pool file names: pool/main/<prefix>/<source>/<codename>/<package>_<version>_<arch>.deb, where the
 * version carries its epoch ("1:2.0") unless the epoch is 0 — as py2distro up to 0.x wrote, without
 * epoch — so `foo 1:2.0` and `foo 2.0` never share a file. Every component starts with a letter or a
 * digit: no "..", no "/", no absolute path.
 */
const POOL_PATH = new RegExp(`^pool/main/(lib[a-z0-9]|[a-z0-9])/(${NAME})/([a-z][a-z0-9-]{1,30})/(${NAME})_((?:[0-9]+:)?${VERSION_NO_EPOCH})_(${ARCH})\\.deb$`);

export function poolPathFor(info: { package: string; version: string; architecture: string; source: string }, codename: string): string {
  const { source } = info;
  const prefix = source.startsWith('lib') && source.length > 3 ? source.slice(0, 4) : source[0]!;
  const version = info.version.replace(/^0+:/, ''); // epoch 0 is no epoch (deb-version(7))
  const rel = `pool/main/${prefix}/${source}/${codename}/${info.package}_${version}_${info.architecture}.deb`;
  if (!POOL_PATH.test(rel) || !DEB_VERSION.test(info.version)) throw repoCorrupt(`unsafe pool path ${JSON.stringify(rel)}`);
  return rel;
}

/** Check a Packages entry's Filename against the pool layout, its codename and its own fields. */
export function checkPoolPath(filename: string, entry: { package: string; version: string; architecture: string }, codename: string): void {
  const m = POOL_PATH.exec(filename);
  const withoutEpoch = entry.version.replace(/^[0-9]+:/, '');
  const ok = m && m[3] === codename && m[4] === entry.package && m[6] === entry.architecture
    && (m[5] === entry.version || m[5] === withoutEpoch || `0:${m[5]}` === entry.version)
    && (m[1] === (m[2]!.startsWith('lib') && m[2]!.length > 3 ? m[2]!.slice(0, 4) : m[2]![0]));
  if (!ok) throw repoCorrupt(`the Packages index of ${codename} names ${JSON.stringify(filename)} for ${entry.package} ${entry.version}, outside the pool layout py2distro writes`);
}

/** yum package files: Packages/<name>-<version>-<release>.<arch>.rpm, nothing else. */
export const RPM_FILE = /^Packages\/[A-Za-z0-9_+][A-Za-z0-9_.+-]*-[A-Za-z0-9._+~^]+-[A-Za-z0-9._+~^]+\.[a-z0-9_]+\.rpm$/;

/** A yum generation directory name as py2distro makes it: repodata.<yyyymmdd>-<hhmmssmmm>-<pid>. */
export const GENERATION = /^repodata\.[0-9]{8}-[0-9]{9}-[0-9]{1,10}$/;

/**
 * Refuse when any existing component of `rel` below `root` is a symlink or not a directory: a
 * planted link (deb/pool/main/f → /etc) would make a write or a delete land outside the repository.
 */
export async function assertRealDirs(root: string, rel: string, checked?: Set<string>): Promise<void> {
  let current = root;
  for (const part of rel.split('/').filter(Boolean)) {
    current = path.join(current, part);
    if (checked?.has(current)) continue;
    // lstatSync: a publish checks thousands of pool directories; thread-pool round trips would dominate.
    const st = lstatSync(current, { throwIfNoEntry: false });
    if (!st) return; // the rest will be created
    if (st.isSymbolicLink() || !st.isDirectory()) {
      throw repoCorrupt(`${current} is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}; py2distro only writes real directories inside the repository`);
    }
    checked?.add(current);
  }
}

/** Refuse a file that is a symlink (or not a regular file) where py2distro wrote a regular file. */
export async function assertRegularFile(file: string): Promise<boolean> {
  try {
    const st = await lstat(file);
    if (!st.isFile()) throw repoCorrupt(`${file} is ${st.isSymbolicLink() ? 'a symlink' : 'not a regular file'}`);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Delete one file py2distro published (a pruned package), never through a symlinked directory. */
export async function removePublished(root: string, rel: string): Promise<void> {
  if (path.isAbsolute(rel) || rel.split('/').some((p) => p === '..' || p === '.' || p === '')) throw repoCorrupt(`refusing to delete ${JSON.stringify(rel)}`);
  await assertRealDirs(root, path.dirname(rel));
  await rm(path.join(root, rel), { force: true });
}
