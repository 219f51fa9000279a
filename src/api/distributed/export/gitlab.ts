/**
 * A GitLab CI pipeline for a plan: one stage per wave, each a job with `parallel:matrix` over the
 * wave's job ids; GitLab hands every job the artifacts of earlier stages (the default of
 * `dependencies`), so `out/` already holds the earlier waves and serves as --local-repo. A final
 * `publish` stage, protected (`rules: if $CI_COMMIT_REF_PROTECTED`), holds the key as a file-type
 * CI/CD variable. Syntax: https://docs.gitlab.com/ee/ci/yaml/ (stages, parallel:matrix, artifacts).
 */
import type { Plan } from '../plan-file.js';
import type { ExportOptions } from './types.js';

export function gitlabPipeline(plan: Plan, o: ExportOptions): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    stages: [...plan.waves.map((_, w) => `wave-${w}`), 'publish'],
    default: { image: o.image, before_script: [o.install] },
  };
  plan.waves.forEach((ids, w) => {
    doc[`wave-${w}`] = {
      stage: `wave-${w}`,
      // GitLab allows up to 200 matrix combinations per job (docs: parallel:matrix).
      parallel: { matrix: [{ PY2DISTRO_JOB: ids.map(String) }] },
      script: [`py2distro build --plan ${o.planPath} --job "$PY2DISTRO_JOB" --out out${w > 0 ? ' --local-repo out' : ''}`],
      artifacts: { paths: ['out/job-$PY2DISTRO_JOB/'], when: 'on_success', expire_in: '1 week' },
    };
  });
  doc.publish = {
    stage: 'publish',
    rules: [{ if: '$CI_COMMIT_REF_PROTECTED == "true"' }],
    script: [`py2distro sync --collect out --plan ${o.planPath} --repo ${o.repo} --sign-key "$PY2DISTRO_SIGN_KEY_FILE"`],
    artifacts: { paths: [`${o.repo}/`] },
  };
  return doc;
}
