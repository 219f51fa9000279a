/**
 * Render stage: sdist → packaging sources, without building. For deb targets it writes the unpacked
 * source tree with debian/ and the .orig tarball beside it (ready for dpkg-buildpackage); for RPM
 * targets the .spec with its Source0/Source1 files. TypeScript builds the model (src/render/model.ts);
 * the packaging knowledge lives in templates/. The output depends only on the input sdist and options:
 * the provenance record shipped in the package leaves out the time of verification
 * (src/render/provenance.ts), so rendering the same sdist twice gives identical files.
 */
import { copyFile, cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { sha256File } from '../../lib/fs/cache.js';
import { Py2DistroError } from '../../lib/errors.js';
import type { StageEnv } from '../../lib/env.js';
import type { InspectedSdist } from '../inspect/index.js';
import type { SdistMetadata } from '../../python/metadata.js';
import { normalizeName } from '../../python/pep508.js';
import { DEB_TOOLS, debianBinaryName, debianBuildDepends, debianSourceName, loadPy3distTable, mapDebRequirements, requiresPythonProblem } from '../../distro/deb/python-names.js';
import { mapRpmRequirements, rpmBinaryName, rpmSourceName, rpmToolBuildRequires } from '../../distro/rpm/python-names.js';
import { buildNeeds } from '../../python/build-requirements.js';
import { debianIdentity, undeclaredImports, type DistroFacts } from './distro-fit.js';
import type { Provenance } from '../verify/index.js';
import { buildModel, type TemplateModel } from './model.js';
import { shippedProvenanceJson, type ShippedProvenance } from './provenance.js';
import { loadTemplates, type TemplateSet } from './templates.js';
import { requireMaintainer } from '../../distro/sanitize.js';
import type { Target } from '../../distro/targets.js';
import { debianUpstreamVersion, rpmEvr } from '../../distro/versions.js';
import { VERSION } from '../../lib/version.js';

// One Debian relation, as the rpmtest host's `apt-get satisfy` reads it (nothing a shell would interpret).
const HOST_RELATION = /^[a-z0-9][a-z0-9+.-]+( \((<<|<=|=|>=|>>) [A-Za-z0-9.+~:-]+\))?$/;

export const DEFAULT_MAINTAINER = 'py2distro packager <packager@py2distro.example.org>';

export interface RenderInput {
  /** The inspected sdist (stages/inspect): render reads its tree, it never extracts again. */
  sdist: InspectedSdist;
  /** Full record; volatile fields (`verifiedAt`) are dropped from the copy shipped in the package. */
  provenance?: Provenance | ShippedProvenance;
  target: Target;
  outDir: string;
  templatesDir?: string;
  maintainer?: string;
  extras?: string[];
  runTests?: boolean;
  /** Debian revision / RPM release number, default 1. */
  revision?: number;
  /** Python name → distro binary name of packages py2distro builds itself. */
  localPackages?: Map<string, string>;
  /** The target archive's names and versions (deb targets), when known: see distro-fit.ts. */
  distro?: DistroFacts;
  /**
   * The project that was asked for (resolved on the index, or a local file's name): package names
   * derive from it, not from the sdist's own metadata. Default: PKG-INFO Name (a local sdist).
   */
  project?: string;
}

interface RenderResultBase {
  target: string;
  sourcePackage: string;
  binaryPackages: string[];
  upstreamVersion: string;
  /** e.g. 1.0.0-1 or 1.0.0-1.rpmtest (with "N:" when there is an epoch). */
  distroVersion: string;
  arch: 'all' | 'any';
  sourceDateEpoch: number;
  outDir: string;
  metadata: SdistMetadata;
  unmetRequirements: string[];
  /** What render decided about requirements and names, for the build log. */
  notes: string[];
  files: string[];
}

export interface DebSources {
  sourceDir: string;
  origTarball: string;
  dscName?: string;
}

export interface RpmSources {
  specFile: string;
  /** The sdist, Source0 (also the first entry of `sources`). */
  sourceTarball: string;
  /** Every SourceN file the spec names, in N order (Source0 the sdist, Source1 the provenance record), absolute paths beside the spec. */
  sources: string[];
  /**
   * Test-only target (rpmFlavour plain): the Debian relations its host must satisfy for the build,
   * one per line (the Debian equivalents of BuildRequires, which that host cannot resolve).
   */
  hostDeps?: string;
}

/** What render wrote, by family: a debian/ tree and .orig tarball, or a spec and its sources. */
export type RenderResult = RenderResultBase & ({ family: 'deb'; deb: DebSources } | { family: 'rpm'; rpm: RpmSources });

/** A record for a local sdist that went through no fetch/verify stage: it says so (and has no time of verification). */
async function localProvenance(sdistPath: string, meta: SdistMetadata): Promise<ShippedProvenance> {
  return {
    schema: 1, project: meta.name, version: meta.version, filename: path.basename(sdistPath), sha256: await sha256File(sdistPath),
    signature: { status: 'not-checked', policy: 'off' }, tool: `py2distro ${VERSION}`,
  };
}

async function licenseText(sourceDir: string, meta: SdistMetadata): Promise<string | undefined> {
  for (const rel of meta.licenseFiles) {
    const text = await readFile(path.join(sourceDir, rel), 'utf8').catch(() => undefined);
    if (text?.trim()) return text.slice(0, 64 * 1024);
  }
  return undefined;
}

export async function renderPackaging(input: RenderInput, env: StageEnv): Promise<RenderResult> {
  const { target } = input;
  const { metadata: meta, sourceDir, path: sdistPath } = input.sdist;
  const epoch = meta.sourceDateEpoch || Math.floor((await stat(sdistPath)).mtimeMs / 1000);
  const maintainer = requireMaintainer(input.maintainer ?? DEFAULT_MAINTAINER);
  const revision = input.revision ?? 1;
  const local = new Map([...(input.localPackages ?? new Map<string, string>())].map(([k, v]) => [normalizeName(k), v]));
  const unmet: string[] = [];
  const naming = { normalizedName: normalizeName(input.project ?? meta.name) };
  const pyProblem = requiresPythonProblem(meta, target);
  if (pyProblem) unmet.push(pyProblem);
  for (const u of meta.unknown) env.log.debug(`${meta.name}: the sdist does not state ${u}; the build fills it from the wheel`);

  const common = {
    meta, target, revision, maintainer, sdistFilename: path.basename(sdistPath), sourceDateEpoch: epoch,
    runTests: Boolean(input.runTests), extras: input.extras ?? [], licenseText: await licenseText(sourceDir, meta),
  };
  const provenanceJson = shippedProvenanceJson(input.provenance ?? (await localProvenance(sdistPath, meta)));
  const templates = loadTemplates(target.family, input.templatesDir);
  await mkdir(input.outDir, { recursive: true });
  const outDir = path.resolve(input.outDir);

  if (meta.rust && !meta.rust.lock && meta.rust.hasDependencies) {
    throw new Py2DistroError('E_RUST_CRATES', `${meta.name} ${meta.version}: ${meta.rust.manifest} has crate dependencies but the sdist has no Cargo.lock, so they cannot be fetched for the offline build`);
  }
  const notes: string[] = [];
  const forgotten = await undeclaredImports(sourceDir, meta);
  for (const f of forgotten) notes.push(`${f.file} imports ${f.module}, which no dependency provides: ${f.requirement.name} added to the runtime dependencies`);
  const runtimeReqs = [...meta.requiresDist, ...forgotten.map((f) => f.requirement)];
  const needs = buildNeeds(meta);
  notes.push(...needs.notes.map((n) => `build needs ${n}`));

  const base = { target: target.name, upstreamVersion: meta.version, arch: meta.hasExtensions ? 'any' as const : 'all' as const, sourceDateEpoch: epoch, outDir, metadata: meta };
  if (target.family === 'deb') {
    const table = await loadPy3distTable();
    // The target's own dh-python table (from its image) wins over this host's.
    for (const [k, v] of Object.entries(input.distro?.fallback ?? {})) table.set(k, v);
    const opts = { target, table, extras: input.extras, localPackages: local };
    const runtime = mapDebRequirements(runtimeReqs, opts);
    const build = debianBuildDepends(meta, { ...opts, runTests: input.runTests });
    for (const n of [...runtime.notes, ...build.notes]) env.log.debug(n);
    unmet.push(...runtime.unmet, ...build.unmet);
    const sourcePackage = debianSourceName(naming);
    // The distro's table is asked about the requested project, never about what the sdist says it is.
    const identity = debianIdentity({ ...meta, normalizedName: naming.normalizedName }, debianBinaryName(naming), input.distro);
    const binary = identity.binary;
    notes.push(...identity.notes);
    unmet.push(...identity.problems);
    const depends = ['${python3:Depends}', ...(meta.hasExtensions ? ['${shlibs:Depends}'] : []), '${misc:Depends}', ...runtime.depends];
    const model = buildModel({ ...common, sourcePackage, binaryPackage: binary, deb: { buildDepends: build.depends, depends, overrides: runtime.overrides, epoch: identity.epoch } });
    const written = await writeDebian({ model, templates, sourceDir, outDir, sdistPath: sdistPath, provenanceJson, target });
    return {
      ...base, family: 'deb', sourcePackage, binaryPackages: [binary], distroVersion: `${model.pkg.debianVersion}-${revision}`,
      deb: written.deb, unmetRequirements: unmet, notes, files: written.files,
    };
  }
  const runtime = mapRpmRequirements(runtimeReqs, { target, extras: input.extras, localPackages: local });
  for (const n of runtime.notes) env.log.debug(n);
  unmet.push(...runtime.unmet);
  const sourcePackage = rpmSourceName(naming);
  const binary = rpmBinaryName(naming);
  const model = buildModel({ ...common, sourcePackage, binaryPackage: binary, rpm: { requires: runtime.requires, toolRequires: rpmToolBuildRequires(meta) } });
  const templateName = target.rpmFlavour === 'plain' ? 'plain.spec' : 'pyproject.spec';
  const specFile = path.join(outDir, `${sourcePackage}.spec`);
  const sourceTarball = path.join(outDir, path.basename(sdistPath));
  await writeFile(specFile, templates.render(templateName, model));
  if (path.resolve(sdistPath) !== sourceTarball) await copyFile(sdistPath, sourceTarball);
  const provFile = path.join(outDir, 'py2distro-provenance.json');
  await writeFile(provFile, provenanceJson);
  let hostDeps: string | undefined;
  if (target.rpmFlavour === 'plain') {
    // Ours (built earlier, installed from the local repository) are not asked of the host's apt.
    const table = await loadPy3distTable();
    const mapped = mapDebRequirements(needs.python.filter((r) => !local.has(r.normalizedName)), { target, table }, true);
    const relations = [...mapped.depends, ...needs.tools.flatMap((t) => DEB_TOOLS[t])].filter((r) => HOST_RELATION.test(r));
    hostDeps = path.join(outDir, 'py2distro-host-deps');
    await writeFile(hostDeps, relations.map((r) => `${r}\n`).join(''));
  }
  return {
    ...base, family: 'rpm', sourcePackage, binaryPackages: [binary], distroVersion: `${rpmEvr(meta.version)}-${revision}${target.distTag}`,
    rpm: { specFile, sourceTarball, sources: [sourceTarball, provFile], ...(hostDeps ? { hostDeps } : {}) }, unmetRequirements: unmet, notes,
    files: [specFile, sourceTarball, provFile, ...(hostDeps ? [hostDeps] : [])],
  };
}

interface DebWriteInput {
  model: TemplateModel; templates: TemplateSet; sourceDir: string; outDir: string; sdistPath: string; provenanceJson: string; target: Target;
}

async function writeDebian(w: DebWriteInput): Promise<{ deb: DebSources; files: string[] }> {
  const { model, templates } = w;
  const upstream = debianUpstreamVersion(model.project.version);
  const treeDir = path.join(w.outDir, `${model.pkg.source}-${upstream}`);
  await rm(treeDir, { recursive: true, force: true });
  await cp(w.sourceDir, treeDir, { recursive: true, verbatimSymlinks: true });
  // An upstream debian/ directory is replaced, as dpkg-source 3.0 (quilt) would do.
  await rm(path.join(treeDir, 'debian'), { recursive: true, force: true });
  await mkdir(path.join(treeDir, 'debian', 'source'), { recursive: true });
  const files: string[] = [];
  const put = async (rel: string, content: string, mode = 0o644) => {
    const p = path.join(treeDir, 'debian', rel);
    await writeFile(p, content, { mode });
    files.push(p);
  };
  for (const name of ['control', 'changelog', 'copyright', 'source/format', 'source/options', 'docs', 'lintian-overrides']) {
    await put(name, templates.render(name, model));
  }
  await put('rules', templates.render('rules', model), 0o755);
  if (model.deb?.overrides.length) await put('py3dist-overrides', templates.render('py3dist-overrides', model));
  if (model.pkg.scripts.length) {
    await put('manpages', templates.render('manpages', model));
    for (const script of model.pkg.scripts) await put(`${script.name}.1`, templates.render('manpage.1', { ...model, script }));
  }
  await put('py2distro-provenance.json', w.provenanceJson);

  const origTarball = await writeOrig(w.sdistPath, w.sourceDir, w.outDir, model.pkg.source, upstream, model.sourceDateEpoch);
  files.push(origTarball);
  const dscName = `${model.pkg.source}_${upstream}-${model.pkg.revision}.dsc`;
  return { deb: { sourceDir: treeDir, origTarball, dscName }, files };
}

/** The .orig tarball is the upstream sdist byte for byte; a zip sdist is repacked reproducibly. */
async function writeOrig(sdistPath: string, sourceDir: string, outDir: string, source: string, upstream: string, epoch: number): Promise<string> {
  const m = /\.tar\.(gz|bz2|xz)$/.exec(sdistPath);
  const orig = path.join(outDir, `${source}_${upstream}.orig.tar.${m ? m[1] : 'gz'}`);
  if (m) {
    if (path.resolve(sdistPath) !== orig) await copyFile(sdistPath, orig);
    return orig;
  }
  await tar.c({ gzip: { level: 9 }, file: orig, cwd: path.dirname(sourceDir), portable: true, mtime: new Date(epoch * 1000) }, [path.basename(sourceDir)]);
  return orig;
}
