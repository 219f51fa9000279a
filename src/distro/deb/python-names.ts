/**
 * Python names → Debian package names and relations, the way dh-python does it: the binary package
 * is `python3-<import name>` (Debian Python Policy §4.3), requirements map through dh-python's table
 * of distribution name → package (`/usr/share/dh-python/dist/cpython3_fallback`; PyYAML →
 * python3-yaml, attrs → python3-attr), and packages py2distro builds itself are listed in
 * `debian/py3dist-overrides` so that dh_python3's `${python3:Depends}` names them too.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { satisfies } from '@renovatebot/pep440';
import { normalizeName, type Requirement } from '../../python/pep508.js';
import type { SdistMetadata } from '../../python/metadata.js';
import { buildNeeds, type BuildTool } from '../../python/build-requirements.js';
import { evaluateMarker, markerEnvironment } from '../../python/markers.js';
import { DEBIAN_PACKAGE_NAME, requireGrammar } from '../sanitize.js';
import type { Target } from '../targets.js';
import { debianRelations } from '../versions.js';

export const DH_PYTHON_TABLE = '/usr/share/dh-python/dist/cpython3_fallback';

/** normalised Python name → Debian dependency ("python3-yaml", or "python3 (>= 3.2)"). */
export type Py3distTable = Map<string, string>;

// Used when dh-python's table is not installed (e.g. rendering on a non-Debian host).
const BUILTIN_TABLE: Record<string, string> = {
  pyyaml: 'python3-yaml', attrs: 'python3-attr', setuptools: 'python3-pkg-resources', pillow: 'python3-pil',
  'typing-extensions': 'python3-typing-extensions', requests: 'python3-requests', 'python-dateutil': 'python3-dateutil',
  beautifulsoup4: 'python3-bs4', pyjwt: 'python3-jwt', 'scikit-learn': 'python3-sklearn', pyopenssl: 'python3-openssl',
};

// Build backends: the table maps runtime names (setuptools → python3-pkg-resources); builds need the tool itself.
const BUILD_TABLE: Record<string, string> = {
  setuptools: 'python3-setuptools', wheel: 'python3-wheel', 'setuptools-scm': 'python3-setuptools-scm',
  'flit-core': 'flit', hatchling: 'python3-hatchling', 'hatch-vcs': 'python3-hatch-vcs', 'poetry-core': 'python3-poetry-core',
  cython: 'cython3', 'setuptools-rust': 'python3-setuptools-rust', 'pdm-backend': 'python3-pdm-backend', 'pdm-pep517': 'python3-pdm-pep517',
  'meson-python': 'python3-mesonpy', 'scikit-build-core': 'python3-scikit-build-core', pip: 'python3-pip',
  maturin: 'python3-maturin', pbr: 'python3-pbr', 'pytest-runner': 'python3-pytest-runner',
};

/** Programs a build runs (python/build-requirements.ts) → Debian packages (same names in bookworm and trixie). */
export const DEB_TOOLS: Record<BuildTool, string[]> = {
  ninja: ['ninja-build'], cmake: ['cmake'], meson: ['meson'], patchelf: ['patchelf'], rust: ['cargo', 'rustc'], 'pkg-config': ['pkg-config'],
};

export async function loadPy3distTable(file = DH_PYTHON_TABLE): Promise<Py3distTable> {
  const table: Py3distTable = new Map(Object.entries(BUILTIN_TABLE));
  if (!existsSync(file)) return table;
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const m = /^([A-Za-z0-9._-]+)\s+([a-z0-9][a-z0-9+.-]+(?:\s*\([<>=]{1,2}\s*[A-Za-z0-9.+~:-]+\))?)\s*$/.exec(line.trim());
    if (m) table.set(normalizeName(m[1]!), m[2]!);
  }
  return table;
}

/**
 * `python3-<project>`: the PEP 503 name of the project that was *requested* (a leading `python-`
 * or `python3-` dropped), never the sdist's import name. Debian Python Policy §4.3 names packages
 * after the import name, but that name is chosen by the sdist: a project shipping a top-level
 * module `apt` would become python3-apt, which apt's own tools import as root. Whether the name is
 * one the distribution already uses is checked against its archive before the build
 * (api/distro-names.ts).
 */
export function debianBinaryName(meta: Pick<SdistMetadata, 'normalizedName'>): string {
  return requireGrammar(`python3-${meta.normalizedName.replace(/^python3?-/, '')}`, DEBIAN_PACKAGE_NAME, 'Debian binary package name');
}

/** Source package: `python-<project>` (the usual Debian spelling for Python libraries). */
export function debianSourceName(meta: Pick<SdistMetadata, 'normalizedName'>): string {
  return requireGrammar(`python-${meta.normalizedName.replace(/^python-/, '')}`, DEBIAN_PACKAGE_NAME, 'Debian source package name');
}

export interface DebMappingOptions {
  target: Target;
  table: Py3distTable;
  extras?: readonly string[];
  /** normalised Python name → Debian binary name, for packages py2distro builds itself. */
  localPackages?: ReadonlyMap<string, string>;
}

export interface DebMapped {
  /** Depends entries, e.g. "python3-yaml (>= 5)". */
  depends: string[];
  /** debian/py3dist-overrides lines for local packages. */
  overrides: string[];
  /** Requirements that cannot be met on the target (no package known, direct URLs, requires-python). */
  unmet: string[];
  /** Notes: constraints Debian cannot express (`!=`), extras of dependencies. */
  notes: string[];
}

function lookup(req: Requirement, opts: DebMappingOptions, forBuild: boolean): { pkg: string; known: boolean; local: boolean } {
  const local = opts.localPackages && [...opts.localPackages].find(([k]) => normalizeName(k) === req.normalizedName)?.[1];
  if (local) return { pkg: requireGrammar(local, DEBIAN_PACKAGE_NAME, 'local package name'), known: true, local: true };
  const fromTable = (forBuild ? BUILD_TABLE[req.normalizedName] : undefined) ?? opts.table.get(req.normalizedName);
  if (fromTable) return { pkg: fromTable, known: true, local: false };
  return { pkg: `python3-${req.normalizedName}`, known: false, local: false };
}

/** Maps requirements that apply on the target (markers, requested extras) to Depends entries. */
export function mapDebRequirements(reqs: readonly Requirement[], opts: DebMappingOptions, forBuild = false): DebMapped {
  const env = markerEnvironment(opts.target);
  const out: DebMapped = { depends: [], overrides: [], unmet: [], notes: [] };
  for (const req of reqs) {
    if (!evaluateMarker(req.marker, env, opts.extras ?? [])) continue;
    if (req.url) { out.unmet.push(`${req.raw}: direct URL references cannot be mapped to a Debian package`); continue; }
    const { pkg, known, local } = lookup(req, opts, forBuild);
    if (!known) out.unmet.push(`${req.raw}: no Debian package known for "${req.name}" (guessed ${pkg})`);
    if (local) out.overrides.push(`${req.normalizedName.replace(/-/g, '_')} ${pkg}`);
    if (req.extras.length) out.notes.push(`${req.raw}: extras [${req.extras.join(',')}] of a dependency are not expressed`);
    const rel = debianRelations(req.specifier);
    for (const d of rel.dropped) out.notes.push(`${req.raw}: "${d}" cannot be expressed in Debian relations and was dropped`);
    // A table entry that already carries a version (argparse → "python3 (>= 3.2)") is used as is.
    if (/\(/.test(pkg) || rel.constraints.length === 0) out.depends.push(pkg);
    else for (const c of rel.constraints) out.depends.push(`${pkg} (${c.op} ${c.version})`);
  }
  out.depends = [...new Set(out.depends)];
  out.overrides = [...new Set(out.overrides)];
  return out;
}

/** Does the target's Python satisfy Requires-Python? Returns a report line when it does not. */
export function requiresPythonProblem(meta: Pick<SdistMetadata, 'requiresPython'>, target: Target): string | undefined {
  const spec = meta.requiresPython?.replace(/\s+/g, '');
  if (!spec) return undefined;
  let ok = true;
  try {
    ok = satisfies(target.python.fullVersion, spec, { prereleases: true });
  } catch {
    return `Requires-Python "${spec}" is not a valid specifier`;
  }
  return ok ? undefined : `Requires-Python "${spec}" excludes ${target.name}'s Python ${target.python.fullVersion}`;
}

/**
 * The Debian packages that stand for a build's needs (python/build-requirements.ts): the Python
 * ones through dh-python's names (or ours), the programs through {@link DEB_TOOLS}.
 */
export function debianBuildNeeds(meta: Pick<SdistMetadata, 'buildSystem' | 'setupRequires' | 'rust'>, opts: DebMappingOptions): DebMapped {
  const needs = buildNeeds(meta);
  const mapped = mapDebRequirements(needs.python, opts, true);
  const tools = needs.tools.flatMap((t) => DEB_TOOLS[t]);
  return { ...mapped, depends: [...new Set([...mapped.depends, ...tools])], notes: [...needs.notes, ...mapped.notes] };
}

/** Build-Depends beyond debhelper: dh-python, the interpreter, the pyproject plugin, the backend and what the build needs. */
export function debianBuildDepends(meta: SdistMetadata, opts: DebMappingOptions & { runTests?: boolean }): DebMapped {
  const base = ['debhelper-compat (= 13)', 'dh-python', meta.hasExtensions ? 'python3-all-dev' : 'python3-all'];
  if (meta.buildSystem.declared && meta.buildSystem.backend) base.push('pybuild-plugin-pyproject');
  const backend = debianBuildNeeds(meta, opts);
  const tests = opts.runTests ? mapDebRequirements(meta.requiresDist, opts) : { depends: [], overrides: [], unmet: [], notes: [] };
  const depends = [...new Set([...base, ...backend.depends, ...(opts.runTests ? ['python3-pytest', ...tests.depends] : [])])];
  return { depends, overrides: [], unmet: [...backend.unmet, ...tests.unmet].map((u) => `build: ${u}`), notes: backend.notes };
}
