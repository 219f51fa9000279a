/**
 * The build run, the whole pipeline for a list of requirements × targets:
 *   resolve → fetch → verify  (once per requirement and target Python)
 *   → inspect                 (once per verified file)
 *   → render → build          (per requirement × target, up to `jobs` at a time)
 *   → sign → publish          (when a repository and key are given; per target's repository group)
 * Every package × target is tried; the failures are thrown together at the end.
 */
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { familyOf } from '../distro/family.js';
import type { Target } from '../distro/targets.js';
import { buildPackage, type BuildResult, type ContainerEngine } from '../stages/build/index.js';
import type { FetchOptions } from '../stages/fetch/index.js';
import { publishPackages, type PublishResult, type PublishSettings } from '../stages/publish/index.js';
import { renderPackaging } from '../stages/render/index.js';
import type { SigningKey } from '../stages/sign/index.js';
import { createBuildRequirements } from './build-requirements.js';
import { describeSignature } from './fetch.js';
import { extrasFor, sdistSource, type RenderSettings } from './render.js';
import { withWorkDir, type RunEnv } from './run-env.js';
import { runSteps } from './steps.js';
import { archiveReader, distroNameRefusal } from './distro-names.js';
import { normalizeName } from '../python/requirement.js';

export interface BuildRunOptions {
  requirements: string[];
  targets: Target[];
  fetch: FetchOptions;
  render: RenderSettings;
  engine: ContainerEngine;
  /** Artifacts, build logs and provenance records land here. */
  outDir: string;
  /** Builds at the same time (default 1). */
  jobs?: number;
  /** Packages py2distro built earlier, offered as build dependencies. */
  localRepo?: string;
  timeoutSeconds?: number;
  keepWork?: boolean;
  /** Projects allowed to take the name their target distribution gives them (api/distro-names.ts). */
  allowDistroNames?: string[];
  /** Sign and publish the built binary packages (the key was loaded and checked before any build). */
  publish?: { repoDir: string; key: SigningKey; settings: PublishSettings };
}

export interface BuiltPackage {
  package: string;
  version: string;
  target: string;
  artifacts: string[];
  log: string;
  image: string;
  arch: string;
  provenance?: BuildResult['provenance'];
}

export interface BuildRunResult {
  out: string;
  builds: BuiltPackage[];
  published?: PublishResult;
}

export async function runBuild(opts: BuildRunOptions, env: RunEnv): Promise<BuildRunResult> {
  const outDir = path.resolve(opts.outDir);
  const builds: BuiltPackage[] = [];
  await withWorkDir(env, 'build', async (stage) => {
    const source = sdistSource(opts.fetch, stage);
    const prepare = createBuildRequirements(
      { fetch: opts.fetch, render: opts.render, engine: opts.engine, outDir, localRepo: opts.localRepo, timeoutSeconds: opts.timeoutSeconds, keepWork: opts.keepWork },
      stage,
    );
    const archives = archiveReader(opts.engine, stage);
    const allowed = new Set((opts.allowDistroNames ?? []).map(normalizeName));

    async function buildOne(requirement: string, target: Target, report: (text: string) => void): Promise<void> {
      report('fetching and verifying');
      const sdist = await source.fetchFor(requirement, target);
      report(`${sdist.filename}: ${describeSignature(sdist)}; inspecting`);
      const inspected = await source.inspect(sdist);
      // Build requirements the distro lacks are built first; a missing one fails here, before any build container.
      const prepared = await prepare(requirement, target, report);
      report(`rendering ${sdist.filename}`);
      const rendered = await renderPackaging(
        {
          sdist: inspected,
          project: sdist.name,
          provenance: sdist.provenance,
          target,
          outDir: await mkdtemp(path.join(stage.workDir, `render-${target.name}-`)),
          templatesDir: opts.render.templatesDir,
          maintainer: opts.render.maintainer,
          extras: extrasFor(opts.render, sdist.name),
          runTests: opts.render.runTests,
          revision: opts.render.revision,
          localPackages: prepared.localPackages,
          distro: prepared.distro,
        },
        stage,
      );
      for (const u of rendered.unmetRequirements) env.log.warn(`${sdist.name} on ${target.name}: ${u}`);
      for (const n of rendered.notes) env.log.debug(`${sdist.name} on ${target.name}: ${n}`);
      // Before the build: a name the distribution already ships is refused (or explicitly allowed).
      report(`checking the ${target.name} archive for ${rendered.binaryPackages.join(', ')}`);
      const archive = await archives(target);
      for (const binary of rendered.binaryPackages) {
        const refusal = distroNameRefusal({ project: sdist.name, binary, distroVersion: rendered.distroVersion, target }, archive, allowed);
        if (refusal) throw refusal;
      }
      const built = await buildPackage(
        rendered,
        {
          target, engine: opts.engine, outDir, provenance: sdist.provenance,
          localRepo: prepared.localRepo ?? opts.localRepo, timeoutSeconds: opts.timeoutSeconds, keepWork: opts.keepWork,
        },
        { ...stage, onLine: (line) => report(line) },
      );
      report(built.artifacts.map((a) => path.basename(a)).join(', '));
      builds.push({
        package: sdist.name, version: sdist.version, target: target.name, artifacts: built.artifacts,
        log: built.log, image: built.image, arch: rendered.arch, provenance: built.provenance,
      });
    }

    await runSteps(
      opts.requirements.flatMap((requirement) =>
        opts.targets.map((target) => ({
          title: `${requirement} → ${target.name}`,
          run: (_c: object, report: (text: string) => void) => buildOne(requirement, target, report),
        })),
      ),
      {},
      { json: Boolean(env.json), verbose: env.verbose, concurrent: opts.jobs ?? 1, exitOnError: false },
    );
  }, opts.keepWork);
  const published = opts.publish ? await publishBuilt(builds, opts.targets, opts.publish, outDir, env) : undefined;
  return { out: outDir, builds, ...(published ? { published } : {}) };
}

/** Publishes the installable packages of every build, per target (its apt codename / yum dir). */
async function publishBuilt(
  builds: readonly BuiltPackage[], targets: readonly Target[], publish: NonNullable<BuildRunOptions['publish']>, outDir: string, env: RunEnv,
): Promise<PublishResult> {
  const merged: PublishResult = { repoDir: path.resolve(publish.repoDir), added: [], unchanged: [], pruned: [] };
  for (const target of targets) {
    const family = familyOf(target);
    const files = builds.filter((b) => b.target === target.name).flatMap((b) => b.artifacts).filter((a) => family.isInstallablePackage(a));
    if (!files.length) continue;
    const r = await publishPackages(
      { repoDir: publish.repoDir, files, key: publish.key, ...publish.settings, ...family.publishGroup(target) },
      { log: env.log, signal: env.signal, workDir: outDir, cacheDir: env.cacheDir },
    );
    merged.added.push(...r.added);
    merged.unchanged.push(...r.unchanged);
    merged.pruned.push(...r.pruned);
  }
  return merged;
}
