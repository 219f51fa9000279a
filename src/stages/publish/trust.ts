/**
 * What py2distro accepts back from a repository directory before it uses it — and before the org
 * key signs anything based on it. The directory (a web root, an NFS or object-store sync target) is
 * less trusted than the key, so everything read from it is checked: signatures against the trust
 * anchors (see sign/verify.ts), every path against the layout py2distro writes, and every
 * directory it writes into for symlinks that would lead outside the repository. Failing any check
 * is E_REPO_CORRUPT and nothing is signed.
 */
import { lstatSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Py2DistroError } from '../../lib/errors.js';
import { DEB_ARCH, DEB_NAME, DEB_VERSION } from '../../distro/deb/grammar.js';

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
 * Pool file names: pool/<codename>/main/<prefix>/<package>_<version>_<arch>.deb (prefix: the first
 * letter, or lib + one for lib*, as Debian shards its pool), where the version carries its epoch
 * ("1:2.0") unless the epoch is 0, so `foo 1:2.0` and `foo 2.0` never share a file. One directory
 * per codename and letter, none per package: creating two directories per package was most of the
 * time of a new repository (mkdir(2) is a journal transaction each), and the codename level keeps
 * the same version built for two distributions apart. Repositories written by py2distro up to 0.1
 * list pool/main/<prefix>/<source>/<codename>/<file> (the version then also without its epoch):
 * still accepted for the entries they have, never written again. Every component starts with a
 * letter or a digit: no "..", no "/", no absolute path.
 */
const POOL_PATH = new RegExp(`^pool/([a-z][a-z0-9-]{1,30})/main/(lib[a-z0-9]|[a-z0-9])/(${NAME})_((?:[0-9]+:)?${VERSION_NO_EPOCH})_(${ARCH})\\.deb$`);
const LEGACY_POOL_PATH = new RegExp(`^pool/main/(lib[a-z0-9]|[a-z0-9])/(${NAME})/([a-z][a-z0-9-]{1,30})/(${NAME})_((?:[0-9]+:)?${VERSION_NO_EPOCH})_(${ARCH})\\.deb$`);

/** Debian's pool shard of a name: lib + one letter for lib*, else the first letter. */
export function poolPrefix(name: string): string {
  return name.startsWith('lib') && name.length > 3 ? name.slice(0, 4) : name[0]!;
}

export function poolPathFor(info: { package: string; version: string; architecture: string }, codename: string): string {
  const version = info.version.replace(/^0+:/, ''); // epoch 0 is no epoch (deb-version(7))
  const rel = `pool/${codename}/main/${poolPrefix(info.package)}/${info.package}_${version}_${info.architecture}.deb`;
  if (!POOL_PATH.test(rel) || !DEB_VERSION.test(info.version)) throw repoCorrupt(`unsafe pool path ${JSON.stringify(rel)}`);
  return rel;
}

/** Check a Packages entry's Filename against the pool layout (either one), its codename and its own fields. */
export function checkPoolPath(filename: string, entry: { package: string; version: string; architecture: string }, codename: string): void {
  const withoutEpoch = entry.version.replace(/^[0-9]+:/, '');
  const sameVersion = (v: string, legacy: boolean) => v === entry.version || `0:${v}` === entry.version || (legacy && v === withoutEpoch);
  const m = POOL_PATH.exec(filename);
  const legacy = m ? undefined : LEGACY_POOL_PATH.exec(filename);
  const ok = m
    ? m[1] === codename && m[3] === entry.package && m[5] === entry.architecture && sameVersion(m[4]!, false) && m[2] === poolPrefix(m[3]!)
    : legacy && legacy[3] === codename && legacy[4] === entry.package && legacy[6] === entry.architecture && sameVersion(legacy[5]!, true)
      && legacy[1] === poolPrefix(legacy[2]!);
  if (!ok) throw repoCorrupt(`the Packages index of ${codename} names ${JSON.stringify(filename)} for ${entry.package} ${entry.version}, outside the pool layout py2distro writes`);
}

/** A yum target directory name (fedora-41, rpmtest-bookworm): rpm/<target>/. */
export const RPM_TARGET = /^[a-z0-9][a-z0-9.-]{0,40}$/;
/** An apt codename (bookworm): a directory name under deb/dists/. */
export const CODENAME = /^[a-z][a-z0-9-]{1,30}$/;

/** yum package files: Packages/<name>-<version>-<release>.<arch>.rpm, nothing else. */
export const RPM_FILE = /^Packages\/[A-Za-z0-9_+][A-Za-z0-9_.+-]*-[A-Za-z0-9._+~^]+-[A-Za-z0-9._+~^]+\.[a-z0-9_]+\.rpm$/;

/** A yum generation directory name as py2distro makes it: repodata.<yyyymmdd>-<hhmmssmmm>-<pid>. */
export const GENERATION = /^repodata\.[0-9]{8}-[0-9]{9}-[0-9]{1,10}$/;

/**
 * Refuse when any existing component of `rel` below `root` is a symlink or not a directory: a
 * planted link (deb/pool/main/f → /etc) would make a write or a delete land outside the repository.
 */
export async function assertRealDirs(root: string, rel: string, checked?: Set<string>): Promise<void> {
  checkRealDirs(root, rel, checked);
}

/** assertRealDirs, synchronously (lstatSync: a publish checks many pool directories; thread-pool round trips would dominate). */
export function checkRealDirs(root: string, rel: string, checked?: Set<string>): void {
  let current = root;
  for (const part of rel.split('/').filter(Boolean)) {
    current = path.join(current, part);
    if (checked?.has(current)) continue;
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
  return checkRegularFile(file);
}

/** assertRegularFile, synchronously: false when missing. */
export function checkRegularFile(file: string): boolean {
  const st = lstatSync(file, { throwIfNoEntry: false }); // one cheap syscall, no thread-pool round trip
  if (!st) return false;
  if (!st.isFile()) throw repoCorrupt(`${file} is ${st.isSymbolicLink() ? 'a symlink' : 'not a regular file'}`);
  return true;
}

/** Delete one file py2distro published (a pruned package), never through a symlinked directory. */
export async function removePublished(root: string, rel: string): Promise<void> {
  if (path.isAbsolute(rel) || rel.split('/').some((p) => p === '..' || p === '.' || p === '')) throw repoCorrupt(`refusing to delete ${JSON.stringify(rel)}`);
  await assertRealDirs(root, path.dirname(rel));
  await rm(path.join(root, rel), { force: true });
}
