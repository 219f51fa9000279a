/**
 * What a build may hand back, decided by render and checked on the host after the containers
 * exit. The container is untrusted once the sdist's build ran in it: setup.py can leave any file,
 * replace the package it was asked for, or add maintainer scripts. So:
 *   - the container is told the expected names (PY2DISTRO_SOURCE/PACKAGES/VERSION/VR) and copies
 *     only those out, naming any other package file in `py2distro-unexpected`;
 *   - here every entry of the output directory must be a regular file with an expected name
 *     (`<binary>_<version>_<arch>.deb`, the source's .buildinfo/.changes; `<binary>-<v>-<r>.<arch>.rpm`
 *     and `<source>-<v>-<r>.src.rpm`) or one of the two metadata files;
 *   - each package's own header must say the same: deb Package/Version/Source/Architecture,
 *     rpm Name/Epoch/Version/Release/Arch/SOURCERPM;
 *   - no maintainer script or trigger py2distro's packaging does not generate (deb: only
 *     dh_python3's postinst/prerm, distro/deb/maintainer-scripts.ts; rpm: none at all).
 * Any failure refuses the whole build (E_BUILD_UNEXPECTED): nothing of it is placed or published.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { readControlMembers, readDebInfo } from '../../distro/deb/deb-file.js';
import { maintainerScriptProblems } from '../../distro/deb/maintainer-scripts.js';
import { rpmPackageProblems } from '../../distro/rpm/package-check.js';
import { Py2DistroError } from '../../lib/errors.js';

export interface ExpectedOutputs {
  family: 'deb' | 'rpm';
  sourcePackage: string;
  binaryPackages: string[];
  /** Full distro version, with "N:" when there is an epoch (render's distroVersion). */
  distroVersion: string;
  arch: 'all' | 'any';
}

/** Files the build scripts write beside the packages (docker/scripts). */
export const METADATA_FILES = ['package-METADATA', 'package-requires.txt', 'py2distro-unexpected'];

const ARCH = '([a-z0-9][a-z0-9_-]*)';

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The version as it appears in file names: no epoch. */
export function fileVersion(distroVersion: string): string {
  return distroVersion.replace(/^\d+:/, '');
}

/** Environment for docker/scripts: which names to copy out. */
export function expectedEnv(e: ExpectedOutputs): Record<string, string> {
  const v = fileVersion(e.distroVersion);
  return e.family === 'deb'
    ? { PY2DISTRO_SOURCE: e.sourcePackage, PY2DISTRO_PACKAGES: e.binaryPackages.join(' '), PY2DISTRO_VERSION: v }
    : { PY2DISTRO_SOURCE: e.sourcePackage, PY2DISTRO_PACKAGES: e.binaryPackages.join(' '), PY2DISTRO_VR: v };
}

type Kind = { kind: 'binary'; pkg: string; arch: string } | { kind: 'source' } | { kind: 'build-record' };

/** Which expected output a file name is, or undefined. */
export function classify(name: string, e: ExpectedOutputs): Kind | undefined {
  const v = escape(fileVersion(e.distroVersion));
  for (const pkg of e.binaryPackages) {
    const m = e.family === 'deb'
      ? new RegExp(`^${escape(pkg)}_${v}_${ARCH}\\.deb$`).exec(name)
      : new RegExp(`^${escape(pkg)}-${v}\\.${ARCH}\\.rpm$`).exec(name);
    if (m && m[1] !== 'src') return { kind: 'binary', pkg, arch: m[1]! };
  }
  const src = escape(e.sourcePackage);
  if (e.family === 'deb' && new RegExp(`^${src}_${v}_${ARCH}\\.(buildinfo|changes)$`).test(name)) return { kind: 'build-record' };
  if (e.family === 'rpm' && name === `${e.sourcePackage}-${fileVersion(e.distroVersion)}.src.rpm`) return { kind: 'source' };
  return undefined;
}

function printable(s: string): string {
  return JSON.stringify(s.slice(0, 200));
}

/** Checks the output directory; returns the artifact names in order, or throws E_BUILD_UNEXPECTED. */
export async function verifyBuildOutputs(outDir: string, e: ExpectedOutputs, stem: string): Promise<string[]> {
  const problems: string[] = [];
  const unexpected = await readFile(path.join(outDir, 'py2distro-unexpected'), 'utf8').catch(() => '');
  for (const line of unexpected.split('\n').filter(Boolean).slice(0, 20)) problems.push(`the build produced ${printable(line)}, which render did not ask for`);
  const artifacts: string[] = [];
  const binaries = new Map<string, number>();
  for (const name of (await readdir(outDir)).sort()) {
    if (METADATA_FILES.includes(name)) continue;
    const st = await lstat(path.join(outDir, name));
    const kind = classify(name, e);
    if (!kind || !st.isFile()) {
      problems.push(`unexpected ${st.isFile() ? 'file' : 'entry'} ${printable(name)} in the build output`);
      continue;
    }
    if (kind.kind === 'binary') {
      binaries.set(kind.pkg, (binaries.get(kind.pkg) ?? 0) + 1);
      const buf = await readFile(path.join(outDir, name));
      problems.push(...(e.family === 'deb' ? await debProblems(buf, name, kind.pkg, kind.arch, e) : rpmPackageProblems(buf, name, { ...e, name: kind.pkg, arch: kind.arch })));
    } else if (kind.kind === 'source') {
      problems.push(...rpmPackageProblems(await readFile(path.join(outDir, name)), name, { ...e, name: e.sourcePackage, arch: 'src' }));
    }
    artifacts.push(name);
  }
  for (const pkg of e.binaryPackages) {
    if ((binaries.get(pkg) ?? 0) > 1) problems.push(`more than one file for ${pkg}`);
  }
  if (problems.length) {
    throw new Py2DistroError('E_BUILD_UNEXPECTED', `${stem}: the build's output is not what render produced:\n  ${problems.join('\n  ')}`, {
      details: { problems },
    });
  }
  return artifacts;
}

async function debProblems(buf: Buffer, file: string, pkg: string, arch: string, e: ExpectedOutputs): Promise<string[]> {
  let info;
  try {
    info = await readDebInfo(buf, file);
  } catch (err) {
    return [`${file}: ${(err as Error).message}`];
  }
  const out: string[] = [];
  if (info.package !== pkg) out.push(`${file}: Package is ${printable(info.package)}, expected ${pkg}`);
  if (info.version !== e.distroVersion) out.push(`${file}: Version is ${printable(info.version)}, expected ${e.distroVersion}`);
  if (info.source !== e.sourcePackage) out.push(`${file}: Source is ${printable(info.source)}, expected ${e.sourcePackage}`);
  const sourceVersion = /\((.*)\)/.exec(info.control.find(([n]) => n.toLowerCase() === 'source')?.[1] ?? '')?.[1];
  if (sourceVersion !== undefined && sourceVersion.trim() !== e.distroVersion) out.push(`${file}: Source version ${printable(sourceVersion)} is not ${e.distroVersion}`);
  if (info.architecture !== arch || (e.arch === 'all') !== (arch === 'all')) out.push(`${file}: Architecture ${printable(info.architecture)} does not fit the ${e.arch} package`);
  out.push(...maintainerScriptProblems(pkg, info.architecture, await readControlMembers(buf, file)).map((p) => `${file}: ${p}`));
  return out;
}
