/**
 * The exported job graphs, each judged by its ecosystem's own parser, offline:
 *  - GitHub Actions: @actions/workflow-parser (GitHub's parser and schema: parseWorkflow, then
 *    convertWorkflowTemplate) must report no error;
 *  - Kubernetes: kubernetes-models' batch/v1 Job (validates against the Kubernetes OpenAPI schema);
 *  - GitLab CI: no offline GitLab parser runs on Node 20 here (gitlab-ci-local needs Node 22), so the
 *    pipeline is checked structurally against docs.gitlab.com/ee/ci/yaml rules: parsed with yaml,
 *    every job's stage declared, parallel:matrix within GitLab's 200 limit, scripts are string lists.
 * And for all three: only the publish job ever sees the signing key.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { exportPlan, type ExportOptions } from '../../../../src/api/distributed/export/index.ts';
import type { Plan } from '../../../../src/api/distributed/plan-file.ts';
import { samplePlan } from './plan-fixture.ts';

const plan = samplePlan() as unknown as Plan;
const opts: ExportOptions = {
  planPath: 'plan.json', install: 'npm install -g py2distro@0.1.0', image: 'registry.example/py2distro:0.1.0', runsOn: 'ubuntu-24.04',
  repo: 'repo', name: 'nightly', engineHost: 'tcp://engine.build.svc:2375', parallelism: 2,
};

test('GitHub Actions: the workflow passes @actions/workflow-parser with one matrix job per wave and a publish job', async () => {
  const text = exportPlan(plan, 'github', opts);
  const parsed = parseWorkflow({ name: 'py2distro.yml', content: text }, new NoOperationTraceWriter());
  assert.deepEqual(parsed.context.errors.getErrors().map((e) => e.message), []);
  const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
  assert.deepEqual((template.errors ?? []).map((e) => e.Message), []);
  assert.deepEqual(template.jobs.map((j) => j.id.value), ['wave-0', 'wave-1', 'publish']);
  const doc = parse(text);
  assert.deepEqual(doc.jobs['wave-0'].strategy.matrix.job, [0, 1, 2]);
  assert.deepEqual(doc.jobs['wave-1'].needs, ['wave-0']);
  assert.deepEqual(doc.jobs.publish.needs, ['wave-1']);
  for (const [id, job] of Object.entries<any>(doc.jobs)) {
    const usesKey = JSON.stringify(job).includes('PY2DISTRO_SIGN_KEY');
    assert.equal(usesKey, id === 'publish', `${id}: only publish holds the key`);
  }
  assert.match(JSON.stringify(doc.jobs['wave-1']), /--local-repo prev/);
});

test('GitHub Actions: the parser does catch a broken workflow (the judge is not a no-op)', async () => {
  const broken = exportPlan(plan, 'github', opts).replace(/runs-on:/, 'runs-onn:');
  const parsed = parseWorkflow({ name: 'broken.yml', content: broken }, new NoOperationTraceWriter());
  assert.ok(parsed.context.errors.getErrors().length > 0);
});

test('Kubernetes: one Indexed Job per wave plus a publish Job, each valid for kubernetes-models', () => {
  const docs = exportPlan(plan, 'k8s', opts).split(/^---$/m).map((d) => parse(d));
  assert.equal(docs.length, 3);
  for (const d of docs) new Job(d).validate();
  const [w0, w1, publish] = docs;
  assert.equal(w0.spec.completionMode, 'Indexed');
  assert.equal(w0.spec.completions, 3);
  assert.equal(w0.spec.parallelism, 2);
  assert.equal(w1.spec.completions, 1);
  const args0: string[] = w0.spec.template.spec.containers[0].args;
  assert.deepEqual(args0.slice(0, 7), ['build', '--plan', '/plan/plan.json', '--wave', '0', '--index', '$(JOB_COMPLETION_INDEX)']);
  assert.ok(args0.includes('tcp://engine.build.svc:2375'));
  for (const d of docs) {
    const secret = JSON.stringify(d.spec.template.spec.volumes).includes('secret');
    assert.equal(secret, d === publish, `${d.metadata.name}: only the publish Job mounts the key`);
    assert.equal(d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation, false);
  }
  assert.throws(() => new Job({ ...w0, spec: { ...w0.spec, completionMode: 'Indexd' } }).validate(), 'the validator refuses a wrong completionMode');
});

test('GitLab CI: a stage per wave with parallel:matrix, a protected publish stage (structural check)', () => {
  const doc = parse(exportPlan(plan, 'gitlab', opts));
  assert.deepEqual(doc.stages, ['wave-0', 'wave-1', 'publish']);
  const reserved = new Set(['stages', 'default', 'variables', 'include', 'workflow']);
  for (const [name, job] of Object.entries<any>(doc)) {
    if (reserved.has(name)) continue;
    assert.ok(doc.stages.includes(job.stage), `${name}: stage declared`);
    assert.ok(Array.isArray(job.script) && job.script.every((s: unknown) => typeof s === 'string'), `${name}: script`);
    const combos = job.parallel?.matrix?.reduce((n: number, m: Record<string, string[]>) => n + Object.values(m).reduce((a, v) => a * v.length, 1), 0) ?? 1;
    assert.ok(combos >= 1 && combos <= 200, `${name}: parallel:matrix within GitLab's limit`);
    assert.equal(JSON.stringify(job).includes('SIGN_KEY'), name === 'publish');
  }
  assert.deepEqual(doc['wave-0'].parallel.matrix, [{ PY2DISTRO_JOB: ['0', '1', '2'] }]);
  assert.match(doc['wave-1'].script[0], /--local-repo out/);
});
