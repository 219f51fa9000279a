/**
 * `py2distro sync [requirement...] [-r requirements.txt] [-c constraints.txt]`: keep a set of
 * packages built and published (docs/sync.md). Takes every `build` flag (they override
 * py2distro.yaml) plus the publishing and sync flags. Exit 1 when anything failed; the report says what.
 */
import path from 'node:path';
import { Option, type Command } from '../commander.js';
import { Py2DistroError } from '../../lib/errors.js';
import { collect, createContext } from '../context.js';
import { addBuildOptions, addPublishOptions, allowDistroNamesFrom, engineChoiceFrom, publishSettingsFrom, renderSettingsFrom, targetsFrom, type BuildFlags, type PublishFlags } from '../options/shared.js';
import { addFetchOptions, fetchOptionsFrom, type FetchFlags } from '../options/fetch.js';
import { signingKeyFrom } from './repo.js';

interface SyncFlags extends FetchFlags, BuildFlags, PublishFlags {
  requirement?: string[];
  constraint?: string[];
  conflictPolicy?: 'build' | 'fail';
  failFast?: boolean;
  stateDir?: string;
  reportDir?: string;
  plan?: string;
  collect?: string[];
}

export function register(program: Command): void {
  const cmd = program
    .command('sync')
    .description('keep a set of packages (py2distro.yaml packages:, -r requirements.txt) built and published')
    .argument('[requirement...]', 'more requirements, on top of the config file and -r files')
    .option('-r, --requirement <file>', 'pip requirements file; repeatable', collect)
    .option('-c, --constraint <file>', 'pip constraints file; repeatable', collect);
  addBuildOptions(cmd);
  addFetchOptions(cmd);
  addPublishOptions(cmd);
  cmd
    .addOption(new Option('--conflict-policy <policy>', 'when the distro has a dependency too old or a clashing name').choices(['build', 'fail']))
    .option('--fail-fast', 'start no new build after the first failure')
    .option('--state-dir <dir>', 'sync state, build logs and reports (default: <repo>/.py2distro-sync)')
    .option('--report-dir <dir>', 'run reports (default: <state-dir>/reports)')
    .option('--plan <file>', 'write what would be built (jobs, waves, sdist sha256s, build keys) to FILE and build nothing; with --collect: the plan to check against')
    .option('--collect <dir...>', 'check the build records and artifacts of `build --plan` jobs in DIR... against --plan, then sign and publish them')
    .action(async (requirements: string[], flags: SyncFlags, self: Command) => {
      if (flags.collect) return collectCommand(requirements, flags, self);
      // The run loads here, not at start-up: `--help`, `--version` and other commands never need it.
      const [{ selectEngine }, { runSyncSet }, { reportMarkdown }] = await Promise.all([
        import('../../stages/build/index.js'), import('../../api/sync/index.js'), import('../../api/sync/report.js'),
      ]);
      // pip's -c is constraints; a user reaching for the config file gets told so, not a PEP 440 error.
      const yaml = (flags.constraint ?? []).find((f) => /\.ya?ml$/i.test(f));
      if (yaml) {
        throw new Py2DistroError('E_USAGE', `-c ${yaml}: -c is --constraint (a pip constraints file, as in pip); did you mean --config ${yaml}?`, {
          hint: `Pass the configuration file with --config ${yaml} (it goes before the command: py2distro --config ${yaml} sync).`,
        });
      }
      const ctx = await createContext(self);
      const c = ctx.config;
      const repoDir = flags.repo ?? c.repo;
      if (!repoDir) throw new Py2DistroError('E_USAGE', 'sync needs a repository: --repo DIR or `repo:` in py2distro.yaml');
      const stateDir = path.resolve(flags.stateDir ?? c['state-dir'] ?? path.join(repoDir, '.py2distro-sync'));
      if (flags.plan) {
        const { planSyncSet } = await import('../../api/distributed/planner.js');
        const { writeFileAtomic } = await import('../../lib/fs/atomic.js');
        const { plan, problems } = await planSyncSet(
          {
            manifest: {
              packages: c.packages, configFile: ctx.configFile, cliRequirements: requirements,
              requirementFiles: [...(c.requirements ?? []), ...(flags.requirement ?? [])],
              constraintFiles: [...(c.constraints ?? []), ...(flags.constraint ?? [])],
            },
            targets: targetsFrom(flags, c), fetch: fetchOptionsFrom(flags, c), render: renderSettingsFrom(flags, c),
            engine: await selectEngine(engineChoiceFrom(flags, c)), repoDir, stateDir, keepWork: flags.keepWork,
            conflictPolicy: flags.conflictPolicy ?? c['conflict-policy'] ?? 'build', buildTimeoutSeconds: flags.buildTimeout ?? c['build-timeout'],
          },
          ctx,
        );
        const file = path.resolve(flags.plan);
        await writeFileAtomic(file, JSON.stringify(plan, null, 2) + '\n');
        ctx.print({ ok: problems.length === 0, plan: file, jobs: plan.jobs.length, waves: plan.waves.length, unchanged: plan.unchanged.length, problems }, () =>
          [`plan ${file}: ${plan.jobs.length} job(s) in ${plan.waves.length} wave(s), ${plan.unchanged.length} unchanged`,
            ...plan.waves.map((w, i) => `  wave ${i}: ${w.map((id) => `${id}=${plan.jobs[id]!.name}@${plan.jobs[id]!.target}`).join(' ')}`),
            ...problems.map((p) => `  cannot plan ${p.name} (${p.target}): ${p.reason}`)].join('\n'));
        if (problems.length) throw new Py2DistroError('E_SYNC_FAILED', `${problems.length} package(s) cannot be built; the plan has the others`);
        return;
      }
      const report = await runSyncSet(
        {
          manifest: {
            packages: c.packages, configFile: ctx.configFile, cliRequirements: requirements,
            requirementFiles: [...(c.requirements ?? []), ...(flags.requirement ?? [])],
            constraintFiles: [...(c.constraints ?? []), ...(flags.constraint ?? [])],
          },
          targets: targetsFrom(flags, c),
          fetch: fetchOptionsFrom(flags, c),
          render: renderSettingsFrom(flags, c),
          // Checked before the first container: a sync where nothing changed starts none.
          engine: await selectEngine({ ...engineChoiceFrom(flags, c), deferCheck: true }),
          repoDir,
          loadKey: () => signingKeyFrom(flags.signKey, c, ctx.log, flags.previousKey),
          publish: publishSettingsFrom(flags, c),
          stateDir,
          reportDir: path.resolve(flags.reportDir ?? c['report-dir'] ?? path.join(stateDir, 'reports')),
          outDir: flags.out,
          keepWork: flags.keepWork,
          jobs: flags.jobs ?? c.jobs ?? 1,
          failFast: Boolean(flags.failFast ?? c['fail-fast']),
          conflictPolicy: flags.conflictPolicy ?? c['conflict-policy'] ?? 'build',
          buildTimeoutSeconds: flags.buildTimeout ?? c['build-timeout'],
          localRepo: flags.localRepo,
          allowDistroNames: allowDistroNamesFrom(flags, c),
        },
        ctx,
      );
      // With --json a failed run prints one object: the error, carrying the whole report.
      if (report.ok || !ctx.json) ctx.print(report, () => `${reportMarkdown(report).trimEnd()}\n\nReport: ${report.reportFiles.markdown}`);
      if (!report.ok) {
        throw new Py2DistroError('E_SYNC_FAILED', `${report.summary.failed} package(s) failed; report: ${report.reportFiles.markdown}`, {
          details: ctx.json ? { report } : { reportFile: report.reportFiles.json },
        });
      }
    });
}

async function collectCommand(requirements: string[], flags: SyncFlags, self: Command): Promise<void> {
  if (!flags.plan) throw new Py2DistroError('E_USAGE', 'sync --collect DIR... needs --plan FILE (the plan the jobs were built from)');
  if (requirements.length) throw new Py2DistroError('E_USAGE', 'sync --collect takes no requirements: the plan names them');
  const { collectPlan } = await import('../../api/distributed/collect.js');
  const ctx = await createContext(self);
  const c = ctx.config;
  const repoDir = flags.repo ?? c.repo;
  if (!repoDir) throw new Py2DistroError('E_USAGE', 'sync --collect needs a repository: --repo DIR or `repo:` in py2distro.yaml');
  const result = await collectPlan(
    {
      planFile: path.resolve(flags.plan), dirs: flags.collect!, repoDir,
      stateDir: path.resolve(flags.stateDir ?? c['state-dir'] ?? path.join(repoDir, '.py2distro-sync')),
      loadKey: () => signingKeyFrom(flags.signKey, c, ctx.log), publish: publishSettingsFrom(flags, c),
    },
    ctx,
  );
  ctx.print({ ok: true, ...result }, () => `collected ${result.jobs} job(s) of plan ${result.plan.slice(0, 12)}; published:\n${result.published.map((f) => `  ${f}`).join('\n')}`);
}
