/**
 * `py2distro sync [requirement...] [-r requirements.txt] [-c constraints.txt]`: keep a set of
 * packages built and published (docs/sync.md). Takes every `build` flag (they override
 * py2distro.yaml) plus the publishing and sync flags. Exit 1 when anything failed; the report says what.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { Py2DistroError } from '../errors.js';
import { collect, createContext } from './context.js';
import { addBuildOptions, addPublishOptions, publishSettingsFrom, targetsFrom, type BuildFlags, type PublishFlags } from './shared-options.js';
import { addFetchOptions, fetchOptionsFrom, type FetchFlags } from './fetch-options.js';
import { signingKeyFrom } from './repo.js';

interface SyncFlags extends FetchFlags, BuildFlags, PublishFlags {
  requirement?: string[];
  constraint?: string[];
  conflictPolicy?: 'build' | 'fail';
  failFast?: boolean;
  stateDir?: string;
  reportDir?: string;
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
    .action(async (requirements: string[], flags: SyncFlags, self: Command) => {
      // Stage modules load here, not at start-up: `--help`, `--version` and other commands never need them.
      const [{ selectEngine }, { createRealBackend }, { loadManifest }, { reportMarkdown, writeReport }, { runSync }] = await Promise.all([
        import('../engines/index.js'), import('../sync/backend.js'), import('../sync/manifest.js'), import('../sync/report.js'), import('../sync/run.js'),
      ]);
      const ctx = await createContext(self);
      const c = ctx.config;
      const repoDir = flags.repo ?? c.repo;
      if (!repoDir) throw new Py2DistroError('E_USAGE', 'sync needs a repository: --repo DIR or `repo:` in py2distro.yaml');
      const manifest = await loadManifest({
        packages: c.packages, configFile: ctx.configFile, cliRequirements: requirements,
        requirementFiles: [...(c.requirements ?? []), ...(flags.requirement ?? [])],
        constraintFiles: [...(c.constraints ?? []), ...(flags.constraint ?? [])],
      });
      if (flags.extra?.length) for (const e of manifest.entries) e.extras = [...new Set([...e.extras, ...flags.extra])];
      for (const e of manifest.entries) if (e.name && c.extras?.[e.name]) e.extras = [...new Set([...e.extras, ...c.extras[e.name]])];
      const targets = targetsFrom(flags, c);
      const stateDir = path.resolve(flags.stateDir ?? c['state-dir'] ?? path.join(repoDir, '.py2distro-sync'));
      const reportDir = path.resolve(flags.reportDir ?? c['report-dir'] ?? path.join(stateDir, 'reports'));
      const engine = await selectEngine({ flag: flags.engine, config: c });
      const workDir = flags.out ? path.resolve(flags.out) : await mkdtemp(path.join(os.tmpdir(), 'py2distro-sync-'));
      const env = { log: ctx.log, signal: ctx.signal, workDir, cacheDir: ctx.cacheDir };
      const options = {
        maintainer: flags.maintainer ?? c.maintainer, templates: flags.templates ?? c.templates, runTests: Boolean(flags.runTests),
      };
      const backend = createRealBackend({
        engine, env, repoDir: path.resolve(repoDir), fetchOptions: fetchOptionsFrom(flags, c),
        loadKey: () => signingKeyFrom(flags.signKey, c, ctx.log),
        templatesDir: options.templates, maintainer: options.maintainer, runTests: options.runTests,
        buildTimeoutSeconds: flags.buildTimeout ?? c['build-timeout'], keepWork: flags.keepWork,
        extraLocalPackages: flags.localRepo ? await packageFiles(path.resolve(flags.localRepo)) : undefined,
        publish: publishSettingsFrom(flags, c),
      });
      let report;
      try {
        report = await runSync({
          manifest, targets, backend, stateDir, workDir, cacheDir: ctx.cacheDir, log: ctx.log, signal: ctx.signal,
          jobs: flags.jobs ?? c.jobs ?? 1, failFast: Boolean(flags.failFast ?? c['fail-fast']),
          conflictPolicy: flags.conflictPolicy ?? c['conflict-policy'] ?? 'build', keyOptions: options,
        });
      } finally {
        if (!flags.out && !flags.keepWork) await rm(workDir, { recursive: true, force: true });
      }
      const files = await writeReport(reportDir, report);
      const withFiles = { ...report, reportFiles: files };
      // With --json a failed run prints one object: the error, carrying the whole report.
      if (report.ok || !ctx.json) ctx.print(withFiles, () => `${reportMarkdown(withFiles).trimEnd()}\n\nReport: ${files.markdown}`);
      if (!report.ok) {
        throw new Py2DistroError('E_SYNC_FAILED', `${report.summary.failed} package(s) failed; report: ${files.markdown}`, {
          details: ctx.json ? { report: withFiles } : { reportFile: files.json },
        });
      }
    });
}

async function packageFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && /\.(deb|rpm)$/.test(e.name) && !e.name.endsWith('.src.rpm')).map((e) => path.join(e.parentPath, e.name));
}
