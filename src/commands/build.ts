/**
 * `py2distro build <requirement>... --target T...`: resolve → fetch → verify → inspect → render →
 * build as one listr2 pipeline. Each package is fetched and verified once; each package × target
 * is then rendered and built, up to --jobs at a time. Artifacts, build logs and provenance records
 * land in --out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { buildPackage, type BuildResult } from '../build.js';
import { selectEngine } from '../engines/index.js';
import { fetchSdist, type FetchedSdist } from '../fetch.js';
import { runSteps } from '../progress.js';
import { renderPackaging, type RenderResult } from '../render.js';
import type { Provenance } from '../provenance.js';
import { getTarget, type Target } from '../targets.js';
import { collect, createContext, positiveInt } from './context.js';
import { addFetchOptions, fetchOptionsFrom, type FetchFlags } from './fetch-options.js';

interface BuildFlags extends FetchFlags {
  target?: string[];
  out?: string;
  jobs?: number;
  keepWork?: boolean;
  engine?: string;
  buildTimeout?: number;
  templates?: string;
  maintainer?: string;
  revision?: number;
  runTests?: boolean;
  localRepo?: string;
  extra?: string[];
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

/**
 * The record shipped inside the package must not vary between two builds of the same input, or
 * the .debs differ: the wall-clock time of verification is left out of it. The full record, time
 * included, is written next to the artifacts (`<out>/<name>-<version>-<target>.provenance.json`).
 */
export function shippedProvenance(p: Provenance): Provenance {
  const { verifiedAt, ...rest } = p;
  void verifiedAt;
  return rest as Provenance;
}

export function register(program: Command): void {
  const cmd = program
    .command('build')
    .description('fetch, verify, render and build packages inside distro containers')
    .argument('<requirement...>', 'name, name==1.2, "name>=1,<2", or a path to a local .tar.gz/.zip sdist')
    .option('--target <target>', 'target to build for; repeatable (deb = debian-bookworm, rpm = fedora-41)', collect)
    .option('--out <dir>', 'where artifacts, build logs and provenance records go (default: config out, else ./py2distro-out)')
    .option('--jobs <n>', 'builds run at the same time (default: config jobs, else 1)', positiveInt)
    .option('--keep-work', 'keep the work directory (rendered sources, container mounts) for debugging')
    .option('--engine <engine>', 'podman | docker (default: $PY2DISTRO_ENGINE, config, auto-detect)')
    .option('--build-timeout <seconds>', 'wall-clock limit of one package build (default: config, else 3600)', positiveInt)
    .option('--templates <dir>', 'directory whose files override templates/ file by file')
    .option('--maintainer <"Name <email>">', 'maintainer of the generated packages')
    .option('--extra <name>', 'include the dependencies of this extra; repeatable', collect)
    .option('--revision <n>', 'Debian revision / RPM release (default 1)', positiveInt)
    .option('--run-tests', "run the upstream test suite during the build")
    .option('--local-repo <dir>', 'packages py2distro built earlier, offered as build dependencies');
  addFetchOptions(cmd);
  cmd.action(async (requirements: string[], flags: BuildFlags, self: Command) => {
    const ctx = await createContext(self);
    const targetNames = flags.target?.length ? flags.target : ctx.config.targets?.length ? ctx.config.targets : ['deb'];
    const targets = [...new Map(targetNames.map((n) => getTarget(n)).map((t) => [t.name, t])).values()];
    const opts = fetchOptionsFrom(flags, ctx.config);
    const outDir = path.resolve(flags.out ?? ctx.config.out ?? 'py2distro-out');
    const engine = await selectEngine({ flag: flags.engine, config: ctx.config });
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'py2distro-build-'));
    const env = { log: ctx.log, signal: ctx.signal, workDir, cacheDir: ctx.cacheDir };
    // Each requirement is fetched and verified once, whichever target's step asks first.
    const fetched = new Map<string, Promise<FetchedSdist>>();
    const fetchOnce = (req: string) => {
      if (!fetched.has(req)) fetched.set(req, fetchSdist(req, opts, env));
      return fetched.get(req)!;
    };
    const results: BuiltSummary[] = [];
    const failures: unknown[] = [];
    try {
      await runSteps(
        requirements.flatMap((req) =>
          targets.map((target) => ({
            title: `${req} → ${target.name}`,
            async run(_c: object, report: (text: string) => void) {
              await buildOne(req, target, report).catch((err: unknown) => {
                failures.push(err);
                throw err;
              });
            },
          })),
        ),
        {},
        { json: ctx.json, verbose: ctx.verbose, concurrent: flags.jobs ?? ctx.config.jobs ?? 1, exitOnError: false },
      );
    } finally {
      if (flags.keepWork) ctx.log.info(`work directory kept: ${workDir}`);
      else await rm(workDir, { recursive: true, force: true });
    }
    // Every failed package × target is reported, not only the first.
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} builds failed`);
    ctx.print({ ok: true, out: outDir, builds: results }, () =>
      results.map((r) => `${r.package} ${r.version} → ${r.target}\n${r.artifacts.map((a) => `  ${a}`).join('\n')}\n  log ${r.log}`).join('\n'),
    );

    async function buildOne(req: string, target: Target, report: (text: string) => void): Promise<void> {
      report('fetching and verifying');
      const sdist = await fetchOnce(req);
      report(`rendering ${sdist.filename}`);
      const rendered: RenderResult = await renderPackaging(
        {
          sdistPath: sdist.path,
          provenance: shippedProvenance(sdist.provenance),
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
