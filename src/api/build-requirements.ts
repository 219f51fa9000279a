/**
 * `build` does for build requirements what `sync` does for runtime dependencies: what building
 * the requested project needs (python/build-requirements.ts) is resolved against the target's
 * archive (api/sync/distro-archive.ts, read from the builder image once per image id); what the
 * distro lacks, or has too old, is resolved on the index and built first — recursively, in
 * dependency order (sync's closure and plan) — and offered to the build through a local
 * repository. A requirement that is neither in the archive nor on the index, or a program the
 * archive does not have, fails here: before any build container starts, naming what is missing,
 * what the distro has and the fix.
 */
import { link, copyFile, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DEB_TOOLS } from '../distro/deb/python-names.js';
import { familyOf, isInstallablePackage } from '../distro/family.js';
import type { Target } from '../distro/targets.js';
import type { StageEnv } from '../lib/env.js';
import { Py2DistroError } from '../lib/errors.js';
import { buildNeeds } from '../python/build-requirements.js';
import { BUILDER_REPOSITORY, buildPackage, ensureImage, type ContainerEngine } from '../stages/build/index.js';
import type { FetchOptions } from '../stages/fetch/index.js';
import { renderPackaging, type DistroFacts } from '../stages/render/index.js';
import { computeClosure, type ClosureNode } from './sync/closure.js';
import { DistroArchive, loadDistroArchive } from './sync/distro-archive.js';
import { parseRequirementLine } from './sync/manifest.js';
import { blockedNodes, planBuildOrder } from './sync/plan.js';
import { createIndexResolver, type SdistHandle } from './sync/resolver.js';
import type { RenderSettings } from './render.js';

export interface BuildRequirementsOptions {
  fetch: FetchOptions;
  render: RenderSettings;
  engine: ContainerEngine;
  /** Where the packages built for build requirements land (beside the requested ones). */
  outDir: string;
  /** The user's --local-repo: offered to every build too. */
  localRepo?: string;
  timeoutSeconds?: number;
  keepWork?: boolean;
}

/** What the requested build receives. */
export interface PreparedBuild {
  /** Directory of package files the build may install, or undefined when there are none. */
  localRepo?: string;
  /** normalised Python name → binary package, for Build-Depends / py3dist-overrides. */
  localPackages: Map<string, string>;
  /** The target archive's names and versions, for render (deb targets). */
  distro?: DistroFacts;
  /** Package files built here for build requirements. */
  built: string[];
}

interface Built { binary: string; files: string[] }

export function createBuildRequirements(opts: BuildRequirementsOptions, stage: StageEnv) {
  const resolver = createIndexResolver(opts.fetch, stage);
  const archives = new Map<string, Promise<DistroArchive>>();
  const builds = new Map<string, Promise<Built>>();
  const userFiles = opts.localRepo ? packageFiles(path.resolve(opts.localRepo)) : Promise.resolve([]);

  const archiveFor = (target: Target): Promise<DistroArchive> => {
    let p = archives.get(target.name);
    if (!p) {
      p = (async () => {
        const image = await ensureImage(target, opts.engine, stage);
        const id = (await opts.engine.listImages(BUILDER_REPOSITORY)).find((i) => i.ref === image.tag)?.id ?? image.tag;
        return loadDistroArchive({
          target, image: image.tag, imageId: id, cacheDir: stage.cacheDir, hostApt: target.distro === 'debian' || target.distro === 'ubuntu',
          runInImage: async (img, argv) => (await opts.engine.runContainer(
            { name: `py2distro-archive-${randomBytes(6).toString('hex')}`, image: img, network: 'host', mounts: [], env: {}, command: argv },
            { signal: stage.signal, timeout: 15 * 60_000 },
          )).stdout,
        });
      })();
      archives.set(target.name, p);
    }
    return p;
  };

  /** Builds one of our build requirements (once per run and target, whoever asks). */
  const buildDep = (node: ClosureNode, target: Target, deps: Map<string, Built>, distro: DistroFacts | undefined, report: (t: string) => void): Promise<Built> => {
    const key = `${target.name}\0${node.name}\0${node.version}`;
    let p = builds.get(key);
    if (!p) {
      p = (async () => {
        const handle = node.sdist.handle as SdistHandle;
        report(`building build requirement ${node.name} ${node.version} first`);
        const sdist = await handle.tree();
        const { provenance } = await handle.verified();
        const rendered = await renderPackaging(
          {
            sdist, provenance, target,
            outDir: await mkdtemp(path.join(stage.workDir, `render-${target.name}-${node.name}-`)),
            templatesDir: opts.render.templatesDir, maintainer: opts.render.maintainer, extras: node.extras, revision: 1,
            localPackages: new Map([...deps].map(([name, b]) => [name, b.binary])), distro,
          },
          stage,
        );
        const built = await buildPackage(
          rendered,
          {
            target, engine: opts.engine, outDir: opts.outDir, provenance, timeoutSeconds: opts.timeoutSeconds,
            keepWork: opts.keepWork, localRepo: await repoOf(stage, `${target.name}-${node.name}`, [...(await userFiles), ...[...deps.values()].flatMap((d) => d.files)]),
          },
          { ...stage, onLine: () => undefined },
        );
        return { binary: rendered.binaryPackages[0]!, files: built.artifacts.filter((a) => familyOf(target).isInstallablePackage(a)) };
      })();
      builds.set(key, p);
    }
    return p;
  };

  return async function prepare(requirement: string, target: Target, report: (text: string) => void): Promise<PreparedBuild> {
    const archive = await archiveFor(target);
    const distro: DistroFacts | undefined = target.family === 'deb' ? { fallback: archive.data.fallback, binaries: archive.data.binaries } : undefined;
    report(`resolving build requirements against the ${target.name} archive`);
    const manifest = { entries: [parseRequirementLine(requirement, 'command line')], constraints: new Map() };
    const closure = await computeClosure({ manifest, target, archive, backend: resolver, conflictPolicy: 'build', rootsBuildOnly: true });
    const nodes = [...closure.nodes.values()];
    const root = nodes.find((n) => n.root);
    if (!root) throw new Py2DistroError('E_DEPENDENCY', `${requirement}: its build requirements could not be resolved for ${target.name}`);
    checkTools(root, nodes, archive, target);
    const reasons = blockedNodes(nodes);
    const missing = nodes.filter((n) => !n.root && n.blocked);
    if (missing.length && !opts.localRepo) throw missingError(root, missing, closure.conflicts, archive, target);
    if (reasons.has(root.name) && !missing.length) throw new Py2DistroError(root.blocked?.code ?? 'E_DEPENDENCY', reasons.get(root.name)!);

    const ours = new Map<string, Built>();
    const byName = new Map(nodes.map((n) => [n.name, n]));
    for (const wave of planBuildOrder(nodes.filter((n) => !n.root && !reasons.has(n.name))).waves) {
      await Promise.all(wave.map(async (name) => {
        const node = byName.get(name)!;
        const deps = new Map(transitiveDeps(node, byName).filter((d) => ours.has(d)).map((d) => [d, ours.get(d)!]));
        ours.set(name, await buildDep(node, target, deps, distro, report));
      }));
    }
    for (const c of closure.conflicts) report(`${c.project}${c.required}: ${target.name} has ${c.distro?.binary ?? '?'} ${c.distro?.distroVersion ?? ''}; built from the index`);
    const offered = [...(await userFiles), ...[...ours.values()].flatMap((b) => b.files)];
    return {
      localRepo: offered.length ? await repoOf(stage, `${target.name}-${root.name}`, offered) : undefined,
      localPackages: new Map([...ours].map(([name, b]) => [name, b.binary])),
      distro,
      built: [...ours.values()].flatMap((b) => b.files),
    };
  };
}

function transitiveDeps(node: ClosureNode, byName: Map<string, ClosureNode>, seen = new Set<string>()): string[] {
  for (const d of node.deps) {
    if (seen.has(d)) continue;
    seen.add(d);
    const child = byName.get(d);
    if (child) transitiveDeps(child, byName, seen);
  }
  return [...seen];
}

/** Programs the builds need (ninja, cargo, …) must be in the archive: nothing on an index provides them. */
function checkTools(root: ClosureNode, nodes: ClosureNode[], archive: DistroArchive, target: Target): void {
  if (archive.data.family !== 'deb') return;
  for (const n of nodes.filter((x) => x.root || !x.blocked)) {
    const meta = (n.sdist.handle as SdistHandle | undefined)?.metadata;
    if (!meta) continue;
    for (const tool of buildNeeds(meta).tools) {
      const absent = DEB_TOOLS[tool].filter((p) => archive.data.binaries[p] === undefined);
      if (absent.length) {
        throw new Py2DistroError('E_BUILD_REQUIREMENT', `${root.name} ${root.version}: building ${n.name} needs ${tool} (${absent.join(', ')}), which ${target.name}'s archive does not have`, {
          hint: `Build for a target whose distribution ships ${absent.join(', ')}, or add it to docker/${target.name}/Dockerfile.`,
        });
      }
    }
  }
}

function missingError(root: ClosureNode, missing: ClosureNode[], conflicts: { project: string; required: string }[], archive: DistroArchive, target: Target): Py2DistroError {
  const lines = missing.map((m) => {
    const provision = archive.lookup(m.name);
    const wanted = conflicts.find((c) => c.project === m.name)?.required ?? root.sdist.buildRequires.find((r) => r.toLowerCase().replace(/[-_.]+/g, '-').startsWith(m.name))?.slice(m.name.length) ?? '';
    const has = provision ? `${provision.binary} ${provision.distroVersion}` : 'no package of it';
    return `${m.name}${wanted} (needed by ${m.requiredBy.join(', ')}): ${target.name} has ${has}, and the index has no usable release (${m.blocked!.message})`;
  });
  return new Py2DistroError('E_BUILD_REQUIREMENT', `${root.name} ${root.version} cannot be built for ${target.name}: ${lines.join('; ')}`, {
    hint: `Publish ${missing.map((m) => m.name).join(', ')} on the index (--index-url) so py2distro builds ${missing.length > 1 ? 'them' : 'it'} first, or pass ${missing.length > 1 ? 'packages of them' : 'a package of it'} with --local-repo DIR.`,
    details: { missing: missing.map((m) => m.name) },
  });
}

/** A directory of (hard links to) package files, for one build's /py2distro/localrepo. */
async function repoOf(stage: StageEnv, label: string, files: string[]): Promise<string | undefined> {
  if (!files.length) return undefined;
  const dir = await mkdtemp(path.join(stage.workDir, `localrepo-${label.replace(/[^A-Za-z0-9._-]+/g, '_')}-`));
  await mkdir(dir, { recursive: true });
  for (const f of files) {
    const to = path.join(dir, path.basename(f));
    await link(f, to).catch(async (err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') await copyFile(f, to); });
  }
  return dir;
}

async function packageFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && isInstallablePackage(e.name)).map((e) => path.join(e.parentPath, e.name));
}
