/**
 * The plan is untrusted input on every builder: readPlan accepts what sync --plan writes and
 * refuses, with E_PLAN_INVALID, every kind of damage — unknown keys, names outside their grammar
 * (shell and control characters), bad hashes, jobs in the wrong wave, dependencies on later waves.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readPlan } from '../../../../src/api/distributed/plan-file.ts';
import { selectJobs } from '../../../../src/api/distributed/job.ts';
import { Py2DistroError } from '../../../../src/lib/errors.ts';
import { samplePlan } from './plan-fixture.ts';

async function write(data: unknown): Promise<string> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'plan-unit-')), 'plan.json');
  await writeFile(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

test('a plan as sync --plan writes it is read, with the sha256 of its bytes', async () => {
  const { plan, sha256 } = await readPlan(await write(samplePlan()));
  assert.equal(plan.jobs.length, 4);
  assert.match(sha256, /^[0-9a-f]{64}$/);
});

test('a provenance with a verified PEP 740 attestation is accepted; unknown attestation keys are not', async () => {
  const p = samplePlan() as any;
  p.jobs[0].provenance.trusted = true;
  p.jobs[0].provenance.attestation = {
    status: 'verified', publisher: 'github:org/repo:release.yml', issuer: 'https://token.actions.githubusercontent.com',
    predicateType: 'https://docs.pypi.org/attestations/publish/v1', logIndex: 12, trustedRootDigest: 'd'.repeat(64), count: 1,
  };
  await readPlan(await write(p));
  p.jobs[0].provenance.attestation.script = 'x';
  await assert.rejects(readPlan(await write(p)), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_PLAN_INVALID');
});

const damages: [string, (p: any) => void][] = [
  ['an unknown top-level key', (p) => { p.extra = 1; }],
  ['an unknown job key', (p) => { p.jobs[0].command = 'rm -rf /'; }],
  ['a shell metacharacter in a name', (p) => { p.jobs[1].name = 'beta;id'; }],
  ['a newline in a dependency binary name', (p) => { p.jobs[3].localBinaries.alpha = 'python3-alpha\nDepends: evil'; }],
  ['a path in an sdist file name', (p) => { p.jobs[0].sdist.filename = '../../etc/passwd'; }],
  ['a short sha256', (p) => { p.jobs[0].sdist.sha256 = 'abc'; }],
  ['a non-http sdist URL', (p) => { p.jobs[0].sdist.url = 'file:///etc/passwd'; }],
  ['another schema version', (p) => { p.schema = 'py2distro-plan/2'; }],
  ['a job id out of order', (p) => { p.jobs[1].id = 7; }],
  ['a dependency on a later wave', (p) => { p.jobs[0].needs = [3]; }],
  ['a job listed in two waves', (p) => { p.waves[1].push(0); }],
  ['a wave listing a job of another wave', (p) => { p.waves = [[0, 1, 3], [2]]; }],
  ['an unknown target', (p) => { p.jobs[2].target = 'debian-nope'; }],
  ['a builder image outside py2distro\'s repository', (p) => { p.targets[0].image = 'docker.io/evil/image:latest'; }],
  ['the same package planned twice', (p) => { p.jobs[1].name = 'alpha'; }],
];

for (const [what, damage] of damages) {
  test(`readPlan refuses ${what}`, async () => {
    const p = samplePlan();
    damage(p);
    await assert.rejects(readPlan(await write(p)), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_PLAN_INVALID');
  });
}

test('readPlan refuses text that is not JSON', async () => {
  await assert.rejects(readPlan(await write('{"schema": ')), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_PLAN_INVALID');
});

test('job selection: --job, --shard K/N (optionally of one wave), --wave W --index I', async () => {
  const { plan } = await readPlan(await write(samplePlan()));
  const ids = (s: Parameters<typeof selectJobs>[1]) => selectJobs(plan, s).map((j) => j.id);
  assert.deepEqual(ids({ job: 2 }), [2]);
  assert.deepEqual(ids({ shard: 1, of: 2 }), [0, 2]);
  assert.deepEqual(ids({ shard: 2, of: 2 }), [1, 3]);
  assert.deepEqual(ids({ shard: 2, of: 2, wave: 0 }), [1]);
  assert.deepEqual(ids({ wave: 1, index: 0 }), [3]);
  assert.deepEqual(ids({ wave: 1, index: 5 }), [], 'an index past the wave is an empty job');
  assert.throws(() => selectJobs(plan, { job: 9 }), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_USAGE');
  assert.throws(() => selectJobs(plan, { shard: 3, of: 2 }), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_USAGE');
});
