/**
 * The one table of targets. Everything target-specific that TypeScript needs (family, codename,
 * Python version for marker evaluation, builder image) comes from here; the build toolchain itself
 * is defined by docker/<target>/Dockerfile.
 */
import { Py2DistroError } from '../lib/errors.js';

/** Which package family a target belongs to; {@link ./family.ts} holds what each family knows. */
export type FamilyName = 'deb' | 'rpm';

export interface Target {
  /** Name used on the command line and as docker/<name>/. */
  name: string;
  family: FamilyName;
  /** Distribution as users say it. */
  distro: 'debian' | 'ubuntu' | 'fedora' | 'el';
  /** Debian/Ubuntu codename (changelog distribution, apt dists/<codename>); release for RPM. */
  codename: string;
  /** python_version / python_full_version for PEP 508 markers. */
  python: { version: string; fullVersion: string };
  /** Base image pulled, or bootstrapped offline with mmdebstrap for Debian/Ubuntu. */
  baseImage: string;
  /** mmdebstrap suite and mirror for the offline bootstrap (deb-based bases only). */
  bootstrap?: { suite: string; mirror: string; components: string[] };
  /** RPM dist tag (e.g. .fc41) or '' for Debian. */
  distTag: string;
  /** The spec flavour: Fedora/EL have the pyproject macros; rpmtest-bookworm does not. */
  rpmFlavour?: 'pyproject-macros' | 'plain';
  /** Not for production: exists so the RPM path can be built and tested offline. */
  testOnly?: boolean;
}

export const TARGETS: readonly Target[] = [
  {
    name: 'debian-bookworm', family: 'deb', distro: 'debian', codename: 'bookworm',
    python: { version: '3.11', fullVersion: '3.11.2' }, baseImage: 'docker.io/library/debian:bookworm',
    bootstrap: { suite: 'bookworm', mirror: 'http://deb.debian.org/debian', components: ['main'] }, distTag: '',
  },
  {
    name: 'debian-trixie', family: 'deb', distro: 'debian', codename: 'trixie',
    python: { version: '3.13', fullVersion: '3.13.5' }, baseImage: 'docker.io/library/debian:trixie',
    bootstrap: { suite: 'trixie', mirror: 'http://deb.debian.org/debian', components: ['main'] }, distTag: '',
  },
  {
    name: 'ubuntu-noble', family: 'deb', distro: 'ubuntu', codename: 'noble',
    python: { version: '3.12', fullVersion: '3.12.3' }, baseImage: 'docker.io/library/ubuntu:noble',
    bootstrap: { suite: 'noble', mirror: 'http://archive.ubuntu.com/ubuntu', components: ['main', 'universe'] }, distTag: '',
  },
  {
    name: 'fedora-41', family: 'rpm', distro: 'fedora', codename: '41',
    python: { version: '3.13', fullVersion: '3.13.0' }, baseImage: 'registry.fedoraproject.org/fedora:41',
    distTag: '.fc41', rpmFlavour: 'pyproject-macros',
  },
  {
    name: 'el9', family: 'rpm', distro: 'el', codename: '9',
    python: { version: '3.9', fullVersion: '3.9.18' }, baseImage: 'quay.io/almalinuxorg/almalinux:9',
    distTag: '.el9', rpmFlavour: 'pyproject-macros',
  },
  {
    name: 'rpmtest-bookworm', family: 'rpm', distro: 'debian', codename: 'bookworm',
    python: { version: '3.11', fullVersion: '3.11.2' }, baseImage: 'docker.io/library/debian:bookworm',
    bootstrap: { suite: 'bookworm', mirror: 'http://deb.debian.org/debian', components: ['main'] },
    distTag: '.rpmtest', rpmFlavour: 'plain', testOnly: true,
  },
];

/** Short aliases: `--target deb` is debian-trixie (Debian's stable release since 2025-08; bookworm is oldstable), `--target rpm` is fedora-41. */
const ALIASES: Record<string, string> = { deb: 'debian-trixie', rpm: 'fedora-41' };

export function getTarget(name: string): Target {
  const t = TARGETS.find((x) => x.name === (ALIASES[name] ?? name));
  if (!t) {
    throw new Py2DistroError('E_TARGET_UNKNOWN', `unknown target "${name}"`, {
      hint: `Known targets: ${TARGETS.map((x) => x.name).join(', ')} (aliases: deb, rpm).`,
    });
  }
  return t;
}
