/**
 * `py2distro build <requirement>... --target T...`: resolve → fetch → verify → inspect → render →
 * build as one listr2 pipeline. Each package is fetched and verified once per target Python; each package × target
 * is then rendered and built, up to --jobs at a time. Artifacts, build logs and provenance records
 * land in --out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { BuildResult } from '../build.js';
import type { FetchedSdist } from '../fetch.js';
import type { RenderResult } from '../render.js';
import type { PublishResult } from '../publish.js';
import type { SigningKey } from '../sign/key.js';
import type { Target } from '../targets.js';
import { createContext, positiveInt } from './context.js';
import { signingKeyFrom } from './repo.js';
import { addBuildOptions, addPublishOptions, publishSettingsFrom, targetsFrom, type BuildFlags, type PublishFlags } from './shared-options.js';
import { addFetchOptions, fetchOptionsFrom, type FetchFlags } from './fetch-options.js';

interface BuildCommandFlags extends FetchFlags, BuildFlags, PublishFlags {
  revision?: number;
}

export interface BuiltSummary {
  package: string;
  version: string;
  target: string;
  artifacts: string[];
  log: string;
  image: string;
  arch: string;
  provenance?: BuildResult['provenance'];
}

export function register(program: Command): void {
  const cmd = program
    .command('build')
    .description('fetch, verify, render and build packages inside distro containers')
    .argument('<requirement...>', 'name, name==1.2, "name>=1,<2", or a path to a local .tar.gz/.zip sdist')
    .option('--revision <n>', 'Debian revision / RPM release (default 1)', positiveInt);
  addBuildOptions(cmd);
  addFetchOptions(cmd);
  addPublishOptions(cmd);
  cmd.action(async (requirements: string[], flags: BuildCommandFlags, self: Command) => {
    // Stage modules load here, not at start-up: `--help`, `--version` and other commands never need them.
    const [{ buildPackage }, { selectEngine }, { fetchSdist }, { runSteps }, { renderPackaging }, { publishPackages }] = await Promise.all([
      import('../build.js'), import('../engines/index.js'), import('../fetch.js'), import('../progress.js'), import('../render.js'), import('../publish.js'),
    ]);
    const ctx = await createContext(self);
    const targets = targetsFrom(flags, ctx.config);
    const repoDir = flags.repo ?? ctx.config.repo;
    // Load (and check) the org key before building anything: a bad key should fail in seconds.
    const key = repoDir ? await signingKeyFrom(flags.signKey, ctx.config, ctx.log) : undefined;
    const opts = fetchOptionsFrom(flags, ctx.config);
    const outDir = path.resolve(flags.out ?? ctx.config.out ?? 'py2distro-out');
    const engine = await selectEngine({ flag: flags.engine, config: ctx.config });
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'py2distro-build-'));
    const env = { log: ctx.log, signal: ctx.signal, workDir, cacheDir: ctx.cacheDir };
    // Each requirement is resolved, fetched and verified once per target Python (requires-python
    // can pick a different release for el9's 3.9 than for trixie's 3.13), whichever step asks first.
    const fetched = new Map<string, Promise<FetchedSdist>>();
    const fetchOnce = (req: string, target: Target) => {
      const key = `${req}\0${target.python.fullVersion}`;
      if (!fetched.has(key)) fetched.set(key, fetchSdist(req, { ...opts, pythonVersion: target.python.fullVersion }, env));
      return fetched.get(key)!;
    };
    const results: BuiltSummary[] = [];
    try {
      // exitOnError: false — every package × target is tried, and runSteps throws all failures together.
      await runSteps(
        requirements.flatMap((req) =>
          targets.map((target) => ({
            title: `${req} → ${target.name}`,
            run: (_c: object, report: (text: string) => void) => buildOne(req, target, report),
          })),
        ),
        {},
        { json: ctx.json, verbose: ctx.verbose, concurrent: flags.jobs ?? ctx.config.jobs ?? 1, exitOnError: false },
      );
    } finally {
      if (flags.keepWork) ctx.log.info(`work directory kept: ${workDir}`);
      else await rm(workDir, { recursive: true, force: true });
    }
    const published = repoDir && key ? await publishBuilt(repoDir, key) : undefined;
    ctx.print({ ok: true, out: outDir, builds: results, ...(published ? { published } : {}) }, () =>
      [
        ...results.map((r) => `${r.package} ${r.version} → ${r.target}\n${r.artifacts.map((a) => `  ${a}`).join('\n')}\n  log ${r.log}`),
        ...(published ? [`published into ${published.repoDir}: ${published.added.length} added, ${published.unchanged.length} already there`] : []),
      ].join('\n'),
    );

    /** Publishes the binary packages of every build, per target (its apt codename / yum dir). */
    async function publishBuilt(dir: string, signingKey: SigningKey): Promise<PublishResult> {
      const merged: PublishResult = { repoDir: path.resolve(dir), added: [], unchanged: [], pruned: [] };
      for (const target of targets) {
        const files = results
          .filter((r) => r.target === target.name)
          .flatMap((r) => r.artifacts)
          .filter((a) => /\.(deb|rpm)$/.test(a) && !a.endsWith('.src.rpm'));
        if (!files.length) continue;
        const r = await publishPackages(
          {
            repoDir: dir, files, key: signingKey, ...publishSettingsFrom(flags, ctx.config),
            ...(target.family === 'deb' ? { codename: target.codename } : { rpmTarget: target.name }),
          },
          { log: ctx.log, signal: ctx.signal, workDir: outDir, cacheDir: ctx.cacheDir },
        );
        merged.added.push(...r.added);
        merged.unchanged.push(...r.unchanged);
        merged.pruned.push(...r.pruned);
      }
      return merged;
    }

    async function buildOne(req: string, target: Target, report: (text: string) => void): Promise<void> {
      report('fetching and verifying');
      const sdist = await fetchOnce(req, target);
      report(`rendering ${sdist.filename}`);
      const rendered: RenderResult = await renderPackaging(
        {
          sdistPath: sdist.path,
          provenance: sdist.provenance,
          target: target.name,
          outDir: await mkdtemp(path.join(workDir, `render-${target.name}-`)),
          templatesDir: flags.templates ?? ctx.config.templates,
          maintainer: flags.maintainer ?? ctx.config.maintainer,
          extras: flags.extra ?? ctx.config.extras?.[sdist.name],
          runTests: flags.runTests,
          revision: flags.revision,
        },
        env,
      );
      for (const u of rendered.unmetRequirements) ctx.log.warn(`${sdist.name} on ${target.name}: ${u}`);
      const built = await buildPackage(
        rendered,
        {
          target,
          engine,
          outDir,
          provenance: sdist.provenance,
          localRepo: flags.localRepo,
          timeoutSeconds: flags.buildTimeout ?? ctx.config['build-timeout'],
          keepWork: flags.keepWork,
        },
        { ...env, onLine: (line) => report(line) },
      );
      report(built.artifacts.map((a) => path.basename(a)).join(', '));
      results.push({
        package: sdist.name, version: sdist.version, target: target.name, artifacts: built.artifacts,
        log: built.log, image: built.image, arch: rendered.arch, provenance: built.provenance,
      });
    }
  });
}
