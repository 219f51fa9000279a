/**
 * What a target distribution already provides, read from its builder image: for Debian-family
 * targets the apt candidate of every binary package (`apt-cache dumpavail`, one stanza per package
 * at its candidate version) and dh-python's `cpython3_fallback` table (Python project → binary
 * package, e.g. attrs → python3-attr); for Fedora/EL the `python3dist(name) = version` provides
 * from `dnf repoquery`. The query runs one container; its result is cached per image id so a no-op
 * sync never starts one.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pep440 from '@renovatebot/pep440';
import { Py2DistroError } from '../../lib/errors.js';
import { writeFileAtomic } from '../../lib/fs/atomic.js';
import type { Target } from '../../distro/targets.js';
import { normalizeName } from '../../python/requirement.js';
import { loadPy3distTable } from '../../distro/deb/python-names.js';
import { compareEvr } from '../../distro/rpm/version-compare.js';

/** "[E:]V-R" strings in rpm order. */
export function compareRpmEvrText(a: string, b: string): number {
  const parse = (s: string) => {
    const m = /^(?:(\d+):)?(.*?)(?:-([^-]*))?$/.exec(s)!;
    return { epoch: m[1] ? Number(m[1]) : 0, version: m[2] ?? '', release: m[3] ?? '' };
  };
  return compareEvr(parse(a), parse(b));
}

/** Serialisable snapshot of a target's archive. */
export interface DistroArchiveData {
  schema: 2;
  target: string;
  imageId: string;
  family: 'deb' | 'rpm';
  /** Binary package → candidate version (deb: Debian version; rpm: [E:]V-R, the highest). */
  binaries: Record<string, string>;
  /** deb: normalised Python project → binary package, from dh-python's fallback table. */
  fallback: Record<string, string>;
  /** rpm: normalised Python project → version of its `python3dist()` provide. */
  python3dist: Record<string, string>;
  queriedAt: string;
}

export interface DistroProvision {
  /** The distro package a dependency maps to (`python3-attr`, or `python3dist(attrs)` for RPM). */
  binary: string;
  /** The distro's own version string (Debian/RPM). */
  distroVersion: string;
  /** Its upstream part as PEP 440, for comparison with requirement specifiers; undefined if unparsable. */
  upstream?: string;
}

/** Runs argv in a fresh, removed container of `image` with network access; returns stdout. */
export type RunInImage = (image: string, argv: string[]) => Promise<string>;

/** dh-python's guess for a project absent from the fallback table (dh_python3's sensible pname). */
export function debianBinaryGuess(project: string): string {
  return `python3-${normalizeName(project)}`;
}

/**
 * Debian version → PEP 440 upstream: drop the epoch and the Debian revision, turn `~rc1` into
 * `rc1` and drop repack suffixes (`+dfsg`, `+ds1`) that PEP 440 would read as local versions.
 */
export function upstreamFromDistroVersion(v: string): string | undefined {
  let s = v.replace(/^\d+:/, '');
  const dash = s.lastIndexOf('-');
  if (dash > 0) s = s.slice(0, dash);
  s = s.replace(/\+.*$/, '').replace(/~/g, '');
  if (pep440.valid(s)) return pep440.clean(s) ?? s;
  const release = /^\d+(\.\d+)*/.exec(s)?.[0];
  return release && pep440.valid(release) ? release : undefined;
}

export class DistroArchive {
  #digest: string | undefined;

  /** `digest`: sha256 of the snapshot's text when it was read from the cache (saves serialising it again). */
  constructor(readonly data: DistroArchiveData, digest?: string) {
    this.#digest = digest;
  }

  /** sha256 naming this snapshot's content (an input of render's cache key). */
  get digest(): string {
    this.#digest ??= createHash('sha256').update(JSON.stringify(this.data)).digest('hex');
    return this.#digest;
  }

  /** How the distro provides `project`, or undefined when it does not. */
  lookup(project: string): DistroProvision | undefined {
    const name = normalizeName(project);
    if (this.data.family === 'rpm') {
      const version = this.data.python3dist[name];
      return version === undefined ? undefined : { binary: `python3dist(${name})`, distroVersion: version, upstream: upstreamFromDistroVersion(version) };
    }
    const binary = this.debianBinaryFor(name);
    const version = this.data.binaries[binary];
    return version === undefined ? undefined : { binary, distroVersion: version, upstream: upstreamFromDistroVersion(version) };
  }

  /** The binary name dh-python gives `project` on this target (fallback table, else its guess). */
  debianBinaryFor(project: string): string {
    return this.data.fallback[normalizeName(project)] ?? debianBinaryGuess(project);
  }

  /**
   * A binary name we would produce for `project` that the distro already uses for *another*
   * project (e.g. our `attr` would be python3-attr, which is Debian's attrs). Undefined if none.
   */
  clashFor(project: string, ourBinary: string): { binary: string; owner: string } | undefined {
    if (this.data.family !== 'deb' || this.data.binaries[ourBinary] === undefined) return undefined;
    const name = normalizeName(project);
    const owner = Object.entries(this.data.fallback).find(([, b]) => b === ourBinary)?.[0];
    if (owner && owner !== name) return { binary: ourBinary, owner };
    return undefined;
  }
}

/** Parse `Package:`/`Version:` lines (apt-cache dumpavail, filtered) into binary → version. */
export function parseDumpavail(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let pkg: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('Package: ')) pkg = line.slice(9).trim();
    else if (line.startsWith('Version: ') && pkg) {
      out[pkg] = line.slice(9).trim();
      pkg = undefined;
    }
  }
  return out;
}

/** dh-python's fallback table: `<dist name> <binary package>` per line. */
export function parseFallback(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [dist, binary] = line.trim().split(/\s+/);
    if (dist && binary && !dist.startsWith('#')) out[normalizeName(dist)] = binary;
  }
  return out;
}

/** `python3dist(name) = version` lines from dnf repoquery --provides; keeps the highest per name. */
export function parsePython3distProvides(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^python3dist\(([^)]+)\)\s*=\s*(\S+)/.exec(line.trim());
    if (!m) continue;
    const name = normalizeName(m[1]);
    const prev = out[name];
    const a = upstreamFromDistroVersion(m[2]);
    const b = prev === undefined ? undefined : upstreamFromDistroVersion(prev);
    if (prev === undefined || (a && b && pep440.gt(a, b))) out[name] = m[2];
  }
  return out;
}

const FALLBACK_MARK = '=== py2distro: cpython3_fallback ===';
// A fixed script (no untrusted value in it): refresh apt's lists, print the candidates' names and
// versions, then dh-python's table from the image.
const DEB_QUERY = [
  'sh', '-c',
  `apt-get update -qq >&2 && apt-cache dumpavail | grep -E '^(Package|Version):'; echo '${FALLBACK_MARK}'; cat /usr/share/dh-python/dist/cpython3_fallback 2>/dev/null || true`,
];
const NAMES_MARK = '=== py2distro: python3dist ===';
// Every binary package name with its EVR, then the python3dist() provides (fixed script, no input).
const RPM_QUERY = [
  'sh', '-c',
  `dnf -q repoquery --qf '%{name} %{evr}\\n' && echo '${NAMES_MARK}' && dnf -q repoquery --provides --whatprovides 'python3dist(*)'`,
];

/** `name evr` lines (dnf repoquery --qf) into name → highest EVR seen (rpm ordering). */
export function parseRpmNames(text: string, compare: (a: string, b: string) => number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_.+-]+) (\S+)$/.exec(line.trim());
    if (!m) continue;
    const prev = out[m[1]!];
    if (prev === undefined || compare(m[2]!, prev) > 0) out[m[1]!] = m[2]!;
  }
  return out;
}

export interface DistroArchiveOptions {
  target: Target;
  image: string;
  imageId: string;
  cacheDir: string;
  runInImage: RunInImage;
  /**
   * Read the image's apt archive whatever the target's family: what the test-only rpmtest target
   * installs its build requirements from (its "BuildRequires" are Debian packages).
   */
  hostApt?: boolean;
}

/** The target's archive, from the cache when this image id was queried before. */
export async function loadDistroArchive(opts: DistroArchiveOptions): Promise<DistroArchive> {
  const { target, imageId } = opts;
  const family = opts.hostApt ? 'deb' : target.family;
  const file = path.join(opts.cacheDir, 'distro-archive', `${target.name}${opts.hostApt ? '-apt' : ''}-${imageId.replace(/[^A-Za-z0-9]/g, '').slice(0, 64)}.json`);
  try {
    const text = await readFile(file, 'utf8');
    const cached = JSON.parse(text) as DistroArchiveData;
    if (cached.schema === 2 && cached.imageId === imageId) return new DistroArchive(cached, createHash('sha256').update(text).digest('hex'));
  } catch {
    // not cached yet (or unreadable): query the image
  }
  const data: DistroArchiveData = {
    schema: 2, target: target.name, imageId, family,
    binaries: {}, fallback: {}, python3dist: {}, queriedAt: new Date().toISOString(),
  };
  if (family === 'deb') {
    const out = await query(opts, DEB_QUERY);
    const at = out.indexOf(FALLBACK_MARK);
    data.binaries = parseDumpavail(at >= 0 ? out.slice(0, at) : out);
    data.fallback = parseFallback(at >= 0 ? out.slice(at + FALLBACK_MARK.length) : '');
    // An image without dh-python (rpmtest-bookworm): dh-python's table of this host, else the built-in one.
    if (Object.keys(data.fallback).length === 0) {
      for (const [k, v] of await loadPy3distTable()) if (!v.includes('(')) data.fallback[k] = v;
    }
    if (Object.keys(data.binaries).length === 0) {
      throw new Py2DistroError('E_DEPENDENCY', `the ${target.name} archive index in ${opts.image} is empty`, {
        hint: 'The builder container needs network access to its distribution mirror to read the archive index.',
      });
    }
  } else if (target.distro !== 'debian') {
    // rpmtest-bookworm has no RPM archive at all: every dependency is built.
    const out = await query(opts, RPM_QUERY);
    const at = out.indexOf(NAMES_MARK);
    data.binaries = parseRpmNames(at >= 0 ? out.slice(0, at) : '', compareRpmEvrText);
    data.python3dist = parsePython3distProvides(at >= 0 ? out.slice(at + NAMES_MARK.length) : out);
  }
  const text = JSON.stringify(data);
  await writeFileAtomic(file, text);
  return new DistroArchive(data, createHash('sha256').update(text).digest('hex'));
}

async function query(opts: DistroArchiveOptions, argv: string[]): Promise<string> {
  try {
    return await opts.runInImage(opts.image, argv);
  } catch (cause) {
    throw new Py2DistroError('E_DEPENDENCY', `cannot read the ${opts.target.name} archive index from ${opts.image}`, {
      cause,
      hint: 'The builder container needs network access to its distribution mirror; check the engine and network.',
    });
  }
}
