/**
 * One wave of the plan: packages that do not need each other. Each is rendered, keyed and either
 * skipped (key unchanged), or built — at most `jobs` at a time. Failures are values here; the
 * orchestrator decides what they stop.
 */
import path from 'node:path';
import type { Logger } from '../../lib/log.js';
import type { Target } from '../../distro/targets.js';
import type { DistroFacts } from '../../stages/render/index.js';
import type { BuildKeyInput } from './buildkey.js';
import type { ClosureNode } from './closure.js';
import type { PackageOutcome } from './report.js';
import type { SyncBackend } from './types.js';
import type { PackageState } from './state.js';
import { errorOutcome, type ErrorCode } from '../../lib/errors.js';
import { mapLimit } from '../../lib/concurrency.js';

export interface WaveContext {
  target: Target;
  /** The target archive's names and versions, for render (deb targets). */
  distro?: DistroFacts;
  image: string;
  imageId: string;
  backend: SyncBackend;
  byName: Map<string, ClosureNode>;
  /** Reasons from the closure (conflicts, unresolvable requirements). */
  blocked: Map<string, string>;
  /** Packages that failed earlier in this run. */
  failed: Set<string>;
  liveVersion: Map<string, string>;
  targetState: Record<string, PackageState>;
  outDir: string;
  logDir: string;
  keyOf(input: Pick<BuildKeyInput, 'sdistSha256' | 'packagingDigest' | 'dependencyVersions'>): string;
  revisionFor(previous: PackageState | undefined, version: string, key: string): number;
  jobs: number;
  failFast: boolean;
  stopped(): boolean;
  log: Logger;
}

export interface WaveResult {
  outcome: PackageOutcome;
  files: string[];
  /** The state to record once the files are published. */
  state?: PackageState;
}

export async function buildWave(names: string[], ctx: WaveContext): Promise<WaveResult[]> {
  return mapLimit(names, Math.max(1, ctx.jobs), (name) => buildOne(ctx.byName.get(name)!, ctx));
}

async function buildOne(node: ClosureNode, ctx: WaveContext): Promise<WaveResult> {
  const prev = ctx.targetState[node.name];
  const outcome: PackageOutcome = {
    name: node.name, version: node.version, status: 'failed', reason: '', signature: node.sdist.signature,
    previousVersion: prev?.version,
  };
  const fail = (code: ErrorCode, reason: string): WaveResult => {
    ctx.failed.add(node.name);
    ctx.log.error(`${node.name}: ${reason}`);
    return { outcome: Object.assign(outcome, { status: 'failed', code, reason }), files: [] };
  };
  const blockedReason = ctx.blocked.get(node.name);
  if (blockedReason) return fail(node.blocked?.code ?? 'E_DEPENDENCY', blockedReason);
  const failedDep = node.deps.find((d) => ctx.failed.has(d));
  if (failedDep) return fail('E_DEPENDENCY', `needs ${failedDep}, which failed in this run`);
  if (ctx.stopped()) {
    ctx.failed.add(node.name);
    return { outcome: Object.assign(outcome, { status: 'skipped', reason: 'not attempted: an earlier package failed (--fail-fast)' }), files: [] };
  }

  try {
    const dependencyVersions = Object.fromEntries(node.deps.map((d) => [d, ctx.liveVersion.get(d) ?? '?']));
    const workDir = path.join(ctx.outDir, node.name);
    const dependencies = node.deps.map((d) => ctx.byName.get(d)!).filter(Boolean);
    const base = await ctx.backend.render({ node, target: ctx.target, revision: 1, dependencies, workDir: path.join(workDir, 'render-1'), distro: ctx.distro });
    const key = ctx.keyOf({ sdistSha256: node.sha256, packagingDigest: base.digest, dependencyVersions });
    if (prev && prev.key === key) {
      outcome.packageVersion = prev.packageVersion;
      return { outcome: Object.assign(outcome, { status: 'skipped', reason: 'unchanged (same build key)' }), files: [] };
    }
    const revision = ctx.revisionFor(prev, node.version, key);
    // A rendering known only from the cache wrote nothing: the build needs the real files.
    const rendered = revision === 1 && !base.fromCache ? base : await ctx.backend.render({
      node, target: ctx.target, revision, dependencies, workDir: path.join(workDir, `render-${revision}`), distro: ctx.distro, fresh: true,
    });
    const logPath = path.join(ctx.logDir, `${node.name}-${node.version}.build.log`);
    outcome.logPath = logPath;
    const localPackages = localPackagesFor(node, ctx);
    ctx.log.info(`${node.name} ${node.version}: building (${whyBuild(prev, node, key)})`);
    const built = await ctx.backend.build({
      node, target: ctx.target, rendered, image: ctx.image, localPackages, outDir: path.join(workDir, 'out'), logPath,
    });
    outcome.packageVersion = rendered.packageVersion;
    outcome.files = built.files.map((f) => path.basename(f));
    const state: PackageState = {
      name: node.name, version: node.version, revision, packageVersion: rendered.packageVersion, key,
      sdistSha256: node.sha256, files: outcome.files, builtAt: new Date().toISOString(),
    };
    return { outcome: Object.assign(outcome, { status: 'built', reason: whyBuild(prev, node, key) }), files: built.files, state };
  } catch (err) {
    const e = errorOutcome(err);
    return fail(e.code, e.message);
  }
}

function whyBuild(prev: PackageState | undefined, node: ClosureNode, key: string): string {
  if (!prev) return 'new';
  if (prev.version !== node.version) return `new version (was ${prev.version})`;
  if (prev.sdistSha256 !== node.sha256) return 'sdist changed';
  return prev.key === key ? 'unchanged' : 'inputs changed (dependency, image, packaging or options)';
}

/** Our packages that this build may install: every transitive dependency's files, built or published. */
function localPackagesFor(node: ClosureNode, ctx: WaveContext): string[] {
  const seen = new Set<string>();
  const files: string[] = [];
  const visit = (name: string) => {
    for (const d of ctx.byName.get(name)?.deps ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      for (const f of ctx.targetState[d]?.files ?? []) files.push(ctx.backend.publishedPath(ctx.target, f));
      visit(d);
    }
  };
  visit(node.name);
  return files;
}
