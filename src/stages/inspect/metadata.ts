/**
 * The metadata model of an sdist, merged from what it states: PKG-INFO (authoritative for every field
 * it has that is not `Dynamic`, Metadata 2.2+), then `*.egg-info/` (requires.txt, entry_points.txt,
 * top_level.txt), then pyproject.toml [project] (static fields only), then setup.cfg. What none of
 * them states — a setup.py-only project computes it when run — is listed in `unknown`; the build
 * step fills it from the built wheel's METADATA.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Py2DistroError } from '../../lib/errors.js';
import type { StageEnv } from '../../lib/env.js';
import { DEFAULT_LIMITS, extractSdist, type ExtractLimits } from './extract.js';
import { normalizeName, parseDependency, PROJECT_NAME } from '../../python/pep508.js';
import { all, first, parseCoreMetadata, people, type CoreMetadataFields } from '../../python/pkginfo.js';
import { parsePyproject, type PyprojectData } from './pyproject.js';
import { parseSetupCfg, type SetupCfgData } from './setupcfg.js';
import { detectSources, readEggInfo, type EggInfo } from './sources.js';
import { staticBuildFacts } from './static-build.js';

import type { SdistMetadata } from '../../python/metadata.js';

export type { Person, Requirement, SdistMetadata } from '../../python/metadata.js';

const PYPROJECT_TO_CORE: Record<string, string> = {
  dependencies: 'requires-dist', 'optional-dependencies': 'provides-extra', scripts: 'entry-points',
  'gui-scripts': 'entry-points', description: 'summary', readme: 'description', 'requires-python': 'requires-python',
  urls: 'project-url', license: 'license', authors: 'author', maintainers: 'maintainer', classifiers: 'classifier', version: 'version',
};

async function readText(dir: string, rel: string): Promise<string | undefined> {
  const p = path.join(dir, rel);
  // Never follow a path out of the tree (readme = "../../etc/passwd" in a hostile pyproject).
  if (!path.resolve(p).startsWith(path.resolve(dir) + path.sep) || !existsSync(p)) return undefined;
  return readFile(p, 'utf8');
}

/** What inspect hands to render: the sdist, its metadata, and the tree it was extracted to (once). */
export interface InspectedSdist {
  path: string;
  metadata: SdistMetadata;
  sourceDir: string;
}

export async function inspectSdist(sdistPath: string, env: StageEnv, limits: ExtractLimits = DEFAULT_LIMITS): Promise<InspectedSdist> {
  const scratch = await mkdtemp(path.join(env.workDir, 'inspect-'));
  const extracted = await extractSdist(sdistPath, path.join(scratch, 'src'), limits);
  const dir = extracted.topDir;
  const sources: string[] = [];
  const read = async (rel: string) => {
    const t = await readText(dir, rel);
    if (t !== undefined) sources.push(rel);
    return t;
  };
  const pkgText = await read('PKG-INFO');
  const pyText = await read('pyproject.toml');
  const cfgText = await read('setup.cfg');
  const hasSetupPy = extracted.files.includes('setup.py');
  if (!pkgText && !pyText && !hasSetupPy) {
    throw new Py2DistroError('E_SDIST_LAYOUT', `${path.basename(sdistPath)} has no PKG-INFO, pyproject.toml or setup.py`);
  }
  const pkg = pkgText ? parseCoreMetadata(pkgText) : undefined;
  const py = pyText ? parsePyproject(pyText) : undefined;
  const cfg = cfgText ? parseSetupCfg(cfgText) : undefined;
  const egg = await readEggInfo(dir, extracted.files);
  sources.push(...egg.sources);
  const metadata = await merge({ pkg, py, cfg, egg, dir, files: extracted.files, hasSetupPy, topDir: extracted.topName, sdistPath });
  metadata.sources = sources;
  metadata.sourceDateEpoch = extracted.newestMtime;
  const detected = await detectSources(dir, extracted.files, py);
  metadata.hasExtensions = detected.hasExtensions;
  const facts = await staticBuildFacts(dir, extracted.files, cfg?.setupRequires ?? []);
  metadata.setupRequires = facts.setupRequires;
  if (facts.rust) metadata.rust = facts.rust;
  metadata.importNames = egg.topLevel.length ? egg.topLevel : py?.setuptools?.packages?.filter((p) => !p.includes('.')).length
    ? py.setuptools.packages!.filter((p) => !p.includes('.'))
    : cfg?.packages?.filter((p) => !p.includes('.')).length ? cfg.packages.filter((p) => !p.includes('.')) : detected.importNames;
  env.log.debug(`inspected ${metadata.name} ${metadata.version} from ${sources.join(', ')}`);
  return { path: sdistPath, metadata, sourceDir: dir };
}

interface MergeInput {
  pkg?: CoreMetadataFields; py?: PyprojectData; cfg?: SetupCfgData; egg: EggInfo;
  dir: string; files: string[]; hasSetupPy: boolean; topDir: string; sdistPath: string;
}

async function merge(m: MergeInput): Promise<SdistMetadata> {
  const { pkg, py, cfg, egg } = m;
  const proj = py?.project;
  const dynamic = new Set<string>(pkg ? all(pkg, 'Dynamic').map((d) => d.toLowerCase()) : []);
  for (const d of proj?.dynamic ?? []) dynamic.add(PYPROJECT_TO_CORE[d] ?? d);
  const staticProj = <T>(key: string, value: T | undefined): T | undefined => (proj && !proj.dynamic.includes(key) ? value : undefined);
  const unknown: string[] = [];
  const fromTop = /^(.+?)-(\d[^-]*)$/.exec(m.topDir);

  const name = (pkg && first(pkg, 'Name')) ?? staticProj('name', proj?.name) ?? cfg?.name ?? fromTop?.[1];
  const version = (pkg && first(pkg, 'Version')) ?? staticProj('version', proj?.version) ?? cfg?.version ?? fromTop?.[2];
  if (!name || !PROJECT_NAME.test(name)) {
    throw new Py2DistroError('E_NAME_INVALID', `${path.basename(m.sdistPath)}: project name ${JSON.stringify(name ?? '')} is not a valid PEP 508 name`);
  }
  if (!version) throw new Py2DistroError('E_METADATA', `${path.basename(m.sdistPath)} states no version`);

  const summary = (pkg && first(pkg, 'Summary')) ?? staticProj('description', proj?.description) ?? cfg?.summary;
  let description = pkg ? (pkg.body || first(pkg, 'Description')) : undefined;
  let descriptionContentType = pkg && first(pkg, 'Description-Content-Type');
  if (!description && proj?.readme) {
    description = proj.readme.text ?? (proj.readme.file ? await readText(m.dir, proj.readme.file) : undefined);
    descriptionContentType ??= proj.readme.contentType;
  }
  if (!description && cfg) {
    description = cfg.description ?? (cfg.descriptionFile ? await readText(m.dir, cfg.descriptionFile) : undefined);
    descriptionContentType ??= cfg.descriptionContentType;
  }

  // Requirements: PKG-INFO, else egg-info/requires.txt, else pyproject, else setup.cfg, else unknown.
  let reqTexts: string[] | undefined = pkg && all(pkg, 'Requires-Dist').length ? all(pkg, 'Requires-Dist') : undefined;
  if (!reqTexts && pkg && Number(first(pkg, 'Metadata-Version') ?? 0) >= 2.2 && !dynamic.has('requires-dist')) reqTexts = [];
  reqTexts ??= egg.requires ?? undefined;
  if (!reqTexts && proj && !proj.dynamic.includes('dependencies')) {
    reqTexts = [...(proj.dependencies ?? []), ...Object.entries(proj.optionalDependencies).flatMap(([extra, reqs]) => reqs.map((r) => withExtra(r, extra)))];
  }
  if (!reqTexts && cfg?.installRequires) {
    reqTexts = [...cfg.installRequires, ...Object.entries(cfg.extrasRequire).flatMap(([extra, reqs]) => reqs.map((r) => withExtra(r, extra)))];
  }
  if (!reqTexts && egg.present) reqTexts = []; // setuptools writes requires.txt only when there are requirements
  if (!reqTexts) { unknown.push('requires-dist'); reqTexts = []; }

  let consoleScripts = egg.consoleScripts ?? staticProj('scripts', proj?.scripts) ?? (cfg && Object.keys(cfg.consoleScripts).length ? cfg.consoleScripts : undefined);
  if (!consoleScripts) {
    if (m.hasSetupPy && !egg.present) unknown.push('console-scripts');
    consoleScripts = {};
  }

  const licenseExpression = (pkg && first(pkg, 'License-Expression')) ?? proj?.license?.expression;
  const license = (pkg && first(pkg, 'License')) ?? proj?.license?.text ?? cfg?.license;
  const classifiers = pkg && all(pkg, 'Classifier').length ? all(pkg, 'Classifier') : proj?.classifiers.length ? proj.classifiers : cfg?.classifiers ?? [];
  if (!summary && m.hasSetupPy) unknown.push('summary');
  if (!license && !licenseExpression && !classifiers.some((c) => c.startsWith('License ::')) && m.hasSetupPy) unknown.push('license');

  const projectUrls: Record<string, string> = { ...(cfg?.projectUrls ?? {}), ...(proj?.urls ?? {}) };
  for (const u of pkg ? all(pkg, 'Project-URL') : []) {
    const [label, url] = u.split(/,\s*/, 2);
    if (label && url) projectUrls[label] = url;
  }
  const homepage = (pkg && first(pkg, 'Home-page')) ?? cfg?.url ??
    Object.entries(projectUrls).find(([k]) => /^(home ?page|homepage|source|repository)$/i.test(k))?.[1];

  const authors = pkg ? people(first(pkg, 'Author'), first(pkg, 'Author-email')) : [];
  const maintainers = pkg ? people(first(pkg, 'Maintainer'), first(pkg, 'Maintainer-email')) : [];
  const buildSystemRequires = py?.buildSystem?.requires ?? (m.hasSetupPy ? ['setuptools', 'wheel'] : []);

  return {
    metadataVersion: pkg && first(pkg, 'Metadata-Version'),
    name,
    normalizedName: normalizeName(name),
    version,
    summary,
    description,
    descriptionContentType,
    license,
    licenseExpression,
    licenseFiles: licenseFilesIn(m.files, pkg ? all(pkg, 'License-File') : [], proj?.licenseFiles ?? cfg?.licenseFiles ?? []),
    authors: authors.length ? authors : proj?.authors ?? (cfg ? people(cfg.author, cfg.authorEmail) : []),
    maintainers: maintainers.length ? maintainers : proj?.maintainers ?? (cfg ? people(cfg.maintainer, cfg.maintainerEmail) : []),
    homepage,
    projectUrls,
    classifiers,
    requiresDist: reqTexts.map(parseDependency),
    providesExtra: pkg && all(pkg, 'Provides-Extra').length ? all(pkg, 'Provides-Extra') : Object.keys(proj?.optionalDependencies ?? cfg?.extrasRequire ?? {}),
    requiresPython: (pkg && first(pkg, 'Requires-Python')) ?? proj?.requiresPython ?? cfg?.pythonRequires,
    consoleScripts,
    guiScripts: proj?.guiScripts ?? {},
    buildSystem: { requires: buildSystemRequires.map(parseDependency), backend: py?.buildSystem?.backend, declared: Boolean(py?.buildSystem) },
    setupRequires: [],
    dynamic: [...dynamic].sort(),
    unknown,
    importNames: [],
    hasExtensions: false,
    sources: [],
    topDir: m.topDir,
    sourceDateEpoch: 0,
  };
}

function withExtra(req: string, extra: string): string {
  const [spec, marker] = req.split(/;(.*)/s, 2);
  return marker?.trim() ? `${spec!.trim()}; (${marker.trim()}) and extra == "${extra}"` : `${spec!.trim()}; extra == "${extra}"`;
}

function licenseFilesIn(files: string[], declared: string[], patterns: string[]): string[] {
  const wanted = new Set<string>();
  for (const f of declared) if (files.includes(f)) wanted.add(f);
  for (const f of patterns) if (files.includes(f)) wanted.add(f);
  for (const f of files) if (/^(LICEN[CS]E|COPYING|COPYRIGHT|NOTICE)([.-][^/]*)?$/i.test(f)) wanted.add(f);
  return [...wanted].sort();
}
