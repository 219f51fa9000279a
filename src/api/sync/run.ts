/**
 * The sync orchestrator. Per target: builder image → distro archive (cached per image id) →
 * closure → plan → for each wave, render every package, compare its build key with the state,
 * build only what changed (concurrently up to `jobs`), publish the wave, then record it in the
 * state. One failure does not stop the others unless `failFast`; dependents of a failure are
 * reported as failed with the reason. The stages themselves come from a {@link SyncBackend}, so
 * this file holds only the decisions (and unit tests drive it with a fake backend).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../lib/log.js';
import type { Target } from '../../distro/targets.js';
import { VERSION } from '../../lib/version.js';
import { buildKey } from './buildkey.js';
import { computeClosure, prefetchRoots, type ClosureNode } from './closure.js';
import { loadDistroArchive } from './distro-archive.js';
import { rememberDistroDigest } from './render-cache.js';
import type { Manifest } from './manifest.js';
import { blockedNodes, planBuildOrder } from './plan.js';
import { summarise, type PackageOutcome, type SyncReport, type TargetReport } from './report.js';
import { acquireSyncLock, loadState, revisionFor, saveState, type PackageState, type SyncState } from './state.js';
import type { SyncBackend } from './types.js';
import { buildWave, type WaveContext } from './wave.js';
import { errorOutcome } from '../../lib/errors.js';
import { phaseTimer } from '../../lib/timing.js';

export type { RenderedPackaging, SyncBackend } from './types.js';

export interface SyncOptions {
  manifest: Manifest;
  targets: Target[];
  backend: SyncBackend;
  stateDir: string;
  workDir: string;
  cacheDir: string;
  jobs: number;
  failFast: boolean;
  conflictPolicy: 'build' | 'fail';
  /** Options that change build output, part of every build key. */
  keyOptions: Record<string, unknown>;
  log: Logger;
  signal?: AbortSignal;
}

export function stateFileOf(stateDir: string): string {
  return path.join(stateDir, 'sync-state.json');
}

export async function runSync(opts: SyncOptions): Promise<SyncReport> {
  const started = new Date();
  const runId = started.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const release = await acquireSyncLock(opts.stateDir);
  let containers = 0;
  const counting: SyncBackend = Object.create(opts.backend) as SyncBackend;
  counting.runInImage = async (image, argv) => { containers++; return opts.backend.runInImage(image, argv); };
  counting.build = async (req) => { containers++; return opts.backend.build(req); };
  const targets: TargetReport[] = [];
  try {
    const state = await loadState(stateFileOf(opts.stateDir));
    for (const target of opts.targets) {
      opts.signal?.throwIfAborted();
      targets.push(await syncTarget(target, state, counting, runId, opts));
    }
  } finally {
    await release();
  }
  const finished = new Date();
  const summary = summarise(targets);
  return {
    schema: 1, runId, tool: VERSION, startedAt: started.toISOString(), finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(), ok: summary.failed === 0, containersStarted: containers, targets, summary,
  };
}

async function syncTarget(target: Target, state: SyncState, backend: SyncBackend, runId: string, opts: SyncOptions): Promise<TargetReport> {
  const log = opts.log.child(target.name);
  const report: TargetReport = {
    target: target.name, packages: [], fromDistro: [], conflicts: [], excluded: [], brokenCycles: [], published: [], pruned: [],
  };
  let nodes: ClosureNode[];
  let image: { ref: string; id: string };
  let distroFacts: WaveContext['distro'];
  const timer = phaseTimer(log, 'sync phases');
  try {
    // The index is asked for the manifest's projects while the engine is asked for the image.
    prefetchRoots(opts.manifest, target, backend);
    image = await backend.image(target);
    report.imageId = image.id;
    timer.lap('image (the index asked meanwhile)');
    const archive = await loadDistroArchive({ target, image: image.ref, imageId: image.id, cacheDir: opts.cacheDir, runInImage: backend.runInImage });
    if (target.family === 'deb') {
      distroFacts = { fallback: archive.data.fallback, binaries: archive.data.binaries };
      rememberDistroDigest(distroFacts, archive.digest);
    }
    timer.lap('distro archive');
    const closure = await computeClosure({ manifest: opts.manifest, target, archive, backend, conflictPolicy: opts.conflictPolicy });
    timer.lap(`closure (${closure.nodes.size} packages)`);
    nodes = [...closure.nodes.values()];
    report.conflicts = closure.conflicts;
    report.excluded = closure.excluded;
    const distro = new Map<string, TargetReport['fromDistro'][number]>();
    for (const n of nodes) {
      for (const d of n.distroDeps) {
        const entry = distro.get(d.project) ?? { project: d.project, binary: d.provision.binary, distroVersion: d.provision.distroVersion, requiredBy: [] };
        entry.requiredBy.push(n.name);
        distro.set(d.project, entry);
      }
    }
    report.fromDistro = [...distro.values()].sort((a, b) => a.project.localeCompare(b.project));
  } catch (err) {
    report.error = errorOutcome(err);
    log.error(`${report.error.message}`);
    return report;
  }

  const plan = planBuildOrder(nodes);
  report.brokenCycles = plan.brokenEdges.map(([a, b]) => `${a} → ${b}`);
  const blocked = blockedNodes(nodes);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const targetState = (state.targets[target.name] ??= {});
  const failed = new Set<string>();
  /** Version each of our packages will have once this run is done: `version-revision`. */
  const liveVersion = new Map<string, string>();
  for (const [name, s] of Object.entries(targetState)) liveVersion.set(name, s.packageVersion ?? `${s.version}-${s.revision}`);

  const outDir = path.join(opts.workDir, runId, target.name);
  const logDir = path.join(opts.stateDir, 'logs', runId, target.name);
  await mkdir(outDir, { recursive: true });
  let stop = false;
  for (const wave of plan.waves) {
    const ctx: WaveContext = {
      target, distro: distroFacts, image: image.ref, imageId: image.id, backend, byName, blocked, failed, liveVersion, targetState,
      outDir, logDir, keyOf: (input) => buildKey({ ...input, toolVersion: VERSION, imageId: image.id, target: target.name, options: opts.keyOptions }),
      revisionFor, jobs: opts.jobs, failFast: opts.failFast, stopped: () => stop || Boolean(opts.signal?.aborted) || (opts.failFast && failed.size > 0), log,
    };
    const results = await buildWave(wave, ctx);
    if (results.some((r) => r.outcome.status === 'failed') && opts.failFast) stop = true;
    const toPublish = results.filter((r) => r.outcome.status === 'built' && r.files.length);
    if (toPublish.length) {
      try {
        const pub = await backend.publish({ target, files: toPublish.flatMap((r) => r.files) });
        report.published.push(...pub.published.map((f) => f.path));
        report.pruned.push(...pub.pruned);
        const where = new Map(pub.published.map((f) => [f.input, f.path]));
        for (const r of toPublish) {
          r.state!.files = r.files.map((f) => where.get(f) ?? path.basename(f));
          targetState[r.outcome.name] = r.state!;
          liveVersion.set(r.outcome.name, r.state!.packageVersion ?? `${r.state!.version}-${r.state!.revision}`);
        }
        // Recorded after every wave: a later failure (or a kill) keeps what is already published.
        await saveState(stateFileOf(opts.stateDir), state);
      } catch (err) {
        const e = errorOutcome(err);
        for (const r of toPublish) {
          Object.assign(r.outcome, { status: 'failed', code: e.code, reason: `built, but publishing failed: ${e.message}` });
          failed.add(r.outcome.name);
        }
      }
    }
    report.packages.push(...results.map((r) => r.outcome));
  }
  timer.lap(`${plan.waves.length} waves`);
  timer.done();
  report.packages.sort((a, b) => a.name.localeCompare(b.name));
  return report;
}

export type { PackageOutcome, PackageState };
