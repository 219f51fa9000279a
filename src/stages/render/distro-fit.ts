/**
 * Fitting our package into the target distribution it is installed on:
 *   - a project the distro ships (dh-python's table: flit_core → flit) keeps the distro's binary
 *     name, at a version that sorts above the distro's (its epoch inherited), so apt upgrades it
 *     in place instead of installing a second package that owns the same files (/usr/bin/flit);
 *   - a console script named like another distro package is reported: that package most likely
 *     ships /usr/bin/<script> too;
 *   - runtime imports of well-known distro-provided modules that no dependency covers
 *     (pkg_resources, which Debian ships in python3-pkg-resources) become dependencies, found by a
 *     static scan of the package's .py files (never run).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { compareDebianVersions } from '../../distro/deb/version-compare.js';
import { DEBIAN_PACKAGE_NAME } from '../../distro/sanitize.js';
import { debianVersion } from '../../distro/versions.js';
import type { SdistMetadata } from '../../python/metadata.js';
import { normalizeName, parseDependency, type Requirement } from '../../python/pep508.js';

/** What render knows of the target's archive (api/sync/distro-archive.ts reads it from the image). */
export interface DistroFacts {
  /** normalised project → binary package (dh-python's cpython3_fallback of the target). */
  fallback: Record<string, string>;
  /** binary package → candidate version. */
  binaries: Record<string, string>;
}

export interface DebIdentity {
  binary: string;
  /** Epoch to prefix (the distro's), when ours would otherwise sort below its version. */
  epoch?: number;
  notes: string[];
  problems: string[];
}

export function debianIdentity(meta: SdistMetadata, ourName: string, distro: DistroFacts | undefined): DebIdentity {
  const out: DebIdentity = { binary: ourName, notes: [], problems: [] };
  if (!distro) return out;
  const shipped = distro.fallback[meta.normalizedName];
  if (shipped && DEBIAN_PACKAGE_NAME.test(shipped) && distro.binaries[shipped] !== undefined) {
    out.binary = shipped;
    const theirs = distro.binaries[shipped]!;
    const epoch = /^(\d+):/.exec(theirs)?.[1];
    const ours = (e?: string) => `${e ? `${e}:` : ''}${debianVersion(meta.version)}-1`;
    if (epoch && !/^\d+:/.test(debianVersion(meta.version))) out.epoch = Number(epoch);
    out.notes.push(`${meta.name} is ${shipped} ${theirs} in the distro: built as ${shipped}, so apt upgrades it in place`);
    if (compareDebianVersions(ours(out.epoch ? String(out.epoch) : undefined), theirs) <= 0) {
      out.problems.push(`${meta.name} ${meta.version} does not sort above the distro's ${shipped} ${theirs}: apt will keep the distro's package`);
    }
  }
  for (const script of Object.keys(meta.consoleScripts)) {
    const other = distro.binaries[script] !== undefined && script !== out.binary ? script : undefined;
    if (other) out.problems.push(`console script ${script}: the distro package ${other} probably ships /usr/bin/${script} too; installing both would conflict`);
  }
  return out;
}

// Modules the distro provides that code imports at runtime without declaring (setuptools' pkg_resources).
const DISTRO_MODULES: Record<string, string> = { pkg_resources: 'setuptools' };
const IMPORT = /^[ \t]*(?:import[ \t]+([A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*)|from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b)/gm;
const SKIP_DIR = /^(tests?|testing|docs?|examples?|benchmarks?|build|\.[^/]*)$/i;

async function pyFiles(dir: string, depth = 0, out: string[] = []): Promise<string[]> {
  if (depth > 6 || out.length > 2000) return out;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory() && !SKIP_DIR.test(e.name)) await pyFiles(path.join(dir, e.name), depth + 1, out);
    else if (e.isFile() && e.name.endsWith('.py') && !/^(test_|conftest)/.test(e.name)) out.push(path.join(dir, e.name));
  }
  return out;
}

export interface UndeclaredImport {
  module: string;
  /** The distribution that provides it, as a requirement to add. */
  requirement: Requirement;
  file: string;
}

/** Imports of {@link DISTRO_MODULES} in the package's modules that Requires-Dist does not cover. */
export async function undeclaredImports(sourceDir: string, meta: SdistMetadata): Promise<UndeclaredImport[]> {
  const declared = new Set(meta.requiresDist.filter((r) => !r.marker || !/extra\s*==/.test(r.marker)).map((r) => r.normalizedName));
  const roots = meta.importNames.flatMap((n) => [path.join(sourceDir, n), path.join(sourceDir, 'src', n), path.join(sourceDir, `${n}.py`), path.join(sourceDir, 'src', `${n}.py`)]);
  const found = new Map<string, UndeclaredImport>();
  for (const root of roots) {
    const files = root.endsWith('.py') ? [root] : await pyFiles(root);
    for (const file of files) {
      const text = await readFile(file, 'utf8').catch(() => '');
      for (const m of text.matchAll(IMPORT)) {
        const names = m[1] ? m[1].split(',').map((s) => s.trim().split('.')[0]!) : [m[2]!.split('.')[0]!];
        for (const mod of names) {
          const project = DISTRO_MODULES[mod];
          if (project && !declared.has(normalizeName(project)) && !found.has(mod)) {
            found.set(mod, { module: mod, requirement: parseDependency(project), file: path.relative(sourceDir, file) });
          }
        }
      }
    }
  }
  return [...found.values()];
}
