/**
 * `py2distro build <requirement>... --target T...`: the whole pipeline (api/build.ts) for each
 * package × target; with --repo, the results are signed and published. Flags, one call, printing.
 */
import path from 'node:path';
import type { Command } from '../commander.js';
import { Py2DistroError } from '../../lib/errors.js';
import type { JobSelector } from '../../api/distributed/job.js';
import { collect, createContext, positiveInt } from '../context.js';
import { signingKeyFrom } from './repo.js';
import { addBuildOptions, addPublishOptions, allowDistroNamesFrom, engineChoiceFrom, publishSettingsFrom, renderSettingsFrom, targetsFrom, type BuildFlags, type PublishFlags } from '../options/shared.js';
import { addFetchOptions, fetchOptionsFrom, type FetchFlags } from '../options/fetch.js';

interface BuildCommandFlags extends FetchFlags, BuildFlags, PublishFlags {
  revision?: number;
  plan?: string;
  job?: string;
  shard?: string;
  wave?: string;
  index?: string;
  sdists?: string[];
}

const whole = (flag: string, v: string, min = 0): number => {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new Py2DistroError('E_USAGE', `${flag} ${JSON.stringify(v)}: expected a whole number${min ? ` >= ${min}` : ''}`);
  return Number(v);
};

/** --job N | --shard K/N [--wave W] | --wave W --index I (Kubernetes' JOB_COMPLETION_INDEX). */
function jobSelector(flags: BuildCommandFlags): JobSelector {
  if (flags.job !== undefined) return { job: whole('--job', flags.job) };
  if (flags.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flags.shard);
    if (!m) throw new Py2DistroError('E_USAGE', `--shard ${JSON.stringify(flags.shard)}: expected K/N, e.g. 1/4`);
    return { shard: whole('--shard', m[1]!, 1), of: whole('--shard', m[2]!, 1), ...(flags.wave !== undefined ? { wave: whole('--wave', flags.wave) } : {}) };
  }
  if (flags.wave !== undefined && flags.index !== undefined) return { wave: whole('--wave', flags.wave), index: whole('--index', flags.index) };
  throw new Py2DistroError('E_USAGE', 'build --plan needs --job N, --shard K/N or --wave W --index I');
}

export function register(program: Command): void {
  const cmd = program
    .command('build')
    .description('fetch, verify, render and build packages inside distro containers')
    .argument('[requirement...]', 'name, name==1.2, "name>=1,<2", or a path to a local .tar.gz/.zip sdist')
    .option('--revision <n>', 'Debian revision / RPM release (default 1)', positiveInt)
    .option('--plan <file>', 'build job(s) of a plan written by `sync --plan` (no key needed; writes <out>/job-N/ with a build record)')
    .option('--job <n>', 'with --plan: the job to build')
    .option('--shard <K/N>', 'with --plan: every N-th job starting at the K-th (of --wave W if given)')
    .option('--wave <w>', 'with --plan: the wave of --shard or --index')
    .option('--index <i>', 'with --plan --wave: the i-th job of the wave (e.g. $JOB_COMPLETION_INDEX)')
    .option('--sdists <dir>', 'with --plan: directory holding the sdists (checked by sha256); repeatable', collect);
  addBuildOptions(cmd);
  addFetchOptions(cmd);
  addPublishOptions(cmd);
  cmd.action(async (requirements: string[], flags: BuildCommandFlags, self: Command) => {
    if (flags.plan) return buildFromPlan(requirements, flags, self);
    if (!requirements.length) throw new Py2DistroError('E_USAGE', 'build needs a requirement (or --plan FILE --job N)');
    // The run loads here, not at start-up: `--help`, `--version` and other commands never need it.
    const [{ runBuild }, { selectEngine }, { describeSignature }] = await Promise.all([
      import('../../api/build.js'), import('../../stages/build/index.js'), import('../../api/fetch.js'),
    ]);
    const ctx = await createContext(self);
    const repoDir = flags.repo ?? ctx.config.repo;
    // Load (and check) the org key before building anything: a bad key should fail in seconds.
    const key = repoDir ? await signingKeyFrom(flags.signKey, ctx.config, ctx.log, flags.previousKey) : undefined;
    const result = await runBuild(
      {
        requirements,
        targets: targetsFrom(flags, ctx.config),
        fetch: fetchOptionsFrom(flags, ctx.config),
        render: { ...renderSettingsFrom(flags, ctx.config), revision: flags.revision },
        engine: await selectEngine(engineChoiceFrom(flags, ctx.config)),
        outDir: path.resolve(flags.out ?? ctx.config.out ?? 'py2distro-out'),
        jobs: flags.jobs ?? ctx.config.jobs ?? 1,
        localRepo: flags.localRepo,
        allowDistroNames: allowDistroNamesFrom(flags, ctx.config),
        timeoutSeconds: flags.buildTimeout ?? ctx.config['build-timeout'],
        keepWork: flags.keepWork,
        ...(repoDir && key ? { publish: { repoDir, key, settings: publishSettingsFrom(flags, ctx.config) } } : {}),
      },
      ctx,
    );
    const { published } = result;
    ctx.print({ ok: true, ...result }, () =>
      [
        ...result.builds.map((r) =>
          `${r.package} ${r.version} → ${r.target}${r.provenance ? ` (${describeSignature({ provenance: r.provenance })})` : ''}\n${r.artifacts.map((a) => `  ${a}`).join('\n')}\n  log ${r.log}`),
        ...(published ? [`published into ${published.repoDir}: ${published.added.length} added, ${published.unchanged.length} already there`] : []),
      ].join('\n'),
    );
  });
}

async function buildFromPlan(requirements: string[], flags: BuildCommandFlags, self: Command): Promise<void> {
  if (requirements.length) throw new Py2DistroError('E_USAGE', 'build --plan takes no requirements: the plan names them');
  if (flags.repo) throw new Py2DistroError('E_USAGE', 'build --plan never publishes: builders hold no key; run `sync --collect` where the key is');
  const select = jobSelector(flags);
  const [{ runPlanJobs }, { selectEngine }] = await Promise.all([import('../../api/distributed/job.js'), import('../../stages/build/index.js')]);
  const ctx = await createContext(self);
  const result = await runPlanJobs(
    {
      planFile: path.resolve(flags.plan!), select, engine: await selectEngine(engineChoiceFrom(flags, ctx.config)),
      outDir: path.resolve(flags.out ?? ctx.config.out ?? 'py2distro-out'), localRepos: flags.localRepo ? [flags.localRepo] : [],
      sdistDirs: flags.sdists ?? [], timeoutSeconds: flags.buildTimeout ?? ctx.config['build-timeout'], keepWork: flags.keepWork,
    },
    ctx,
  );
  ctx.print({ ok: true, ...result }, () =>
    result.jobs.length ? result.jobs.map((j) => `job ${j.id}: ${j.name} → ${j.target}\n  ${j.record}`).join('\n') : 'no job selected (nothing to do)');
}
