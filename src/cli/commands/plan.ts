/**
 * `py2distro plan export --plan FILE --format github|gitlab|k8s [--output FILE]`: the plan written
 * by `sync --plan` as a GitHub Actions workflow, a GitLab CI pipeline or Kubernetes Jobs
 * (api/distributed/export/). The plan is validated as strictly as a builder would.
 */
import path from 'node:path';
import { Option, type Command } from '../commander.js';
import { createContext, positiveInt } from '../context.js';

interface ExportFlags {
  plan: string;
  format: 'github' | 'gitlab' | 'k8s';
  output?: string;
  planPath?: string;
  install?: string;
  image?: string;
  runsOn?: string;
  repo?: string;
  name?: string;
  engineHost?: string;
  parallelism?: number;
}

export function register(program: Command): void {
  const plan = program.command('plan').description('distributed syncs: turn a plan (sync --plan) into CI or Kubernetes jobs');
  plan
    .command('export')
    .description('write the plan as a GitHub Actions workflow, a GitLab CI pipeline or Kubernetes Indexed Jobs')
    .requiredOption('--plan <file>', 'plan written by `sync --plan`')
    .addOption(new Option('--format <format>', 'github | gitlab | k8s').choices(['github', 'gitlab', 'k8s']).makeOptionMandatory())
    .option('--output <file>', 'write here instead of stdout')
    .option('--plan-path <path>', 'the plan\'s path as the jobs see it (default: plan.json)')
    .option('--install <command>', 'command that installs py2distro on a CI runner (default: npm install -g py2distro@<this version>)')
    .option('--image <image>', 'container image with py2distro (GitLab default image, Kubernetes pods)')
    .option('--runs-on <label>', 'GitHub runner label (default: ubuntu-24.04)')
    .option('--repo <dir>', 'repository directory the publish job writes (default: repo)')
    .option('--name <name>', 'Kubernetes name prefix (default: py2distro)')
    .option('--engine-host <url>', 'Kubernetes: the engine service builder pods use (tcp://…, ssh://…)')
    .option('--parallelism <n>', 'Kubernetes: pods of a wave at once (default 4)', positiveInt)
    .action(async (flags: ExportFlags, self: Command) => {
      const [{ readPlan }, { exportPlan }, { VERSION }, { writeFileAtomic }, { checkEngineUrl }] = await Promise.all([
        import('../../api/distributed/plan-file.js'), import('../../api/distributed/export/index.js'), import('../../lib/version.js'),
        import('../../lib/fs/atomic.js'), import('../../stages/build/index.js'),
      ]);
      const ctx = await createContext(self);
      const { plan: p } = await readPlan(path.resolve(flags.plan));
      const text = exportPlan(p, flags.format, {
        planPath: flags.planPath ?? 'plan.json',
        install: flags.install ?? `npm install -g py2distro@${VERSION}`,
        image: flags.image ?? `ghcr.io/py2distro/py2distro:${VERSION}`,
        runsOn: flags.runsOn ?? 'ubuntu-24.04',
        repo: flags.repo ?? 'repo',
        name: flags.name ?? 'py2distro',
        engineHost: flags.engineHost ? checkEngineUrl(flags.engineHost, '--engine-host') : undefined,
        parallelism: flags.parallelism ?? 4,
      });
      if (flags.output) {
        await writeFileAtomic(path.resolve(flags.output), text);
        ctx.print({ ok: true, format: flags.format, output: path.resolve(flags.output), jobs: p.jobs.length, waves: p.waves.length }, () => `wrote ${flags.output}`);
      } else {
        process.stdout.write(text);
      }
    });
}
