/**
 * `py2distro plan export --format github|gitlab|k8s`: the plan as the job graph of a system that
 * already schedules jobs — py2distro grows no scheduler of its own. Every format keeps the same
 * shape: builders per wave without the key, wave outputs offered to the next wave, one publisher
 * that holds the key and runs `sync --collect`.
 */
import { createRequire } from 'node:module';
import type { Plan } from '../plan-file.js';
import { githubWorkflow } from './github.js';
import { gitlabPipeline } from './gitlab.js';
import { k8sManifests } from './k8s.js';
import type { ExportOptions } from './types.js';

export type { ExportOptions } from './types.js';

export const EXPORT_FORMATS = ['github', 'gitlab', 'k8s'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];


const require = createRequire(import.meta.url);

/** The document(s) as YAML text (Kubernetes: one multi-document stream). */
export function exportPlan(plan: Plan, format: ExportFormat, o: ExportOptions): string {
  const { stringify } = require('yaml') as typeof import('yaml');
  const opts = { lineWidth: 0, aliasDuplicateObjects: false };
  if (format === 'github') return stringify(githubWorkflow(plan, o), opts);
  if (format === 'gitlab') return stringify(gitlabPipeline(plan, o), opts);
  return k8sManifests(plan, o).map((d) => stringify(d, opts)).join('---\n');
}

export { githubWorkflow, gitlabPipeline, k8sManifests };
