/**
 * Facts read from the source tree rather than declared metadata: setuptools' `*.egg-info/` files,
 * the top-level import names (Debian names the binary package after them), and whether the project
 * compiles extensions (Architecture: any).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseRequiresTxt } from '../../python/pkginfo.js';
import type { PyprojectData } from './pyproject.js';
import { listValue, parseIni } from './setupcfg.js';

export interface EggInfo {
  present: boolean;
  requires?: string[];
  consoleScripts?: Record<string, string>;
  topLevel: string[];
  sources: string[];
}

/** Reads `<name>.egg-info/` at the top or under src/ (setuptools writes it into the sdist). */
export async function readEggInfo(dir: string, files: readonly string[]): Promise<EggInfo> {
  const pkgInfo = files.find((f) => /^(src\/)?[^/]+\.egg-info\/PKG-INFO$/.test(f));
  if (!pkgInfo) return { present: false, topLevel: [], sources: [] };
  const eggDir = path.posix.dirname(pkgInfo);
  const sources: string[] = [];
  const read = async (name: string) => {
    const rel = `${eggDir}/${name}`;
    if (!files.includes(rel)) return undefined;
    sources.push(rel);
    return readFile(path.join(dir, rel), 'utf8');
  };
  const requires = await read('requires.txt');
  const entryPoints = await read('entry_points.txt');
  const topLevel = await read('top_level.txt');
  let consoleScripts: Record<string, string> | undefined;
  if (entryPoints !== undefined) {
    consoleScripts = {};
    for (const [k, v] of parseIni(entryPoints, { keepKeys: true }).get('console_scripts') ?? []) consoleScripts[k] = v;
  } else {
    consoleScripts = {}; // egg-info without entry_points.txt: setuptools writes it whenever there are any
  }
  return {
    present: true,
    requires: requires === undefined ? undefined : parseRequiresTxt(requires),
    consoleScripts,
    topLevel: topLevel === undefined ? [] : listValue(topLevel, /\n/).filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n)),
    sources,
  };
}

const NOT_IMPORTS = /^(tests?|docs?|examples?|benchmarks?|build|dist|scripts|tools|ci)$/i;
const NOT_MODULES = /^(setup|conftest|noxfile|tasks|fabfile|manage|runtests|bootstrap|ez_setup)$/;
const NATIVE_BACKENDS = /^(mesonpy|scikit_build_core\.build|maturin|setuptools_rust|enscons|pymsbuild|py_build_cmake\.build)$/;

export interface DetectedSources {
  importNames: string[];
  hasExtensions: boolean;
}

export async function detectSources(dir: string, files: readonly string[], py: PyprojectData | undefined): Promise<DetectedSources> {
  const setupPy = files.includes('setup.py') ? await readFile(path.join(dir, 'setup.py'), 'utf8') : '';
  // Extension("pkg.mod", ...) names the module a C extension builds.
  const extNames = [...setupPy.matchAll(/Extension\s*\(\s*(?:name\s*=\s*)?["']([A-Za-z_][\w.]*)["']/g)].map((m) => m[1]!.split('.')[0]!);
  const hasExtensions =
    /\bext_modules\s*=/.test(setupPy) || extNames.length > 0 || Boolean(py?.setuptools?.hasExtModules) ||
    NATIVE_BACKENDS.test(py?.buildSystem?.backend ?? '') || files.includes('Cargo.toml');

  const packages = new Set<string>();
  const modules = new Set<string>();
  for (const f of files) {
    const rel = f.startsWith('src/') ? f.slice(4) : f;
    const parts = rel.split('/');
    if (parts.length === 2 && parts[1] === '__init__.py' && /^[A-Za-z_]\w*$/.test(parts[0]!) && !NOT_IMPORTS.test(parts[0]!)) packages.add(parts[0]!);
    if (parts.length === 1 && /^[A-Za-z_]\w*\.py$/.test(parts[0]!)) {
      const mod = parts[0]!.slice(0, -3);
      if (!NOT_MODULES.test(mod) && !NOT_IMPORTS.test(mod)) modules.add(mod);
    }
  }
  const importNames = [...new Set([...[...packages].sort(), ...extNames, ...(packages.size ? [] : [...modules].sort())])];
  return { importNames, hasExtensions };
}
