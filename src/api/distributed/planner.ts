/**
 * `sync --plan FILE`: everything a sync would decide, nothing it would build. The same steps as
 * the sync orchestrator (api/sync/run.ts) up to the build: builder image → distro archive →
 * closure → waves → render and build key per package, unchanged keys skipped; each package left is
 * one job with the inputs a builder must reproduce (sdist sha256, packaging digest, key). The
 * dependency versions of a later wave are those the earlier waves' jobs will publish, so the keys
 * are the ones a local sync would compute. Neither the state nor the repository is touched.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Target } from '../../distro/targets.js';
import { Py2DistroError } from '../../lib/errors.js';
import { VERSION } from '../../lib/version.js';
import { shippedProvenance, type DistroFacts } from '../../stages/render/index.js';
import type { RunEnv } from '../run-env.js';
import { createRealBackend } from '../sync/backend.js';
import { buildKey } from '../sync/buildkey.js';
import { computeClosure, type ClosureNode } from '../sync/closure.js';
import { loadDistroArchive } from '../sync/distro-archive.js';
import { loadManifest } from '../sync/manifest.js';
import { blockedNodes, planBuildOrder } from '../sync/plan.js';
import type { SdistHandle } from '../sync/resolver.js';
import { loadState, revisionFor, type SyncState } from '../sync/state.js';
import { stateFileOf } from '../sync/run.js';
import type { SyncBackend } from '../sync/types.js';
import { defaultTrustLock, type SyncRunOptions } from '../sync/index.js';
import { PLAN_SCHEMA, type Plan, type PlanJob } from './plan-file.js';
import { ourBinaryName } from '../sync/backend.js';

export type PlanRunOptions = Omit<SyncRunOptions, 'loadKey' | 'publish' | 'reportDir' | 'jobs' | 'failFast' | 'localRepo'>;

export interface PlanResult {
  plan: Plan;
  /** Packages that cannot be planned (blocked by the closure, or needing one that is). */
  problems: { target: string; name: string; reason: string }[];
}

type Draft = Omit<PlanJob, 'id' | 'needs'> & { deps: string[] };

export async function planSyncSet(opts: PlanRunOptions, env: RunEnv): Promise<PlanResult> {
  const manifest = await loadManifest(opts.manifest);
  for (const e of manifest.entries) {
    const extra = [...(opts.render.extras ?? []), ...((e.name && opts.render.extrasByProject?.[e.name]) || [])];
    if (extra.length) e.extras = [...new Set([...e.extras, ...extra])];
  }
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'py2distro-plan-'));
  const stage = { log: env.log, signal: env.signal, workDir, cacheDir: env.cacheDir };
  const options = { maintainer: opts.render.maintainer ?? null, templates: opts.render.templatesDir ?? null, runTests: Boolean(opts.render.runTests) };
  const keyOptions = { maintainer: opts.render.maintainer, templates: opts.render.templatesDir, runTests: options.runTests };
  // The same trust lock as sync: planning is where a changed upstream identity must show up.
  const fetchOptions = { ...opts.fetch, trustLockFile: opts.fetch.trustLockFile ?? defaultTrustLock(opts.stateDir) };
  const backend = createRealBackend({
    engine: opts.engine, env: stage, repoDir: path.resolve(opts.repoDir), fetchOptions,
    loadKey: () => Promise.reject(new Py2DistroError('E_USAGE', 'planning never signs')),
    templatesDir: opts.render.templatesDir, maintainer: opts.render.maintainer, runTests: options.runTests, publish: {},
  });
  try {
    const state = await loadState(stateFileOf(opts.stateDir));
    const problems: PlanResult['problems'] = [];
    const targets: Plan['targets'] = [];
    const perTarget: Draft[][][] = [];
    const unchanged: Plan['unchanged'] = [];
    for (const target of opts.targets) {
      env.signal?.throwIfAborted();
      const image = await backend.image(target);
      const entry: Plan['targets'][number] = { name: target.name, image: image.ref, imageId: image.id, distroFallback: null };
      targets.push(entry);
      const keyOf = (input: { sdistSha256: string; packagingDigest: string; dependencyVersions: Record<string, string> }) =>
        buildKey({ ...input, toolVersion: VERSION, imageId: image.id, target: target.name, options: keyOptions });
      perTarget.push(await planTarget(target, image, entry, { ...opts, manifest, workDir, cacheDir: env.cacheDir, state, backend, keyOf, problems, unchanged }));
    }
    return { plan: assemble(perTarget, targets, options, unchanged), problems };
  } finally {
    if (!opts.keepWork) await rm(workDir, { recursive: true, force: true });
  }
}

interface TargetContext extends Omit<PlanRunOptions, 'manifest'> {
  manifest: Awaited<ReturnType<typeof loadManifest>>;
  workDir: string;
  cacheDir: string;
  state: SyncState;
  backend: SyncBackend;
  keyOf(input: { sdistSha256: string; packagingDigest: string; dependencyVersions: Record<string, string> }): string;
  problems: PlanResult['problems'];
  unchanged: Plan['unchanged'];
}

async function planTarget(target: Target, image: { ref: string; id: string }, entry: Plan['targets'][number], c: TargetContext): Promise<Draft[][]> {
  const archive = await loadDistroArchive({ target, image: image.ref, imageId: image.id, cacheDir: c.cacheDir, runInImage: c.backend.runInImage });
  // Render fits deb packages into the archive (stages/render/distro-fit.ts): builders must render
  // with the same facts. The fallback table travels whole (render enumerates it); of the archive's
  // binaries only those a render looked up travel, per job (see planNode).
  const distro = target.family === 'deb' ? { fallback: archive.data.fallback, binaries: archive.data.binaries } : undefined;
  if (distro) entry.distroFallback = distro.fallback;
  const closure = await computeClosure({ manifest: c.manifest, target, archive, backend: c.backend, conflictPolicy: c.conflictPolicy });
  const nodes = [...closure.nodes.values()];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const blocked = blockedNodes(nodes);
  const targetState = c.state.targets[target.name] ?? {};
  const live = new Map(Object.entries(targetState).map(([n, s]) => [n, s.packageVersion ?? `${s.version}-${s.revision}`]));
  const failed = new Set<string>();
  const waves: Draft[][] = [];
  for (const wave of planBuildOrder(nodes).waves) {
    const drafts: Draft[] = [];
    for (const name of wave) {
      const node = byName.get(name)!;
      const reason = blocked.get(name) ?? (node.deps.find((d) => failed.has(d)) && `needs ${node.deps.find((d) => failed.has(d))}, which cannot be planned`);
      if (reason) {
        failed.add(name);
        c.problems.push({ target: target.name, name, reason });
        continue;
      }
      const draft = await planNode(node, target, byName, live, targetState[name], distro, c);
      if (draft) drafts.push(draft);
      else c.unchanged.push({ target: target.name, name, version: node.version });
    }
    // What this wave's jobs will publish is what the next wave's keys depend on.
    for (const d of drafts) live.set(d.name, d.packageVersion);
    if (drafts.length) waves.push(drafts);
  }
  return waves;
}

async function planNode(
  node: ClosureNode, target: Target, byName: Map<string, ClosureNode>, live: Map<string, string>,
  prev: SyncState['targets'][string][string] | undefined, archive: DistroFacts | undefined, c: TargetContext,
): Promise<Draft | undefined> {
  // Record which binaries render asks about: exactly those (present ones, with their versions) go to the job.
  const looked = new Set<string>();
  const distro = archive && {
    fallback: archive.fallback,
    binaries: new Proxy(archive.binaries, { get: (t, k) => { if (typeof k === 'string') looked.add(k); return Reflect.get(t, k); } }),
  };
  const dependencies = node.deps.map((d) => byName.get(d)!).filter(Boolean);
  const dependencyVersions = Object.fromEntries(node.deps.map((d) => [d, live.get(d) ?? '?']));
  const dir = path.join(c.workDir, target.name, node.name);
  await mkdir(dir, { recursive: true });
  const base = await c.backend.render({ node, target, revision: 1, dependencies, workDir: path.join(dir, 'render-1'), distro });
  const key = c.keyOf({ sdistSha256: node.sha256, packagingDigest: base.digest, dependencyVersions });
  if (prev?.key === key) return undefined;
  const revision = revisionFor(prev, node.version, key);
  const rendered = revision === 1 ? base : await c.backend.render({ node, target, revision, dependencies, workDir: path.join(dir, `render-${revision}`), distro });
  const distroBinaries = Object.fromEntries([...looked].filter((k) => Object.hasOwn(archive?.binaries ?? {}, k)).sort().map((k) => [k, archive!.binaries[k]!]));
  const { fetched } = node.sdist.handle as SdistHandle;
  return {
    wave: 0, target: target.name, name: node.name, version: node.version, revision, packageVersion: rendered.packageVersion,
    sdist: { filename: fetched.filename, sha256: fetched.sha256, ...(fetched.provenance.fileUrl ? { url: fetched.provenance.fileUrl } : {}) },
    extras: node.extras, localBinaries: Object.fromEntries(dependencies.map((d) => [d.name, ourBinaryName(d, target)])),
    packagingDigest: rendered.digest, dependencyVersions, key, previousKey: prev?.key ?? null, distroBinaries,
    provenance: JSON.parse(JSON.stringify(shippedProvenance(fetched.provenance))) as PlanJob['provenance'], deps: node.deps,
  };
}

/** Number the jobs wave by wave (targets in order, names sorted) and resolve dependencies to jobs. */
function assemble(perTarget: Draft[][][], targets: Plan['targets'], options: Plan['options'], unchanged: Plan['unchanged']): Plan {
  const jobs: PlanJob[] = [];
  const waves: number[][] = [];
  const idOf = new Map<string, number>();
  const depth = Math.max(0, ...perTarget.map((w) => w.length));
  for (let w = 0; w < depth; w++) {
    const ids: number[] = [];
    for (const tw of perTarget) {
      for (const d of tw[w] ?? []) {
        const id = jobs.length;
        idOf.set(`${d.target}\0${d.name}`, id);
        const { deps: _deps, ...rest } = d;
        jobs.push({ ...rest, id, wave: w, needs: [] });
        ids.push(id);
      }
    }
    waves.push(ids);
  }
  // needs: every planned job among the transitive dependencies (their packages are build inputs).
  const drafts = perTarget.flat(2);
  const depsOf = new Map(drafts.map((d) => [`${d.target}\0${d.name}`, d.deps]));
  for (const job of jobs) {
    const seen = new Set<string>();
    const visit = (name: string) => {
      for (const dep of depsOf.get(`${job.target}\0${name}`) ?? []) {
        if (seen.has(dep)) continue;
        seen.add(dep);
        const id = idOf.get(`${job.target}\0${dep}`);
        if (id !== undefined && jobs[id]!.wave < job.wave) job.needs.push(id);
        visit(dep);
      }
    };
    visit(job.name);
    job.needs.sort((a, b) => a - b);
  }
  return { schema: PLAN_SCHEMA, tool: VERSION, createdAt: new Date().toISOString(), options, targets, waves, jobs, unchanged };
}
