/**
 * A GitHub Actions workflow for a plan: one job per wave whose matrix is that wave's job ids, each
 * builder downloading the earlier waves' artifacts as its --local-repo and uploading its own
 * `job-N/`; then one `publish` job — the only one given the signing key (repository secrets,
 * behind the `release` environment so it can require approval) — that runs `sync --collect`.
 * Syntax: https://docs.github.com/actions/using-workflows/workflow-syntax-for-github-actions
 * (strategy.matrix, needs, actions/upload-artifact@v4 / download-artifact@v4 pattern + path).
 */
import type { Plan } from '../plan-file.js';
import type { ExportOptions } from './types.js';

export function githubWorkflow(plan: Plan, o: ExportOptions): Record<string, unknown> {
  const install = { name: 'Install py2distro', run: o.install };
  const jobs: Record<string, unknown> = {};
  plan.waves.forEach((ids, w) => {
    const steps: Record<string, unknown>[] = [{ uses: 'actions/checkout@v4' }, install];
    if (w > 0) steps.push({ name: 'Packages of earlier waves', uses: 'actions/download-artifact@v4', with: { pattern: 'py2distro-job-*', path: 'prev' } });
    steps.push({
      name: 'Build one job of the plan (no signing key here)',
      // The job id comes from the matrix (numbers this file lists), never from user input.
      run: `py2distro build --plan ${o.planPath} --job \${{ matrix.job }} --out out${w > 0 ? ' --local-repo prev' : ''}`,
    });
    steps.push({ uses: 'actions/upload-artifact@v4', with: { name: 'py2distro-job-${{ matrix.job }}', path: 'out/', 'if-no-files-found': 'error' } });
    jobs[`wave-${w}`] = {
      name: `wave ${w} (job \${{ matrix.job }})`,
      'runs-on': o.runsOn,
      ...(w > 0 ? { needs: [`wave-${w - 1}`] } : {}),
      strategy: { 'fail-fast': false, matrix: { job: ids } },
      steps,
    };
  });
  jobs.publish = {
    name: 'collect, sign and publish',
    'runs-on': o.runsOn,
    needs: plan.waves.length ? [`wave-${plan.waves.length - 1}`] : [],
    environment: 'release',
    steps: [
      { uses: 'actions/checkout@v4' },
      install,
      { uses: 'actions/download-artifact@v4', with: { pattern: 'py2distro-job-*', path: 'collected' } },
      {
        name: 'Check every build record against the plan, then sign and publish',
        env: { PY2DISTRO_SIGN_KEY: '${{ secrets.PY2DISTRO_SIGN_KEY }}', PY2DISTRO_SIGN_PASSPHRASE: '${{ secrets.PY2DISTRO_SIGN_PASSPHRASE }}' },
        run: [
          'umask 077',
          'printf "%s\\n" "$PY2DISTRO_SIGN_KEY" > "$RUNNER_TEMP/org-key.asc"',
          `py2distro sync --collect collected --plan ${o.planPath} --repo ${o.repo} --sign-key "$RUNNER_TEMP/org-key.asc"`,
          'rm -f "$RUNNER_TEMP/org-key.asc"',
        ].join('\n'),
      },
      { uses: 'actions/upload-artifact@v4', with: { name: 'py2distro-repository', path: `${o.repo}/` } },
    ],
  };
  return {
    name: 'py2distro distributed sync',
    on: { workflow_dispatch: {} },
    permissions: { contents: 'read' },
    jobs,
  };
}
