/**
 * pyproject.toml: the [project] table (PEP 621, "Declaring project metadata") and [build-system]
 * (PEP 517/518), plus the few [tool.setuptools] keys that say which import packages a project has.
 */
import { parse as parseToml } from 'smol-toml';
import { Py2DistroError } from '../../lib/errors.js';

export interface PersonEntry { name?: string; email?: string }
export interface Readme { file?: string; text?: string; contentType?: string }

export interface PyprojectData {
  buildSystem?: { requires: string[]; backend?: string; backendPath?: string[] };
  project?: {
    name?: string;
    version?: string;
    description?: string;
    readme?: Readme;
    license?: { text?: string; file?: string; expression?: string };
    licenseFiles: string[];
    authors: PersonEntry[];
    maintainers: PersonEntry[];
    urls: Record<string, string>;
    classifiers: string[];
    dependencies?: string[];
    optionalDependencies: Record<string, string[]>;
    requiresPython?: string;
    scripts: Record<string, string>;
    guiScripts: Record<string, string>;
    dynamic: string[];
  };
  /** [tool.setuptools] packages / py-modules / ext-modules, when declared. */
  setuptools?: { packages?: string[]; pyModules?: string[]; hasExtModules: boolean };
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const strMap = (v: unknown): Record<string, string> =>
  isTable(v) ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
const persons = (v: unknown): PersonEntry[] =>
  Array.isArray(v) ? v.filter(isTable).map((p) => ({ name: str(p.name), email: str(p.email) })) : [];

function readme(v: unknown): Readme | undefined {
  if (typeof v === 'string') return { file: v, contentType: v.toLowerCase().endsWith('.md') ? 'text/markdown' : v.toLowerCase().endsWith('.rst') ? 'text/x-rst' : 'text/plain' };
  if (isTable(v)) return { file: str(v.file), text: str(v.text), contentType: str(v['content-type']) };
  return undefined;
}

export function parsePyproject(text: string): PyprojectData {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (err) {
    throw new Py2DistroError('E_METADATA', `pyproject.toml is not valid TOML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const out: PyprojectData = {};
  const bs = doc['build-system'];
  if (isTable(bs)) {
    out.buildSystem = { requires: strList(bs.requires), backend: str(bs['build-backend']), backendPath: strList(bs['backend-path']) };
  }
  const p = doc.project;
  if (isTable(p)) {
    const lic = p.license;
    out.project = {
      name: str(p.name),
      version: str(p.version),
      description: str(p.description),
      readme: readme(p.readme),
      // PEP 639: license may be an SPDX string; PEP 621: a table with text or file.
      license: typeof lic === 'string' ? { expression: lic } : isTable(lic) ? { text: str(lic.text), file: str(lic.file) } : undefined,
      licenseFiles: strList(p['license-files']),
      authors: persons(p.authors),
      maintainers: persons(p.maintainers),
      urls: strMap(p.urls),
      classifiers: strList(p.classifiers),
      dependencies: Array.isArray(p.dependencies) ? strList(p.dependencies) : undefined,
      optionalDependencies: isTable(p['optional-dependencies'])
        ? Object.fromEntries(Object.entries(p['optional-dependencies']).map(([k, v]) => [k, strList(v)]))
        : {},
      requiresPython: str(p['requires-python']),
      scripts: strMap(p.scripts),
      guiScripts: strMap(p['gui-scripts']),
      dynamic: strList(p.dynamic),
    };
  }
  const tool = isTable(doc.tool) ? doc.tool : {};
  const st = isTable(tool.setuptools) ? tool.setuptools : undefined;
  if (st) {
    out.setuptools = {
      packages: Array.isArray(st.packages) ? strList(st.packages) : undefined,
      pyModules: Array.isArray(st['py-modules']) ? strList(st['py-modules']) : undefined,
      hasExtModules: Array.isArray(st['ext-modules']) && st['ext-modules'].length > 0,
    };
  }
  return out;
}
