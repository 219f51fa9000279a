/**
 * `py2distro build <requirement>... --target T...`: the whole pipeline (api/build.ts) for each
 * package × target; with --repo, the results are signed and published. Flags, one call, printing.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { createContext, positiveInt } from '../context.js';
import { signingKeyFrom } from './repo.js';
import { addBuildOptions, addPublishOptions, engineChoiceFrom, publishSettingsFrom, renderSettingsFrom, targetsFrom, type BuildFlags, type PublishFlags } from '../options/shared.js';
import { addFetchOptions, fetchOptionsFrom, type FetchFlags } from '../options/fetch.js';

interface BuildCommandFlags extends FetchFlags, BuildFlags, PublishFlags {
  revision?: number;
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
