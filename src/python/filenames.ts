/**
 * Distribution filenames, the one rule py2distro uses for them: sdists (`name-version.tar.gz`,
 * PEP 625, plus legacy dashed names such as `python-dateutil-2.8.2.tar.gz` and `.zip`/`.tgz`) and
 * wheels (`name-version(-build)?-py-abi-platform.whl`, the binary distribution format spec).
 * Versions are checked as PEP 440 with @renovatebot/pep440.
 */
import { clean, valid } from '@renovatebot/pep440';
import { normalizeName } from './requirement.js';

export type FileKind = 'sdist' | 'wheel' | 'other';

export interface DistributionFilename {
  /** The name as spelled in the filename (not normalised). */
  name: string;
  version: string;
  kind: FileKind;
}

/** The archive suffixes an sdist may have that py2distro builds from. */
export const SDIST_SUFFIX = /\.(tar\.gz|tgz|zip)$/i;
const ANY_ARCHIVE = /\.(tar\.gz|tar\.bz2|tar\.xz|tgz|zip|egg|exe|msi|rpm)$/i;

/**
 * Name, version and kind of a distribution file. With `project`, the split is where the left part
 * normalises to that project (the only reliable rule for legacy dashed names) and a file of
 * another project gives undefined; without it, at the first dash followed by a valid version.
 */
export function parseDistributionFilename(filename: string, project?: string): DistributionFilename | undefined {
  const wanted = project === undefined ? undefined : normalizeName(project);
  if (filename.endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    if (parts.length < 5 || !valid(parts[1])) return undefined;
    if (wanted !== undefined && normalizeName(parts[0]) !== wanted) return undefined;
    return { name: parts[0], version: parts[1], kind: 'wheel' };
  }
  const stem = filename.replace(ANY_ARCHIVE, '');
  if (stem === filename) return undefined;
  const kind: FileKind = SDIST_SUFFIX.test(filename) ? 'sdist' : 'other';
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    const name = stem.slice(0, i);
    const version = stem.slice(i + 1);
    if (!valid(version)) continue;
    if (wanted !== undefined ? normalizeName(name) === wanted : /^[0-9vV]/.test(version)) return { name, version, kind };
  }
  return undefined;
}

/** An sdist py2distro can build from (`.tar.gz`, `.tgz`, `.zip`), or undefined. */
export function parseSdistFilename(filename: string, project?: string): { name: string; version: string } | undefined {
  const parsed = parseDistributionFilename(filename, project);
  return parsed?.kind === 'sdist' ? { name: parsed.name, version: parsed.version } : undefined;
}

/**
 * The comparable form of a distribution filename, or undefined when it is not one: the name
 * PEP 503-normalised, the version PEP 440-normalised (`1.0RC1` = `1.0rc1`; `1.0` ≠ `1.0.0`, which
 * fails closed), wheel tags lower-cased, the archive suffix as written. PEP 740 compares the
 * attestation subject's name with the file's "after parsing and normalising" both; this is that.
 * With `project`, a filename of another project gives undefined.
 */
export function comparableFilename(filename: string, project?: string): string | undefined {
  if (filename.includes('/') || filename.includes('\\')) return undefined;
  const parsed = parseDistributionFilename(filename, project);
  if (!parsed || parsed.kind === 'other') return undefined;
  const name = normalizeName(parsed.name).replace(/-/g, '_');
  const version = clean(parsed.version);
  if (!version) return undefined;
  if (parsed.kind === 'wheel') {
    const tags = filename.slice(0, -4).split('-').slice(2).map((t) => t.toLowerCase());
    return `${name}-${version}-${tags.join('-')}.whl`;
  }
  return `${name}-${version}${SDIST_SUFFIX.exec(filename)![0].toLowerCase()}`;
}
